"""Shared fixtures: an app on a fresh migrated database, a client, and a signed-in person."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

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


def sign_in(client: FlaskClient, email: str = "alex@example.org", password: str = PASSWORD):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def person(app) -> int:
    return make_person(app)


@pytest.fixture
def signed_in(client, person) -> FlaskClient:
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
