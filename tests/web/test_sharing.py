"""Who can see my record: a person sees the teams they share with and stops sharing."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_token, make_person, share_with, sign_in
from tests.web.journey import HTMX
from webapp.extensions import db
from webapp.models import AuditEvent, Consent


def consent_row(app, consent_id) -> Consent:
    with app.app_context():
        return db.session.get(Consent, consent_id)


def stop(client, consent_id, htmx=False):
    return client.post(f"/account/sharing/{consent_id}/stop", headers=HTMX if htmx else {},
                       data={"csrf_token": csrf_token(client, "/account/sharing")})


def test_a_person_who_shares_with_nobody_is_told_so(signed_in):
    reply = signed_in.get("/account/sharing")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "Who can see my record" in page
    assert "You do not share your record with anyone." in page


def test_the_page_needs_sign_in(client):
    reply = client.get("/account/sharing")
    assert reply.status_code == 302 and "/sign-in" in reply.headers["Location"]


def test_a_person_sees_each_team_they_share_with(app, signed_in, person, team, coach):
    share_with(app, person, team, coach)
    page = signed_in.get("/account/sharing").get_data(as_text=True)
    assert "North Hill link workers" in page
    assert "Casey Jones" in page and "Health and wellbeing coach" in page
    assert "Sharing since" in page
    assert "your goals and how your check-ins went" in page
    assert "Stop sharing" in page
    assert "You do not share your record with anyone." not in page


def test_stopping_asks_first_then_the_team_loses_access_at_once(app, signed_in, person, team, coach, coach_client):
    consent_id = share_with(app, person, team, coach)
    assert coach_client.get(f"/staff/people/{person}").status_code == 200

    confirm = signed_in.get(f"/account/sharing/{consent_id}/stop")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Stop sharing with North Hill link workers?" in page
    assert "cannot see your record any more" in page
    assert "because the law says they must be kept" in page
    assert consent_row(app, consent_id).withdrawn_at is None  # looking changes nothing

    reply = stop(signed_in, consent_id)
    assert reply.status_code == 303 and reply.headers["Location"] == "/account/sharing"
    assert consent_row(app, consent_id).withdrawn_at is not None
    assert coach_client.get(f"/staff/people/{person}").status_code == 404

    page = signed_in.get("/account/sharing").get_data(as_text=True)
    assert "You have stopped sharing your record with North Hill link workers." in page
    assert "You do not share your record with anyone." in page
    assert "Teams you shared with before" in page and "North Hill link workers" in page
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "consent.withdraw")).all()
    assert (event.actor_user_id, event.person_id, event.team_id) == (person, person, team)


def test_stopping_works_with_htmx_and_twice_is_harmless(app, signed_in, person, team, coach):
    consent_id = share_with(app, person, team, coach)
    reply = stop(signed_in, consent_id, htmx=True)
    assert reply.status_code == 200 and "/account/sharing" in reply.headers["HX-Location"]
    fragment = signed_in.get("/account/sharing", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "You have stopped sharing your record with North Hill link workers." in fragment
    assert stop(signed_in, consent_id).status_code == 303
    assert signed_in.get(f"/account/sharing/{consent_id}/stop").status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "consent.withdraw")).all()) == 1


def test_stopping_needs_the_form_token(app, signed_in, person, team, coach):
    consent_id = share_with(app, person, team, coach)
    assert signed_in.post(f"/account/sharing/{consent_id}/stop", data={}).status_code == 400
    assert consent_row(app, consent_id).withdrawn_at is None


def test_nobody_can_stop_someone_elses_sharing(app, client, team, coach):
    owner = make_person(app, "owner@example.org", name="Owner")
    consent_id = share_with(app, owner, team, coach)
    make_person(app)
    sign_in(client)
    assert client.get(f"/account/sharing/{consent_id}/stop").status_code == 404
    assert stop(client, consent_id).status_code == 404
    for no_such_id in (999999, 2**31, 10**30):
        assert client.get(f"/account/sharing/{no_such_id}/stop").status_code == 404
    assert consent_row(app, consent_id).withdrawn_at is None


def test_sharing_again_after_stopping_shows_both(app, signed_in, person, team, coach):
    first = share_with(app, person, team, coach)
    stop(signed_in, first)
    second = share_with(app, person, team, coach)
    assert second != first
    page = signed_in.get("/account/sharing").get_data(as_text=True)
    assert f"/account/sharing/{second}/stop" in page
    assert f"/account/sharing/{first}/stop" not in page
    assert "Teams you shared with before" in page


def test_staff_have_no_sharing_page(coach_client):
    assert coach_client.get("/account/sharing").status_code == 403
