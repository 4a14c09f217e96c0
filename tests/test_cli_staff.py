"""``flask --app webapp staff create-admin`` and ``staff list``."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_person, make_staff, make_team, sign_in
from webapp.extensions import db
from webapp.models import AuditEvent, StaffMember, User


def staff_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StaffMember.id)))


def test_create_admin_asks_for_the_password_twice(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create-admin", "--email", " Ada@Example.org ", "--name", "Ada"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Admin ada@example.org added" in result.output
    assert PASSWORD not in result.output  # hidden while typed
    with app.app_context():
        staff = db.session.scalar(select(StaffMember))
        assert staff.is_admin and staff.role is None and staff.team_id is None
        assert staff.user.email == "ada@example.org" and staff.user.display_name == "Ada"
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "staff.create"))
    client = app.test_client()
    assert sign_in(client, "ada@example.org").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_passwords_that_differ_are_asked_again(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create-admin", "--email", "ada@example.org"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert staff_count(app) == 1


def test_password_from_stdin_for_scripts(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create-admin", "--email", "ada@example.org", "--password-stdin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "ada@example.org").status_code == 302


def test_weak_passwords_bad_emails_and_taken_emails_are_refused(app):
    make_person(app, "alex@example.org")
    runner = app.test_cli_runner()
    for args, password, message in (
        (["--email", "ada@example.org"], "short", "between 10 and 200 characters"),
        (["--email", "ada@example.org"], "password123", "too easy to guess"),
        (["--email", "adalovelace@example.org"], "adalovelace@example.org", "cannot be the email address"),
        (["--email", "not an email"], PASSWORD, "not an email address"),
        (["--email", "ALEX@example.org"], PASSWORD, "already an account with this email address"),
    ):
        result = runner.invoke(args=["staff", "create-admin", *args, "--password-stdin"], input=password + "\n")
        assert result.exit_code != 0 and message in result.output, result.output
    assert staff_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_list_shows_every_staff_member(app):
    runner = app.test_cli_runner()
    assert "No staff accounts yet" in runner.invoke(args=["staff", "list"]).output
    team = make_team(app)
    make_staff(app, "casey@example.org", team_id=team, role="team_lead", name="Casey")
    make_staff(app, "ada@example.org", role=None, is_admin=True, name="Ada")
    result = runner.invoke(args=["staff", "list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines == [
        "ada@example.org\tAda\t-\t-\tadmin\ttwo-step off\tactive",
        "casey@example.org\tCasey\tNorth Hill link workers\tteam_lead\t-\ttwo-step off\tactive",
    ]
