"""The self-assessment journey through the Flask test client, with and without htmx."""

from __future__ import annotations

import re
import uuid as uuid_module

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_person, sign_in
from tests.web.journey import HTMX, complete, definition, ordinal_pick, start
from webapp.extensions import db
from webapp.models import Answer, Response, ResponseStatus, Score

ACTIVATION = "capable-activation"
CAPABILITY = "capable-capability"


def test_home_shows_both_questionnaires_as_to_do(signed_in):
    page = signed_in.get("/").get_data(as_text=True)
    assert "Looking after my health" in page
    assert "What I can be and do" in page
    assert page.count("To do") == 2
    assert "Your results will show here" in page


def test_start_page_describes_the_questionnaire(signed_in):
    page = signed_in.get(f"/questionnaires/{ACTIVATION}").get_data(as_text=True)
    assert "Looking after my health" in page
    assert "Start now" in page
    assert "CC BY 4.0" in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_completing_activation_stores_a_versioned_scored_response(signed_in, app, htmx):
    response_uuid = complete(signed_in, app, ACTIVATION, ordinal_pick(0.75), htmx=htmx)  # "I agree" to all
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert str(response.uuid) == response_uuid
        assert response.status == ResponseStatus.COMPLETED
        assert (response.questionnaire_id, response.questionnaire_version) == (ACTIVATION, "1")
        assert response.scoring_version == "1"
        assert response.received_at is not None and response.authored_at is not None
        assert {a.link_id: a.value for a in response.answers} == {
            f"{block}-{n}": "agree" for block in ("ownership", "knowhow", "acting", "sustaining") for n in (1, 2, 3)
        }
        scores = {s.scale_id: (s.value, s.level) for s in db.session.scalars(select(Score))}
    # "I agree" is 4 on a 1-5 scale: (4 - 1) / 4 * 100 = 75 for every block and overall.
    assert scores["overall"] == (75.0, 3)
    assert scores["ownership"][0] == scores["sustaining"][0] == 75.0
    results = signed_in.get(f"/responses/{response_uuid}/results").get_data(as_text=True)
    assert "75 out of 100" in results
    assert "Stage 3" in results
    assert "Capable&#39;s own measure, not the Patient Activation Measure" in results


def test_without_htmx_every_step_is_a_post_then_redirect(signed_in, app):
    reply = start(signed_in, ACTIVATION)
    assert reply.status_code == 303
    first = reply.headers["Location"]
    assert first.endswith("/questions/ownership-1")
    page = signed_in.get(first)
    html = page.get_data(as_text=True)
    assert page.headers["Vary"].startswith("HX-Request") or "HX-Request" in page.headers["Vary"]
    assert "<!DOCTYPE html>" in html and "Question 1 of 12" in html
    assert "<legend" in html and "<fieldset" in html
    reply = signed_in.post(first, data={"csrf_token": csrf_token(signed_in, first), "ownership-1": "agree"})
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith("/questions/ownership-2")


def test_with_htmx_the_same_urls_return_fragments_and_push_the_next_url(signed_in, app):
    reply = start(signed_in, ACTIVATION, htmx=True)
    assert reply.status_code == 200
    assert reply.headers["HX-Push-Url"].endswith("/questions/ownership-1")
    fragment = reply.get_data(as_text=True)
    assert "<!DOCTYPE html>" not in fragment and "<header" not in fragment
    assert "Question 1 of 12" in fragment
    assert "<title>" in fragment  # htmx updates the page title from it
    assert "HX-Request" in reply.headers["Vary"]
    url = reply.headers["HX-Push-Url"]
    page = signed_in.get(url, headers=HTMX)
    assert "<!DOCTYPE html>" not in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]
    token = csrf_token(signed_in, url)
    reply = signed_in.post(url, data={"csrf_token": token, "ownership-1": "agree"}, headers=HTMX)
    assert reply.status_code == 200
    assert reply.headers["HX-Push-Url"].endswith("/questions/ownership-2")
    assert "Question 2 of 12" in reply.get_data(as_text=True)


def test_a_full_page_htmx_request_gets_the_whole_page(signed_in):
    page = signed_in.get("/", headers={"HX-Request": "true", "HX-Request-Type": "full"})
    assert "<!DOCTYPE html>" in page.get_data(as_text=True)


