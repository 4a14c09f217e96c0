"""Command-line tasks: ``flask --app webapp db upgrade`` and friends."""

from __future__ import annotations

import sqlite3
import sys
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


staff_cli = AppGroup("staff", help="Staff accounts: the first admin, and who has an account.")


def _password_problem(password: str, email: str) -> str | None:
    """What sign-up would say about this password, or None if it is fine."""
    from webapp.services.accounts import MIN_PASSWORD_LENGTH, is_common_password

    if not MIN_PASSWORD_LENGTH <= len(password) <= 200:
        return f"The password must be between {MIN_PASSWORD_LENGTH} and 200 characters."
    if is_common_password(password):
        return "This password is too easy to guess. Try three or four words that mean something to you."
    if password.strip().lower() == email.strip().lower():
        return "The password cannot be the email address."
    return None


@staff_cli.command("create-admin")
@click.option("--email", required=True, help="Their work email address: they sign in with it.")
@click.option("--name", default=None, help="Their name, as other staff see it.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_admin(email: str, name: str | None, password_stdin: bool) -> None:
    """Add an admin (no team, no role): they add teams and staff, and read the audit log."""
    from email_validator import EmailNotValidError, validate_email

    from webapp.services.accounts import EmailTaken, normalise_email
    from webapp.services.staff import create_staff

    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"That is not an email address: {error}") from error
    if len(email) > 254 or (name and len(name.strip()) > 80):
        raise click.ClickException("The email address must be 254 characters or fewer, and the name 80.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Type the password again")
    problem = _password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    try:
        staff = create_staff(db.session, email=email, password=password, display_name=(name or "").strip() or None,
                             team=None, role=None, is_admin=True, actor=None)
    except EmailTaken:
        db.session.rollback()
        raise click.ClickException("There is already an account with this email address.") from None
    db.session.commit()
    click.echo(f"Admin {email} added (staff #{staff.id}). Sign in at /sign-in, then add teams and staff at /admin/.")


@staff_cli.command("list")
def list_staff() -> None:
    """Everyone with a staff account: email, name, team, role, admin, two-step, active."""
    from webapp.services.staff import all_staff

    rows = all_staff(db.session)
    if not rows:
        click.echo("No staff accounts yet. Add the first admin with: flask --app webapp staff create-admin --email ...")
        return
    for member in rows:
        role = member.role.value if member.role else "-"
        click.echo("\t".join([
            member.user.email,
            member.user.display_name or "-",
            member.team.name if member.team else "-",
            role,
            "admin" if member.is_admin else "-",
            "two-step on" if member.totp_enabled_at else "two-step off",
            "active" if member.active else "deactivated",
        ]))
