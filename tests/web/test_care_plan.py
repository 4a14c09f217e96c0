"""The personalised care and support plan: written by staff with the person, read and printed by
the person at /my-plan; bad dates change nothing; other teams get 404; every view and change is
audited."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, make_person, make_staff, share_with, sign_in
from tests.web.conftest import add_capability, add_goal_with_check_in, capability_answers
from tests.web.journey import HTMX
from webapp.extensions import db
from webapp.models import AuditEvent, CarePlan

CONTACTS = "Casey Jones, link worker, 0113 496 0000\nDr Patel, GP, 0113 496 0001"


@pytest.fixture
def coach(client, caseload):
    assert sign_in(client, "casey@example.org").status_code == 302
    return client


def plan_url(caseload) -> str:
    return f"/staff/people/{caseload.person_id}/plan"


def save(client, caseload, htmx=False, **fields):
    data = {"what_matters": "Seeing my grandchildren", "support_agreed": "Walking group on Thursdays.",
            "contacts": CONTACTS, "review_on": (date.today() + timedelta(days=90)).isoformat()}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, plan_url(caseload))
    return client.post(plan_url(caseload), data=data, headers=HTMX if htmx else {})


def plans(app) -> list[CarePlan]:
    with app.app_context():
        return db.session.scalars(select(CarePlan)).all()


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_a_first_plan_starts_from_what_matters_to_the_person(app, coach, caseload):
    add_capability(app, caseload.person_id, capability_answers(app, health_free="not-free", getting_around_free="not-free",
                   what_matters="Getting back to my allotment"), days_ago=1)
    page = coach.get(plan_url(caseload)).get_data(as_text=True)
    assert "No plan has been written with Alex yet" in page
    assert re.search(r'<textarea[^>]*name="what_matters"[^>]*>\s*Getting back to my allotment', page)
    assert plans(app) == []
    [view] = audit(app, "plan.view")
    assert (view.actor_user_id, view.person_id, view.team_id, view.detail) == (
        caseload.coach_id, caseload.person_id, caseload.team_id, None)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_staff_write_the_plan_with_goals_and_who_changed_it(app, coach, caseload, htmx):
    add_goal_with_check_in(app, caseload.person_id)
    reply = save(coach, caseload, htmx=htmx)
    if htmx:
        assert reply.status_code == 200 and plan_url(caseload) in reply.headers["HX-Location"]
    else:
        assert reply.status_code == 303 and reply.headers["Location"].endswith(plan_url(caseload))
    [plan] = plans(app)
    assert (plan.person_id, plan.team_id) == (caseload.person_id, caseload.team_id)
    assert plan.contacts == CONTACTS and plan.review_on == date.today() + timedelta(days=90)
    page = coach.get(plan_url(caseload)).get_data(as_text=True)
    assert "Walking group on Thursdays." in page
    assert "Casey Jones, link worker, 0113 496 0000<br>Dr Patel, GP, 0113 496 0001" in page
    assert "Walk to the post box, 10 minutes, after lunch, 3 days a week" in page  # the active goal
    assert "Ring my sister on Sundays" not in page  # achieved: not part of the plan now
    assert "Last changed by Casey, Social prescribing link worker" in page
    assert "data-print" in page
    [edit] = audit(app, "plan.edit")
    assert edit.detail == {"fields": ["what_matters", "support_agreed", "contacts", "review_on"]}
    assert edit.actor_user_id == caseload.coach_id


def test_changing_the_plan_keeps_one_plan_and_audits_only_field_names(app, coach, caseload):
    save(coach, caseload)
    save(coach, caseload, support_agreed="Walking group, and a benefits check with Citizens Advice.")
    [plan] = plans(app)
    assert plan.support_agreed.startswith("Walking group, and a benefits check")
    assert audit(app, "plan.edit")[-1].detail == {"fields": ["support_agreed"]}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
@pytest.mark.parametrize("review_on, message", [
    ("2025-02-30", "Enter a real date"),
    ("next week", "Enter a real date"),
    ((date.today() - timedelta(days=1)).isoformat(), "Choose today or a date in the future"),
    ("", "Enter the date the plan will be reviewed"),
])
def test_a_bad_review_date_is_refused_and_changes_nothing(app, coach, caseload, htmx, review_on, message):
    save(coach, caseload)
    before = plans(app)[0]
    reply = save(coach, caseload, htmx=htmx, review_on=review_on, support_agreed="Something new")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "There is a problem" in page and message in page
    [after] = plans(app)
    assert (after.support_agreed, after.review_on, after.updated_at) == (before.support_agreed, before.review_on,
                                                                         before.updated_at)
    assert len(audit(app, "plan.edit")) == 1


def test_too_long_support_is_refused(app, coach, caseload):
    reply = save(coach, caseload, support_agreed="x" * 5001)
    assert reply.status_code == 422 and "Keep it to 5000 characters or fewer" in reply.get_data(as_text=True)
    assert plans(app) == []


def test_the_person_reads_their_plan_and_goals_but_never_notes(app, client, caseload):
    add_goal_with_check_in(app, caseload.person_id)
    assert sign_in(client, "casey@example.org").status_code == 302
    save(client, caseload)
    token = csrf_token(client, plan_url(caseload))
    client.post(f"/staff/people/{caseload.person_id}/notes", data={"note": "Worried about money.", "csrf_token": token})
    client.post("/sign-out", data={"csrf_token": token})

    assert sign_in(client, "alex@example.org").status_code == 302
    reply = client.get("/my-plan")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "My care and support plan" in page and "With North Hill link workers" in page
    assert "Seeing my grandchildren" in page and "Walking group on Thursdays." in page
    assert "Dr Patel, GP, 0113 496 0001" in page
    assert "Walk to the post box, 10 minutes, after lunch, 3 days a week" in page
    assert (date.today() + timedelta(days=90)).strftime("%-d %B %Y") in page
    assert '<button class="nhsuk-button nhsuk-button--secondary" data-print' in page
    assert "Worried about money" not in page


def test_a_person_sharing_with_no_one_still_sees_their_goals(app, client):
    person_id = make_person(app, "jo@example.org", name="Jo")
    add_goal_with_check_in(app, person_id)
    assert sign_in(client, "jo@example.org").status_code == 302
    page = client.get("/my-plan").get_data(as_text=True)
    assert "A care and support plan is something you make with a coach" in page
    assert "Walk to the post box" in page


def test_a_team_that_has_not_written_a_plan_yet_says_so(app, client, caseload):
    assert sign_in(client, "alex@example.org").status_code == 302
    page = client.get("/my-plan").get_data(as_text=True)
    assert "You and North Hill link workers have not written your plan yet" in page


def test_another_teams_coach_gets_404_and_changes_nothing(app, client, caseload):
    assert sign_in(client, "drew@example.org").status_code == 302
    token = csrf_token(client, "/staff/people/1")
    assert client.get(plan_url(caseload)).status_code == 404
    reply = client.post(plan_url(caseload), data={"support_agreed": "x", "review_on": date.today().isoformat(),
                                                  "csrf_token": token})
    assert reply.status_code == 404
    assert plans(app) == [] and audit(app, "plan.view") == [] and audit(app, "plan.edit") == []


def test_each_team_keeps_its_own_plan(app, client, caseload):
    share_with(app, caseload.person_id, caseload.other_team_id, caseload.other_coach_id)
    assert sign_in(client, "casey@example.org").status_code == 302
    save(client, caseload, support_agreed="North Hill support")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, plan_url(caseload))})
    assert sign_in(client, "drew@example.org").status_code == 302
    page = client.get(plan_url(caseload)).get_data(as_text=True)
    assert "North Hill support" not in page and "No plan has been written" in page
    save(client, caseload, support_agreed="South Vale support")
    assert sorted(p.support_agreed for p in plans(app)) == ["North Hill support", "South Vale support"]


def test_staff_accounts_cannot_open_my_plan(coach):
    assert coach.get("/my-plan").status_code == 403


def test_staff_without_a_role_cannot_open_a_plan(app, client, caseload):
    make_staff(app, "admin@example.org", team_id=None, role=None, is_admin=True, name="Ada")
    assert sign_in(client, "admin@example.org").status_code == 302
    assert client.get(plan_url(caseload)).status_code == 403


def test_after_stopping_sharing_the_person_still_reads_their_plan_and_the_team_cannot(app, client, caseload):
    """Stopping sharing promises "your care plan stays in your account for you"."""
    from webapp.models import Consent, User
    from webapp.services.consent import withdraw

    assert sign_in(client, "casey@example.org").status_code == 302
    save(client, caseload, support_agreed="Walking group on Thursdays.")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, plan_url(caseload))})
    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.person_id == caseload.person_id))
        withdraw(db.session, consent, db.session.get(User, caseload.person_id))
        db.session.commit()

    assert sign_in(client, "alex@example.org").status_code == 302
    page = client.get("/my-plan").get_data(as_text=True)
    assert "With North Hill link workers" in page and "Walking group on Thursdays." in page
    assert "You stopped sharing your record with North Hill link workers" in page
    assert "have not written your plan yet" not in page
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/my-plan")})

    assert sign_in(client, "casey@example.org").status_code == 302
    assert client.get(plan_url(caseload)).status_code == 404


def test_a_team_stopped_without_a_plan_is_not_listed(app, client, caseload):
    from webapp.models import Consent, User
    from webapp.services.consent import withdraw

    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.person_id == caseload.person_id))
        withdraw(db.session, consent, db.session.get(User, caseload.person_id))
        db.session.commit()
    assert sign_in(client, "alex@example.org").status_code == 302
    page = client.get("/my-plan").get_data(as_text=True)
    assert "North Hill" not in page and "A care and support plan is something you make with a coach" in page
