"""A person's record as their coach sees it: activation over time, capability now against the
first assessment, priorities and barriers, goals with check-ins; consent-checked and audited."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import add_assessment, sign_in
from tests.web.conftest import add_capability, add_goal_with_check_in, capability_answers
from tests.web.journey import HTMX
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, Invite, Response, Score

SVG = re.compile(r'<svg [^>]*class="app-chart.*?</svg>', re.S)


@pytest.fixture
def coach(client, caseload):
    assert sign_in(client, "casey@example.org").status_code == 302
    return client


@pytest.fixture
def assessed(app, caseload):
    """Two activation results 60 days apart and two capability profiles, plus goals."""
    add_assessment(app, caseload.person_id, "capable-activation", wellness=0.15, days_ago=60)
    add_assessment(app, caseload.person_id, "capable-activation", wellness=0.85, days_ago=1, seed=2)
    add_capability(app, caseload.person_id, capability_answers(app, health_free="not-free",
                   getting_around_free="not-free", what_matters=None), days_ago=60)
    add_capability(app, caseload.person_id, capability_answers(app, health_free="a-little-free",
                   getting_around_free="a-little-free", what_matters="Seeing my grandchildren on Sundays"), days_ago=1)
    add_goal_with_check_in(app, caseload.person_id)
    return caseload


def activation_scores(app, person_id: int) -> list[tuple[float, str]]:
    """The stored headline scores and stage words, oldest first."""
    with app.app_context():
        responses = db.session.scalars(
            select(Response).where(Response.person_id == person_id, Response.questionnaire_id == "capable-activation")
            .order_by(Response.received_at)).all()
        rows = []
        for response in responses:
            score = db.session.scalar(select(Score).where(Score.response_id == response.id, Score.scale_id == "overall"))
            overall = next(s for s in response.result["scales"] if s["id"] == "overall")
            rows.append((score.value, overall["level_text"]["label"]))
        return rows


def table_after(page: str, caption: str) -> str:
    start = page.index(caption)
    return page[start:page.index("</table>", start)]


def test_coach_sees_activation_over_time_with_stage_words_and_a_table(coach, app, assessed):
    page = coach.get(f"/staff/people/{assessed.person_id}").get_data(as_text=True)
    assert "<h1" in page and "Alex" in page
    assert "Sharing with your team since" in page
    assert "Casey, Social prescribing link worker" in page
    (first, first_stage), (latest, latest_stage) = activation_scores(app, assessed.person_id)
    assert first < latest and first_stage != latest_stage
    table = table_after(page, "Activation results, oldest first")
    cells = re.findall(r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">([^<]+)</td>', table)
    assert cells == [f"{first:g}", f"{latest:g}"]
    assert first_stage in table and latest_stage in table
    assert f"Latest score: {latest:g} out of 100." in page
    assert f"Change since the first result: +{latest - first:g}." in page

    charts = SVG.findall(page)
    assert len(charts) == 2
    line = ET.fromstring(charts[0])
    assert line.get("role") == "img"
    labelled_by = line.get("aria-labelledby").split()
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert [line.find("svg:title", ns).get("id"), line.find("svg:desc", ns).get("id")] == labelled_by
    assert [c.get("data-value") for c in line.iter("{http://www.w3.org/2000/svg}circle")] == [f"{first:g}", f"{latest:g}"]
    bands = [t.text for t in line.iter("{http://www.w3.org/2000/svg}text") if "app-chart__band-label" in t.get("class")]
    assert bands == ["Stage 1: Getting started", "Stage 2: Building knowledge and confidence",
                     "Stage 3: Taking action", "Stage 4: Keeping it going"]
    assert "style=" not in page


def test_coach_sees_capability_now_against_first_priorities_and_barriers(coach, app, assessed):
    page = coach.get(f"/staff/people/{assessed.person_id}").get_data(as_text=True)
    table = table_after(page, "How free they feel, 0 to 4")
    health_row = re.search(r"My health and body</th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]+)</td>", health_row) == ["0 (Not free at all)", "1 (A little free)", "+1"]

    bars = ET.fromstring(SVG.findall(page)[1])
    rects = [r for r in bars.iter("{http://www.w3.org/2000/svg}rect") if "app-chart__bar " in r.get("class") + " "]
    assert len(rects) == 20  # ten parts of life, first and now
    assert [r.get("data-value") for r in rects[:2]] == ["0", "1"]

    priorities = page[page.index("Priorities and barriers"):page.index('id="what-matters-heading"')]
    assert "My health and body" in priorities
    assert "Getting around: Transport, or how to get there" in priorities
    assert "Not feeling confident" not in priorities  # not an outside barrier
    assert "Seeing my grandchildren on Sundays" in page


def test_coach_sees_goals_with_check_ins(coach, assessed):
    page = coach.get(f"/staff/people/{assessed.person_id}").get_data(as_text=True)
    goals = page[page.index('id="goals-heading"'):page.index('id="notes-heading"')]
    assert "Walk to the post box, 10 minutes, after lunch, 3 days a week" in goals
    assert "8 out of 10" in goals and "7 out of 10" in goals
    checks = table_after(goals, "Check-ins")
    assert "Did some of it" in checks and "Rain on Tuesday" in checks and "6 out of 10" in checks
    assert goals.index("Current goals") < goals.index("Past goals") < goals.index("Ring my sister on Sundays")


def test_a_person_with_no_assessments_gets_a_helpful_page(coach, caseload):
    reply = coach.get(f"/staff/people/{caseload.person_id}")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "Alex has not answered any questionnaires yet" in page
    assert "No goals yet" in page and "No notes yet" in page
    assert "app-chart" not in page
    fragment = coach.get(f"/staff/people/{caseload.person_id}", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "<title>Alex – Capable</title>" in fragment
    assert "Alex has not answered any questionnaires yet" in fragment


def test_the_invite_label_names_the_person_when_they_came_by_invite(app, coach, caseload):
    with app.app_context():
        invite = Invite(token_hash="x" * 64, team_id=caseload.team_id, person_label="A. Smith (ref 1042)",
                        expires_at=utcnow() + timedelta(days=7), claimed_at=utcnow(), claimed_by_id=caseload.person_id)
        db.session.add(invite)
        db.session.flush()
        from webapp.models import Consent

        consent = db.session.scalar(select(Consent).where(Consent.person_id == caseload.person_id))
        consent.invite_id = invite.id
        db.session.commit()
    page = coach.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert '<h1 data-autofocus tabindex="-1">A. Smith (ref 1042)</h1>' in page


def test_viewing_is_audited_without_health_content(app, coach, assessed):
    coach.get(f"/staff/people/{assessed.person_id}")
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.view")).all()
        assert (event.actor_user_id, event.person_id, event.team_id) == (assessed.coach_id, assessed.person_id,
                                                                         assessed.team_id)
        assert event.detail is None


def test_other_teams_and_unknown_people_are_not_found(client, app, assessed):
    assert sign_in(client, "drew@example.org").status_code == 302
    assert client.get(f"/staff/people/{assessed.person_id}").status_code == 404
    assert client.get("/staff/people/99999").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.view")).all() == []


def test_after_withdrawing_consent_the_record_is_not_found(app, coach, caseload):
    from webapp.models import Consent

    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.person_id == caseload.person_id))
        consent.withdrawn_at = utcnow()
        db.session.commit()
    assert coach.get(f"/staff/people/{caseload.person_id}").status_code == 404


def test_the_person_themself_cannot_open_the_staff_view(client, caseload):
    assert sign_in(client, "alex@example.org").status_code == 302
    assert client.get(f"/staff/people/{caseload.person_id}").status_code == 403


def test_an_assessment_sent_late_from_offline_is_placed_when_it_was_filled_in(coach, app, caseload):
    """Filled in offline 30 days ago but received after today's: the record's first result is
    still the one from 30 days ago, as on the caseload and in reports."""
    from datetime import timedelta

    import uuid

    late = add_assessment(app, caseload.person_id, "capable-activation", wellness=0.15, days_ago=30)
    add_assessment(app, caseload.person_id, "capable-activation", wellness=0.85, days_ago=1, seed=2)
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.uuid == uuid.UUID(late)))
        response.received_at = response.received_at + timedelta(days=30)  # arrived today
        db.session.commit()
    (first, _), (latest, _) = sorted(activation_scores(app, caseload.person_id))
    page = coach.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    cells = re.findall(r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">([^<]+)</td>',
                       table_after(page, "Activation results, oldest first"))
    assert cells == [f"{first:g}", f"{latest:g}"]
    assert f"Latest score: {latest:g} out of 100." in page