def test_back_link_and_changing_an_answer_from_check_your_answers(signed_in, app):
    response_uuid = complete_all_but_submit(signed_in, app)
    check = signed_in.get(f"/responses/{response_uuid}/check").get_data(as_text=True)
    assert check.count("Change<span") == 12
    assert "Send my answers" in check
    change_url = f"/responses/{response_uuid}/questions/acting-2?change=1"
    assert change_url in check.replace("&amp;", "&")
    page = signed_in.get(change_url).get_data(as_text=True)
    assert f'href="/responses/{response_uuid}/check"' in page  # back goes to check your answers
    assert f'hx-get="/responses/{response_uuid}/check"' in page
    assert "Save and go back" in page and ">Continue<" not in page
    assert re.search(r'value="agree"\s+checked', page) or 'value="agree" checked' in page
    token = csrf_token(signed_in, "/")
    reply = signed_in.post(f"/responses/{response_uuid}/questions/acting-2",
                           data={"csrf_token": token, "acting-2": "disagree", "change": "1"})
    assert reply.headers["Location"] == f"/responses/{response_uuid}/check"
    check = signed_in.get(f"/responses/{response_uuid}/check").get_data(as_text=True)
    assert "I disagree" in check
    second = signed_in.get(f"/responses/{response_uuid}/questions/ownership-2").get_data(as_text=True)
    assert f'href="/responses/{response_uuid}/questions/ownership-1"' in second
    assert f'hx-get="/responses/{response_uuid}/questions/ownership-1"' in second
    assert "Continue" in second and "Save and go back" not in second
    # Another person's draft gets its own back link (the link is rendered once and reused).
    make_person(app, "sam@example.org")
    sam = app.test_client()
    sign_in(sam, "sam@example.org")
    other = complete_all_but_submit(sam, app)
    theirs = sam.get(f"/responses/{other}/questions/ownership-2").get_data(as_text=True)
    assert other != response_uuid
    assert f'href="/responses/{other}/questions/ownership-1"' in theirs and response_uuid not in theirs


def complete_all_but_submit(client, app) -> str:
    questionnaire = definition(app, ACTIVATION)
    location = start(client, ACTIVATION).headers["Location"]
    response_uuid = location.split("/")[2]
    token = csrf_token(client, "/")
    for page in questionnaire.pages:
        client.post(f"/responses/{response_uuid}/questions/{page.link_id}",
                    data={"csrf_token": token, page.link_id: "agree"})
    return response_uuid


def stored_answers(app, response_uuid: str) -> dict:
    with app.app_context():
        return {a.link_id: a.value for a in db.session.scalars(
            select(Answer).join(Response).where(Response.uuid == uuid_module.UUID(response_uuid)))}


def test_a_screen_sent_after_the_answers_were_sent_from_another_tab_changes_nothing(signed_in, app):
    response_uuid = complete_all_but_submit(signed_in, app)
    token = csrf_token(signed_in, "/")
    assert signed_in.post(f"/responses/{response_uuid}/submit", data={"csrf_token": token}).status_code == 303
    before = stored_answers(app, response_uuid)
    reply = signed_in.post(f"/responses/{response_uuid}/questions/acting-2",
                           data={"csrf_token": token, "acting-2": "disagree", "change": "1"})
    assert reply.status_code == 409
    assert stored_answers(app, response_uuid) == before
    assert before["acting-2"] == "agree"


