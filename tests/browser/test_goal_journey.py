"""Setting a goal and checking in on it, as a person does on a phone: in Chromium through htmx,
and once more with JavaScript off (plain forms, post-redirect-get)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from playwright.sync_api import Page, Request, Response, expect

from tests.browser.helpers import (
    CAPABILITY,
    all_answers,
    assert_accessible,
    capability_question,
    choose,
    complete_activation,
    expected_activation,
    list_after_heading,
    open_questionnaire,
    press_and_get_response,
    press_continue,
    questionnaire,
    sign_in,
    wait_for_check_page,
    wait_for_focus,
    wait_for_question,
    wait_for_results,
)

pytestmark = pytest.mark.browser

GOAL_LIBRARY = Path(__file__).resolve().parents[2] / "questionnaires" / "coaching" / "capable-goals-1.yaml"
CAPABILITY_TITLE = questionnaire(CAPABILITY)["title"]
UUID = r"[0-9a-f-]{36}"
OWN_IDEA = "Make my own plan from what I said"
# What each reason the ideas screen gives starts with (webapp/goals/wording.py): every one names
# what the person said, or says plainly why the idea is there.
REASON_OPENINGS = re.compile(
    r"^(You said .+ matters a lot to you|This builds on |A step that fits where you are now|"
    r"A small first step|It links to what you said matters to you|You managed |\u201c.+\u201d was hard going)"
)

# Answers that give stage 2 ("Building knowledge and confidence"): tier 2 ideas come first, and
# tier 2 ideas have a smaller (tier 1) variant in the library. Stage 1 would offer tier 1 ideas,
# none of which has a smaller variant.
ACTIVATION_ANSWERS = all_answers("Somewhere in between", acting_2="I disagree")
# Home matters a lot, with no freedom and no outside barrier ("Not feeling confident" is the
# person's own, not an outside one): a "priority" domain. Every other domain matters only "some",
# so it gets no suggestion of its own and the ideas are filled from the activation blocks.
PRIORITY = "home"
PRIORITY_PICKS = ("A lot", "Not free at all", "A little")
INSIDE_BARRIER = "confidence"
ORDINARY_PICKS = ("Some", "Partly free", "Some")
WHAT_MATTERS = "Feeling calmer and more settled in my own home."
OWN_WORDS = "Get on top of the clutter at home so it feels calmer"
HELPED = "Doing it straight after breakfast, with the radio on"


# --- The goal library, read from its YAML so the test follows the file ---------------------------


@cache
def goal_ideas() -> dict[str, dict]:
    library = yaml.safe_load(GOAL_LIBRARY.read_text(encoding="utf-8"))
    return {goal["id"]: goal for goal in library["goals"]}


def ideas_with_a_smaller_variant() -> set[str]:
    return {goal_id for goal_id, goal in goal_ideas().items() if goal.get("smaller")}


def plan_of(idea_id: str) -> dict[str, str]:
    return goal_ideas()[idea_id]["plan"]


def text_of(idea_id: str) -> str:
    return " ".join(goal_ideas()[idea_id]["text"].split())


# --- Steps -----------------------------------------------------------------------------------------


def today_for(live_server) -> date:
    """Today where the service's people live: the app's calendar for check-in days."""
    return datetime.now(ZoneInfo(live_server.app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def wait_for_step(page: Page, path: str, title: str, *, focus: bool = True, before: str | None = None) -> None:
    """A goal step's screen is shown: its URL is in the address bar (pushed by htmx after an
    HX-Location answer, or followed after a 303), its h1 and <title> say what it is, and (with
    JavaScript) focus is on its heading."""
    page.wait_for_url(re.compile(rf"/goals/{UUID}{re.escape(path)}$" if path != "new" else r"/goals/new(\?|$)"))
    if before is not None:
        assert page.url != before, f"the address bar still shows {before} after moving to '{title}'"
    expect(heading(page)).to_have_text(title)
    expect(page).to_have_title(re.compile(rf"^{re.escape(title)} – Capable$"))
    if focus:
        wait_for_focus(page, "h1, [data-autofocus]", title)


def pick_on_ruler(page: Page, question: str, number: int) -> None:
    """Tap a number on a 0-10 ruler (a fieldset of radios whose legend is the question)."""
    group = page.get_by_role("group", name=question)
    expect(group).to_have_count(1)
    group.locator("label").filter(has_text=re.compile(rf"^\s*{number}\s*$")).click()
    expect(group.get_by_label(str(number), exact=True)).to_be_checked()


def choose_in(page: Page, question: str, answer: str) -> None:
    group = page.get_by_role("group", name=question)
    group.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(answer)}\s*$")).click()
    expect(group.get_by_label(answer, exact=True)).to_be_checked()


def rate(page: Page, importance: int, confidence: int) -> None:
    pick_on_ruler(page, "How important is this to you?", importance)
    pick_on_ruler(page, "How sure are you that you can do it?", confidence)
    press_continue(page)


def expect_plan_form(page: Page, plan: dict[str, str], starts_on: date) -> None:
    expect(page.get_by_label("What will you do?")).to_have_value(plan["what"])
    expect(page.get_by_label("How much? (optional)")).to_have_value(plan.get("how_much", ""))
    expect(page.get_by_label("When? (optional)")).to_have_value(plan.get("when", ""))
    expect(page.get_by_label("How often? (optional)")).to_have_value(plan.get("how_often", ""))
    expect(page.get_by_label("From when?")).to_have_value(starts_on.isoformat())


def plan_summary(page: Page):
    return page.locator("#app-content .nhsuk-summary-list").first


def sign_up(page: Page, live_server, name: str = "Ash", email: str = "ash@example.org") -> None:
    page.goto("/sign-up")
    page.locator("#display_name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse battery")
    page.locator("#confirm").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live_server("/"))
    expect(heading(page)).to_have_text(f"Hello, {name}")


def complete_capability(page: Page) -> None:
    """From home to the capability results: the priority domain, its (inside) barrier, and
    what matters, in the person's own words."""
    definition = questionnaire(CAPABILITY)
    open_questionnaire(page, CAPABILITY_TITLE)
    page.get_by_role("button", name="Start now").click()
    for domain in definition["scoring"]["profile"]["domains"]:
        wait_for_question(page, domain["id"], capability_question(domain["id"]).text)
        picks = PRIORITY_PICKS if domain["id"] == PRIORITY else ORDINARY_PICKS
        for link_id, text in zip((domain["matters"], domain["free"], domain["actual"]), picks):
            choose(page, text, link_id)
        press_continue(page)
        if domain["id"] == PRIORITY:
            barriers = capability_question(domain["barriers"])
            assert INSIDE_BARRIER not in definition["scoring"]["profile"]["outside_barriers"]
            wait_for_question(page, barriers.link_id, barriers.text)
            choose(page, barriers.option_text(INSIDE_BARRIER))
            press_continue(page)
    final = capability_question("what-matters")
    wait_for_question(page, final.link_id, final.text)
    page.get_by_label(final.text).fill(WHAT_MATTERS)
    press_continue(page)
    wait_for_check_page(page)
    page.get_by_role("button", name="Send my answers").click()
    wait_for_results(page)


