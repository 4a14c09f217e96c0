"""Invites: a coach makes a single-use link, a person claims it and shares their record, through
the Flask test client."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, csrf_token, make_person, make_staff, make_team, share_with, sign_in
from tests.web.journey import HTMX
from webapp.auth.views import INVITE_TOKEN_KEY as TOKEN_KEY
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, Consent, Invite, StaffMember, User

INVITE_LINK = re.compile(r'value="(http://localhost/invite/([A-Za-z0-9_-]+))"')
URLS_IN_PAGE = re.compile(r'(?:href|action|hx-[a-z]+)="([^"]*)"')


# --- helpers ------------------------------------------------------------------------------------


def create_invite(client, label="Mrs B, Tuesday clinic", htmx=False):
    return client.post("/staff/invites", headers=HTMX if htmx else {},
                       data={"person_label": label, "csrf_token": csrf_token(client, "/staff/invites")})


def new_invite(client, label="Mrs B, Tuesday clinic") -> str:
    """Make an invite as the signed-in coach; returns the token read from the page."""
    reply = create_invite(client, label)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:2000]
    return INVITE_LINK.search(reply.get_data(as_text=True)).group(2)


def open_link(client, token):
    """Open the invite link as a person would: the token goes into the session and the browser is
    sent on to ``/invite``, whose page this returns."""
    reply = client.get(f"/invite/{token}")
    assert reply.status_code == 303, reply.status_code
    assert reply.headers["Location"] == "/invite"
    return client.get("/invite")


def sign_up_through(client, email="sam@example.org", **fields):
    data = {"display_name": "Sam", "email": email, "password": PASSWORD, "confirm": PASSWORD,
            "csrf_token": csrf_token(client, "/sign-in")}
    data.update(fields)
    return client.post("/invite", data=data)


def agree(client, ticked=True):
    data = {"csrf_token": csrf_token(client, "/account/sharing")}
    if ticked:
        data["agree"] = "y"
    return client.post("/invite", data=data)


def session_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def urls_in(page: str) -> list[str]:
    """Every address the page links, posts or points htmx to."""
    return URLS_IN_PAGE.findall(page)


def invites(app) -> list[Invite]:
    with app.app_context():
        return db.session.scalars(select(Invite).order_by(Invite.id)).all()


def consents(app) -> list[Consent]:
    with app.app_context():
        return db.session.scalars(select(Consent).order_by(Consent.id)).all()


def audit_events(app, action) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def stored(app) -> tuple:
    """What a claim or a sign-up would change: invites, consents, accounts and the audit log."""
    with app.app_context():
        return (
            [(i.id, i.claimed_at, i.claimed_by_id, i.revoked_at, i.expires_at)
             for i in db.session.scalars(select(Invite).order_by(Invite.id))],
            [(c.id, c.person_id, c.team_id, c.withdrawn_at)
             for c in db.session.scalars(select(Consent).order_by(Consent.id))],
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(AuditEvent.id))),
        )


def set_invite(app, **values):
    with app.app_context():
        db.session.execute(update(Invite).values(**values))
        db.session.commit()


def user_id(app, email) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


# --- the whole loop -------------------------------------------------------------------------------


def test_coach_invites_a_new_person_who_signs_up_shares_and_later_stops(app, coach_client, coach, caplog):
    with caplog.at_level(logging.DEBUG):
        token = new_invite(coach_client, "Sam from the Tuesday group")

        person = app.test_client()
        link = person.get(f"/invite/{token}")
        assert link.status_code == 303 and link.headers["Location"] == "/invite"
        welcome = person.get("/invite")
        page = welcome.get_data(as_text=True)
        assert welcome.status_code == 200
        assert "Casey Jones from North Hill link workers has invited you" in page
        assert "Health and wellbeing coach" in page
        assert "your care plan" in page
        for reply in (link, welcome):
            assert reply.headers["Cache-Control"] == "no-store"
            assert reply.headers["Referrer-Policy"] == "no-referrer"

        # After the link itself, the token is in no address the person is sent to or shown.
        signed_up = sign_up_through(person)
        assert signed_up.status_code == 303
        assert signed_up.headers["Location"] == "/invite"
        consent_step = person.get("/invite")
        step = consent_step.get_data(as_text=True)
        assert "I agree to share my Capable record with North Hill link workers" in step
        assert 'type="checkbox"' in step
        assert token not in step and 'action="/invite"' in step

        done = agree(person)
        assert done.status_code == 303 and done.headers["Location"] == "/"
        home = person.get("/").get_data(as_text=True)
        assert "You now share your record with North Hill link workers" in home
        for reply in (welcome, signed_up, consent_step, done):
            assert token not in reply.headers.get("Location", "")
            assert token not in reply.get_data(as_text=True)

    sam = user_id(app, "sam@example.org")
    [consent] = consents(app)
    assert (consent.person_id, consent.withdrawn_at) == (sam, None)
    assert consent.invite_id == invites(app)[0].id
    assert invites(app)[0].claimed_by_id == sam
    assert coach_client.get(f"/staff/people/{sam}").status_code == 200

    stop = person.post(f"/account/sharing/{consent.id}/stop",
                       data={"csrf_token": csrf_token(person, "/account/sharing")})
    assert stop.status_code == 303
    assert coach_client.get(f"/staff/people/{sam}").status_code == 404
    assert token not in caplog.text


def test_the_page_after_the_link_holds_no_token_in_any_link_or_form(app, coach_client, coach):
    token = new_invite(coach_client)
    person = app.test_client()
    welcome = open_link(person, token)
    page = welcome.get_data(as_text=True)
    assert welcome.status_code == 200
    assert welcome.headers["Cache-Control"] == "no-store"
    assert welcome.headers["Referrer-Policy"] == "no-referrer"
    assert token not in page
    assert 'action="/invite"' in page
    assert 'href="/sign-in?next=/invite"' in page
    assert urls_in(page) and not [url for url in urls_in(page) if token in url]
    assert session_of(person)[TOKEN_KEY] == token

    # Signed in, the consent step is the same: nothing in it gives the token away.
    make_person(app)
    sign_in(person, next_url="/invite")  # as the page's sign-in link does
    consent_step = person.get("/invite")
    page = consent_step.get_data(as_text=True)
    assert consent_step.status_code == 200 and 'type="checkbox"' in page
    assert token not in page
    assert 'action="/invite"' in page
    assert not [url for url in urls_in(page) if token in url]


def test_opening_a_second_link_replaces_the_first(app, coach_client):
    first, second = new_invite(coach_client, "First"), new_invite(coach_client, "Second")
    person = app.test_client()
    open_link(person, first)
    open_link(person, second)
    assert session_of(person)[TOKEN_KEY] == second


def test_a_person_with_an_account_signs_in_from_the_invite_and_agrees(app, coach_client, coach):
    alex = make_person(app)
    token = new_invite(coach_client)
    person = app.test_client()
    welcome = open_link(person, token).get_data(as_text=True)
    sign_in_link = "/sign-in?next=/invite"
    assert f'href="{sign_in_link}"' in welcome
    assert "I already have an account: sign in" in welcome
    with person.session_transaction() as session:
        session["planted"] = "from before sign-in"

    reply = person.post("/sign-in", data={"email": "alex@example.org", "password": PASSWORD,
                                          "next": "/invite", "csrf_token": csrf_token(person, sign_in_link)})
    assert reply.status_code == 302 and reply.headers["Location"] == "/invite"
    kept = session_of(person)
    assert kept[TOKEN_KEY] == token and "planted" not in kept  # a new session, but the invite is kept
    consent_step = person.get("/invite").get_data(as_text=True)
    assert "I agree to share my Capable record with North Hill link workers" in consent_step

    not_ticked = agree(person, ticked=False)
    assert not_ticked.status_code == 422
    assert "Tick the box if you agree to share your record" in not_ticked.get_data(as_text=True)
    assert token not in not_ticked.get_data(as_text=True)
    assert consents(app) == [] and invites(app)[0].claimed_at is None

    assert agree(person).status_code == 303
    [consent] = consents(app)
    with app.app_context():
        coach_staff_id = db.session.scalar(select(StaffMember.id).where(StaffMember.user_id == coach))
    assert (consent.person_id, consent.coach_id) == (alex, coach_staff_id)
    from webapp.services.consent import CONSENT_WORDING_VERSION
    assert consent.wording_version == CONSENT_WORDING_VERSION
    [claim] = audit_events(app, "invite.claim")
    assert (claim.actor_user_id, claim.person_id, claim.team_id) == (alex, alex, consent.team_id)
    assert len(audit_events(app, "consent.grant")) == 1
    assert coach_client.get(f"/staff/people/{alex}").status_code == 200


def test_someone_else_signing_in_on_the_same_phone_does_not_inherit_an_opened_invite(app, coach_client):
    token = new_invite(coach_client)
    make_person(app, "alex@example.org")
    shared_phone = app.test_client()
    open_link(shared_phone, token)  # opened, never accepted
    reply = shared_phone.post("/sign-in", data={"email": "alex@example.org", "password": PASSWORD,
                                                "csrf_token": csrf_token(shared_phone, "/sign-in")})
    assert reply.status_code == 302 and reply.headers["Location"] == "/"
    assert TOKEN_KEY not in session_of(shared_phone)
    page = shared_phone.get("/invite")
    assert page.status_code == 404 and 'type="checkbox"' not in page.get_data(as_text=True)
    assert consents(app) == [] and invites(app)[0].claimed_at is None


def test_the_invite_is_kept_through_two_step_sign_in_and_nothing_else_is(app, coach_client, team):
    """Two-step sign-in is for staff accounts only, so the account that signs in here is refused
    the invite itself (403); what matters is that the session it starts kept the invite's token,
    and only that, across both steps."""
    from webapp.services import two_factor

    token = new_invite(coach_client)
    make_staff(app, "lee@example.org", team_id=team, name="Lee")
    secret = two_factor.new_secret()
    with app.app_context():
        staff = db.session.scalar(select(StaffMember).join(User).where(User.email == "lee@example.org"))
        two_factor.enable(db.session, staff, secret, step=0)
        db.session.commit()

    client = app.test_client()
    open_link(client, token)
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    password = client.post("/sign-in", data={"email": "lee@example.org", "password": PASSWORD, "next": "/invite",
                                             "csrf_token": csrf_token(client, "/sign-in?next=/invite")})
    assert password.status_code == 302 and password.headers["Location"] == "/sign-in/code"
    pending = session_of(client)
    assert pending[TOKEN_KEY] == token and "planted" not in pending

    code = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now(),
                                              "csrf_token": csrf_token(client, "/sign-in/code")})
    assert code.status_code == 302 and code.headers["Location"] == "/invite"
    signed_in = session_of(client)
    assert signed_in[TOKEN_KEY] == token and "pending_sign_in" not in signed_in and "planted" not in signed_in
    assert client.get("/invite").status_code == 403  # a staff account, as on every invite route
    assert invites(app)[0].claimed_at is None


def test_after_claiming_the_session_forgets_the_invite(app, coach_client):
    token = new_invite(coach_client)
    make_person(app)
    person = app.test_client()
    sign_in(person)
    open_link(person, token)
    assert agree(person).status_code == 303
    assert TOKEN_KEY not in session_of(person)
    again = person.get("/invite")
    page = again.get_data(as_text=True)
    assert again.status_code == 404
    assert 'type="checkbox"' not in page and "This invite link does not work" in page
    # The link itself says they have already accepted it.
    assert person.get(f"/invite/{token}").headers["Location"] == "/account/sharing"


# --- the coach's side ---------------------------------------------------------------------------


def test_the_link_is_shown_once_with_a_qr_code_and_only_its_hash_is_stored(app, coach_client, coach):
    reply = create_invite(coach_client, "Mr D (ref 4471)")
    page = reply.get_data(as_text=True)
    link, token = INVITE_LINK.search(page).groups()
    assert "Copy or print it now. For safety we cannot show it again; you can make a new one." in page
    assert '<svg role="img"' in page and "<title>QR code for the invite link</title>" in page
    assert '<button class="nhsuk-button nhsuk-button--secondary" data-print' in page
    assert reply.headers["Cache-Control"] == "no-store"

    [invite] = invites(app)
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invite.person_label == "Mr D (ref 4471)"
    assert timedelta(days=13, hours=23) < invite.expires_at - utcnow() <= timedelta(days=14)
    expiry = f"{invite.expires_at:%-d %B %Y}"
    assert expiry in page
    with app.app_context():
        stored = db.session.execute(select(Invite.__table__)).one()
    assert token not in repr(stored)

    [event] = audit_events(app, "invite.create")
    assert event.actor_user_id == coach and event.team_id == invite.team_id
    assert "Mr D" not in repr(event.detail)
    # The list shows the invite, but never the link again.
    listing = coach_client.get("/staff/invites").get_data(as_text=True)
    assert "Mr D (ref 4471)" in listing and "Waiting" in listing and "Casey Jones" in listing
    assert token not in listing


def test_invite_page_works_as_an_htmx_fragment(coach_client):
    reply = create_invite(coach_client, "Pat", htmx=True)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "<html" not in page and "<title>Invite link for Pat – Capable</title>" in page
    assert INVITE_LINK.search(page)


@pytest.mark.parametrize("label, message", [
    ("", "Enter a name or reference for the person"),
    ("   ", "Enter a name or reference for the person"),
    ("x" * 121, "Name or reference must be 120 characters or fewer"),
])
def test_a_missing_or_long_label_is_refused(app, coach_client, label, message):
    reply = create_invite(coach_client, label)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "There is a problem" in page and message in page
    assert invites(app) == []


def test_a_coach_sees_only_their_own_teams_invites(app, coach_client):
    other_team = make_team(app, "South Vale coaches")
    make_staff(app, "robin@example.org", team_id=other_team, name="Robin")
    other = app.test_client()
    sign_in(other, "robin@example.org")
    new_invite(other, "Somebody from South Vale")
    new_invite(coach_client, "Somebody from North Hill")

    listing = coach_client.get("/staff/invites").get_data(as_text=True)
    assert "Somebody from North Hill" in listing
    assert "Somebody from South Vale" not in listing
    south_vale_invite = invites(app)[0]
    cancel = coach_client.post(f"/staff/invites/{south_vale_invite.id}/cancel",
                               data={"csrf_token": csrf_token(coach_client, "/staff/invites")})
    assert cancel.status_code == 404
    assert invites(app)[0].revoked_at is None
    for no_such_id in (999999, 2**31, 10**30):
        reply = coach_client.post(f"/staff/invites/{no_such_id}/cancel",
                                  data={"csrf_token": csrf_token(coach_client, "/staff/invites")})
        assert reply.status_code == 404


def test_closed_invites_stay_on_the_list_for_a_while(app, coach_client):
    new_invite(coach_client, "Long ago")
    new_invite(coach_client, "Ran out last week")
    with app.app_context():
        long_ago, last_week = db.session.scalars(select(Invite).order_by(Invite.id)).all()
        long_ago.expires_at = utcnow() - timedelta(days=60)
        last_week.expires_at = utcnow() - timedelta(days=7)
        db.session.commit()
    listing = coach_client.get("/staff/invites").get_data(as_text=True)
    assert "Ran out last week" in listing and "Out of date" in listing
    assert "Long ago" not in listing


def test_a_coach_cancels_an_invite_and_its_link_stops_working(app, coach_client, coach):
    token = new_invite(coach_client)
    invite_id = invites(app)[0].id
    reply = coach_client.post(f"/staff/invites/{invite_id}/cancel",
                              data={"csrf_token": csrf_token(coach_client, "/staff/invites")})
    assert reply.status_code == 303 and reply.headers["Location"] == "/staff/invites"
    listing = coach_client.get("/staff/invites").get_data(as_text=True)
    assert "The invite was cancelled. Its link no longer works." in listing
    assert "Cancelled" in listing
    assert invites(app)[0].revoked_at is not None
    [event] = audit_events(app, "invite.revoke")
    assert event.actor_user_id == coach and event.detail == {"invite_id": invite_id}

    again = coach_client.post(f"/staff/invites/{invite_id}/cancel", headers=HTMX,
                              data={"csrf_token": csrf_token(coach_client, "/staff/invites")})
    assert again.status_code == 200 and "/staff/invites" in again.headers["HX-Location"]
    assert "nothing to cancel" in coach_client.get("/staff/invites", headers=HTMX).get_data(as_text=True)
    assert len(audit_events(app, "invite.revoke")) == 1

    gone = app.test_client().get(f"/invite/{token}")
    assert gone.status_code == 410


def test_cancelling_needs_the_form_token(app, coach_client):
    new_invite(coach_client)
    reply = coach_client.post(f"/staff/invites/{invites(app)[0].id}/cancel", data={})
    assert reply.status_code == 400
    assert invites(app)[0].revoked_at is None


def test_only_coaches_in_a_team_make_invites(app, client, team):
    assert client.get("/staff/invites").status_code == 302  # to sign in
    make_person(app)
    sign_in(client)
    assert client.get("/staff/invites").status_code == 403
    make_staff(app, "admin@example.org", role=None, is_admin=True)
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    assert admin.get("/staff/invites").status_code == 403
    assert admin.post("/staff/invites", data={"person_label": "Someone",
                                              "csrf_token": csrf_token(admin, "/staff/invites")}).status_code == 403
    assert invites(app) == []


# --- links that do not work ---------------------------------------------------------------------


def test_an_unknown_link_is_not_found(client):
    for path in ("/invite/not-a-real-token", "/invite/" + "x" * 300):
        reply = client.get(path)
        page = reply.get_data(as_text=True)
        assert reply.status_code == 404
        assert "This invite link does not work" in page
        assert "Ask your coach or link worker for a new link." in page
    assert TOKEN_KEY not in session_of(client)


def test_the_invite_page_without_a_link_opened_does_not_work_and_changes_nothing(app, coach_client):
    new_invite(coach_client)
    make_person(app)
    anonymous, signed_in = app.test_client(), app.test_client()
    sign_in(signed_in)
    before = stored(app)
    for client in (anonymous, signed_in):
        reply = client.get("/invite")
        page = reply.get_data(as_text=True)
        assert reply.status_code == 404
        assert "This invite link does not work" in page
        assert "Open the link you were given again." in page
        assert "ask your coach or link worker for a new link" in page
        assert "North Hill" not in page and "Casey" not in page
        assert reply.headers["Cache-Control"] == "no-store"
    assert sign_up_through(anonymous).status_code == 404
    assert agree(signed_in).status_code == 404
    assert stored(app) == before and user_id(app, "sam@example.org") is None


@pytest.mark.parametrize("state", ["expired", "used", "cancelled"])
def test_a_used_cancelled_or_expired_link_is_gone(app, coach_client, state):
    """Whether the link is opened after, or was opened before and its token is in the session."""
    token = new_invite(coach_client)
    opened_before = app.test_client()
    open_link(opened_before, token)
    if state == "expired":
        set_invite(app, expires_at=utcnow() - timedelta(minutes=1))
    elif state == "used":
        other = make_person(app, "other@example.org")
        set_invite(app, claimed_at=utcnow(), claimed_by_id=other)
    else:
        set_invite(app, revoked_at=utcnow())
    make_person(app)
    before = stored(app)
    opened_after = app.test_client()
    for reply in (opened_after.get(f"/invite/{token}"), opened_before.get("/invite"), sign_up_through(opened_before)):
        page = reply.get_data(as_text=True)
        assert reply.status_code == 410
        assert "This invite link no longer works" in page
        assert "Ask your coach or link worker for a new link." in page
        assert "North Hill" not in page and "Casey" not in page  # nothing more than needed
    assert TOKEN_KEY not in session_of(opened_after)
    assert user_id(app, "sam@example.org") is None
    sign_in(opened_before, next_url="/invite")  # the token is still in the session after signing in...
    assert session_of(opened_before)[TOKEN_KEY] == token
    assert opened_before.get("/invite").status_code == 410
    assert agree(opened_before).status_code == 410  # ...and still does not work
    assert stored(app) == before and consents(app) == []


def test_two_people_claiming_one_link_only_one_wins(app, coach_client):
    token = new_invite(coach_client)
    alex, blake = make_person(app), make_person(app, "blake@example.org", name="Blake")
    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second, "blake@example.org")
    assert open_link(first, token).status_code == 200
    assert open_link(second, token).status_code == 200  # both see the consent step
    assert agree(first).status_code == 303
    late = agree(second)
    assert late.status_code == 410
    assert [c.person_id for c in consents(app)] == [alex]
    assert invites(app)[0].claimed_by_id == alex
    assert len(audit_events(app, "invite.claim")) == 1
    assert blake not in [c.person_id for c in consents(app)]


def test_a_claim_that_loses_the_race_changes_nothing(app, coach_client):
    """The claim is one conditional UPDATE: an invite loaded while open but claimed by somebody
    else before this claim's UPDATE is not claimed twice."""
    from webapp.services import invites as invite_service

    new_invite(coach_client)
    alex, blake = make_person(app), make_person(app, "blake@example.org", name="Blake")
    with app.app_context():
        invite = db.session.get(Invite, invites(app)[0].id)
        assert invite_service.status_of(invite) == invite_service.InviteStatus.OPEN
        with db.engine.begin() as other_connection:  # the other claim commits first
            other_connection.execute(update(Invite).values(claimed_at=utcnow(), claimed_by_id=blake))
        result = invite_service.claim(db.session, invite, db.session.get(User, alex))
        assert result.outcome is invite_service.ClaimOutcome.GONE
        db.session.rollback()
    assert consents(app) == [] and invites(app)[0].claimed_by_id == blake


