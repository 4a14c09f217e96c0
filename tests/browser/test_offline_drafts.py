"""A questionnaire started on one phone carries on on another: drafts are saved to the server as
well as on the phone (PUT /api/drafts/<uuid>), and a phone with no draft starts from the server's."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import off_the_event_loop
from tests.browser.helpers import (
    ACTIVATION,
    activation_questions,
    choose,
    expect_chosen,
    press_continue,
    questionnaire,
    sign_in,
    wait_for_question,
)
from tests.browser.test_offline import start_offline_questionnaire, wait_until_controlled, wait_until_kept

pytestmark = pytest.mark.browser

TITLE = questionnaire(ACTIVATION)["title"]
OFFLINE_PAGE = f"/offline/questionnaires/{ACTIVATION}/1"
# Four different answers, so a mix-up between questions would show.
GIVEN = ["I agree", "I disagree", "I strongly agree", "Somewhere in between"]
SAVED_TO_ACCOUNT = "Your answers are also saved to your account, so you can carry on on another device."


def server_drafts(app) -> list[tuple[str, str, dict]]:
    """(uuid, status, answers) of every response the server holds."""
    from webapp.extensions import db
    from webapp.models import Response

    def query():
        with app.app_context():
            return [(str(r.uuid), r.status.value, r.answer_map())
                    for r in db.session.scalars(select(Response).order_by(Response.id))]

    return off_the_event_loop(query)


def wait_for_server(app, page: Page, wanted, seconds: float = 40) -> list:
    """Poll the database (through the app) until ``wanted(rows)`` holds; the page keeps running."""
    deadline = time.monotonic() + seconds
    rows = server_drafts(app)
    while not wanted(rows):
        assert time.monotonic() < deadline, f"the server never got the draft: {rows}"
        page.wait_for_timeout(250)
        rows = server_drafts(app)
    return rows


def code_of(text: str) -> str:
    return next(o["code"] for o in activation_questions()[0].options if o["text"] == text)


def local_draft_uuid(page: Page) -> str:
    return page.evaluate("""() => CapableOffline.ready.then((api) =>
        api.store.draftsFor(api.config.user, "capable-activation")).then((drafts) => drafts[0].uuid)""")


def test_a_draft_answered_offline_carries_on_online_on_another_device(contexts, live_server, make_account):
    email, password = make_account()
    questions = activation_questions()

    # Device A, a phone: signed in while online, then no signal.
    phone = contexts.new()
    page = phone.new_page()
    sign_in(page, email, password)
    wait_until_controlled(page)
    wait_until_kept(page, [OFFLINE_PAGE, f"/questionnaires/{ACTIVATION}"])
    phone.set_offline(True)
    page.goto(f"/questionnaires/{ACTIVATION}")  # the usual address: the kept offline page
    start_offline_questionnaire(page, TITLE)
    for question, text in zip(questions, GIVEN):
        screen = page.locator(f'section[data-page="{question.link_id}"]')
        expect(screen).to_be_visible()
        choose(page, text, question.link_id)
        screen.get_by_role("button", name="Continue").click()
    fifth = page.locator(f'section[data-page="{questions[4].link_id}"]')
    expect(fifth).to_be_visible()
    draft_uuid = local_draft_uuid(page)
    page.wait_for_timeout(3000)  # longer than the debounce: nothing may be sent without a signal
    assert server_drafts(live_server.app) == []
    expect(fifth.locator("[data-draft-synced]")).to_be_hidden()

    # Back online: the draft is saved to the server by itself, under the same UUID, not completed.
    phone.set_offline(False)
    expected = {question.link_id: code_of(text) for question, text in zip(questions, GIVEN)}
    rows = wait_for_server(live_server.app, page, lambda rows: rows and rows[0][2] == expected)
    assert rows == [(draft_uuid, "in_progress", expected)]
    expect(fifth.locator("[data-draft-synced]")).to_have_text(SAVED_TO_ACCOUNT)

    # Device B, same account, online: the home page shows it in progress, and it carries on at the
    # next unanswered question with the answers kept.
    tablet = contexts.new()
    other = tablet.new_page()
    sign_in(other, email, password)
    expect(other.locator("#app-content")).to_contain_text("You have answered 4 questions. Carry on where you left off.")
    other.get_by_role("link", name=TITLE, exact=True).click()
    other.wait_for_url(re.compile(rf"/questionnaires/{ACTIVATION}$"))
    other.get_by_role("button", name="Carry on").click()
    wait_for_question(other, questions[4].link_id, questions[4].text)
    assert f"/responses/{draft_uuid}/" in other.url
    expect(other.locator("h1 .nhsuk-caption-l")).to_have_text(f"Question 5 of {len(questions)}")
    other.get_by_role("link", name="Back").click()
    wait_for_question(other, questions[3].link_id, questions[3].text)
    expect_chosen(other, GIVEN[3])
    press_continue(other)
    wait_for_question(other, questions[4].link_id, questions[4].text)
    assert server_drafts(live_server.app) == [(draft_uuid, "in_progress", expected)]


def test_a_phone_with_no_draft_starts_from_the_one_saved_online(contexts, live_server, make_account):
    email, password = make_account()
    questions = activation_questions()

    # Started online on a laptop: two answers, saved by the server as they are given.
    laptop = contexts.new()
    online = laptop.new_page()
    sign_in(online, email, password)
    online.get_by_role("link", name=TITLE, exact=True).click()
    online.get_by_role("button", name="Start now").click()
    for question, text in zip(questions[:2], GIVEN):
        wait_for_question(online, question.link_id, question.text)
        choose(online, text)
        press_continue(online)
    wait_for_question(online, questions[2].link_id, questions[2].text)
    [(draft_uuid, status, _answers)] = server_drafts(live_server.app)
    assert status == "in_progress"

    # A phone that has never had this questionnaire opens its offline page while online.
    phone = contexts.new()
    page = phone.new_page()
    sign_in(page, email, password)
    page.goto(OFFLINE_PAGE)
    expect(page.locator("#app-offline-questionnaire[data-ready=true]")).to_have_count(1)
    third = page.locator(f'section[data-page="{questions[2].link_id}"]')
    expect(third).to_be_visible()
    expect(third.locator("h1 .nhsuk-caption-l")).to_have_text(f"Question 3 of {len(questions)}")
    assert local_draft_uuid(page) == draft_uuid
    third.get_by_role("link", name="Back").click()
    expect_chosen(page, GIVEN[1], questions[1].link_id)
    page.locator(f'section[data-page="{questions[1].link_id}"]').get_by_role("button", name="Continue").click()
    choose(page, GIVEN[2], questions[2].link_id)
    third.get_by_role("button", name="Continue").click()

    # Its next answer reaches the server under the same UUID.
    expected = {question.link_id: code_of(text) for question, text in zip(questions[:3], GIVEN)}
    rows = wait_for_server(live_server.app, page, lambda rows: rows and rows[0][2] == expected)
    assert rows == [(draft_uuid, "in_progress", expected)]