def idea_radios(page: Page):
    return page.locator('#app-content input[type="radio"][name="idea"]')


def shown_suggestions(page: Page) -> list[tuple[str, str, str]]:
    """(idea id, label, reason) for each suggested idea on the ideas screen, in order."""
    radios = idea_radios(page)
    found = []
    for index in range(radios.count()):
        radio = radios.nth(index)
        value = radio.get_attribute("value")
        if value == "own":
            continue
        label = " ".join(page.locator(f'label[for="{radio.get_attribute("id")}"]').inner_text().split())
        described_by = (radio.get_attribute("aria-describedby") or "").split()
        reason = " ".join(
            " ".join(page.locator(f'[id="{part}"]').inner_text().split()) for part in described_by
        ).strip()
        found.append((value, label, reason))
    return found


# --- The journey, with htmx --------------------------------------------------------------------------


def test_a_goal_from_results_made_smaller_committed_and_checked_in(page: Page, live_server):
    today = today_for(live_server)
    score, stage = expected_activation(ACTIVATION_ANSWERS)
    assert stage.startswith("Stage 2"), (score, stage)

    # 1. Sign up; both questionnaires, answered so that home is a priority with no outside barrier.
    sign_up(page, live_server)
    complete_activation(page, ACTIVATION_ANSWERS)
    expect(page.locator(".nhsuk-card--feature")).to_contain_text(f"{score} out of 100")
    complete_capability(page)  # from the home page, as open_questionnaire starts there

    # Every goal step from here on goes through htmx: record what the browser sends and gets.
    requests: list[Request] = []
    replies: list[Response] = []
    page.on("request", lambda request: requests.append(request))
    page.on("response", lambda response: replies.append(response))

    # 2. "What would you like to work on?", in the person's own words, before any suggestion.
    page.get_by_role("link", name="Set a goal from these results").click()
    wait_for_step(page, "new", "Set a goal", focus=False)  # a link: a whole page, not an htmx swap
    assert "from=" in page.url
    own_words = page.get_by_label("What would you like to work on?")
    expect(own_words).to_be_visible()
    expect(page.locator('#app-content input[type="radio"]')).to_have_count(0)
    expect(page.get_by_text(OWN_IDEA)).to_have_count(0)
    assert_accessible(page, "the own-words screen")
    own_words.fill(OWN_WORDS)
    before = page.url
    press_continue(page)

    # 3. Ideas: 3 to 5 suggestions, each with a reason in plain words, and "make my own plan".
    wait_for_step(page, "/ideas", "Ideas to choose from", before=before)
    goal_path = re.search(rf"/goals/{UUID}", page.url).group(0)
    expect(page.locator("#app-content blockquote")).to_have_text(OWN_WORDS)
    expect(idea_radios(page).first).to_be_attached()
    suggestions = shown_suggestions(page)
    assert 3 <= len(suggestions) <= 5, suggestions
    for idea_id, label, reason in suggestions:
        assert idea_id in goal_ideas(), f"{idea_id!r} is not in the goal library"
        assert text_of(idea_id) in label, (idea_id, label)
        assert reason, f"the idea {idea_id!r} ({label}) has no reason"
        assert REASON_OPENINGS.match(reason), f"the reason for {idea_id!r} is not in plain words: {reason!r}"
    reasons = " ".join(reason for _, _, reason in suggestions)
    assert "You said home matters a lot to you, and you feel little free to do it." in reasons, reasons
    expect(page.get_by_label(OWN_IDEA, exact=True)).to_have_count(1)
    assert_accessible(page, "the ideas screen")

    with_smaller = [idea_id for idea_id, _, _ in suggestions if idea_id in ideas_with_a_smaller_variant()]
    if not with_smaller:
        shown = "\n".join(f"- {idea_id} (tier {goal_ideas()[idea_id]['tier']}): {reason}" for idea_id, _, reason in suggestions)
        pytest.fail(f"None of the suggested ideas has a smaller variant in the goal library. Shown:\n{shown}")
    idea = with_smaller[0]
    smaller = goal_ideas()[idea]["smaller"]
    page.get_by_label(text_of(idea)).check()
    before = page.url
    press_continue(page)

    # 4. Plan, prefilled from the idea; kept as it is.
    wait_for_step(page, "/plan", "Make a plan", before=before)
    expect_plan_form(page, plan_of(idea), today)
    assert_accessible(page, "the plan screen")
    before = page.url
    press_continue(page)

    # Rate 8 and 5: not sure enough yet, so "Make it easier to do" offers the smaller step.
    wait_for_step(page, "/rate", "How important, how sure", before=before)
    expect(plan_summary(page)).to_contain_text(plan_of(idea)["what"])
    assert_accessible(page, "the rating screen")
    before = page.url
    rate(page, 8, 5)
    wait_for_step(page, "/smaller", "Make it easier to do", before=before)
    expect(page.locator("#app-content")).to_contain_text("You said 5 out of 10. Why 5 and not lower?")
    step = page.locator("h2", has_text="A smaller step").locator("xpath=following-sibling::div[1]")
    expect(step).to_have_text(text_of(smaller))
    assert_accessible(page, "the make-it-easier screen")
    before = page.url
    page.get_by_role("button", name="Use this smaller step").click()

    # The plan is now the smaller idea's plan.
    wait_for_step(page, "/plan", "Make a plan", before=before)
    expect_plan_form(page, plan_of(smaller), today)
    before = page.url
    press_continue(page)
    wait_for_step(page, "/rate", "How important, how sure", before=before)
    expect(plan_summary(page)).to_contain_text(plan_of(smaller)["what"])
    before = page.url
    rate(page, 8, 8)

    # Sure enough: choose a day to check in (today), and start.
    wait_for_step(page, "/commit", "Choose a day to check in", before=before)
    assert_accessible(page, "the commit screen")
    page.locator('input[type="date"]').fill(today.isoformat())
    before = page.url
    page.get_by_role("button", name="Start my goal").click()
    wait_for_step(page, "", plan_of(smaller)["what"], before=before)
    assert page.url.endswith(goal_path)
    expect(page.locator("#app-content .nhsuk-caption-l .nhsuk-tag")).to_have_text("On the go")
    summary = plan_summary(page)
    for key in ("what", "how_much", "when", "how_often"):
        expect(summary).to_contain_text(plan_of(smaller)[key])
    expect(page.get_by_role("button", name="Tell us how it went")).to_be_visible()
    assert_accessible(page, "the goal page")

    # Every goal step was an htmx POST answered with HX-Location (no whole page loaded).
    posts = [r for r in requests if r.method == "POST"]
    assert len(posts) == 8  # own words, idea, plan, rate, smaller, plan, rate, commit
    assert all(r.headers.get("hx-request") == "true" and r.resource_type != "document" for r in posts)
    post_replies = [r for r in replies if r.request.method == "POST"]
    assert [(r.status, "hx-location" in r.headers) for r in post_replies] == [(200, True)] * len(posts), [
        (r.url, r.status, r.headers.get("hx-location")) for r in post_replies
    ]
    documents = [r.url for r in requests if r.resource_type == "document"]
    assert len(documents) == 1 and "/goals/new?from=" in documents[0], documents  # only the link

    # 5. Home: the check-in is due today.
    page.get_by_role("link", name="Capable home page").click()
    page.wait_for_url(live_server("/"))
    card = page.locator(".nhsuk-card--feature").filter(has=page.get_by_role("heading", name="How did it go?"))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(plan_of(smaller)["what"])
    card.get_by_role("link", name=re.compile(r"^Tell us how it went")).click()
    wait_for_step(page, "/check-in", "How did it go?", focus=False)  # a link: a whole page
    assert_accessible(page, "the check-in form")

    # Save with nothing filled in: 422, the error summary is shown and focused.
    before = page.url
    reply = press_and_get_response(page, "Save", "/check-in")
    assert reply.status == 422
    error_summary = page.locator(".nhsuk-error-summary")
    expect(error_summary).to_be_visible()
    expect(error_summary.get_by_role("heading")).to_have_text("There is a problem")
    for message in ("Say how it went", "Choose a number from 0 to 10", "Choose what to do next"):
        expect(error_summary.get_by_role("link", name=message)).to_be_visible()
    wait_for_focus(page, ".nhsuk-error-summary")
    assert page.url == before
    assert_accessible(page, "the check-in form with errors")

    choose_in(page, "How did it go?", "I did it")
    page.get_by_label("What helped? (optional)").fill(HELPED)
    pick_on_ruler(page, "How sure are you now that you can keep going?", 8)
    choose_in(page, "What next?", "Keep going with this")
    page.get_by_label("If you keep going: when shall we ask again?").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Save").click()
    wait_for_step(page, "", plan_of(smaller)["what"], before=before)
    assert page.url.endswith(goal_path)

    # 6. History: both ratings, and the check-in with what helped.
    history = list_after_heading(page, "History")
    expect(history).to_contain_text("importance 8 out of 10, sure 5 out of 10")
    expect(history).to_contain_text(f"(plan then: {plan_of(idea)['what']})")
    expect(history).to_contain_text("importance 8 out of 10, sure 8 out of 10")
    check_in = history.locator("li").filter(has_text="I did it")
    expect(check_in).to_have_count(1)
    expect(check_in).to_contain_text("Sure 8 out of 10.")
    expect(check_in).to_contain_text("Keep going.")
    expect(check_in).to_contain_text(f"What helped: {HELPED}")
    expect(page.locator("#app-content")).to_contain_text(
        f"We will ask how it went on {(today + timedelta(days=7)).strftime('%A')}"
    )