def test_two_invites_to_one_team_accepted_at_once_leave_one_standing_consent(app, team, monkeypatch):
    """The other request's consent is committed after this one looked for one and before it
    stores its own: the database's unique index refuses the second, and the first stands."""
    from sqlalchemy import insert

    from webapp.models import Team
    from webapp.services import consent as consent_service

    alex = make_person(app)
    real_active_consent = consent_service.active_consent

    def other_request_wins(session, person_id, team_id):
        monkeypatch.setattr(consent_service, "active_consent", real_active_consent)
        with db.engine.begin() as other_connection:
            other_connection.execute(insert(Consent).values(person_id=person_id, team_id=team_id,
                                                            wording_version="other"))
        return None  # looked before the other request committed

    monkeypatch.setattr(consent_service, "active_consent", other_request_wins)
    with app.app_context():
        granted = consent_service.grant(db.session, db.session.get(User, alex), db.session.get(Team, team))
        db.session.commit()
        assert granted.wording_version == "other"
    assert [(c.person_id, c.wording_version) for c in consents(app)] == [(alex, "other")]
    assert audit_events(app, "consent.grant") == []  # the other request audits its own


def test_claiming_when_already_sharing_uses_up_the_invite(app, coach_client, team, coach):
    alex = make_person(app)
    share_with(app, alex, team, coach)
    token = new_invite(coach_client)
    person = app.test_client()
    sign_in(person)
    assert "You already share your record with North Hill link workers" in open_link(person, token).get_data(as_text=True)
    assert agree(person).status_code == 303
    assert "You already share your record with North Hill link workers. Nothing has changed." in person.get("/").get_data(as_text=True)
    assert len(consents(app)) == 1
    assert invites(app)[0].claimed_by_id == alex
    # Opening their used link again takes them to who can see their record.
    again = person.get(f"/invite/{token}")
    assert again.status_code == 302 and again.headers["Location"] == "/account/sharing"
    assert TOKEN_KEY not in session_of(person)


