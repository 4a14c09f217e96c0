"""A person can take a copy of all their data, and delete their account with everything in it."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, make_person, sign_in
from tests.web.journey import complete, ordinal_pick
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
