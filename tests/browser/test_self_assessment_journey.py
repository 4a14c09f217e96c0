"""The journeys a person really takes on a phone, in Chromium, through htmx (and once without JS)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ACTIVATION,
    CAPABILITY,
    activation_questions,
    all_answers,
    answer_activation,
    app_content,
    assert_accessible,
    capability_question,
    choose,
    complete_activation,
    expect_chosen,
    expected_activation,
    list_after_heading,
    open_questionnaire,
    press_and_get_response,
    press_continue,
    questionnaire,
    sign_in,
    summary_rows,
    wait_for_check_page,
    wait_for_focus,
    wait_for_question,
    wait_for_results,
)

pytestmark = pytest.mark.browser

ACTIVATION_TITLE = questionnaire(ACTIVATION)["title"]
CAPABILITY_TITLE = questionnaire(CAPABILITY)["title"]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def due_card(page: Page, title: str):
    return page.locator(".app-due-list > li").filter(has=page.get_by_role("link", name=title, exact=True))


def test_signing_up_on_a_phone_shows_both_questionnaires_to_do(page: Page, live_server):
    page.goto("/sign-up")
    expect(heading(page)).to_have_text("Create an account")
    assert_accessible(page, "the sign-up page")

    page.locator("#display_name").fill("Jo")
    page.locator("#email").fill("jo@example.org")
    page.locator("#password").fill("correct horse battery")
    page.locator("#confirm").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url(live_server("/"))
    expect(heading(page)).to_have_text("Hello, Jo")
    expect(page.get_by_role("status")).to_contain_text("Your account is ready.")
    for title in (ACTIVATION_TITLE, CAPABILITY_TITLE):
        expect(due_card(page, title).locator(".nhsuk-tag")).to_have_text("To do")
    assert_accessible(page, "the home page after signing up")


def test_activation_one_screen_at_a_time_then_check_change_and_send(page: Page, make_account):
    questions = activation_questions()
    total = len(questions)
    assert total == 12
    answers = all_answers(
        "I agree",
        ownership_1="I strongly agree",
        knowhow_2="This does not apply to me",
        sustaining_1="Somewhere in between",
    )
    email, password = make_account()
    sign_in(page, email, password)

    # Home -> the questionnaire's start page -> the first question, swapped in by htmx.
    page.get_by_role("link", name=ACTIVATION_TITLE, exact=True).click()
    page.wait_for_url(re.compile(r"/questionnaires/capable-activation$"))
    expect(heading(page)).to_have_text(ACTIVATION_TITLE)
    assert_accessible(page, "the activation start page")
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.get_by_role("button", name="Start now").click()

    seen_urls: list[str] = []
    number, went_back = 0, False
    while number < total:
        question = questions[number]
        wait_for_question(page, question.link_id, question.text)  # URL pushed, focus on the h1 in the legend
        expect(page.locator("legend h1 .nhsuk-caption-l")).to_have_text(f"Question {number + 1} of {total}")
        if page.url not in seen_urls:
            seen_urls.append(page.url)

        if number == 0:
            assert_accessible(page, "a question screen")

        if number == 2:
            # Continue with nothing chosen: the error summary is swapped in and focused, the
            # server said 422, and the address bar still shows this question.
            before = page.url
            reply = press_and_get_response(page, "Continue", f"/questions/{question.link_id}")
            assert reply.status == 422
            summary = page.locator(".nhsuk-error-summary")
            expect(summary).to_be_visible()
            expect(summary.get_by_role("heading")).to_have_text("There is a problem")
            expect(summary.get_by_role("link", name="Select an answer")).to_have_attribute("href", f"#{question.link_id}")
            wait_for_focus(page, ".nhsuk-error-summary")
            assert page.url == before
            expect(page.locator(f'.app-item[data-link-id="{question.link_id}"] .nhsuk-error-message')).to_contain_text(
                "Select an answer"
            )
            assert_accessible(page, "a question screen with an error")

        if number == 4 and not went_back:
            # Once: go Back, find the earlier answer still chosen, and come forward again.
            went_back = True
            page.get_by_role("link", name="Back").click()
            previous = questions[3]
            wait_for_question(page, previous.link_id, previous.text)
            expect(page.locator("legend h1 .nhsuk-caption-l")).to_have_text(f"Question 4 of {total}")
            expect_chosen(page, answers[previous.link_id])
            press_continue(page)
            continue

        choose(page, answers[question.link_id])
        press_continue(page)
        number += 1

    assert len(seen_urls) == total, seen_urls  # every step had its own URL

    # Check your answers: every question, with the answer given.
    wait_for_check_page(page)
    rows = summary_rows(page)
    assert rows == [(q.text, answers[q.link_id]) for q in questions]
    assert_accessible(page, "check your answers")

    # Change one answer, save, and come back to check your answers showing the new answer.
    changed = questions[7]
    assert changed.link_id == "acting-2"
    page.get_by_role("link", name=re.compile(re.escape(changed.text))).click()
    page.wait_for_url(re.compile(rf"/questions/{changed.link_id}\?change=1$"))
    wait_for_question(page, changed.link_id, changed.text)
    expect_chosen(page, answers[changed.link_id])
    choose(page, "I strongly agree")
    press_continue(page, "Save and go back")
    wait_for_check_page(page)
    answers[changed.link_id] = "I strongly agree"
    assert summary_rows(page) == [(q.text, answers[q.link_id]) for q in questions]

    # Send: the results show the score the answers give, and its stage.
    score, stage = expected_activation(answers)
    page.get_by_role("button", name="Send my answers").click()
    wait_for_results(page)
    card = page.locator(".nhsuk-card--feature")
    expect(card).to_contain_text(f"{score} out of 100")
    expect(card.get_by_role("heading", name=stage)).to_be_visible()
    assert stage.startswith("Stage ")
    assert_accessible(page, "the activation results")

    # From "Start now" to the results, every step was an htmx swap: no page was loaded whole.
    assert [r.url for r in requests if r.resource_type == "document"] == []
    posts = [r for r in requests if r.method == "POST"]
    assert len(posts) >= total + 3  # start, 12 answers, 1 error, 1 change, send
    assert all(r.headers.get("hx-request") == "true" for r in posts)


def test_capability_profile_with_a_barrier_a_choice_and_own_words(page: Page, make_account):
    definition = questionnaire(CAPABILITY)
    domains = definition["scoring"]["profile"]["domains"]
    scale_max = definition["scoring"]["profile"]["scale"][1]
    hard, chosen = "home", "enjoying"
    money = capability_question(f"{hard}-barriers").option_text("money")
    words = "Being well enough to walk my dog by the river every morning."
    picks = {
        hard: ("A lot", "Not free at all", "A little"),
        chosen: ("A lot", "Completely free", "Not at all"),
        # Feeling safe only "a little" now brings up the signpost "If you do not feel safe".
        "safe": ("A lot", "Partly free", "A little"),
    }
    ordinary = ("Some", "Partly free", "Some")

    email, password = make_account()
    sign_in(page, email, password)
    open_questionnaire(page, CAPABILITY_TITLE)
    page.get_by_role("button", name="Start now").click()

    number, total, weighted, weights = 0, len(domains) + 1, 0, 0
    for domain in domains:
        group = capability_question(domain["id"])
        number += 1
        wait_for_question(page, domain["id"], group.text)  # focus on the group's h1 (data-autofocus)
        expect(page.locator(".app-question-progress")).to_have_text(f"Question {number} of {total}")
        if number == 1:
            assert_accessible(page, "a capability screen with three questions")
        matters, free, actual = picks.get(domain["id"], ordinary)
        for link_id, text in ((domain["matters"], matters), (domain["free"], free), (domain["actual"], actual)):
            choose(page, text, link_id)
        m = capability_question(domain["matters"]).value_of(matters)
        weighted += m * capability_question(domain["free"]).value_of(free)
        weights += m * scale_max
        press_continue(page)
        if domain["id"] == hard:
            # Little freedom opens "What makes it hard...": tick an outside barrier.
            barriers = capability_question(domain["barriers"])
            number, total = number + 1, total + 1
            wait_for_question(page, barriers.link_id, barriers.text)
            expect(page.locator("legend h1 .nhsuk-caption-l")).to_have_text(f"Question {number} of {total}")
            assert_accessible(page, "the 'what makes it hard' checkboxes")
            choose(page, money)
            press_continue(page)

    final = capability_question("what-matters")
    wait_for_question(page, final.link_id, final.text)  # focus on the h1 that holds the label
    assert_accessible(page, "the free-text question")
    page.get_by_label(final.text).fill(words)
    press_continue(page)
    wait_for_check_page(page)
    page.get_by_role("button", name="Send my answers").click()
    wait_for_results(page)

    index = round(weighted / weights * 100)
    expect(page.locator(".nhsuk-card--feature")).to_contain_text(f"{index}%")
    expect(page.locator("h2", has_text="What matters to you").locator("xpath=following-sibling::blockquote[1]")).to_have_text(words)
    labels = {domain["id"]: domain["label"] for domain in domains}
    expect(list_after_heading(page, "Where support could help")).to_contain_text(f"{labels[hard]}: {money}")
    expect(list_after_heading(page, "Your choices")).to_contain_text(labels[chosen])
    expect(list_after_heading(page, "Your choices")).not_to_contain_text(labels[hard])
    signpost = page.locator('[data-signpost="not-feeling-safe"]')
    expect(signpost.get_by_role("heading", level=2)).to_contain_text("If you do not feel safe")
    expect(signpost.get_by_role("link", name="Call 999", exact=True)).to_have_attribute("href", "tel:999")
    assert_accessible(page, "the capability results, with the signpost 'If you do not feel safe'")


def test_a_draft_is_kept_and_resumed_at_the_next_question(contexts, make_account):
    questions = activation_questions()
    given = {"ownership-1": "I strongly agree", "ownership-2": "I disagree", "ownership-3": "Somewhere in between"}
    email, password = make_account()

    first = contexts.new()
    page = first.new_page()
    sign_in(page, email, password)
    open_questionnaire(page, ACTIVATION_TITLE)
    page.get_by_role("button", name="Start now").click()
    for question in questions[:3]:
        wait_for_question(page, question.link_id, question.text)
        choose(page, given[question.link_id])
        press_continue(page)
    wait_for_question(page, questions[3].link_id, questions[3].text)
    page.close()

    # The same phone, a new tab: the home page says the questionnaire is in progress.
    page = first.new_page()
    page.goto("/")
    card = due_card(page, ACTIVATION_TITLE)
    expect(card.locator(".nhsuk-tag")).to_have_text("In progress")
    expect(card).to_contain_text("You have answered 3 questions")
    first.close()

    # Another device: sign in again and carry on at question 4, with the answers kept.
    page = contexts.new().new_page()
    page.goto("/sign-in")
    assert_accessible(page, "the sign-in page")
    sign_in(page, email, password)
    expect(due_card(page, ACTIVATION_TITLE).locator(".nhsuk-tag")).to_have_text("In progress")
    open_questionnaire(page, ACTIVATION_TITLE)
    expect(app_content(page)).to_contain_text("Carry on where you left off")
    page.get_by_role("button", name="Carry on").click()
    wait_for_question(page, questions[3].link_id, questions[3].text)
    expect(page.locator("legend h1 .nhsuk-caption-l")).to_have_text("Question 4 of 12")
    for previous in (questions[2], questions[1]):
        page.get_by_role("link", name="Back").click()
        wait_for_question(page, previous.link_id, previous.text)
        expect_chosen(page, given[previous.link_id])
    press_continue(page)
    wait_for_question(page, questions[2].link_id, questions[2].text)
    expect_chosen(page, given["ownership-3"])
    press_continue(page)
    wait_for_question(page, questions[3].link_id, questions[3].text)


def test_the_phones_back_button_and_reload_keep_the_answers(page: Page, make_account):
    questions = activation_questions()
    email, password = make_account()
    sign_in(page, email, password)
    open_questionnaire(page, ACTIVATION_TITLE)
    page.get_by_role("button", name="Start now").click()
    for question, text in zip(questions[:2], ("I disagree", "I strongly agree")):
        wait_for_question(page, question.link_id, question.text)
        choose(page, text)
        press_continue(page)
    wait_for_question(page, questions[2].link_id, questions[2].text)

    page.go_back()  # htmx pushed each step's URL, so the browser's back button goes one step back
    wait_for_question(page, questions[1].link_id, questions[1].text, focus=False)
    expect_chosen(page, "I strongly agree")
    page.reload()
    wait_for_question(page, questions[1].link_id, questions[1].text, focus=False)
    expect_chosen(page, "I strongly agree")
    page.go_back()
    wait_for_question(page, questions[0].link_id, questions[0].text, focus=False)
    expect_chosen(page, "I disagree")
    page.go_forward()
    wait_for_question(page, questions[1].link_id, questions[1].text, focus=False)
    press_continue(page)
    wait_for_question(page, questions[2].link_id, questions[2].text)


def test_history_lists_every_result_newest_first_with_the_change(page: Page, make_account):
    first = all_answers("Somewhere in between")
    second = all_answers("I agree", ownership_1="I strongly agree")
    first_score, first_stage = expected_activation(first)
    second_score, second_stage = expected_activation(second)
    change = second_score - first_score
    assert change > 0

    email, password = make_account()
    sign_in(page, email, password)
    complete_activation(page, first)
    complete_activation(page, second)

    page.get_by_role("link", name="My results").click()
    page.wait_for_url(re.compile(r"/history$"))
    expect(heading(page)).to_have_text("My results")
    table = page.locator("h2", has_text=ACTIVATION_TITLE).locator("xpath=following-sibling::table[1]")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"{second_score} out of 100, {second_stage}")
    expect(rows.nth(0)).to_contain_text(f"+{change} since your first time")
    expect(rows.nth(1)).to_contain_text(f"{first_score} out of 100, {first_stage}")
    expect(rows.nth(1)).to_contain_text("First time")
    assert_accessible(page, "my results (history)")

    # The newest row opens the newest results.
    rows.nth(0).get_by_role("link").click()
    wait_for_results(page, focus=False)
    expect(page.locator(".nhsuk-card--feature")).to_contain_text(f"{second_score} out of 100")


def test_without_javascript_the_same_questionnaire_works_by_plain_forms(contexts, make_account):
    page = contexts.new(java_script_enabled=False).new_page()
    answers = all_answers("I agree", knowhow_2="This does not apply to me", acting_3="I disagree")
    score, stage = expected_activation(answers)
    email, password = make_account()
    sign_in(page, email, password)
    requests = []
    page.on("request", lambda request: requests.append(request))

    open_questionnaire(page, ACTIVATION_TITLE)
    page.get_by_role("button", name="Start now").click()
    first = activation_questions()[0]
    wait_for_question(page, first.link_id, first.text, focus=False)
    before = page.url
    reply = press_and_get_response(page, "Continue", f"/questions/{first.link_id}")
    assert reply.status == 422
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("There is a problem")
    assert page.url == before

    answer_activation(page, answers, javascript=False)
    page.get_by_role("button", name="Send my answers").click()
    wait_for_results(page, focus=False)
    card = page.locator(".nhsuk-card--feature")
    expect(card).to_contain_text(f"{score} out of 100")
    expect(card).to_contain_text(stage)

    # Every step was a whole page: a form POST, then (after a valid answer) a redirect to a GET.
    posts = [r for r in requests if r.method == "POST"]
    assert len(posts) == 1 + 1 + 12 + 1  # start, the error, 12 answers, send
    assert all(r.resource_type == "document" and "hx-request" not in r.headers for r in posts)
    assert [r.redirected_to is not None for r in posts] == [True, False] + [True] * 13  # the error is not redirected
