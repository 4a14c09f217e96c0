"""A person can take a copy of all their data, and delete their account with everything in it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, make_person, sign_in
from tests.web.journey import HTMX, complete, ordinal_pick
from webapp.extensions import db
from webapp.models import Answer, CheckIn, Goal, GoalRating, Response, Score, User

TABLES = (User, Response, Answer, Score, Goal, GoalRating, CheckIn)


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def set_a_goal(client):
    token = csrf_token(client, "/")
    ideas = client.post("/goals/new", data={"csrf_token": token, "own_words": "Sleep better"}).headers["Location"]
    goal = ideas.rsplit("/", 1)[0]
    client.post(ideas, data={"csrf_token": token, "idea": "own"})
    client.post(goal + "/plan", data={"csrf_token": token, "what": "Lights out by eleven",
                                      "starts_on": date.today().isoformat()})
    client.post(goal + "/rate", data={"csrf_token": token, "importance": "8", "confidence": "8"})
    client.post(goal + "/commit", data={"csrf_token": token, "check_in_on": date.today().isoformat()})
    client.post(goal + "/check-in", data={"csrf_token": token, "outcome": "done", "confidence": "9",
                                          "next_step": "stop", "helped": "A warm bath"})


def test_download_holds_every_answer_result_and_goal(signed_in, app):
    complete(signed_in, app, "capable-activation", ordinal_pick(0.75))
    set_a_goal(signed_in)
    reply = signed_in.get("/account/my-data.json")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"] == 'attachment; filename="capable-my-data.json"'
    assert reply.headers["Cache-Control"] == "no-store"
    data = json.loads(reply.get_data(as_text=True))
    assert data["account"]["email"] == "alex@example.org"
    [response] = data["responses"]
    assert response["questionnaire"] == "capable-activation" and response["answers"]["ownership-1"] == "agree"
    assert response["result"]["scoring_version"] == "1"
    [goal] = data["goals"]
    assert goal["plan"]["what"] == "Lights out by eleven"
    assert goal["ratings"][0]["confidence"] == 8
    assert goal["check_ins"][0]["helped"] == "A warm bath"
    assert "password" not in reply.get_data(as_text=True).lower()


def test_deleting_the_account_removes_every_record_and_nobody_elses(signed_in, app):
    make_person(app, email="sam@example.org", name="Sam")
    other = app.test_client()
    sign_in(other, email="sam@example.org")
    complete(other, app, "capable-activation", ordinal_pick(0.5))
    complete(signed_in, app, "capable-activation", ordinal_pick(0.75))
    complete(signed_in, app, "capable-capability", ordinal_pick(0.5))
    set_a_goal(signed_in)
    before = counts(app)
    page = signed_in.get("/account").get_data(as_text=True)
    assert "Delete my account" in page and "Download my data" in page

    wrong = signed_in.post("/account/delete", data={"csrf_token": csrf_token(signed_in, "/account"),
                                                    "password": "not my password", "understood": "y"})
    assert wrong.status_code == 422 and "That password is not right" in wrong.get_data(as_text=True)
    unticked = signed_in.post("/account/delete", data={"csrf_token": csrf_token(signed_in, "/account"),
                                                       "password": PASSWORD})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    assert counts(app) == before

    reply = signed_in.post("/account/delete", data={"csrf_token": csrf_token(signed_in, "/account"),
                                                    "password": PASSWORD, "understood": "y"})
    assert reply.status_code == 303
    assert "Your account and everything in it have been deleted." in signed_in.get("/").get_data(as_text=True)
    after = counts(app)
    assert after["users"] == 1
    assert after["responses"] == 1 and after["answers"] == 12  # Sam's, untouched
    assert after["goals"] == after["goal_ratings"] == after["check_ins"] == 0
    assert sign_in(app.test_client()).status_code == 422
    assert "Hello, Sam" in other.get("/").get_data(as_text=True)


def test_account_pages_need_sign_in_and_deleting_needs_post(client, signed_in):
    assert client.application.test_client().get("/account").status_code == 302
    assert signed_in.get("/account/delete").status_code == 405


def test_export_and_deletion_are_audited_and_the_log_keeps_only_that_it_happened(signed_in, app, person):
    from tests.conftest import make_staff, make_team, share_with
    from webapp.models import AuditEvent, CarePlan, CoachNote, Consent, StaffMember
    from webapp.services import audit

    team = make_team(app)
    coach_user = make_staff(app, "casey@example.org", team_id=team)
    share_with(app, person, team, coach_user)
    complete(signed_in, app, "capable-activation", ordinal_pick(0.75))
    set_a_goal(signed_in)
    with app.app_context():
        coach = db.session.scalar(select(StaffMember).where(StaffMember.user_id == coach_user))
        db.session.add(CoachNote(person_id=person, team_id=team, author_id=coach.id, body="Talked about walking"))
        db.session.add(CarePlan(person_id=person, team_id=team, what_matters="Seeing my grandchildren"))
        audit.record(db.session, "person.view", actor=coach.user, person_id=person, team_id=team)
        db.session.commit()

    assert signed_in.get("/account/my-data.json").status_code == 200
    with app.app_context():
        [export] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.export")).all()
        assert (export.actor_user_id, export.person_id, export.detail) == (person, person, None)

    reply = signed_in.post("/account/delete", data={"csrf_token": csrf_token(signed_in, "/account"),
                                                    "password": PASSWORD, "understood": "y"})
    assert reply.status_code == 303
    with app.app_context():
        assert db.session.get(User, person) is None
        for model in (Response, Goal, Consent, CoachNote, CarePlan):
            assert db.session.scalar(select(func.count()).select_from(model).where(model.person_id == person)) == 0
        [deleted] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.delete")).all()
        assert deleted.actor_user_id in (None, person) and deleted.person_id == person
        assert deleted.team_id is None and deleted.detail is None
        everything = db.session.scalars(select(AuditEvent)).all()
        assert {"consent.grant", "person.view", "account.export"} <= {event.action for event in everything}
        logged = " ".join(str(event.detail) for event in everything)
        for secret in ("alex@example.org", "Alex", "walking", "grandchildren", "Sleep better", "Lights out"):
            assert secret not in logged
    # The coach and the team are still there.
    with app.app_context():
        assert db.session.get(User, coach_user) is not None


def test_staff_accounts_are_closed_by_an_admin_not_deleted(app, client):
    from tests.conftest import make_staff, make_team

    make_staff(app, "casey@example.org", team_id=make_team(app))
    sign_in(client, "casey@example.org")
    assert client.get("/account").headers["Location"] == "/staff/account"
    reply = client.post("/account/delete", data={"csrf_token": csrf_token(client, "/staff/account"),
                                                 "password": PASSWORD, "understood": "y"})
    assert reply.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("not my password", "a brand new passphrase", "a brand new passphrase", "That is not your current password"),
    (PASSWORD, "short", "short", "Password must be between 10 and 200 characters"),
    (PASSWORD, "password123", "password123", "too easy to guess"),
    (PASSWORD, "alex@example.org", "alex@example.org", "cannot be your email address"),
    (PASSWORD, "a brand new passphrase", "a different passphrase", "The new passwords do not match"),
    (PASSWORD, PASSWORD, PASSWORD, "must be different from your current one"),
    ("", "a brand new passphrase", "a brand new passphrase", "Enter your current password"),
])
def test_changing_a_password_checks_it_like_sign_up(signed_in, app, current, new, confirm, message, htmx):
    with app.app_context():
        before = db.session.scalar(select(User.password_hash))
    reply = signed_in.post("/account/password", headers=HTMX if htmx else {}, data={
        "csrf_token": csrf_token(signed_in, "/account/password"), "current": current, "password": new,
        "confirm": confirm})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and message in page and "There is a problem" in page
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_changing_a_password(signed_in, app, htmx):
    assert "Change your password" in signed_in.get("/account").get_data(as_text=True)
    reply = signed_in.post("/account/password", headers=HTMX if htmx else {}, data={
        "csrf_token": csrf_token(signed_in, "/account/password"), "current": PASSWORD,
        "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    if htmx:
        assert reply.status_code == 200 and '"/account"' in reply.headers["HX-Location"]
    else:
        assert reply.status_code == 303 and reply.headers["Location"] == "/account"
    assert "Your password has been changed." in signed_in.get("/account").get_data(as_text=True)
    assert sign_in(app.test_client()).status_code == 422
    assert sign_in(app.test_client(), password="a brand new passphrase").status_code == 302
    with app.app_context():
        from webapp.models import AuditEvent

        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password.change")).all()
        assert event.actor_user_id == event.person_id and event.detail is None  # who and when, nothing else


def test_download_holds_who_they_share_with_and_their_care_plan_and_deletion_removes_both(signed_in, app, person):
    from datetime import timedelta

    from tests.conftest import make_staff, make_team, share_with
    from webapp.models import CarePlan, CoachNote, Consent

    team = make_team(app, "Riverside link workers")
    coach = make_staff(app, "casey@example.org", team_id=team)
    share_with(app, person, team, coach)
    with app.app_context():
        db.session.add(CarePlan(person_id=person, team_id=team, what_matters="Getting back to the allotment",
                                support_agreed="Gardening group on Tuesdays", contacts="Casey, 01234 567890",
                                review_on=date.today() + timedelta(days=30)))
        db.session.add(CoachNote(person_id=person, team_id=team, body="Met at the library."))
        db.session.commit()

    data = json.loads(signed_in.get("/account/my-data.json").get_data(as_text=True))
    [sharing] = data["sharing"]
    assert sharing["team"] == "Riverside link workers" and sharing["stopped_at"] is None
    [plan] = data["care_plans"]
    assert plan["what_matters"] == "Getting back to the allotment"
    assert plan["support_agreed"] == "Gardening group on Tuesdays"
    assert "Met at the library" not in json.dumps(data)  # notes are staff's working notes

    token = csrf_token(signed_in, "/account")
    reply = signed_in.post("/account/delete", data={"csrf_token": token, "password": PASSWORD, "understood": "y"})
    assert reply.status_code == 303
    with app.app_context():
        for model in (Consent, CarePlan, CoachNote):
            assert db.session.scalar(select(func.count()).select_from(model).where(model.person_id == person)) == 0


def test_changing_a_password_signs_out_every_other_session_of_the_account(app, person):
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone)
    sign_in(laptop)
    assert laptop.get("/history").status_code == 200
    reply = phone.post("/account/password", data={
        "csrf_token": csrf_token(phone, "/account/password"), "current": PASSWORD,
        "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert reply.status_code == 303
    assert phone.get("/history").status_code == 200  # the session that changed it carries on
    other = laptop.get("/history")
    assert other.status_code == 302 and other.headers["Location"].startswith("/sign-in")


def test_a_session_from_before_is_not_taken_for_the_account(app, client, person):
    """A session that remembers only an id (or a made-up stamp) is signed out, not trusted."""
    for remembered in (str(person), f"{person}.0000000000000000", f"{person}.", "x.y", "99999999999.abc"):
        with client.session_transaction() as session:
            session["_user_id"] = remembered
        reply = client.get("/history")
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/sign-in"), remembered


def test_a_message_said_before_an_htmx_redirect_shows_in_the_fragment_it_lands_on(signed_in):
    """htmx follows HX-Location with a fragment request: the message must be in that fragment,
    once, not wait for the next whole page."""
    import json as json_module

    reply = signed_in.post("/account/password", headers=HTMX, data={
        "csrf_token": csrf_token(signed_in, "/account/password"), "current": PASSWORD,
        "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    landing = json_module.loads(reply.headers["HX-Location"])["path"]
    fragment = signed_in.get(landing, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Your password has been changed." in fragment
    assert "Your password has been changed." not in signed_in.get(landing).get_data(as_text=True)
