"""An admin sets up a team and a coach; the coach changes the starting password and turns on
two-step sign-in, then signs in with a code. Every page on the way is checked with axe-core."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import off_the_event_loop
from tests.browser.helpers import PASSWORD, app_content, assert_accessible

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False, "device_scale_factor": 1}
NEW_PASSWORD = "kettle lantern orchard"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_adds_a_coach_who_turns_on_two_step_sign_in(contexts, live_server):
    from tests.conftest import make_staff

    off_the_event_loop(make_staff, live_server.app, "ade@example.org", role=None, is_admin=True, name="Ade",
                       job_title=None)
    admin = contexts.new(**LAPTOP).new_page()
    sign_in(admin, "ade@example.org", PASSWORD)
    expect(heading(admin)).to_have_text("Staff and teams")
    assert_accessible(admin, "administration")

    admin.get_by_role("button", name="Add a team").click()
    admin.get_by_label("Team name").fill("Riverside link workers")
    admin.get_by_role("button", name="Add team").click()
    expect(app_content(admin)).to_contain_text("Riverside link workers")

    admin.get_by_role("button", name="Add a staff member").click()
    assert_accessible(admin, "the add staff form")
    admin.get_by_label("Name", exact=True).fill("Casey")
    admin.get_by_label("Work email address").fill("casey@example.org")
    admin.get_by_label("Team", exact=True).select_option(label="Riverside link workers")
    admin.get_by_role("radio", name="Coach", exact=True).check()
    admin.get_by_label("Job title (optional)").fill("Social prescribing link worker")
    admin.get_by_role("button", name="Add staff member").click()
    expect(heading(admin)).to_have_text("Staff member added")
    starting_password = admin.locator("main code").first.inner_text().strip()
    assert len(starting_password) >= 10
    assert_accessible(admin, "the starting password page")

    admin.goto("/admin/audit")
    expect(app_content(admin)).to_contain_text("Added a staff member")
    assert_accessible(admin, "the audit log")

    # The report for the whole service: figures only (nobody has assessed yet).
    admin.get_by_role("link", name="Reports").click()
    expect(heading(admin)).to_contain_text("report")
    assert_accessible(admin, "the team report")

    # The coach, on their own laptop, signs in with the starting password and changes it.
    coach = contexts.new(**LAPTOP).new_page()
    sign_in(coach, "casey@example.org", starting_password)
    expect(heading(coach)).to_have_text("Caseload")
    coach.goto("/staff/account")
    expect(heading(coach)).to_have_text("Your staff account")
    assert_accessible(coach, "the staff account page")
    coach.get_by_role("link", name="Change your password").click()
    coach.get_by_label("Your current password").fill(starting_password)
    coach.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    coach.get_by_label("Type your new password again").fill(NEW_PASSWORD)
    coach.get_by_role("button", name="Change password").click()
    # Wait for the answer: it carries the session's new password stamp, and a page opened before
    # it arrives would go with the old one and be signed out, as other sessions are.
    expect(coach.locator("main")).to_contain_text("Your password has been changed.")

    # Two-step sign-in: the QR code and key, a code from the app, then the recovery codes.
    coach.goto("/staff/account")
    coach.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(heading(coach)).to_have_text("Turn on two-step sign-in")
    expect(coach.locator("main svg")).to_have_count(1)
    assert_accessible(coach, "two-step sign-in set-up")
    secret = coach.locator("main code").first.inner_text().replace(" ", "")
    coach.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    coach.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(heading(coach)).to_have_text("Your recovery codes")
    codes = coach.locator("main li code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert_accessible(coach, "the recovery codes")
    coach.get_by_role("button", name="Sign out").click()

    # Signing in now takes the password and then a recovery code (a TOTP code of this 30-second
    # window was just used, and may not be used twice).
    sign_in(coach, "casey@example.org", NEW_PASSWORD)
    expect(heading(coach)).to_have_text("Enter your code")
    assert_accessible(coach, "the code step of sign-in")
    coach.get_by_label("Code", exact=True).fill(codes[0])
    coach.get_by_role("button", name="Sign in").click()
    expect(heading(coach)).to_have_text("Caseload")
