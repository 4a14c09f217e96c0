"""Offline use in Chromium on a phone: installable, cached pages, questionnaires without a signal,
the outbox (exactly one record per response, whatever happens), updates and shared phones."""

from __future__ import annotations

import time

import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import off_the_event_loop
from tests.browser.helpers import (
    ACTIVATION,
    CAPABILITY,
    activation_questions,
    assert_accessible,
    capability_question,
    choose,
    expect_chosen,
    questionnaire,
    sign_in,
)

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "enable_when_vectors.json").read_text(encoding="utf-8"))
ACTIVATION_TITLE = questionnaire(ACTIVATION)["title"]
CAPABILITY_TITLE = questionnaire(CAPABILITY)["title"]
ACTIVATION_PAGE = f"/offline/questionnaires/{ACTIVATION}/1"
CAPABILITY_PAGE = f"/offline/questionnaires/{CAPABILITY}/1"
SAVED = "Saved on this phone. It will be sent when you are online."


# --- Helpers ------------------------------------------------------------------------------------


def stored_responses(app) -> list[tuple[str, str, str]]:
    """(uuid, questionnaire, status) of every response the server holds."""
    from webapp.extensions import db
    from webapp.models import Response

    def query():
        with app.app_context():
            return [(str(r.uuid), r.questionnaire_id, r.status.value) for r in db.session.scalars(select(Response))]

    return off_the_event_loop(query)


def wait_until_kept(page: Page, paths: list[str]) -> None:
    """The service worker has kept these pages: an explicit wait on the Cache API (wait_for_function
    cannot wait on a promise, so the check polls inside the page, up to 15 seconds)."""
    page.evaluate(
        """async (paths) => {
            const deadline = Date.now() + 15000;
            const kept = async () => {
                for (const path of paths) { if (!(await caches.match(path, {ignoreVary: true}))) return false; }
                return true;
            };
            while (!(await kept())) {
                if (Date.now() > deadline) throw new Error("not kept: " + paths.join(", "));
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        }""",
        paths,
    )


def wait_until_controlled(page: Page) -> None:
    page.wait_for_function("() => !!navigator.serviceWorker.controller", polling=100)


def outbox_items(page: Page) -> list[dict]:
    return page.evaluate("() => CapableOffline.ready.then((api) => api.outbox.items())")


def unsent_banner(page: Page):
    return page.locator("[data-outbox-banner][role=status]")


def allow_console_errors(contexts, pattern: str, count: int | None = None) -> None:
    """These tests make sending fail on purpose, and the browser logs every failed request: the
    matching console lines are expected. With ``count`` there must be exactly that many; without
    it, backoff decides how many, and that may be none (a try made while offline can put the next
    one off until after the test has stopped the failures). Anything else still fails the test."""
    contexts.flush()
    matching = [line for monitor in contexts.monitors for line in monitor.console_errors if re.search(pattern, line)]
    if count is not None:
        assert len(matching) == count, matching
    for monitor in contexts.monitors:
        monitor.console_errors[:] = [line for line in monitor.console_errors if not re.search(pattern, line)]