def test_answers_read_just_before_another_request_sends_them_cannot_be_changed(signed_in, app):
    """The race the check above cannot see: the screen read the response while it was open, and
    the answers were sent before this screen saved. Saving is refused whole."""
    from webapp.services import responses

    response_uuid = complete_all_but_submit(signed_in, app)
    questionnaire = definition(app, ACTIVATION)
    with app.app_context():
        sheet = responses.load_answer_sheet(db.session, uuid_module.UUID(response_uuid))
    assert not sheet.completed and sheet.answers["acting-2"] == "agree"
    token = csrf_token(signed_in, "/")
    assert signed_in.post(f"/responses/{response_uuid}/submit", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        with pytest.raises(responses.ResponseClosed):
            responses.save_page_answers(db.session, sheet, questionnaire.page("acting-2"), {"acting-2": "disagree"})
        db.session.rollback()
    assert stored_answers(app, response_uuid)["acting-2"] == "agree"
    assert sheet.answers["acting-2"] == "agree"


def test_a_draft_resumes_after_the_browser_is_closed(signed_in, app):
    location = start(signed_in, ACTIVATION).headers["Location"]
    response_uuid = location.split("/")[2]
    token = csrf_token(signed_in, "/")
    for link_id in ("ownership-1", "ownership-2", "ownership-3"):
        signed_in.post(f"/responses/{response_uuid}/questions/{link_id}",
                       data={"csrf_token": token, link_id: "agree-strongly"})
    # A new browser: no cookies, sign in again.
    from tests.conftest import sign_in

    fresh = app.test_client()
    sign_in(fresh)
    home = fresh.get("/").get_data(as_text=True)
    assert "In progress" in home
    assert "You have answered 3 questions" in home
    start_page = fresh.get(f"/questions/{ACTIVATION}".replace("/questions/", "/questionnaires/")).get_data(as_text=True)
    assert "Carry on" in start_page
    assert response_uuid in start_page
    reply = fresh.post(f"/questionnaires/{ACTIVATION}/start",
                       data={"csrf_token": csrf_token(fresh, "/"), "response_uuid": response_uuid})
    assert reply.headers["Location"] == f"/responses/{response_uuid}/questions/knowhow-1"
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_starting_again_with_a_new_uuid_resumes_the_existing_draft(signed_in, app):
    first = start(signed_in, ACTIVATION).headers["Location"]
    second = start(signed_in, ACTIVATION).headers["Location"]
    assert first == second
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_capability_barriers_screen_only_when_freedom_is_low(signed_in, app):
    questionnaire = definition(app, CAPABILITY)
    location = start(signed_in, CAPABILITY).headers["Location"]
    response_uuid = location.split("/")[2]
    token = csrf_token(signed_in, "/")

    def matters_free_actual(domain, matters, free, actual):
        group = questionnaire.page(domain)
        codes = {}
        for item, position in zip(group.questions, (matters, free, actual)):
            options = sorted(item.options, key=lambda o: o.value)
            codes[item.link_id] = options[position].code
        return signed_in.post(f"/responses/{response_uuid}/questions/{domain}",
                              data={"csrf_token": token, **codes})

    free_enough = matters_free_actual("health", 4, 3, 3)
    assert free_enough.headers["Location"].endswith("/questions/getting-around")
    not_free = matters_free_actual("getting-around", 4, 0, 0)
    assert not_free.headers["Location"].endswith("/questions/getting-around-barriers")
    page = signed_in.get(not_free.headers["Location"]).get_data(as_text=True)
    assert 'type="checkbox"' in page
    reply = signed_in.post(f"/responses/{response_uuid}/questions/getting-around-barriers",
                           data={"csrf_token": token, "getting-around-barriers": ["money", "transport"]})
    assert reply.headers["Location"].endswith("/questions/home")
    assert signed_in.get(f"/responses/{response_uuid}/questions/health-barriers").status_code == 404
    with app.app_context():
        stored = db.session.scalar(select(Answer).where(Answer.link_id == "getting-around-barriers"))
        assert stored.value == ["money", "transport"]


def test_capability_results_show_profile_index_and_what_matters(signed_in, app):
    response_uuid = complete(signed_in, app, CAPABILITY, ordinal_pick(1.0))
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.result["profile"]["index"] == 1.0
        assert response.result["profile"]["what_matters"] == "Seeing my grandchildren"
        classes = {s.scale_id: s.band for s in response.scores if s.scale_id.startswith("domain:")}
        assert len(classes) == 10 and set(classes.values()) == {"strength"}
    page = signed_in.get(f"/responses/{response_uuid}/results").get_data(as_text=True)
    assert "100%" in page
    assert "Seeing my grandchildren" in page
    assert "Your strengths" in page


def test_history_lists_results_with_change_since_the_first(signed_in, app):
    complete(signed_in, app, ACTIVATION, ordinal_pick(0.5))   # "Somewhere in between": 50
    complete(signed_in, app, ACTIVATION, ordinal_pick(1.0))   # "I strongly agree": 100
    page = signed_in.get("/history").get_data(as_text=True)
    assert page.index("100 out of 100") < page.index("50 out of 100")  # newest first
    assert "+50 since your first time" in page
    home = signed_in.get("/").get_data(as_text=True)
    assert "Done" in home and "Next due on" in home
    assert "+50 since your first time" in home


def test_results_of_an_old_version_keep_rendering(signed_in, app, tmp_path):
    """A response stays tied to the version it answered, even after a new version is loaded."""
    response_uuid = complete(signed_in, app, ACTIVATION, ordinal_pick(0.75))
    source = (definition(app, ACTIVATION).source)
    from pathlib import Path

    text = Path(source).read_text(encoding="utf-8")
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "capable-activation-2.yaml").write_text(
        text.replace('version: "1"', 'version: "2"', 1).replace("Looking after my health", "Caring for my health", 1),
        encoding="utf-8",
    )
    from webapp import create_app

    upgraded = create_app({**app.config, "QUESTIONNAIRE_DIRS": [*app.config["QUESTIONNAIRE_DIRS"], newer]})
    client = upgraded.test_client()
    from tests.conftest import sign_in

    sign_in(client)
    assert "Caring for my health" in client.get("/").get_data(as_text=True)
    old = client.get(f"/responses/{response_uuid}/results").get_data(as_text=True)
    with upgraded.app_context():
        db.engine.dispose()
    assert "Looking after my health" in old and "75 out of 100" in old
    assert "Version 1" in old


def test_capability_results_name_the_barriers_in_plain_words(signed_in, app):
    def pick(item):
        if item.link_id == "home-free":
            return "not-free" if item.option("not-free") else sorted(item.options, key=lambda o: o.value)[0].code
        if item.link_id == "home-matters":
            return sorted(item.options, key=lambda o: o.value)[-1].code
        if item.link_id == "home-barriers":
            return ["money", "housing"]
        return ordinal_pick(0.5)(item)

    response_uuid = complete(signed_in, app, CAPABILITY, pick)
    page = signed_in.get(f"/responses/{response_uuid}/results").get_data(as_text=True)
    section = page[page.index("Where support could help"):]
    barriers = definition(app, CAPABILITY).item("home-barriers")
    assert "Home" in section[:600]
    assert barriers.option("money").text in section[:800]
    assert barriers.option("housing").text in section[:800]
