"""A coach and a person, each on their own device: invite, claim, assess, and the caseload.

The coach works on a laptop-sized screen; the person on a phone (a second browser context, so
nothing is shared between them but the server). Every staff page on the way is checked with
axe-core for WCAG 2.2 A and AA.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import off_the_event_loop
from tests.browser.helpers import (
    PASSWORD,
    all_answers,
    app_content,
    assert_accessible,
    complete_activation,
    expected_activation,
    wait_for_focus,
)

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False, "device_scale_factor": 1}
COACH_EMAIL = "casey@example.org"


@pytest.fixture
def coach(live_server) -> str:
    from tests.conftest import make_staff, make_team

    def make() -> None:
        team = make_team(live_server.app, "Riverside link workers")
        make_staff(live_server.app, COACH_EMAIL, team_id=team, name="Casey", job_title="Social prescribing link worker")

    off_the_event_loop(make)
    return COACH_EMAIL


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def staff_sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Caseload")


def test_a_coach_invites_a_person_who_claims_it_on_their_phone_and_appears_on_the_caseload_with_their_stage(
    contexts, live_server, coach
):
    coach_page = contexts.new(**LAPTOP).new_page()
    staff_sign_in(coach_page, coach)
    expect(app_content(coach_page)).to_contain_text("No one shares their record with your team yet")
    assert_accessible(coach_page, "the empty caseload")

    # The coach makes an invite for someone they met at the walking group.
    coach_page.get_by_role("button", name="Invite a person").click()
    expect(heading(coach_page)).to_have_text("Invites")
    assert_accessible(coach_page, "the invites page")
    coach_page.get_by_label("Who is this invite for?").fill("Jo from the walking group")
    coach_page.get_by_role("button", name="Make an invite link").click()
    link_box = coach_page.locator("#invite-link")
    expect(link_box).to_be_visible()
    link = link_box.input_value()
    assert link.startswith(live_server.url + "/invite/")
    expect(coach_page.locator("main svg[role=img]")).to_have_count(1)  # the QR code of the link
    assert_accessible(coach_page, "the new invite with its QR code")

    # On their phone, the person opens the link, makes an account and agrees to share.
    phone = contexts.new().new_page()
    phone.goto(link)
    expect(phone.locator("main")).to_contain_text("Riverside link workers")
    expect(phone.locator("main")).to_contain_text("Casey")
    phone.locator("#display_name").fill("Jo")
    phone.locator("#email").fill("jo@example.org")
    phone.locator("#password").fill("correct horse battery")
    phone.locator("#confirm").fill("correct horse battery")
    phone.get_by_role("button", name="Create account").click()
    expect(phone.get_by_role("button", name="Share my record")).to_be_visible()
    assert_accessible(phone, "the consent step")
    phone.get_by_label("I agree to share my Capable record with Riverside link workers").check()
    phone.get_by_role("button", name="Share my record").click()
    expect(phone.locator("main")).to_contain_text("You now share your record with Riverside link workers")

    # They answer the activation questionnaire on the phone.
    answers = all_answers("I agree", ownership_1="I strongly agree", acting_2="Somewhere in between", acting_3="Somewhere in between")
    score, stage = expected_activation(answers)
    complete_activation(phone, answers)

    # Back on the laptop, the caseload shows them with that stage and score.
    coach_page.goto("/staff/")
    row = coach_page.locator("tbody tr").filter(has_text="Jo from the walking group")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(stage)
    expect(row).to_contain_text(f"Score {score}")
    assert_accessible(coach_page, "the caseload with one person")

    # The person's record, and a note added through htmx keeps the coach's place.
    row.get_by_role("link", name="Jo from the walking group").click()
    expect(heading(coach_page)).to_contain_text("Jo from the walking group")
    expect(coach_page.locator("main")).to_contain_text(stage)
    assert_accessible(coach_page, "the person's record")
    coach_page.get_by_label("Add a note", exact=False).fill("Met at the walking group. Keen to try the choir.")
    coach_page.get_by_role("button", name="Add note").click()
    newest = coach_page.locator("#notes li.app-note").first
    expect(newest).to_contain_text("Keen to try the choir")
    wait_for_focus(coach_page, "#notes li.app-note")

    # The care and support plan, agreed together, which the person can open on their phone.
    coach_page.get_by_role("link", name="Care and support plan").click()
    expect(heading(coach_page)).to_contain_text("plan")
    assert_accessible(coach_page, "the care and support plan")
    phone.goto("/my-plan")
    expect(phone.locator("main")).not_to_contain_text("Keen to try the choir")  # notes are for staff only
    assert_accessible(phone, "the person's own plan")