def start_offline_questionnaire(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#app-offline-questionnaire[data-ready=true]")).to_have_count(1)
    page.get_by_role("button", name="Start now").click()


def answer_activation_offline(page: Page, text: str = "I agree") -> None:
    questions = activation_questions()
    for number, question in enumerate(questions, start=1):
        screen = page.locator(f'section[data-page="{question.link_id}"]')
        expect(screen).to_be_visible()
        expect(screen.locator("h1 .nhsuk-caption-l")).to_have_text(f"Question {number} of {len(questions)}")
        page.wait_for_function("(text) => document.activeElement && document.activeElement.textContent.includes(text)",
                               arg=question.text)
        choose(page, text, question.link_id)
        screen.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")


def complete_activation_offline(page: Page) -> str:
    """From the offline page to "Saved on this phone"; returns the response's UUID."""
    start_offline_questionnaire(page, ACTIVATION_TITLE)
    answer_activation_offline(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are saved")
    return page.locator("#app-offline-questionnaire").get_attribute("data-sent-uuid")


def signed_in_and_kept(page: Page, make_account) -> None:
    email, password = make_account()
    sign_in(page, email, password)
    wait_until_controlled(page)
    wait_until_kept(page, ["/", ACTIVATION_PAGE, CAPABILITY_PAGE, f"/questionnaires/{ACTIVATION}", "/offline", "/outbox"])


# --- Tests ----------------------------------------------------------------------------------------


def test_the_manifest_and_service_worker_are_served_right(page: Page, live_server):
    sw = page.request.get(live_server("/sw.js"))
    assert sw.status == 200
    assert sw.headers["content-type"].startswith("text/javascript")
    assert sw.headers["service-worker-allowed"] == "/"
    assert sw.headers["cache-control"] == "no-cache"
    manifest = page.request.get(live_server("/manifest.webmanifest"))
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    for icon in manifest.json()["icons"]:
        assert page.request.get(live_server(icon["src"])).status == 200


def test_a_questionnaire_done_offline_is_sent_once_when_back_online(page: Page, context, live_server, make_account):
    signed_in_and_kept(page, make_account)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")  # home, from the cache
    page.get_by_role("link", name=ACTIVATION_TITLE, exact=True).first.click()
    activation_uuid = complete_activation_offline(page)
    expect(page.locator("[data-sent-status]")).to_have_text(SAVED)
    expect(unsent_banner(page).locator("[data-outbox-count]")).to_have_attribute("data-outbox-count", "1")
    expect(unsent_banner(page)).to_contain_text("1 set of answers is saved on this phone and not sent yet.")

    # Capability: two screens, then the phone closes the page.
    page.goto(CAPABILITY_PAGE)
    start_offline_questionnaire(page, CAPABILITY_TITLE)
    health = capability_question("health")
    choose(page, "A lot", "health-matters")
    choose(page, "Not free at all", "health-free")
    choose(page, "Some", "health-actual")
    page.locator('section[data-page="health"]').get_by_role("button", name="Continue").click()
    barriers = page.locator('section[data-page="health-barriers"]')
    expect(barriers).to_be_visible()  # enabled by "Not free at all"
    expect(barriers.locator("h1 .nhsuk-caption-l")).to_have_text(re.compile(r"Question 2 of \d+"))
    choose(page, capability_question("health-barriers").option_text("money"), "health-barriers")
    draft_uuid = page.evaluate("""() => CapableOffline.ready.then((api) =>
        api.store.draftsFor(api.config.user, "capable-capability")).then((drafts) => drafts[0].uuid)""")
    page.close()

    again = context.new_page()
    again.goto(f"/questionnaires/{CAPABILITY}")  # the online address, served from the cache
    barriers = again.locator('section[data-page="health-barriers"]')
    expect(barriers).to_be_visible()
    expect_chosen(again, capability_question("health-barriers").option_text("money"), "health-barriers")
    barriers.get_by_role("link", name="Back").click()
    expect(again.locator('section[data-page="health"] h1')).to_have_text(health.text)
    expect_chosen(again, "Not free at all", "health-free")
    assert stored_responses(live_server.app) == []

    context.set_offline(False)  # the outbox sends by itself, and the draft is saved to the account
    expect(unsent_banner(again)).to_be_empty(timeout=15_000)
    expected = sorted([(activation_uuid, ACTIVATION, "completed"), (draft_uuid, CAPABILITY, "in_progress")])
    deadline = time.monotonic() + 15
    while sorted(stored_responses(live_server.app)) != expected and time.monotonic() < deadline:
        again.wait_for_timeout(250)
    assert sorted(stored_responses(live_server.app)) == expected  # one record each, the draft not sent
    assert outbox_items(again) == []
    assert draft_uuid != activation_uuid


def test_the_same_item_sent_many_times_is_stored_once(page: Page, context, live_server, make_account):
    signed_in_and_kept(page, make_account)
    context.set_offline(True)
    page.goto(ACTIVATION_PAGE)
    response_uuid = complete_activation_offline(page)
    context.set_offline(False)
    # Five flushes at once (the lock lets one send), then the same POST replayed five times.
    page.evaluate("() => CapableOffline.ready.then((api) => Promise.all([1, 2, 3, 4, 5].map(() => api.flush(true))))")
    expect(page.locator("[data-results-link]")).to_have_attribute("href", f"/responses/{response_uuid}/results")
    statuses = page.evaluate("""async (uuid) => {
        const session = await (await fetch("/offline/session")).json();
        const body = JSON.stringify({uuid, questionnaire: "capable-activation", version: "1",
            answers: Object.fromEntries(%s.map((id) => [id, "agree"]))});
        const replies = await Promise.all([1, 2, 3, 4, 5].map(() => fetch("/api/responses", {method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRFToken": session.csrf_token}, body})));
        return replies.map((reply) => reply.status);
    }""" % json.dumps([q.link_id for q in activation_questions()]), response_uuid)
    assert statuses == [200] * 5
    assert stored_responses(live_server.app) == [(response_uuid, ACTIVATION, "completed")]
    page.locator("[data-results-link]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")


def test_a_server_failing_twice_then_recovering_stores_one_record(page: Page, context, contexts, live_server, make_account):
    signed_in_and_kept(page, make_account)
    failures = []

    def fail_twice(route):
        if len(failures) < 2:
            failures.append(route.request.url)
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    page.route("**/api/responses", fail_twice)
    page.goto(ACTIVATION_PAGE)
    response_uuid = complete_activation_offline(page)  # online: it is sent at once, and fails
    expect(page.locator("[data-results-link]")).to_be_visible(timeout=15_000)  # backoff 1 s, 2 s, then sent
    assert len(failures) == 2
    assert stored_responses(live_server.app) == [(response_uuid, ACTIVATION, "completed")]
    assert outbox_items(page) == []
    allow_console_errors(contexts, r"status of 503", 2)


def test_an_update_of_the_service_worker_keeps_waiting_answers(page: Page, context, contexts, live_server, make_account):
    signed_in_and_kept(page, make_account)
    page.route("**/api/responses", lambda route: route.fulfill(status=503, body="busy"))
    context.set_offline(True)
    page.goto(ACTIVATION_PAGE)
    response_uuid = complete_activation_offline(page)
    context.set_offline(False)

    live_server.app.config["OFFLINE_CACHE_VERSION"] = "test-update-2"
    page.goto("/")
    banner = page.locator("[data-update-banner]")
    expect(banner).to_contain_text("Update available")
    expect(unsent_banner(page)).to_contain_text("1 set of answers is saved on this phone")
    with page.expect_event("load"):
        banner.get_by_role("button", name="Update now").click()
    page.wait_for_function("""async () => (await caches.keys()).includes("capable-static-test-update-2")
                              && (await caches.keys()).filter((n) => n.startsWith("capable-static-")).length === 1""")
    assert [item["uuid"] for item in outbox_items(page)] == [response_uuid]
    # The kept questionnaire page still opens offline after the update.
    context.set_offline(True)
    page.goto(ACTIVATION_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTIVATION_TITLE)
    context.set_offline(False)

    page.unroute("**/api/responses")
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("#app-outbox-summary")).to_have_text("Nothing is waiting to be sent.")
    assert stored_responses(live_server.app) == [(response_uuid, ACTIVATION, "completed")]
    allow_console_errors(contexts, r"status of 503")  # the deliberate 503s, however many backoff made


def test_signing_out_with_unsent_answers_warns_then_clears_the_phone(page: Page, context, contexts, live_server, make_account):
    signed_in_and_kept(page, make_account)
    user = page.evaluate("() => CapableOffline.config.user")
    context.set_offline(True)
    page.goto(ACTIVATION_PAGE)
    complete_activation_offline(page)
    context.set_offline(False)
    page.route("**/api/responses", lambda route: route.abort())  # it must not be sent meanwhile
    page.goto("/outbox")
    expect(page.locator("#app-outbox-summary")).to_have_text("1 set of answers is waiting to be sent.")
    assert_accessible(page, "the outbox page")

    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog", name="Your answers have not been sent")
    expect(dialog).to_contain_text("1 set of answers is saved on this phone and has not been sent.")
    assert_accessible(page, "the sign-out warning")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_have_count(0)
    assert len(outbox_items(page)) == 1

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out and delete them").click()
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link", name="Sign in")).to_be_visible()
    # Deleting a database waits for the signed-out page's connections to close: allow a moment.
    databases = "async () => (await indexedDB.databases()).map((db) => db.name)"
    deadline = time.monotonic() + 10
    while page.evaluate(databases) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate(databases) == []
    names = page.evaluate("() => caches.keys()")
    assert not [name for name in names if user in name or name.startswith("capable-")]
    assert stored_responses(live_server.app) == []
    allow_console_errors(contexts, r"ERR_FAILED \(at .*/api/responses")  # sending was blocked on purpose


def test_deleting_an_unsent_item_needs_a_confirmation(page: Page, context, live_server, make_account):
    signed_in_and_kept(page, make_account)
    context.set_offline(True)
    page.goto(ACTIVATION_PAGE)
    complete_activation_offline(page)
    page.goto("/outbox")
    item = page.locator(".app-outbox-item")
    expect(item).to_have_count(1)
    item.get_by_text("View the answers").click()
    expect(item.locator(".nhsuk-summary-list__row")).to_have_count(len(activation_questions()))
    with page.expect_download() as download:
        item.get_by_role("button", name="Download as a file").click()
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["questionnaire"] == ACTIVATION and len(saved["answers"]) == len(activation_questions())
    item.get_by_role("button", name="Delete from this phone").click()
    dialog = page.get_by_role("dialog", name="Delete these answers from this phone?")
    dialog.get_by_role("button", name="No, keep them").click()
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Delete from this phone").click()
    dialog.get_by_role("button", name="Yes, delete them").click()
    expect(item).to_have_count(0)
    expect(page.locator("#app-outbox-summary")).to_have_text("Nothing is waiting to be sent.")
    context.set_offline(False)


def test_required_answers_are_checked_offline_like_online(page: Page, make_account):
    signed_in_and_kept(page, make_account)
    page.goto(ACTIVATION_PAGE)
    start_offline_questionnaire(page, ACTIVATION_TITLE)
    first = activation_questions()[0]
    page.locator(f'section[data-page="{first.link_id}"]').get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Select an answer")).to_be_visible()
    expect(page.locator(f"#{first.link_id}-error")).to_contain_text("Select an answer")
    page.wait_for_function("() => document.activeElement.closest('.nhsuk-error-summary')")
    assert_accessible(page, "an offline question with an error")
    choose(page, "I agree", first.link_id)
    page.locator(f'section[data-page="{first.link_id}"]').get_by_role("button", name="Continue").click()
    expect(page.locator(f'section[data-page="{activation_questions()[1].link_id}"]')).to_be_visible()
    expect(page.locator(".nhsuk-error-summary:visible")).to_have_count(0)


def test_javascript_enable_when_gives_the_shared_vectors_results(page: Page, make_account):
    email, password = make_account()
    sign_in(page, email, password)
    page.goto(CAPABILITY_PAGE)
    results = page.evaluate("""(vectors) => vectors.map((v) => CapableEnableWhen.enableWhenHolds(
        v.item.enable_when, v.item.enable_behavior || "all", v.answers, v.question_types))""", VECTORS)
    wrong = [v["description"] for v, got in zip(VECTORS, results) if got is not v["expected"]]
    assert not wrong, wrong
    assert len(results) == len(VECTORS)


def test_offline_pages_are_accessible(page: Page, context, make_account):
    signed_in_and_kept(page, make_account)
    context.set_offline(True)
    page.goto(ACTIVATION_PAGE)
    expect(page.locator("#app-offline-questionnaire[data-ready=true]")).to_have_count(1)
    assert_accessible(page, "the offline questionnaire's first screen")
    page.get_by_role("button", name="Start now").click()
    expect(page.locator("section[data-page]:visible h1")).to_be_visible()
    assert_accessible(page, "an offline question")
    page.goto("/outbox")
    expect(page.locator(".app-outbox-page[data-ready=true]")).to_have_count(1)
    assert_accessible(page, "the outbox page")
    page.goto("/goals/nowhere-kept")  # never kept: the offline page instead
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    assert_accessible(page, "the offline page")
    context.set_offline(False)


def test_nothing_is_kept_before_signing_in(page: Page, live_server):
    page.goto("/")
    page.goto("/sign-in")
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    assert page.evaluate("() => caches.keys()") == []
    assert str(uuid.uuid4())  # (no local data either)
    assert page.evaluate("async () => (await indexedDB.databases()).length") == 0


@pytest.mark.parametrize("safe_now", ["A little", "Some"])
def test_help_the_answers_call_for_shows_without_a_signal(page: Page, context, make_account, safe_now):
    """Someone who says offline that they hardly feel safe sees "If you do not feel safe" as soon
    as their answers are saved on the phone, not only once they reach a signal."""
    signed_in_and_kept(page, make_account)
    context.set_offline(True)
    page.goto(CAPABILITY_PAGE)
    start_offline_questionnaire(page, CAPABILITY_TITLE)
    for domain in questionnaire(CAPABILITY)["scoring"]["profile"]["domains"]:
        screen = page.locator(f'section[data-page="{domain["id"]}"]')
        expect(screen).to_be_visible()
        choose(page, "Some", domain["matters"])
        choose(page, "Partly free", domain["free"])
        choose(page, safe_now if domain["id"] == "safe" else "Some", domain["actual"])
        screen.get_by_role("button", name="Continue").click()
    final = page.locator('section[data-page="what-matters"]')
    expect(final).to_be_visible()
    final.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are saved")

    signpost = page.locator('section[data-screen="sent"] [data-signpost="not-feeling-safe"]')
    if safe_now == "A little":
        expect(signpost.get_by_role("heading", level=2)).to_have_text(re.compile("If you do not feel safe"))
        expect(signpost.get_by_role("link", name="Call 999", exact=True)).to_have_attribute("href", "tel:999")
        assert_accessible(page, "the saved page with the signpost, offline")
    else:
        expect(signpost).to_be_hidden()
    context.set_offline(False)
