"""Shared fixtures: an app on a fresh migrated database, a client, and a signed-in person."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from webapp import create_app
from webapp.extensions import db
from webapp.services.accounts import register_person

PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _postgres_url() -> str | None:
    """Run the suite on PostgreSQL by setting CAPABLE_TEST_DATABASE_URL (a database it may wipe)."""
    return os.environ.get("CAPABLE_TEST_DATABASE_URL")


def _wipe_postgres(url: str) -> None:
    from webapp.config import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Argon2 with its production cost takes a fifth of a second a hash: too slow for hundreds
    of sign-ins. Tests use the same algorithm with the smallest cost."""
    from argon2 import PasswordHasher

    from webapp.services import accounts

    production = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    accounts._hasher = production


@pytest.fixture
def database_url(tmp_path) -> str:
    url = _postgres_url()
    if url:
        _wipe_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'capable-test.sqlite3'}"


@pytest.fixture
def app(database_url, tmp_path) -> Iterator[Flask]:
    from webapp.config import database_url as normalise

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "tests-only",
        "SQLALCHEMY_ENGINES": {"default": normalise(database_url)},
        "DEMO_DATA": False,
        "AUTO_MIGRATE": True,
    })
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """The CSRF token of the client's session, read from a real form as a browser would."""
    page = client.get(path)
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def make_person(app: Flask, email: str = "alex@example.org", password: str = PASSWORD, name: str | None = "Alex"):
    with app.app_context():
        person = register_person(db.session, email, password, name)
        db.session.commit()
        return person.id


def sign_in(client: FlaskClient, email: str = "alex@example.org", password: str = PASSWORD,
            next_url: str | None = None):
    token = csrf_token(client, "/sign-in")
    data = {"email": email, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/sign-in", data=data)


@pytest.fixture
def person(app) -> int:
    return make_person(app)


@pytest.fixture
def signed_in(client, person) -> FlaskClient:
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


# --- Staff, teams and consent -----------------------------------------------------------------


def make_team(app: Flask, name: str = "North Hill link workers") -> int:
    from webapp.services.staff import create_team

    with app.app_context():
        team = create_team(db.session, name, actor=None)
        db.session.commit()
        return team.id


def make_staff(
    app: Flask,
    email: str = "casey@example.org",
    *,
    team_id: int | None = None,
    role: str | None = "coach",
    is_admin: bool = False,
    job_title: str | None = "Social prescribing link worker",
    name: str | None = "Casey",
    password: str = PASSWORD,
) -> int:
    """A staff account; returns its user id (what ``sign_in`` and ``AuditEvent`` use)."""
    from webapp.models import StaffRole, Team
    from webapp.services.staff import create_staff

    with app.app_context():
        team = db.session.get(Team, team_id) if team_id is not None else None
        staff = create_staff(
            db.session, email=email, password=password, display_name=name, team=team,
            role=StaffRole(role) if role else None, job_title=job_title, is_admin=is_admin, actor=None,
        )
        db.session.commit()
        return staff.user_id


def share_with(app: Flask, person_id: int, team_id: int, coach_user_id: int | None = None) -> int:
    """The person consents to share their record with the team (as claiming an invite does)."""
    from webapp.models import StaffMember, Team, User
    from webapp.services.consent import grant

    with app.app_context():
        person = db.session.get(User, person_id)
        coach = None
        if coach_user_id is not None:
            coach = db.session.scalar(select(StaffMember).where(StaffMember.user_id == coach_user_id))
        consent = grant(db.session, person, db.session.get(Team, team_id), coach=coach)
        db.session.commit()
        return consent.id


def add_assessment(
    app: Flask,
    person_id: int,
    questionnaire_id: str = "capable-activation",
    *,
    wellness: float = 0.5,
    days_ago: float = 0,
    seed: int = 1,
) -> str:
    """A completed questionnaire with synthetic answers (``wellness`` 0 low to 1 high), dated
    ``days_ago``; returns the response's UUID."""
    import random
    import uuid as uuid_module
    from datetime import timedelta

    from webapp.catalogue import get_catalogue
    from webapp.db import utcnow
    from webapp.models import User
    from webapp.services.demo import synthetic_answers
    from webapp.services.responses import receive_response

    with app.app_context():
        questionnaire = get_catalogue().get(questionnaire_id)
        when = utcnow() - timedelta(days=days_ago)
        answers = synthetic_answers(questionnaire, wellness, random.Random(seed))
        response, _created = receive_response(
            db.session, db.session.get(User, person_id), questionnaire, uuid_module.uuid4(), answers,
            authored_at=when,
        )
        response.started_at = response.received_at = response.updated_at = when
        db.session.commit()
        return str(response.uuid)
