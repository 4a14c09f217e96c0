"""Command-line tasks: ``flask --app webapp db upgrade`` and friends."""

from __future__ import annotations

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
