"""Command-line tasks: ``flask --app webapp db upgrade`` and friends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp import migrations
from webapp.extensions import db

db_cli = AppGroup("db", help="Database schema (Alembic migrations in migrations/).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrations.upgrade(db.engine, revision)
    click.echo(f"Database at revision {migrations.current_revision(db.engine)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ("base" undoes them all)."""
    migrations.downgrade(db.engine, revision)
    click.echo(f"Database at revision {migrations.current_revision(db.engine) or 'base'}.")


@db_cli.command("current")
def current() -> None:
    """Show the database's revision and the newest one."""
    click.echo(f"database: {migrations.current_revision(db.engine) or 'empty'}; newest: {migrations.head_revision()}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the change does.")
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    command.revision(migrations.alembic_config(db.engine), message=message, autogenerate=True)


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore work on an SQLite file; for PostgreSQL use pg_dump and pg_restore (see README)"
        )
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the app is writing."""
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
    reader.close()
    writer.close()


@db_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path) -> None:
    """Copy the SQLite database to TARGET safely while the app runs."""
    source = _sqlite_path()
    if target.exists():
        raise click.ClickException(f"{target} already exists; choose a new file name")
    _copy_sqlite(source, target)
    click.echo(f"Backed up to {target}.")


@db_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def restore(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE. Stop the app first."""
    target = _sqlite_path()
    with sqlite3.connect(source) as check:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    check.close()
    if ok != "ok":
        raise click.ClickException(f"{source} is not a sound SQLite database: {ok}")
    if not yes:
        click.confirm(f"Replace {target} with {source}?", abort=True)
    db.engine.dispose()
    _copy_sqlite(source, target)
    click.echo(f"Restored {target} from {source}. Start the app again.")
