"""Bad input gets a clear message and changes nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_person, sign_in
from tests.web.journey import HTMX, complete, ordinal_pick, start
from webapp.extensions import db
from webapp.models import Answer, Response

ACTIVATION = "capable-activation"


def answers_stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Answer.id)))


@pytest.fixture
def draft(signed_in) -> str:
    return start(signed_in, ACTIVATION).headers["Location"].split("/")[2]


def test_unknown_questionnaire_is_not_found(signed_in):
    page = signed_in.get("/questionnaires/no-such-thing")
    assert page.status_code == 404
    assert "Page not found" in page.get_data(as_text=True)
    reply = signed_in.post("/questionnaires/no-such-thing/start",
                           data={"csrf_token": csrf_token(signed_in, "/")})
    assert reply.status_code == 404


def test_unknown_link_id_is_not_found(signed_in, app, draft):
    assert signed_in.get(f"/responses/{draft}/questions/no-such-question").status_code == 404
    reply = signed_in.post(f"/responses/{draft}/questions/no-such-question",
                           data={"csrf_token": csrf_token(signed_in, "/"), "no-such-question": "agree"})
    assert reply.status_code == 404
    assert answers_stored(app) == 0


def test_unknown_or_malformed_response_uuid_is_not_found(signed_in):
    assert signed_in.get(f"/responses/{uuid.uuid4()}/questions/ownership-1").status_code == 404
    assert signed_in.get("/responses/not-a-uuid/questions/ownership-1").status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Select an answer"),
        ("strongly-agree-ish", "Select one of the answers shown"),
        ("4", "Select one of the answers shown"),
        ("x" * 5000, "Select one of the answers shown"),
    ],
    ids=["missing", "unknown-option", "number-instead-of-code", "huge"],
)
def test_an_answer_that_does_not_fit_is_shown_again_with_its_message(signed_in, app, draft, value, message, htmx):
    data = {"csrf_token": csrf_token(signed_in, "/")}
    if value is not None:
        data["ownership-1"] = value
    reply = signed_in.post(f"/responses/{draft}/questions/ownership-1", data=data, headers=HTMX if htmx else {})
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert 'href="#ownership-1"' in page
    assert ("<!DOCTYPE html>" in page) is (not htmx)
    assert "HX-Push-Url" not in reply.headers
    assert answers_stored(app) == 0


def test_several_answers_for_a_single_choice_question_are_refused(signed_in, app, draft):
    reply = signed_in.post(f"/responses/{draft}/questions/ownership-1",
                           data={"csrf_token": csrf_token(signed_in, "/"), "ownership-1": ["agree", "disagree"]})
    assert reply.status_code == 422
    assert answers_stored(app) == 0


def test_a_group_screen_with_one_bad_answer_stores_none_of_it(signed_in, app):
    location = start(signed_in, "capable-capability").headers["Location"]
    response_uuid = location.split("/")[2]
    reply = signed_in.post(f"/responses/{response_uuid}/questions/health", data={
        "csrf_token": csrf_token(signed_in, "/"),
        "health-matters": "a-lot" if False else "not-a-real-option",
        "health-free": "",
    })
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert page.count("nhsuk-error-message") >= 2
    assert answers_stored(app) == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_missing_or_wrong_csrf_token_is_refused_and_stores_nothing(signed_in, app, draft, htmx):
    url = f"/responses/{draft}/questions/ownership-1"
    headers = HTMX if htmx else {}
    for data in ({"ownership-1": "agree"}, {"ownership-1": "agree", "csrf_token": "forged"}):
        reply = signed_in.post(url, data=data, headers=headers)
        assert reply.status_code == 400
        assert "This form has expired or was sent from somewhere else" in reply.get_data(as_text=True)
    assert answers_stored(app) == 0


def test_htmx_requests_may_send_the_csrf_token_in_a_header(signed_in, app, draft):
    token = csrf_token(signed_in, "/")
    reply = signed_in.post(f"/responses/{draft}/questions/ownership-1", data={"ownership-1": "agree"},
                           headers={**HTMX, "X-CSRFToken": token})
    assert reply.status_code == 200
    assert answers_stored(app) == 1


def test_someone_elses_draft_is_not_found_and_not_changed(signed_in, app, draft):
    token_owner = csrf_token(signed_in, "/")
    signed_in.post(f"/responses/{draft}/questions/ownership-1", data={"csrf_token": token_owner, "ownership-1": "agree"})
    make_person(app, email="other@example.org", name="Other")
    other = app.test_client()
    sign_in(other, email="other@example.org")
    token = csrf_token(other, "/")
    assert other.get(f"/responses/{draft}/questions/ownership-1").status_code == 404
    assert other.get(f"/responses/{draft}/check").status_code == 404
    reply = other.post(f"/responses/{draft}/questions/ownership-1", data={"csrf_token": token, "ownership-1": "disagree"})
    assert reply.status_code == 404
    assert other.post(f"/responses/{draft}/submit", data={"csrf_token": token}).status_code == 404
    # Starting with someone else's uuid does not take their draft over.
    reply = other.post(f"/questionnaires/{ACTIVATION}/start", data={"csrf_token": token, "response_uuid": draft})
    assert reply.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) == "agree"
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_sending_with_unanswered_questions_lists_them(signed_in, app, draft):
    reply = signed_in.post(f"/responses/{draft}/submit", data={"csrf_token": csrf_token(signed_in, "/")})
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "Some questions still need an answer" in page
    assert page.count("Answer: ") == 12
    with app.app_context():
        assert db.session.scalar(select(Response.status)).value == "in_progress"


def test_answers_cannot_change_after_sending(signed_in, app):
    response_uuid = complete(signed_in, app, ACTIVATION, ordinal_pick(0.75))
    token = csrf_token(signed_in, "/")
    reply = signed_in.post(f"/responses/{response_uuid}/questions/ownership-1",
                           data={"csrf_token": token, "ownership-1": "disagree"})
    assert reply.status_code == 409
    assert "already sent" in reply.get_data(as_text=True)
    again = signed_in.post(f"/responses/{response_uuid}/submit", data={"csrf_token": token})
    assert again.status_code == 303 and again.headers["Location"].endswith("/results")
    with app.app_context():
        assert set(db.session.scalars(select(Answer.value))) == {"agree"}


def test_bad_input_never_puts_answers_in_the_logs(signed_in, app, draft, caplog):
    secret_answer = "my-very-private-answer-text"
    with caplog.at_level("DEBUG"):
        signed_in.post(f"/responses/{draft}/questions/ownership-1",
                       data={"csrf_token": csrf_token(signed_in, "/"), "ownership-1": secret_answer})
        signed_in.post(f"/responses/{draft}/questions/ownership-1", data={"ownership-1": secret_answer})
        complete(signed_in, app, "capable-capability", ordinal_pick(0.5))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret_answer not in logged
    assert "Seeing my grandchildren" not in logged
