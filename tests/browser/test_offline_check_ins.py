"""Goal check-ins without a signal, in Chromium on a phone: the check-in page is kept, a check-in
sent offline waits in the outbox (before any network attempt) and is stored exactly once."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import off_the_event_loop
from tests.browser.helpers import assert_accessible, choose, sign_in

pytestmark = pytest.mark.browser

SAVED = "Saved on this phone. It will be sent when you are online."
WHAT = "Walk to the shop"
NEXT_WEEK = date.today() + timedelta(days=7)


def make_active_goal(app, email: str) -> str:
    """An active goal set up through the services, as the goal pages would; returns its uuid."""
    from tests.web.test_api_check_ins import active_goal

    return off_the_event_loop(active_goal, app, email=email, what=WHAT)


def stored_check_ins(app) -> list[tuple]:
    from webapp.extensions import db
    from webapp.models import CheckIn

    def query():
        with app.app_context():
            return [(str(c.uuid), str(c.goal.uuid), c.outcome.value, c.helped, c.got_in_the_way, c.confidence,
                     c.next_step.value, c.goal.check_in_on) for c in db.session.scalars(select(CheckIn))]

    return off_the_event_loop(query)


def wait_until_kept(page: Page, paths: list[str]) -> None:
    """The service worker has kept these pages (polled inside the page, up to 30 seconds)."""
    page.evaluate(
        """async (paths) => {
            const deadline = Date.now() + 30000;
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


def outbox_items(page: Page) -> list[dict]:
    return page.evaluate("() => CapableOffline.ready.then((api) => api.outbox.items())")


def test_a_check_in_sent_offline_waits_in_the_outbox_and_is_stored_once(page: Page, context, live_server, make_account):
    email, password = make_account()
    goal = make_active_goal(live_server.app, email)
    check_in_page = f"/goals/{goal}/check-in"
    sign_in(page, email, password)
    page.wait_for_function("() => !!navigator.serviceWorker.controller", polling=100, timeout=30_000)

    page.goto(check_in_page)  # online, once: the service worker keeps it
    expect(page.get_by_role("heading", level=1)).to_have_text("How did it go?")
    wait_until_kept(page, [check_in_page, "/outbox"])

    context.set_offline(True)
    page.reload()  # from the phone's copy: there is no network
    expect(page.get_by_role("heading", level=1)).to_have_text("How did it go?")
    expect(page.locator(".nhsuk-caption-l")).to_have_text(WHAT)
    page.evaluate("() => CapableOffline.ready")

    # Without the answers it needs, it says so, as the server would, and keeps nothing.
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say how it went")
    expect(summary).to_contain_text("Choose a number from 0 to 10")
    assert outbox_items(page) == []

    choose(page, "I did some of it")
    page.get_by_label("What helped? (optional)").fill("My neighbour came too")
    choose(page, "7")
    choose(page, "Keep going with this")
    page.get_by_label("If you keep going: when shall we ask again?").fill(NEXT_WEEK.isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-in is saved", timeout=15_000)
    expect(page.locator("[data-check-in-status]")).to_have_text(SAVED)
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    expect(page.locator("[data-outbox-banner]")).to_contain_text("1 set of answers is saved on this phone and not sent yet.")
    items = outbox_items(page)
    assert len(items) == 1
    item = items[0]
    assert (item["kind"], item["goal"], item["outcome"], item["confidence"], item["next_step"]) == (
        "check-in", goal, "partly", 7, "keep")
    assert re.fullmatch(r"[0-9a-f-]{36}", item["uuid"])
    assert_accessible(page, "a check-in saved on the phone")

    # The outbox lists it in plain words, with what was said.
    page.goto("/outbox")
    expect(page.locator(".app-outbox-page[data-ready=true]")).to_have_count(1, timeout=15_000)
    listed = page.locator(f'.app-outbox-item[data-uuid="{item["uuid"]}"]')
    expect(listed.get_by_role("heading", level=2)).to_contain_text(f"Check-in for: {WHAT}")
    listed.get_by_text("View the answers").click()
    expect(listed.locator(".nhsuk-summary-list")).to_contain_text("I did some of it")
    expect(listed.locator(".nhsuk-summary-list")).to_contain_text("My neighbour came too")
    expect(listed.get_by_role("button", name="Download as a file")).to_be_visible()
    expect(listed.get_by_role("button", name="Delete from this phone")).to_be_visible()
    assert stored_check_ins(live_server.app) == []

    # Back online: it is sent by itself (five flushes at once: the lock lets one send).
    context.set_offline(False)
    page.evaluate("() => CapableOffline.ready.then((api) => Promise.all([1, 2, 3, 4, 5].map(() => api.flush(true))))")
    expect(page.locator(".app-outbox-item")).to_have_count(0, timeout=30_000)
    expect(page.locator("#app-outbox-sent")).to_contain_text("Check-in sent")
    assert stored_check_ins(live_server.app) == [
        (item["uuid"], goal, "partly", "My neighbour came too", None, 7, "keep", NEXT_WEEK)]

    # The same outbox item sent five more times, at once: one row, the same receipt each time.
    replies = page.evaluate(
        """async (item) => {
            const session = await (await fetch("/offline/session")).json();
            const body = JSON.stringify(CapableOutbox.payload(item));
            const replies = await Promise.all([1, 2, 3, 4, 5].map(() => fetch("/api/check-ins", {method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": session.csrf_token}, body})));
            return Promise.all(replies.map(async (reply) => [reply.status, (await reply.json()).uuid]));
        }""",
        item,
    )
    assert replies == [[200, item["uuid"]]] * 5
    assert len(stored_check_ins(live_server.app)) == 1

    page.locator("#app-outbox-sent a", has_text="Check-in sent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WHAT)
    expect(page.locator("#app-content")).to_contain_text("My neighbour came too")


def test_a_check_in_whose_post_cannot_reach_capable_is_kept_and_then_sent(page: Page, contexts, live_server, make_account):
    from tests.browser.test_offline import allow_console_errors

    email, password = make_account()
    goal = make_active_goal(live_server.app, email)
    sign_in(page, email, password)
    lost = []

    def lose_the_form_post(route):
        if route.request.method == "POST":
            lost.append(route.request.post_data or "")
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(f"**/goals/{goal}/check-in", lose_the_form_post)
    page.goto(f"/goals/{goal}/check-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("How did it go?")
    page.evaluate("() => CapableOffline.ready")
    choose(page, "I did it")
    choose(page, "9")
    choose(page, "Stop this goal")
    page.get_by_role("button", name="Save").click()

    # The phone says it has it, then the outbox sends it to the API by itself.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-in is saved", timeout=15_000)
    expect(page.locator("[data-check-in-status]")).to_contain_text("Your check-in has been sent.", timeout=30_000)
    assert len(lost) == 1
    form_uuid = re.search(r"uuid=([0-9a-f-]{36})", lost[0]).group(1)
    assert stored_check_ins(live_server.app) == [(form_uuid, goal, "done", None, None, 9, "stop", None)]
    assert outbox_items(page) == []
    page.locator("[data-check-in-next]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WHAT)
    allow_console_errors(contexts, r"Failed to fetch|ERR_INTERNET_DISCONNECTED")
