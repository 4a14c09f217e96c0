"""Two-step sign-in for staff: set up with a QR code and a confirming code, recovery codes shown
once, a second page at sign-in, codes that work once, and turning it off with the password."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, make_staff, make_team, sign_in
from tests.web.journey import HTMX
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, RecoveryCode, StaffMember

SECRET = re.compile(r"<code>([A-Z2-7 ]{39})</code>")
RECOVERY = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")
EMAIL = "casey@example.org"


@pytest.fixture
def app(app):
    app.config.update(RATELIMIT_ENABLED=False)
    return app


@pytest.fixture
def staff_client(app, client):
    make_staff(app, EMAIL, team_id=make_team(app), role="team_lead")
    assert sign_in(client, EMAIL).status_code == 302
    return client


def staff_row(app) -> StaffMember:
    with app.app_context():
        staff = db.session.scalar(select(StaffMember))
        db.session.expunge(staff)
        return staff


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def code_at(secret: str, offset_steps: int = 0) -> str:
    return code_and_step(secret, offset_steps)[0]


def code_and_step(secret: str, offset_steps: int = 0) -> tuple[str, int]:
    """A code from the app and its 30-second step, read at one moment."""
    step = int(time.time() // 30) + offset_steps
    return pyotp.TOTP(secret).at(step * 30), step


def turn_on(client, htmx=False) -> tuple[str, list[str]]:
    secret, codes, _used = turn_on_with_code(client, htmx)
    return secret, codes


def turn_on_with_code(client, htmx=False) -> tuple[str, list[str], str]:
    page = client.get("/staff/account/two-step").get_data(as_text=True)
    secret = SECRET.search(page).group(1).replace(" ", "")
    code = code_at(secret)
    reply = client.post("/staff/account/two-step", headers=HTMX if htmx else {},
                        data={"csrf_token": csrf_token(client, "/staff/account/two-step"), "code": code})
    assert reply.status_code == 200, reply.get_data(as_text=True)[:2000]
    return secret, RECOVERY.findall(reply.get_data(as_text=True)), code


def password_step(app, next_url=None):
    client = app.test_client()
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(client, "/sign-in")}
    if next_url:
        data["next"] = next_url
    reply = client.post("/sign-in", data=data)
    assert reply.status_code == 302 and reply.headers["Location"] == "/sign-in/code"
    return client


def send_code(client, code, htmx=False):
    return client.post("/sign-in/code", headers=HTMX if htmx else {},
                       data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")})


def test_the_staff_account_page_says_who_they_are(app, staff_client):
    page = staff_client.get("/staff/account").get_data(as_text=True)
    for text in ("Your staff account", "Casey", EMAIL, "North Hill link workers", "Team lead",
                 "Social prescribing link worker", "Two-step sign-in", "Off", "Turn on two-step sign-in"):
        assert text in page


def test_people_cannot_use_staff_account_pages(app, signed_in):
    for path in ("/staff/account", "/staff/account/two-step", "/staff/account/two-step/off"):
        assert signed_in.get(path).status_code == 403


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_setting_up_shows_a_qr_code_and_needs_a_right_code(app, staff_client, htmx):
    page = staff_client.get("/staff/account/two-step", headers=HTMX if htmx else {}).get_data(as_text=True)
    assert "<svg" in page and "QR code to scan with your authenticator app" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # the CSP forbids inline style
    secret = SECRET.search(page).group(1).replace(" ", "")
    # A reload shows the same secret, and looking changes nothing stored.
    assert secret in staff_client.get("/staff/account/two-step").get_data(as_text=True).replace(" ", "")
    assert staff_row(app).totp_secret is None

    for bad in ("123456" if code_at(secret) != "123456" else "654321", "abc", ""):
        reply = staff_client.post("/staff/account/two-step", headers=HTMX if htmx else {},
                                  data={"csrf_token": csrf_token(staff_client, "/staff/account"), "code": bad})
        assert reply.status_code == 422 and "There is a problem" in reply.get_data(as_text=True)
    assert staff_row(app).totp_enabled_at is None and "two_factor.enable" not in actions(app)

    reply = staff_client.post("/staff/account/two-step", headers=HTMX if htmx else {},
                              data={"csrf_token": csrf_token(staff_client, "/staff/account"), "code": code_at(secret)})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Save these codes now" in page
    codes = RECOVERY.findall(page)
    assert len(set(codes)) == 10
    staff = staff_row(app)
    assert staff.totp_secret == secret and staff.totp_enabled_at is not None
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # kept hashed
    assert actions(app).count("two_factor.enable") == 1
    account = staff_client.get("/staff/account").get_data(as_text=True)
    assert "10 recovery codes left" in account and "Turn off two-step sign-in" in account
    # The codes are never shown again.
    assert not RECOVERY.search(account)
    assert staff_client.get("/staff/account/two-step").status_code == 302


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_signing_in_needs_the_code_after_the_password(app, staff_client, htmx):
    secret, _codes, setup_code = turn_on_with_code(staff_client)
    client = password_step(app, next_url="/staff/account")
    assert client.get("/staff/account").status_code == 302  # not signed in yet
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert "Enter your code" in page and 'autocomplete="one-time-code"' in page

    wrong = send_code(client, "000000" if code_at(secret) != "000000" else "111111", htmx)
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    used = send_code(client, setup_code, htmx)  # the code that confirmed the set-up
    assert used.status_code == 422
    assert client.get("/staff/account").status_code == 302

    fresh, step = code_and_step(secret, 1)
    reply = send_code(client, fresh, htmx)
    assert reply.status_code == 302 and reply.headers["Location"] == "/staff/account"
    assert client.get("/staff/account").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(StaffMember.totp_last_step)) == step

    again = password_step(app)
    assert send_code(again, fresh).status_code == 422  # one code, one sign-in


def test_a_recovery_code_works_once(app, staff_client):
    _secret, codes = turn_on(staff_client)
    client = password_step(app)
    reply = send_code(client, codes[3].upper().replace("-", " "))
    assert reply.status_code == 302
    assert "You have 9 left" in client.get("/staff/account").get_data(as_text=True)
    assert actions(app).count("two_factor.recovery_code_used") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_not(None))) == 1

    again = password_step(app)
    assert send_code(again, codes[3]).status_code == 422
    assert actions(app).count("two_factor.recovery_code_used") == 1


def test_a_pending_sign_in_lasts_five_minutes(app, staff_client):
    secret, _codes = turn_on(staff_client)
    client = password_step(app)
    token = csrf_token(client, "/sign-in/code")
    with client.session_transaction() as session:
        session["pending_sign_in"]["at"] = (utcnow() - timedelta(minutes=6)).isoformat()
        session.modified = True
    reply = client.post("/sign-in/code", data={"code": code_at(secret, 1), "csrf_token": token})
    assert reply.status_code == 303 and reply.headers["Location"] == "/sign-in"
    assert "Signing in took too long" in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/staff/account").status_code == 302


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(app, client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    reply = client.post("/sign-in/code", data={"code": "123456", "csrf_token": csrf_token(client, "/sign-in")})
    assert reply.status_code == 303


def test_wrong_codes_count_towards_the_lock(app, staff_client):
    app.config.update(LOCKOUT_AFTER_FAILURES=3)
    secret, _codes = turn_on(staff_client)
    client = password_step(app)
    for _ in range(2):
        assert send_code(client, "999999" if code_at(secret) != "999999" else "888888").status_code == 422
    third = send_code(client, "999999" if code_at(secret) != "999999" else "888888")
    assert "signing in is paused" in third.get_data(as_text=True)
    assert "sign_in.locked" in actions(app)
    # Now even the right password and a right code do not get in.
    again = app.test_client()
    reply = again.post("/sign-in", data={"email": EMAIL, "password": PASSWORD,
                                         "csrf_token": csrf_token(again, "/sign-in")})
    assert reply.status_code == 422 and "signing in is paused" in reply.get_data(as_text=True)


def test_the_code_page_is_rate_limited(app, staff_client):
    from webapp.extensions import limiter

    secret, _codes = turn_on(staff_client)
    app.config.update(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="2 per minute", LOCKOUT_AFTER_FAILURES=50)
    limiter.reset()
    client = password_step(app)
    token = csrf_token(client, "/sign-in/code")
    codes = [client.post("/sign-in/code", data={"code": "abcdef", "csrf_token": token}).status_code for _ in range(3)]
    limiter.reset()
    assert codes == [422, 422, 429]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_turning_it_off_needs_the_password(app, staff_client, htmx):
    turn_on(staff_client)
    page = staff_client.get("/staff/account/two-step/off").get_data(as_text=True)
    assert "Turn off two-step sign-in" in page
    wrong = staff_client.post("/staff/account/two-step/off", headers=HTMX if htmx else {},
                              data={"csrf_token": csrf_token(staff_client, "/staff/account"), "password": "not it at all"})
    assert wrong.status_code == 422 and "That password is not right" in wrong.get_data(as_text=True)
    assert staff_row(app).totp_enabled_at is not None and "two_factor.disable" not in actions(app)

    reply = staff_client.post("/staff/account/two-step/off", headers=HTMX if htmx else {},
                              data={"csrf_token": csrf_token(staff_client, "/staff/account"), "password": PASSWORD})
    assert reply.status_code == (200 if htmx else 303)
    staff = staff_row(app)
    assert staff.totp_secret is None and staff.totp_enabled_at is None
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert actions(app).count("two_factor.disable") == 1
    # The password alone signs in again.
    assert sign_in(app.test_client(), EMAIL).headers["Location"] == "/"


def test_people_sign_in_with_no_second_step(app, client, person):
    assert sign_in(client).headers["Location"] == "/"
