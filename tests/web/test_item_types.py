"""Every kind of question renders, takes good answers and refuses bad ones with a clear message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, make_person, sign_in
from tests.web.journey import start
from webapp import create_app
from webapp.config import PROJECT_ROOT
from webapp.extensions import db
from webapp.models import Answer, Response

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "questionnaires"


@pytest.fixture
def app(database_url):
    from webapp.config import BUILTIN_QUESTIONNAIRES, database_url as normalise

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "tests-only",
        "SQLALCHEMY_ENGINES": {"default": normalise(database_url)},
        "DEMO_DATA": False,
        "QUESTIONNAIRE_DIRS": [BUILTIN_QUESTIONNAIRES, FIXTURES],
    })
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def draft(client, app):
    make_person(app)
    sign_in(client, "alex@example.org", PASSWORD)
    location = start(client, "every-item-type").headers["Location"]
    assert location.endswith("/questions/intro")
    return location.split("/")[2]


def post(client, draft, link_id, **fields):
    data = {"csrf_token": csrf_token(client, "/"), **fields}
    return client.post(f"/responses/{draft}/questions/{link_id}", data=data)


def stored(app) -> dict:
    with app.app_context():
        return {a.link_id: a.value for a in db.session.scalars(select(Answer))}


def test_a_display_screen_shows_its_text_and_moves_on(client, draft):
    page = client.get(f"/responses/{draft}/questions/intro").get_data(as_text=True)
    assert "<h1" in page and "Some questions about your week" in page and "Take your time." in page
    reply = post(client, draft, "intro")
    assert reply.headers["Location"].endswith("/questions/mood")


def test_scale_questions_offer_every_number_and_a_not_applicable_choice(client, app, draft):
    page = client.get(f"/responses/{draft}/questions/mood").get_data(as_text=True)
    for number in range(0, 11):
        assert f'value="{number}"' in page
    assert "0 – Very low" in page and "10 – Very good" in page
    assert "I would rather not say" in page
    for bad, message in (("11", "Enter a number from 0 to 10"), ("-1", "Enter a number from 0 to 10"),
                         ("seven", "Select one of the answers shown"), ("", "Select an answer")):
        reply = post(client, draft, "mood", mood=bad)
        assert reply.status_code == 422, bad
        assert message in reply.get_data(as_text=True), bad
    assert stored(app) == {}
    assert post(client, draft, "mood", mood="rather-not-say").status_code == 303
    assert post(client, draft, "mood", mood="6").status_code == 303
    assert stored(app) == {"mood": 6}


def test_number_questions_take_whole_numbers_in_range(client, app, draft):
    page = client.get(f"/responses/{draft}/questions/walks").get_data(as_text=True)
    assert 'inputmode="numeric"' in page and '<label' in page
    for bad, message in (("31", "Enter a number from 0 to 30"), ("2.5", "Enter a whole number, like 5"),
                         ("lots", "Enter a whole number, like 5"), ("", "Enter a number")):
        reply = post(client, draft, "walks", walks=bad)
        assert reply.status_code == 422, bad
        page = reply.get_data(as_text=True)
        assert message in page, bad
        if bad:
            assert f'value="{bad}"' in page  # what was typed is shown again to correct
    assert post(client, draft, "walks", walks=" 12 ").status_code == 303
    assert stored(app) == {"walks": 12}


def test_yes_no_questions(client, app, draft):
    assert post(client, draft, "slept-well", **{"slept-well": "maybe"}).status_code == 422
    assert post(client, draft, "slept-well", **{"slept-well": "no"}).status_code == 303
    assert stored(app) == {"slept-well": False}
    page = client.get(f"/responses/{draft}/questions/slept-well").get_data(as_text=True)
    assert 'value="no" checked' in page


def test_tick_all_that_apply_questions(client, app, draft):
    page = client.get(f"/responses/{draft}/questions/helpers").get_data(as_text=True)
    assert page.count('type="checkbox"') == 3
    assert 'data-checkbox-exclusive' in page or "exclusive" in page
    reply = client.post(f"/responses/{draft}/questions/helpers",
                        data={"csrf_token": csrf_token(client, "/"), "helpers": ["family", "cousins"]})
    assert reply.status_code == 422
    assert stored(app) == {}
    reply = client.post(f"/responses/{draft}/questions/helpers",
                        data={"csrf_token": csrf_token(client, "/"), "helpers": ["friends", "family"]})
    assert reply.status_code == 303
    assert stored(app) == {"helpers": ["family", "friends"]}
    # Optional: sending none clears the earlier answer.
    assert post(client, draft, "helpers").status_code == 303
    assert stored(app) == {}


def test_free_text_has_a_length_limit(client, app, draft):
    reply = post(client, draft, "note", note="x" * 51)
    assert reply.status_code == 422
    assert "Your answer must be 50 characters or fewer" in reply.get_data(as_text=True)
    assert stored(app) == {}
    reply = post(client, draft, "note", note="  Had a good week <b>really</b>  ")
    assert reply.headers["Location"].endswith("/check")
    assert stored(app) == {"note": "Had a good week <b>really</b>"}
    check = client.get(f"/responses/{draft}/check").get_data(as_text=True)
    assert "Had a good week &lt;b&gt;really&lt;/b&gt;" in check  # shown as text, never as HTML


def test_check_answers_and_banded_result(client, app, draft):
    post(client, draft, "mood", mood="6")
    post(client, draft, "walks", walks="3")
    post(client, draft, "slept-well", **{"slept-well": "yes"})
    client.post(f"/responses/{draft}/questions/helpers",
                data={"csrf_token": csrf_token(client, "/"), "helpers": ["family", "friends"]})
    check = client.get(f"/responses/{draft}/check").get_data(as_text=True)
    for shown in ("Family, Friends", "Yes", ">3<", "Not answered"):
        assert shown in check.replace("\n", "").replace("  ", ""), shown
    reply = client.post(f"/responses/{draft}/submit", data={"csrf_token": csrf_token(client, "/")})
    assert reply.status_code == 303
    results = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "6 out of 10" in results and "Medium" in results
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1
