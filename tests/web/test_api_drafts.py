"""Drafts saved from a device (PUT /api/drafts/<uuid>): an offline draft carries on on another
device. Each status, idempotency, newest save wins, and nothing changes unless the answer is 2xx."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_person, sign_in
from webapp.extensions import db
from webapp.models import Answer, Response

ACTIVATION = "capable-activation"
ITEMS = [f"{block}-{n}" for block in ("ownership", "knowhow", "acting", "sustaining") for n in (1, 2, 3)]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def minutes_ago(minutes: float) -> str:
    return iso(datetime.now(UTC) - timedelta(minutes=minutes))


def body(answers: dict | None = None, saved_at: str | None = None, **extra):
    return {
        "questionnaire": ACTIVATION,
        "version": "1",
        "answers": {"ownership-1": "agree", "ownership-2": "agree-strongly"} if answers is None else answers,
        "saved_at": saved_at or minutes_ago(5),
        "screen": "ownership-3",
        **extra,
    }


def put(client, draft_uuid, payload):
    return client.put(f"/api/drafts/{draft_uuid}", json=payload, headers={"X-CSRFToken": csrf_token(client, "/")})


def stored(app) -> list[tuple[str, str, dict]]:
    """(uuid, status, answers) of every response the server holds."""
    with app.app_context():
        return [(str(r.uuid), r.status.value, r.answer_map())
                for r in db.session.scalars(select(Response).order_by(Response.id))]


def answer_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Answer.id)))


def test_a_draft_is_stored_in_progress_with_a_receipt(signed_in, app):
    draft_uuid = uuid.uuid4()
    reply = put(signed_in, draft_uuid, body())
    assert reply.status_code == 201
    receipt = reply.get_json()
    assert receipt["uuid"] == str(draft_uuid)
    assert receipt["status"] == "in_progress"
    assert receipt["answered"] == 2
    assert receipt["continue_url"] == f"/questionnaires/{ACTIVATION}"
    assert reply.headers["Cache-Control"] == "no-store"
    assert stored(app) == [(str(draft_uuid), "in_progress", {"ownership-1": "agree", "ownership-2": "agree-strongly"})]


def test_sending_the_same_draft_again_changes_nothing(signed_in, app):
    draft_uuid = uuid.uuid4()
    payload = body()
    first = put(signed_in, draft_uuid, payload)
    again = [put(signed_in, draft_uuid, payload) for _ in range(3)]
    assert [reply.status_code for reply in again] == [200, 200, 200]
    assert all(reply.get_json() == first.get_json() for reply in again)
    assert len(stored(app)) == 1 and answer_rows(app) == 2


def test_a_newer_save_replaces_the_answers_and_an_older_one_is_refused(signed_in, app):
    draft_uuid = uuid.uuid4()
    put(signed_in, draft_uuid, body(saved_at=minutes_ago(10)))
    newer = {"ownership-1": "disagree", "ownership-3": "agree", "knowhow-1": "not-applicable"}
    reply = put(signed_in, draft_uuid, body(newer, saved_at=minutes_ago(2)))
    assert reply.status_code == 200
    assert reply.get_json()["answered"] == 3
    assert stored(app) == [(str(draft_uuid), "in_progress", newer)]  # ownership-2 was cleared on the device

    # An old device coming online late: its save is older than the stored one, so it is refused.
    reply = put(signed_in, draft_uuid, body({"ownership-1": "agree"}, saved_at=minutes_ago(5)))
    assert reply.status_code == 409
    assert reply.get_json()["reason"] == "newer"
    assert reply.get_json()["draft"]["answered"] == 3
    # The same time with other answers is refused too: it never flip-flops.
    same_time = put(signed_in, draft_uuid, body({"ownership-1": "agree"}, saved_at=reply.get_json()["draft"]["saved_at"]))
    assert same_time.status_code == 409
    assert stored(app) == [(str(draft_uuid), "in_progress", newer)]


def test_an_answer_given_on_the_online_screens_is_newer_than_an_old_offline_save(signed_in, app):
    draft_uuid = uuid.uuid4()
    put(signed_in, draft_uuid, body({"ownership-1": "agree"}, saved_at=minutes_ago(30)))
    token = csrf_token(signed_in, f"/questionnaires/{ACTIVATION}")
    signed_in.post(f"/questionnaires/{ACTIVATION}/start", data={"csrf_token": token, "response_uuid": str(uuid.uuid4())})
    reply = signed_in.post(f"/responses/{draft_uuid}/questions/ownership-2",
                           data={"csrf_token": token, "ownership-2": "disagree"})
    assert reply.status_code == 303
    late = put(signed_in, draft_uuid, body({"ownership-1": "disagree"}, saved_at=minutes_ago(20)))
    assert late.status_code == 409 and late.get_json()["reason"] == "newer"
    assert stored(app) == [(str(draft_uuid), "in_progress", {"ownership-1": "agree", "ownership-2": "disagree"})]


def test_the_online_journey_carries_on_at_the_next_unanswered_question(signed_in, app):
    draft_uuid = uuid.uuid4()
    answers = {link_id: "agree" for link_id in ITEMS[:4]}
    assert put(signed_in, draft_uuid, body(answers)).status_code == 201

    home = signed_in.get("/").get_data(as_text=True)
    assert "You have answered 4 questions. Carry on where you left off." in home
    start_page = signed_in.get(f"/questionnaires/{ACTIVATION}").get_data(as_text=True)
    assert f'name="response_uuid" value="{draft_uuid}"' in start_page
    assert "Carry on" in start_page
    token = csrf_token(signed_in, f"/questionnaires/{ACTIVATION}")
    reply = signed_in.post(f"/questionnaires/{ACTIVATION}/start", data={"csrf_token": token, "response_uuid": str(draft_uuid)})
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"/responses/{draft_uuid}/questions/{ITEMS[4]}")
    earlier = signed_in.get(f"/responses/{draft_uuid}/questions/{ITEMS[3]}").get_data(as_text=True)
    assert re.search(r'value="agree"\s+checked', earlier)


def test_the_outbox_completes_a_saved_draft_under_its_uuid_and_then_it_is_closed(signed_in, app):
    draft_uuid = uuid.uuid4()
    put(signed_in, draft_uuid, body())
    complete = {"uuid": str(draft_uuid), "questionnaire": ACTIVATION, "version": "1",
                "answers": {link_id: "agree" for link_id in ITEMS}}
    reply = signed_in.post("/api/responses", json=complete, headers={"X-CSRFToken": csrf_token(signed_in, "/")})
    assert reply.status_code == 201
    late = put(signed_in, draft_uuid, body(saved_at=minutes_ago(0)))
    assert late.status_code == 409
    assert late.get_json()["reason"] == "completed"
    [(_, status, answers)] = stored(app)
    assert status == "completed" and len(answers) == len(ITEMS)
    assert signed_in.get(f"/api/drafts/{draft_uuid}").status_code == 409


@pytest.mark.parametrize(("answers", "question", "message"), [
    ({"ownership-1": "agree", "ownership-2": "sort-of"}, "ownership-2", "Select one of the answers shown"),
    ({"ownership-1": "agree", "no-such-question": "agree"}, "no-such-question", "not part of this questionnaire"),
    ({"ownership-1": 3}, "ownership-1", "Select one of the answers shown"),
])
def test_answers_that_do_not_fit_are_refused_whole_and_change_nothing(signed_in, app, answers, question, message):
    draft_uuid = uuid.uuid4()
    put(signed_in, draft_uuid, body({"knowhow-1": "agree"}, saved_at=minutes_ago(10)))
    reply = put(signed_in, draft_uuid, body(answers, saved_at=minutes_ago(1)))
    assert reply.status_code == 422
    assert reply.get_json()["question"] == question
    assert message in reply.get_json()["error"]
    assert stored(app) == [(str(draft_uuid), "in_progress", {"knowhow-1": "agree"})]
    assert put(signed_in, uuid.uuid4(), body(answers)).status_code == 422
    assert len(stored(app)) == 1


def test_empty_answers_are_gaps_not_errors(signed_in, app):
    draft_uuid = uuid.uuid4()
    reply = put(signed_in, draft_uuid, body({"ownership-1": "agree", "ownership-2": "", "ownership-3": None}))
    assert reply.status_code == 201
    assert stored(app) == [(str(draft_uuid), "in_progress", {"ownership-1": "agree"})]


def test_someone_elses_response_is_not_found_and_never_changed(signed_in, app):
    make_person(app, email="robin@example.org", name="Robin")
    other = app.test_client()
    sign_in(other, email="robin@example.org")
    draft_uuid = uuid.uuid4()
    assert put(other, draft_uuid, body({"ownership-1": "agree"})).status_code == 201

    reply = put(signed_in, draft_uuid, body({"ownership-1": "disagree"}, saved_at=minutes_ago(0)))
    assert reply.status_code == 404
    assert signed_in.get(f"/api/drafts/{draft_uuid}").status_code == 404
    assert signed_in.get(f"/api/drafts?questionnaire={ACTIVATION}").get_json() == {"draft": None}
    assert stored(app) == [(str(draft_uuid), "in_progress", {"ownership-1": "agree"})]


def test_a_uuid_of_another_questionnaire_is_a_conflict(signed_in, app):
    draft_uuid = uuid.uuid4()
    put(signed_in, draft_uuid, body())
    reply = put(signed_in, draft_uuid, body({}, questionnaire="capable-capability", saved_at=minutes_ago(0)))
    assert reply.status_code == 409
    assert reply.get_json()["reason"] == "conflict"
    assert stored(app)[0][2] == {"ownership-1": "agree", "ownership-2": "agree-strongly"}


@pytest.mark.parametrize(("change", "status", "message"), [
    ({"questionnaire": "nope"}, 404, "not known"),
    ({"version": "99"}, 404, "not known"),
    ({"version": 1}, 400, "Say which questionnaire"),
    ({"answers": ["agree"]}, 400, "JSON object keyed"),
    ({"saved_at": None}, 400, "saved_at must be a date"),
    ({"saved_at": "yesterday"}, 400, "saved_at must be a date"),
    ({"saved_at": "2026-01-31T09:30:00"}, 400, "time zone"),
    ({"saved_at": "1999-12-31T23:59:59Z"}, 422, "too long ago"),
    ({"saved_at": iso(datetime.now(UTC) + timedelta(days=1))}, 422, "in the future"),
    ({"screen": 3}, 400, "screen"),
])
def test_malformed_drafts_get_a_clear_error_and_store_nothing(signed_in, app, change, status, message):
    reply = put(signed_in, uuid.uuid4(), {**body(), **change})
    assert reply.status_code == status
    assert message in reply.get_json()["error"]
    assert stored(app) == []


def test_a_bad_uuid_or_a_list_is_refused(signed_in, app):
    assert put(signed_in, "not-a-uuid", body()).status_code == 404
    reply = signed_in.put(f"/api/drafts/{uuid.uuid4()}", json=[body()], headers={"X-CSRFToken": csrf_token(signed_in, "/")})
    assert reply.status_code == 400
    assert stored(app) == []


def test_not_signed_in_gets_401_and_no_csrf_gets_400(client, signed_in, app):
    anonymous = app.test_client()
    reply = anonymous.put(f"/api/drafts/{uuid.uuid4()}", json=body(), headers={"X-CSRFToken": csrf_token(anonymous, "/sign-in")})
    assert reply.status_code == 401
    assert "Sign in" in reply.get_json()["error"]
    assert anonymous.get(f"/api/drafts?questionnaire={ACTIVATION}").status_code == 401
    reply = signed_in.put(f"/api/drafts/{uuid.uuid4()}", json=body())
    assert reply.status_code == 400
    assert stored(app) == []


def test_a_device_with_no_draft_fetches_the_newest_one_with_its_answers(signed_in, app):
    nothing = signed_in.get(f"/api/drafts?questionnaire={ACTIVATION}")
    assert nothing.status_code == 200 and nothing.get_json() == {"draft": None}
    older, newer = uuid.uuid4(), uuid.uuid4()
    put(signed_in, older, body({"ownership-1": "agree"}, saved_at=minutes_ago(20)))
    put(signed_in, newer, body({"ownership-1": "disagree", "ownership-2": "agree"}, saved_at=minutes_ago(3)))
    reply = signed_in.get(f"/api/drafts?questionnaire={ACTIVATION}")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    found = reply.get_json()["draft"]
    assert found["uuid"] == str(newer)
    assert found["version"] == "1"
    assert found["answers"] == {"ownership-1": "disagree", "ownership-2": "agree"}
    assert datetime.fromisoformat(found["saved_at"]) < datetime.now(UTC) - timedelta(minutes=2)
    assert signed_in.get(f"/api/drafts/{older}").get_json()["answers"] == {"ownership-1": "agree"}
    assert signed_in.get("/api/drafts?questionnaire=nope").status_code == 404
    assert signed_in.get("/api/drafts").status_code == 400  # which questionnaire was not said
