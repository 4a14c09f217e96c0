"""Goal check-ins sent whole from a phone's outbox, and the web form's own UUID: the same check-in
is stored once, whatever happens; anything else changes nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_person, make_staff, make_team, sign_in
from webapp.extensions import db
from webapp.models import CheckIn, Goal, GoalStatus, User
from webapp.services import goals as goal_service

NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


def active_goal(app, email: str = "alex@example.org", what: str = "Walk to the shop") -> str:
    """An active goal made through the services, as the goal pages would; returns its uuid."""
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == email))
        goal = goal_service.start_goal(db.session, person, "Get out more")
        goal_service.choose_idea(db.session, goal, None, None, None)
        goal_service.save_plan(db.session, goal, goal_service.PlanFields(
            what=what, how_much="10 minutes", when=None, how_often=None, starts_on=date.today()))
        goal_service.rate(db.session, goal, 9, 8)
        goal_service.commit(db.session, goal, date.today(), date.today())
        db.session.commit()
        return str(goal.uuid)


def body(check_in_uuid, goal_uuid, **changes):
    return {
        "uuid": str(check_in_uuid),
        "goal": goal_uuid,
        "outcome": "partly",
        "helped": "My neighbour came too",
        "got_in_the_way": "Rain",
        "confidence": 7,
        "next_step": "keep",
        "next_check_in_on": NEXT_WEEK,
        "authored_at": "2026-01-20T09:30:00+00:00",
        **changes,
    }


def send(client, payload):
    return client.post("/api/check-ins", json=payload, headers={"X-CSRFToken": csrf_token(client, "/")})


def stored(app) -> list[tuple]:
    with app.app_context():
        return [(str(c.uuid), c.outcome.value, c.helped, c.got_in_the_way, c.confidence, c.next_step.value)
                for c in db.session.scalars(select(CheckIn).order_by(CheckIn.id))]


def goal_state(app, goal_uuid: str) -> tuple:
    with app.app_context():
        goal = db.session.scalar(select(Goal).where(Goal.uuid == uuid.UUID(goal_uuid)))
        return goal.status, goal.confidence, goal.check_in_on


@pytest.fixture
def goal(signed_in, app) -> str:
    return active_goal(app)


def test_a_check_in_is_stored_with_a_receipt(signed_in, app, goal):
    check_in_uuid = uuid.uuid4()
    reply = send(signed_in, body(check_in_uuid, goal))
    assert reply.status_code == 201, reply.get_json()
    receipt = reply.get_json()
    assert receipt["uuid"] == str(check_in_uuid)
    assert receipt["kind"] == "check-in"
    assert receipt["goal"] == goal
    assert receipt["next_url"] == receipt["goal_url"] == f"/goals/{goal}"
    assert stored(app) == [(str(check_in_uuid), "partly", "My neighbour came too", "Rain", 7, "keep")]
    assert goal_state(app, goal) == (GoalStatus.ACTIVE, 7, date.today() + timedelta(days=7))
    with app.app_context():
        assert db.session.scalar(select(CheckIn.authored_at)).isoformat() == "2026-01-20T09:30:00+00:00"
    page = signed_in.get(f"/goals/{goal}").get_data(as_text=True)
    assert "My neighbour came too" in page and "Rain" in page


def test_sending_the_same_check_in_again_returns_the_first_receipt_and_stores_one(signed_in, app, goal):
    check_in_uuid = uuid.uuid4()
    first = send(signed_in, body(check_in_uuid, goal)).get_json()
    for _ in range(5):
        again = send(signed_in, body(check_in_uuid, goal))
        assert again.status_code == 200
        assert again.get_json() == first
    assert len(stored(app)) == 1


def test_a_replay_after_the_goal_was_stopped_by_that_check_in_is_still_the_same_receipt(signed_in, app, goal):
    check_in_uuid = uuid.uuid4()
    payload = body(check_in_uuid, goal, next_step="stop", next_check_in_on=None)
    first = send(signed_in, payload)
    assert first.status_code == 201
    assert goal_state(app, goal)[0] == GoalStatus.STOPPED
    again = send(signed_in, payload)
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    assert len(stored(app)) == 1


def test_a_different_check_in_under_a_used_uuid_is_refused_and_changes_nothing(signed_in, app, goal):
    check_in_uuid = uuid.uuid4()
    send(signed_in, body(check_in_uuid, goal))
    before = (stored(app), goal_state(app, goal))
    reply = send(signed_in, body(check_in_uuid, goal, outcome="done", confidence=9))
    assert reply.status_code == 409
    assert "Nothing was changed" in reply.get_json()["error"]
    assert (stored(app), goal_state(app, goal)) == before


def test_bigger_starts_the_next_goal_once_and_the_receipt_leads_there(signed_in, app, goal):
    check_in_uuid = uuid.uuid4()
    payload = body(check_in_uuid, goal, outcome="done", confidence=9, next_step="bigger", next_check_in_on=None)
    first = send(signed_in, payload).get_json()
    assert send(signed_in, payload).get_json() == first
    with app.app_context():
        goals = db.session.scalars(select(Goal).order_by(Goal.id)).all()
        assert [g.status for g in goals] == [GoalStatus.ACHIEVED, GoalStatus.DRAFT]
        assert goals[1].previous_goal_id == goals[0].id
        assert first["next_url"] == f"/goals/{goals[1].uuid}"
    assert signed_in.get(first["next_url"]).headers["Location"].endswith("/plan")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"outcome": None}, "outcome", "Say how it went"),
        ({"outcome": "brilliant"}, "outcome", "Choose one of the answers shown"),
        ({"confidence": 11}, "confidence", "Choose a number from 0 to 10"),
        ({"confidence": "lots"}, "confidence", "Choose a number from 0 to 10"),
        ({"confidence": True}, "confidence", "not one the check-in can take"),
        ({"helped": ["a", "list"]}, "helped", "not one the check-in can take"),
        ({"helped": "x" * 1001}, "helped", "1000 characters or fewer"),
        ({"got_in_the_way": "nul\x00here"}, "got_in_the_way", "not one the check-in can take"),
        ({"next_step": None}, "next_step", "Choose what to do next"),
        ({"next_check_in_on": None}, "next_check_in_on", "Enter a date to check in again"),
        ({"next_check_in_on": "next week"}, "next_check_in_on", "Enter a real date"),
        ({"next_check_in_on": "2026-01-19"}, "next_check_in_on", "today or a date in the future"),
    ],
)
def test_values_the_form_refuses_are_422_with_its_message_and_store_nothing(signed_in, app, goal, changes, field, message):
    before = goal_state(app, goal)
    reply = send(signed_in, body(uuid.uuid4(), goal, **changes))
    assert reply.status_code == 422
    assert reply.get_json()["field"] == field
    assert message in reply.get_json()["error"]
    assert stored(app) == []
    assert goal_state(app, goal) == before


def test_the_next_date_is_checked_against_the_day_it_was_filled_in(signed_in, app, goal):
    """A check-in that waited on a phone: its next date may have passed by the time it arrives."""
    reply = send(signed_in, body(uuid.uuid4(), goal, authored_at="2026-01-20T09:30:00+00:00",
                                 next_check_in_on="2026-01-21"))
    assert reply.status_code == 201
    reply = send(signed_in, body(uuid.uuid4(), goal, authored_at=None, next_check_in_on="2026-01-21"))
    assert reply.status_code == 422


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"uuid": "not-a-uuid"}, 400, "valid uuid"),
        ({"goal": "not-a-uuid"}, 400, "which goal"),
        ({"goal": str(uuid.uuid4())}, 404, "not found"),
        ({"authored_at": "yesterday"}, 400, "date and time"),
        ({"authored_at": "2026-01-20T09:30:00"}, 400, "time zone"),
        ({"authored_at": "1999-12-31T23:59:59+00:00"}, 422, "too long ago"),
        ({"authored_at": "2999-01-01T00:00:00+00:00"}, 422, "future"),
    ],
)
def test_malformed_requests_get_a_clear_error_and_store_nothing(signed_in, app, goal, changes, status, message):
    reply = send(signed_in, body(uuid.uuid4(), goal, **changes))
    assert reply.status_code == status
    assert message in reply.get_json()["error"]
    assert stored(app) == []


def test_a_list_instead_of_an_object_is_refused(signed_in, app, goal):
    reply = send(signed_in, [body(uuid.uuid4(), goal)])
    assert reply.status_code == 400
    assert stored(app) == []


def test_someone_elses_goal_is_not_found_and_never_changed(signed_in, app, goal):
    make_person(app, email="other@example.org", name="Other")
    other = app.test_client()
    sign_in(other, email="other@example.org")
    before = goal_state(app, goal)
    reply = send(other, body(uuid.uuid4(), goal))
    assert reply.status_code == 404
    assert "Walk to the shop" not in reply.get_data(as_text=True)
    assert stored(app) == []
    assert goal_state(app, goal) == before


def test_a_uuid_used_on_another_goal_is_a_conflict(signed_in, app, goal):
    second = active_goal(app, what="Call my sister")
    check_in_uuid = uuid.uuid4()
    assert send(signed_in, body(check_in_uuid, goal)).status_code == 201
    assert send(signed_in, body(check_in_uuid, second)).status_code == 409
    assert len(stored(app)) == 1


def test_a_finished_goal_takes_no_new_check_in(signed_in, app, goal):
    with app.app_context():
        found = db.session.scalar(select(Goal).where(Goal.uuid == uuid.UUID(goal)))
        goal_service.set_status(db.session, found, GoalStatus.ACHIEVED)
        db.session.commit()
    reply = send(signed_in, body(uuid.uuid4(), goal))
    assert reply.status_code == 409
    assert "finished" in reply.get_json()["error"]
    assert stored(app) == []


def test_not_signed_in_gets_401_staff_get_403_and_no_csrf_gets_400(signed_in, app, goal):
    anonymous = app.test_client()
    reply = anonymous.post("/api/check-ins", json=body(uuid.uuid4(), goal),
                           headers={"X-CSRFToken": csrf_token(anonymous, "/sign-in")})
    assert reply.status_code == 401
    assert "Sign in" in reply.get_json()["error"]

    make_staff(app, "coach@example.org", team_id=make_team(app))
    staff = app.test_client()
    sign_in(staff, email="coach@example.org")
    reply = staff.post("/api/check-ins", json=body(uuid.uuid4(), goal),
                       headers={"X-CSRFToken": csrf_token(staff, "/staff/account")})
    assert reply.status_code == 403

    reply = signed_in.post("/api/check-ins", json=body(uuid.uuid4(), goal))
    assert reply.status_code == 400
    assert stored(app) == []


# --- The web form sends a UUID too ----------------------------------------------------------------


def form_uuid(client, goal_uuid: str) -> str:
    page = client.get(f"/goals/{goal_uuid}/check-in").get_data(as_text=True)
    return re.search(r'name="uuid" type="hidden" value="([0-9a-f-]{36})"', page).group(1)


def post_form(client, goal_uuid: str, **data):
    values = {"csrf_token": csrf_token(client, "/"), "outcome": "done", "confidence": "8", "next_step": "keep",
              "next_check_in_on": NEXT_WEEK, **data}
    return client.post(f"/goals/{goal_uuid}/check-in", data=values)


def test_the_form_carries_a_new_uuid_each_time_it_is_shown(signed_in, goal):
    assert form_uuid(signed_in, goal) != form_uuid(signed_in, goal)


def test_a_form_sent_twice_is_stored_once_and_lands_in_the_same_place(signed_in, app, goal):
    check_in_uuid = form_uuid(signed_in, goal)
    first = post_form(signed_in, goal, uuid=check_in_uuid, helped="A friend")
    second = post_form(signed_in, goal, uuid=check_in_uuid, helped="A friend")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == f"/goals/{goal}"
    assert stored(app) == [(check_in_uuid, "done", "A friend", None, 8, "keep")]


def test_a_form_that_stopped_the_goal_sent_again_is_not_an_error(signed_in, app, goal):
    check_in_uuid = form_uuid(signed_in, goal)
    assert post_form(signed_in, goal, uuid=check_in_uuid, next_step="stop").status_code == 303
    assert post_form(signed_in, goal, uuid=check_in_uuid, next_step="stop").status_code == 303
    assert post_form(signed_in, goal, uuid=str(uuid.uuid4()), next_step="stop").status_code == 409
    assert len(stored(app)) == 1


def test_the_form_with_a_used_uuid_and_other_answers_changes_nothing(signed_in, app, goal):
    check_in_uuid = form_uuid(signed_in, goal)
    post_form(signed_in, goal, uuid=check_in_uuid)
    assert post_form(signed_in, goal, uuid=check_in_uuid, outcome="not_yet").status_code == 409
    assert [row[1] for row in stored(app)] == ["done"]


def test_the_form_without_or_with_a_broken_uuid_still_works(signed_in, app, goal):
    assert post_form(signed_in, goal).status_code == 303
    assert post_form(signed_in, goal, uuid="not-a-uuid").status_code == 303
    assert len(stored(app)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count(func.distinct(CheckIn.uuid)))) == 2