def test_staff_cannot_claim_invites(app, coach_client):
    token = new_invite(coach_client)
    assert coach_client.get(f"/invite/{token}").status_code == 403
    with coach_client.session_transaction() as session:  # as if they had opened it before signing in
        session[TOKEN_KEY] = token
    assert coach_client.get("/invite").status_code == 403
    posted = coach_client.post("/invite", data={"agree": "y", "csrf_token": csrf_token(coach_client, "/staff/invites")})
    assert posted.status_code == 403
    assert invites(app)[0].claimed_at is None


# --- signing up on the invite page ----------------------------------------------------------------


def test_signing_up_through_an_invite_checks_the_form(app, coach_client):
    token = new_invite(coach_client)
    person = app.test_client()
    open_link(person, token)
    reply = sign_up_through(person, email="not an email", confirm="something else")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "There is a problem" in page
    assert "Enter an email address in the right format" in page and "The passwords do not match" in page
    assert "Casey Jones from North Hill link workers" in page  # still the invite page
    assert user_id(app, "not an email") is None
    assert token not in page and 'action="/invite"' in page

    make_person(app, "taken@example.org")
    taken = sign_up_through(person, email="taken@example.org")
    assert taken.status_code == 422
    assert "You cannot use this email address to sign up" in taken.get_data(as_text=True)
    assert invites(app)[0].claimed_at is None and consents(app) == []


