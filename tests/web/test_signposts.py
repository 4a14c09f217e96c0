"""The "If you do not feel safe" signpost: on the results page (whole page and htmx fragment,
new and past results) when the answers about feeling safe are low, and never otherwise; and a
one-line note against that assessment on the person's record for the staff who can see it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token, sign_in
from tests.web.conftest import add_capability, capability_answers
from tests.web.journey import HTMX, QUESTION_URL, complete, definition, form_for, ordinal_pick, start

CAPABILITY = "capable-capability"
ACTIVATION = "capable-activation"
SIGNPOST = 'data-signpost="not-feeling-safe"'
STAFF_NOTE = 'data-signpost-note="not-feeling-safe"'


def answering_safety(free: str, actual: str):
    """Everything in the middle, except the two questions about feeling safe."""
    middle = ordinal_pick(0.5)

    def pick(item):
        if item.link_id == "safe-free":
            return free
        if item.link_id == "safe-actual":
            return actual
        return middle(item)

    return pick


def results(client, response_uuid: str, htmx: bool = False) -> str:
    reply = client.get(f"/responses/{response_uuid}/results", headers=HTMX if htmx else {})
    assert reply.status_code == 200
    assert "HX-Request" in reply.headers.get("Vary", "")
    return reply.get_data(as_text=True)


def signpost_box(page: str) -> str:
    start = page.index(SIGNPOST)
    return page[start:page.index("</ul>", start)]


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize(("free", "actual"), [
    ("not-free", "a-lot"),
    ("a-little-free", "as-much-as-i-want"),
    ("completely-free", "not-at-all"),
    ("mostly-free", "a-little"),
])
def test_low_safety_answers_show_the_signpost_on_the_page_and_the_fragment(signed_in, app, free, actual):
    response_uuid = complete(signed_in, app, CAPABILITY, answering_safety(free, actual))
    for htmx in (False, True):
        page = results(signed_in, response_uuid, htmx=htmx)
        assert page.count(SIGNPOST) == 1
        assert ("<html" in page) is not htmx
        box = signpost_box(page)
        assert re.search(r'<h2\s+class="nhsuk-card__heading"\s*>\s*<span role="text">\s*'
                         r'<span class="nhsuk-u-visually-hidden">Important: </span>If you do not feel safe', box)
        assert "nhsuk-card--warning" in page[page.rindex("<div", 0, page.index(SIGNPOST)):page.index(SIGNPOST)]
        assert "If you are in danger now, call 999." in words(box)
        assert "your coach, your link worker or your GP" in words(box)


def test_the_signpost_sits_under_the_heading_before_the_scores(signed_in, app):
    response_uuid = complete(signed_in, app, CAPABILITY, answering_safety("not-free", "not-at-all"))
    page = results(signed_in, response_uuid)
    assert page.index("Your results</h1>") < page.index(SIGNPOST) < page.index("Freedom to do what matters to you")


def test_the_phone_numbers_are_call_links(signed_in, app):
    response_uuid = complete(signed_in, app, CAPABILITY, answering_safety("not-free", "not-at-all"))
    box = signpost_box(results(signed_in, response_uuid))
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', box)
    assert links == [
        ("tel:999", "Call 999"),
        ("tel:08082000247", "Call 0808 2000 247"),
        ("tel:116123", "Call 116 123"),
    ]
    text = words(box)
    assert "Emergency services Call 999 If you are in danger now" in text
    assert "National Domestic Abuse Helpline Call 0808 2000 247 Free, any time, day or night" in text
    assert "Samaritans Call 116 123 Free, any time, if you need to talk" in text


@pytest.mark.parametrize("position", [0.5, 1.0])
def test_safe_answers_show_no_signpost(signed_in, app, position):
    """The middle answers (partly free, feeling safe some of the time) and the highest."""
    response_uuid = complete(signed_in, app, CAPABILITY, ordinal_pick(position))
    for htmx in (False, True):
        page = results(signed_in, response_uuid, htmx=htmx)
        assert "data-signpost" not in page
        assert "If you do not feel safe" not in page
        assert "tel:" not in page


def test_activation_results_show_no_signpost(signed_in, app):
    response_uuid = complete(signed_in, app, ACTIVATION, ordinal_pick(0.0))
    assert "data-signpost" not in results(signed_in, response_uuid)


def test_the_help_comes_with_the_results_straight_after_sending(signed_in, app):
    """With htmx, sending the answers returns the results fragment itself, help included."""
    questionnaire = definition(app, CAPABILITY)
    pick = answering_safety("not-free", "a-little")
    location = start(signed_in, CAPABILITY, htmx=True).headers["HX-Push-Url"]
    token = csrf_token(signed_in, "/")
    while match := QUESTION_URL.search(location):
        response_uuid, link_id = match.groups()
        data = {**form_for(questionnaire.page(link_id), pick), "csrf_token": token}
        location = signed_in.post(f"/responses/{response_uuid}/questions/{link_id}", data=data,
                                  headers=HTMX).headers["HX-Push-Url"]
    reply = signed_in.post(f"/responses/{response_uuid}/submit", data={"csrf_token": token}, headers=HTMX)
    assert reply.status_code == 200 and reply.headers["HX-Push-Url"].endswith("/results")
    assert SIGNPOST in reply.get_data(as_text=True)


def test_past_results_opened_from_history_keep_their_signpost(signed_in, app):
    unsafe = complete(signed_in, app, CAPABILITY, answering_safety("a-little-free", "some"))
    safe = complete(signed_in, app, CAPABILITY, ordinal_pick(1.0))
    history = signed_in.get("/history").get_data(as_text=True)
    links = re.findall(r'href="(/responses/[0-9a-f-]{36}/results)"', history)
    assert f"/responses/{unsafe}/results" in links and f"/responses/{safe}/results" in links
    assert SIGNPOST in signed_in.get(f"/responses/{unsafe}/results").get_data(as_text=True)
    assert SIGNPOST not in signed_in.get(f"/responses/{safe}/results").get_data(as_text=True)


# --- staff ------------------------------------------------------------------------------------


def unsafe_answers(app) -> dict:
    answers = capability_answers(app, health_free="mostly-free", getting_around_free="mostly-free", what_matters=None)
    answers["safe-free"] = "not-free"
    answers["safe-actual"] = "a-little"
    answers["safe-barriers"] = ["other"]
    return answers


def safe_answers(app) -> dict:
    return capability_answers(app, health_free="mostly-free", getting_around_free="mostly-free", what_matters=None)


def test_the_coach_sees_a_note_against_the_assessment(app, caseload):
    add_capability(app, caseload.person_id, unsafe_answers(app), days_ago=30)
    add_capability(app, caseload.person_id, safe_answers(app), days_ago=1)
    client = app.test_client()
    assert sign_in(client, "casey@example.org").status_code == 302
    for htmx in (False, True):
        page = client.get(f"/staff/people/{caseload.person_id}", headers=HTMX if htmx else {}).get_data(as_text=True)
        assert page.count(STAFF_NOTE) == 1  # the earlier assessment only
        start = page.index(STAFF_NOTE)
        note = page[start:page.index("</details>", start)]
        assert "Said they do not feel safe: see the help shown to them." in words(note)
        assert re.search(r"<strong>\d{1,2} \w+ \d{4}:</strong>", note)
        assert 'href="tel:999"' in note and 'href="tel:08082000247"' in note
        # in the capability section, above its chart
        assert page.index('id="capability-heading"') < start < page.index("capability-chart")


def test_no_note_when_they_said_they_feel_safe(app, caseload):
    add_capability(app, caseload.person_id, safe_answers(app), days_ago=1)
    client = app.test_client()
    assert sign_in(client, "casey@example.org").status_code == 302
    page = client.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert 'id="capability-heading"' in page
    assert "data-signpost-note" not in page
    assert "do not feel safe" not in page


def test_staff_who_cannot_see_the_record_see_no_note(app, caseload):
    add_capability(app, caseload.person_id, unsafe_answers(app), days_ago=1)
    client = app.test_client()
    assert sign_in(client, "drew@example.org").status_code == 302
    reply = client.get(f"/staff/people/{caseload.person_id}")
    assert reply.status_code == 404
    assert "do not feel safe" not in reply.get_data(as_text=True)
