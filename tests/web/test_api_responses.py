"""Receiving a whole response at once: the same uuid and answers are stored once, whatever happens."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_person, sign_in
from tests.web.journey import start
from webapp.extensions import db
from webapp.models import Answer, Response, Score

ACTIVATION = "capable-activation"
ITEMS = [f"{block}-{n}" for block in ("ownership", "knowhow", "acting", "sustaining") for n in (1, 2, 3)]


def body(response_uuid, answer="agree", **extra):
    return {
        "uuid": str(response_uuid),
        "questionnaire": ACTIVATION,
        "version": "1",
        "authored_at": "2026-11-20T09:30:00+00:00",
        "answers": {link_id: answer for link_id in ITEMS},
        **extra,
    }


def send(client, payload):
    return client.post("/api/responses", json=payload, headers={"X-CSRFToken": csrf_token(client, "/")})


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Response.id))),
            db.session.scalar(select(func.count(Answer.id))),
            db.session.scalar(select(func.count(Score.id))),
        )


def test_a_complete_response_is_stored_scored_and_receipted(signed_in, app):
    response_uuid = uuid.uuid4()
    reply = send(signed_in, body(response_uuid))
    assert reply.status_code == 201
    receipt = reply.get_json()
    assert receipt["uuid"] == str(response_uuid)
    assert receipt["status"] == "completed"
    assert receipt["results_url"] == f"/responses/{response_uuid}/results"
    assert counts(app) == (1, 12, 5)
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.authored_at.isoformat() == "2026-11-20T09:30:00+00:00"
        assert response.received_at > response.authored_at
    assert "75 out of 100" in signed_in.get(receipt["results_url"]).get_data(as_text=True)


def test_resending_the_same_answers_returns_the_original_receipt(signed_in, app):
    response_uuid = uuid.uuid4()
    first = send(signed_in, body(response_uuid)).get_json()
    for _ in range(5):
        again = send(signed_in, body(response_uuid))
        assert again.status_code == 200
        assert again.get_json() == first
    assert counts(app) == (1, 12, 5)


def test_different_answers_under_a_used_uuid_are_refused_and_change_nothing(signed_in, app):
    response_uuid = uuid.uuid4()
    send(signed_in, body(response_uuid, "agree"))
    reply = send(signed_in, body(response_uuid, "disagree"))
    assert reply.status_code == 409
    assert "Nothing was changed" in reply.get_json()["error"]
    with app.app_context():
        assert set(db.session.scalars(select(Answer.value))) == {"agree"}
    assert counts(app) == (1, 12, 5)


def test_a_uuid_used_by_someone_else_is_a_conflict(signed_in, app):
    response_uuid = uuid.uuid4()
    send(signed_in, body(response_uuid))
    make_person(app, email="other@example.org")
    other = app.test_client()
    sign_in(other, email="other@example.org")
    assert send(other, body(response_uuid)).status_code == 409
    assert counts(app) == (1, 12, 5)


def test_a_draft_saved_online_is_completed_by_the_outbox_under_its_uuid(signed_in, app):
    draft_uuid = start(signed_in, ACTIVATION).headers["Location"].split("/")[2]
    signed_in.post(f"/responses/{draft_uuid}/questions/ownership-1",
                   data={"csrf_token": csrf_token(signed_in, "/"), "ownership-1": "disagree"})
    reply = send(signed_in, body(draft_uuid))
    assert reply.status_code == 201
    assert counts(app) == (1, 12, 5)
    with app.app_context():
        assert set(db.session.scalars(select(Answer.value))) == {"agree"}


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"uuid": "not-a-uuid"}, 400, "valid uuid"),
        ({"questionnaire": "nope"}, 404, "not known"),
        ({"version": "99"}, 404, "not known"),
        ({"version": 1}, 400, "which questionnaire"),
        ({"answers": ["agree"]}, 400, "JSON object"),
        ({"authored_at": "yesterday"}, 400, "date and time"),
        ({"authored_at": "2026-11-20T09:30:00"}, 400, "time zone"),
        ({"authored_at": "2999-01-01T00:00:00+00:00"}, 422, "future"),
    ],
)
def test_malformed_requests_get_a_clear_error_and_store_nothing(signed_in, app, change, status, message):
    reply = send(signed_in, {**body(uuid.uuid4()), **change})
    assert reply.status_code == status
    assert message in reply.get_json()["error"]
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"ownership-1": "maybe"}, "ownership-1"),
        ({"ownership-1": 4}, "ownership-1"),
        ({"no-such-item": "agree"}, "no-such-item"),
        ({"ownership-1": ["agree"]}, "ownership-1"),
    ],
)
def test_answers_that_do_not_fit_are_refused_whole(signed_in, app, answers, question):
    payload = body(uuid.uuid4())
    payload["answers"].update(answers)
    reply = send(signed_in, payload)
    assert reply.status_code == 422
    assert reply.get_json()["question"] == question
    assert counts(app) == (0, 0, 0)


def test_missing_required_answers_are_listed(signed_in, app):
    payload = body(uuid.uuid4())
    del payload["answers"]["acting-2"]
    reply = send(signed_in, payload)
    assert reply.status_code == 422
    assert reply.get_json()["missing"] == ["acting-2"]
    assert counts(app) == (0, 0, 0)


def test_not_signed_in_gets_401_and_no_csrf_gets_400(client, signed_in, app):
    anonymous = app.test_client()
    reply = anonymous.post("/api/responses", json=body(uuid.uuid4()),
                           headers={"X-CSRFToken": csrf_token(anonymous, "/sign-in")})
    assert reply.status_code == 401
    reply = signed_in.post("/api/responses", json=body(uuid.uuid4()))
    assert reply.status_code == 400
    assert "expired" in reply.get_json()["error"]
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize("authored_at", ["0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59+00:00"])
def test_impossibly_early_authored_times_are_refused(signed_in, app, authored_at):
    reply = send(signed_in, {**body(uuid.uuid4()), "authored_at": authored_at})
    assert reply.status_code == 422
    assert "too long ago" in reply.get_json()["error"]
    assert counts(app) == (0, 0, 0)


def test_a_draft_saved_at_the_same_moment_as_the_first_send_is_finished_not_refused(signed_in, app, monkeypatch):
    """The device saves its draft and sends the finished response at once: the draft row lands
    between the send's look-up and its insert. The send must finish that draft, not answer 409."""
    from webapp.services import responses as service

    response_uuid = uuid.uuid4()
    with app.app_context():
        from webapp.catalogue import get_catalogue
        from webapp.models import User

        person = db.session.scalar(select(User))
        draft = service.start_response(db.session, person, get_catalogue().get(ACTIVATION), response_uuid)
        db.session.commit()
        assert not draft.completed

    real_get = service.get_response
    calls = []

    def first_look_misses_the_draft(session, wanted):
        calls.append(wanted)
        return None if len(calls) == 1 else real_get(session, wanted)

    monkeypatch.setattr(service, "get_response", first_look_misses_the_draft)
    reply = send(signed_in, body(response_uuid))
    assert reply.status_code == 201, reply.get_json()
    assert len(calls) == 2  # the insert collided, and the stored draft was found and finished
    with app.app_context():
        stored = db.session.scalar(select(Response).where(Response.uuid == response_uuid))
        assert stored.completed and len(stored.answers) == len(ITEMS)
    assert counts(app)[0] == 1
