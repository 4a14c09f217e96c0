"""Too many wrong passwords in a row pause sign-in for the account, even with the right one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token, make_staff, make_team, sign_in
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, User

WRONG = "The email address or password is not right"
PAUSED = "signing in is paused for this account"


@pytest.fixture
def app(app):
    app.config.update(LOCKOUT_AFTER_FAILURES=3, LOCKOUT_MINUTES=15, RATELIMIT_ENABLED=False)
    return app


def user(app, email) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(found)
        return found


def lock_events(app) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in.locked")).all()


def test_wrong_passwords_lock_the_account_even_for_the_right_password(app, client, person):
    for _ in range(2):
        reply = sign_in(client, password="not my password at all")
        assert reply.status_code == 422 and WRONG in reply.get_data(as_text=True)
    assert user(app, "alex@example.org").failed_sign_ins == 2
    third = sign_in(client, password="not my password at all")
    page = third.get_data(as_text=True)
    assert third.status_code == 422
    assert PAUSED in page and "Wait 15 minutes" in page
    assert "ask an admin" not in page  # people have no admin to ask
    locked = user(app, "alex@example.org")
    assert locked.locked_until > utcnow() + timedelta(minutes=14)
    [event] = lock_events(app)
    assert event.actor_user_id == person and event.person_id == person

    right = sign_in(client)
    assert right.status_code == 422 and PAUSED in right.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not signed in
    assert len(lock_events(app)) == 1  # locking happens once


def test_the_lock_ends_after_the_wait_and_a_success_resets_the_count(app, client, person):
    for _ in range(3):
        sign_in(client, password="not my password at all")
    with app.app_context():
        found = db.session.get(User, person)
        found.locked_until = utcnow() - timedelta(seconds=1)  # the wait is over
        db.session.commit()
    sign_in(client, password="not my password at all")
    assert user(app, "alex@example.org").failed_sign_ins == 1
    assert sign_in(client).status_code == 302
    after = user(app, "alex@example.org")
    assert after.failed_sign_ins == 0 and after.locked_until is None and after.last_sign_in_at is not None


def test_a_success_in_between_starts_the_count_again(app, client, person):
    sign_in(client, password="not my password at all")
    sign_in(client, password="not my password at all")
    assert sign_in(client).status_code == 302
    other = app.test_client()
    for _ in range(2):
        assert sign_in(other, password="not my password at all").status_code == 422
    assert user(app, "alex@example.org").locked_until is None


def test_staff_are_told_they_can_ask_an_admin(app, client):
    make_staff(app, "casey@example.org", team_id=make_team(app))
    for _ in range(3):
        reply = sign_in(client, "casey@example.org", "not my password at all")
    page = reply.get_data(as_text=True)
    assert PAUSED in page and "ask an admin" in page
    [event] = lock_events(app)
    assert event.person_id is None  # staff are not people's records


def test_unknown_emails_are_never_locked_and_say_nothing(app, client, person):
    for _ in range(5):
        reply = sign_in(client, "nobody@example.org", PASSWORD)
        page = reply.get_data(as_text=True)
        assert reply.status_code == 422 and WRONG in page and PAUSED not in page
    assert lock_events(app) == []
    # Wrong passwords for one account do not touch another.
    assert user(app, "alex@example.org").failed_sign_ins == 0


def test_a_deactivated_staff_member_cannot_sign_in(app, client):
    from webapp.models import StaffMember

    staff_user = make_staff(app, "casey@example.org", team_id=make_team(app))
    with app.app_context():
        staff = db.session.scalar(select(StaffMember).where(StaffMember.user_id == staff_user))
        staff.deactivated_at = utcnow()
        db.session.commit()
    reply = sign_in(client, "casey@example.org")
    assert reply.status_code == 422
    assert "turned off" in reply.get_data(as_text=True)
    assert client.get("/staff/account").status_code == 302  # to the sign-in page


def test_sign_in_is_still_rate_limited(app, client, person):
    app.config.update(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="2 per minute")
    from webapp.extensions import limiter

    limiter.reset()
    token = csrf_token(client, "/sign-in")
    codes = [client.post("/sign-in", data={"email": "nobody@example.org", "password": "x" * 12,
                                           "csrf_token": token}).status_code for _ in range(3)]
    limiter.reset()
    assert codes == [422, 422, 429]


def test_wrong_passwords_typed_while_signed_in_count_and_lock_the_account_and_end_the_session(app, signed_in):
    """Someone using a session left open cannot try passwords for ever on 'change password'."""
    tries = app.config["LOCKOUT_AFTER_FAILURES"]
    for number in range(1, tries + 1):
        reply = signed_in.post("/account/password", data={
            "csrf_token": csrf_token(signed_in, "/account/password"), "current": f"not it {number}",
            "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
        if number < tries:
            assert reply.status_code == 422
            assert "That is not your current password" in reply.get_data(as_text=True)
    assert reply.status_code == 303 and reply.headers["Location"] == "/sign-in"
    assert "too many wrong tries" in signed_in.get("/sign-in").get_data(as_text=True)
    assert signed_in.get("/history").status_code == 302  # signed out
    assert sign_in(app.test_client()).status_code == 422  # and locked, even with the right password