# --- rate limits --------------------------------------------------------------------------------


@pytest.fixture
def strict_app(database_url):
    from webapp import create_app
    from webapp.config import database_url as normalise

    app = create_app({"TESTING": True, "SECRET_KEY": "tests-only", "DEMO_DATA": False,
                      "SQLALCHEMY_ENGINES": {"default": normalise(database_url)},
                      "RATELIMIT_ENABLED": True, "INVITE_CLAIM_RATE_LIMIT": "3 per minute",
                      "SIGN_UP_RATE_LIMIT": "2 per minute"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_trying_invite_links_is_rate_limited(strict_app):
    client = strict_app.test_client()
    for attempt in range(3):
        assert client.get(f"/invite/guess-{attempt}").status_code == 404
    blocked = client.get("/invite/guess-4")
    assert blocked.status_code == 429
    assert "Too many tries" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    make_person(strict_app)
    person = strict_app.test_client()
    sign_in(person)  # a claim, not a sign-up: only the claim limit counts
    token = csrf_token(person, "/account/sharing")
    for _attempt in range(3):
        assert person.post("/invite", data={"csrf_token": token, "agree": "y"}).status_code == 404
    assert person.post("/invite", data={"csrf_token": token, "agree": "y"}).status_code == 429
    for _attempt in range(3):
        assert person.get("/invite").status_code == 404
    assert person.get("/invite").status_code == 429


def test_signing_up_through_an_invite_has_the_sign_up_limit_too(strict_app):
    team = make_team(strict_app)
    make_staff(strict_app, team_id=team)
    coach = strict_app.test_client()
    sign_in(coach, "casey@example.org")
    token = new_invite(coach)
    person = strict_app.test_client()
    open_link(person, token)
    for attempt in range(2):
        assert sign_up_through(person, email=f"sam{attempt}@example.org", confirm="no match").status_code == 422
    assert sign_up_through(person).status_code == 429
    assert user_id(strict_app, "sam@example.org") is None


@pytest.mark.parametrize("token", ["..", "%00", "%C3%A9t%C3%A9", "a" * 43 + "%20", "%F0%9F%98%80" * 50, "x" * 5000])
def test_odd_tokens_are_simply_not_found(client, token):
    assert client.get(f"/invite/{token}").status_code == 404
    assert TOKEN_KEY not in session_of(client)
    assert client.post("/invite", data={"csrf_token": csrf_token(client)}).status_code == 404
