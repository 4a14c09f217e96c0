"""Signing up, signing in and signing out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, make_person, sign_in
from webapp.extensions import db
from webapp.models import User

GENERIC_SIGN_IN_ERROR = "The email address or password is not right"


def sign_up(client, **fields):
    data = {"email": "new@example.org", "password": PASSWORD, "confirm": PASSWORD, "display_name": "Jo"}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/sign-up")
    return client.post("/sign-up", data=data)


def count_people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_sign_up_creates_an_account_and_signs_the_person_in(client, app):
    reply = sign_up(client, email="  New@Example.org ")
    assert reply.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Hello, Jo" in home
    assert "Your account is ready." in home
    with app.app_context():
        person = db.session.scalar(select(User))
        assert person.email == "new@example.org"
        assert person.password_hash.startswith("$argon2")
        assert PASSWORD not in person.password_hash


def test_sign_up_with_a_taken_email_does_not_say_whether_it_exists(client, app, person):
    reply = sign_up(client, email="ALEX@example.org")
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "You cannot use this email address to sign up" in page
    assert count_people(app) == 1


def test_sign_up_rejects_short_and_mismatched_passwords(client, app):
    reply = sign_up(client, password="short", confirm="short")
    assert reply.status_code == 422
    assert "Password must be between 10 and 200 characters" in reply.get_data(as_text=True)
    reply = sign_up(client, confirm="something else entirely")
    assert reply.status_code == 422
    assert "The passwords do not match" in reply.get_data(as_text=True)
    reply = sign_up(client, email="not-an-email")
    assert reply.status_code == 422
    assert "Enter an email address in the right format" in reply.get_data(as_text=True)
    assert count_people(app) == 0


def test_sign_in_errors_are_the_same_for_wrong_password_and_unknown_email(client, person):
    wrong_password = sign_in(client, password="not the password at all")
    unknown_email = sign_in(client, email="nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert GENERIC_SIGN_IN_ERROR in wrong_password.get_data(as_text=True)
    assert GENERIC_SIGN_IN_ERROR in unknown_email.get_data(as_text=True)
    assert "Hello" not in client.get("/").get_data(as_text=True)


def test_sign_in_follows_only_same_site_next_pages(client, person):
    token = csrf_token(client, "/sign-in")
    reply = client.post("/sign-in", data={"email": "alex@example.org", "password": PASSWORD,
                                          "csrf_token": token, "next": "/history"})
    assert reply.headers["Location"] == "/history"
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client, "/sign-in")
    reply = client.post("/sign-in", data={"email": "alex@example.org", "password": PASSWORD,
                                          "csrf_token": token, "next": "https://evil.example/"})
    assert reply.headers["Location"] == "/"


def test_pages_about_a_person_ask_for_sign_in(client):
    reply = client.get("/history")
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/sign-in?next=")
    assert client.get("/questionnaires/capable-activation").status_code == 302


def test_sign_out_is_a_post_with_a_csrf_token(signed_in):
    assert signed_in.get("/sign-out").status_code == 405
    refused = signed_in.post("/sign-out", data={})
    assert refused.status_code == 400
    assert "Hello, Alex" in signed_in.get("/").get_data(as_text=True)
    reply = signed_in.post("/sign-out", data={"csrf_token": csrf_token(signed_in, "/")})
    assert reply.status_code == 302
    assert "Hello, Alex" not in signed_in.get("/").get_data(as_text=True)
    assert signed_in.get("/history").status_code == 302


def test_sign_in_starts_a_new_session(client, person):
    token_before = csrf_token(client, "/sign-in")
    sign_in(client)
    assert csrf_token(client, "/") != token_before


def test_deactivated_accounts_cannot_sign_in(client, app, person):
    with app.app_context():
        db.session.get(User, person).active = False
        db.session.commit()
    assert sign_in(client).status_code == 422


def test_a_second_person_can_sign_up_and_sees_only_their_own_home(client, app, person):
    make_person(app, email="sam@example.org", name="Sam")
    sign_in(client, email="sam@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Sam" in page
    assert "Alex" not in page


def test_sign_up_refuses_common_passwords_and_the_email_as_password(client, app):
    for common in ("password123", "Qwertyuiop", "1234567890"):
        reply = sign_up(client, password=common, confirm=common)
        assert reply.status_code == 422
        assert "This password is too easy to guess" in reply.get_data(as_text=True)
    reply = sign_up(client, email="longname@example.org", password="longname@example.org",
                    confirm="longname@example.org")
    assert reply.status_code == 422
    assert "Your password cannot be your email address" in reply.get_data(as_text=True)
    assert count_people(app) == 0


@pytest.fixture
def strict_app(database_url):
    from webapp import create_app
    from webapp.config import database_url as normalise

    app = create_app({"TESTING": True, "SECRET_KEY": "tests-only", "DEMO_DATA": False,
                      "SQLALCHEMY_ENGINES": {"default": normalise(database_url)},
                      "SIGN_IN_RATE_LIMIT": "3 per minute", "SIGN_UP_RATE_LIMIT": "2 per minute"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sign_in_and_sign_up_are_rate_limited(strict_app):
    make_person(strict_app)
    client = strict_app.test_client()
    for _ in range(3):
        assert sign_in(client, password="wrong password here").status_code == 422
    blocked = sign_in(client)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many tries" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    for _ in range(2):
        sign_up(client, email=f"x{_}@example.org", password="short", confirm="short")
    assert sign_up(client, email="y@example.org").status_code == 429