# --- Without JavaScript ---------------------------------------------------------------------------


def test_without_javascript_a_goal_of_my_own_is_set_and_checked_in_by_plain_forms(contexts, live_server, make_account):
    today = today_for(live_server)
    page = contexts.new(java_script_enabled=False).new_page()
    email, password = make_account()
    sign_in(page, email, password)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))

    page.get_by_role("link", name="Set a goal", exact=True).click()
    wait_for_step(page, "new", "Set a goal", focus=False)
    page.get_by_label("What would you like to work on?").fill(OWN_WORDS)
    press_continue(page)

    wait_for_step(page, "/ideas", "Ideas to choose from", focus=False)
    page.get_by_label(OWN_IDEA, exact=True).check()
    press_continue(page)

    wait_for_step(page, "/plan", "Make a plan", focus=False)
    expect_plan_form(page, {"what": OWN_WORDS}, today)
    press_continue(page)

    wait_for_step(page, "/rate", "How important, how sure", focus=False)
    rate(page, 9, 9)

    wait_for_step(page, "/commit", "Choose a day to check in", focus=False)
    page.locator('input[type="date"]').fill(today.isoformat())
    page.get_by_role("button", name="Start my goal").click()

    wait_for_step(page, "", OWN_WORDS, focus=False)
    expect(page.locator("#app-content .nhsuk-caption-l .nhsuk-tag")).to_have_text("On the go")
    page.get_by_role("button", name="Tell us how it went").click()

    wait_for_step(page, "/check-in", "How did it go?", focus=False)
    choose_in(page, "How did it go?", "I did some of it")
    page.get_by_label("What helped? (optional)").fill(HELPED)
    pick_on_ruler(page, "How sure are you now that you can keep going?", 7)
    choose_in(page, "What next?", "Keep going with this")
    page.get_by_label("If you keep going: when shall we ask again?").fill((today + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save").click()

    wait_for_step(page, "", OWN_WORDS, focus=False)
    history = list_after_heading(page, "History")
    expect(history).to_contain_text("importance 9 out of 10, sure 9 out of 10")
    expect(history).to_contain_text("I did some of it")
    expect(history).to_contain_text(f"What helped: {HELPED}")

    # Every step was a whole page: a form POST answered by a redirect to a GET.
    posts = [r for r in requests if r.method == "POST"]
    assert len(posts) == 6  # own words, idea, plan, rate, commit, check-in
    assert all(r.resource_type == "document" and "hx-request" not in r.headers for r in posts)
    assert all(r.redirected_to is not None and r.redirected_to.method == "GET" for r in posts)
