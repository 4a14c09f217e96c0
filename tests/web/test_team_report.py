"""The team report: figures over a crafted team, date ranges, who may see it, the CSV."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import add_assessment, make_person, make_staff, make_team, share_with, sign_in
from webapp.clock import today
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, Consent, Goal, GoalStatus, Response, Score
from webapp.services.consent import withdraw

HTMX = {"HX-Request": "true"}


def set_scores(app, response_uuid: str, *, value=None, level=None, index=None) -> None:
    """Give a stored assessment exact scores, so the expected figures are plain to see."""
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.uuid == uuid.UUID(response_uuid)))
        for score in response.scores:
            if score.scale_id == "overall" and value is not None:
                score.value, score.level = value, level
            if score.scale_id == "capability-index" and index is not None:
                score.value = index
        # The headline figure kept on the response, as scoring on receipt would have set it.
        if value is not None:
            response.headline_score, response.headline_level = value, level
        if index is not None:
            response.headline_score, response.headline_level = index, None
        db.session.commit()


def activation(app, person_id, days_ago, value, level):
    response_uuid = add_assessment(app, person_id, "capable-activation", days_ago=days_ago)
    set_scores(app, response_uuid, value=value, level=level)
    return response_uuid


def capability(app, person_id, days_ago, index):
    response_uuid = add_assessment(app, person_id, "capable-capability", days_ago=days_ago)
    set_scores(app, response_uuid, index=index)
    return response_uuid


def add_goal(app, person_id, status: GoalStatus, *, created_days_ago: float, updated_days_ago: float) -> None:
    with app.app_context():
        now = utcnow()
        db.session.add(Goal(person_id=person_id, what="Walk to the shop", status=status,
                            created_at=now - timedelta(days=created_days_ago),
                            updated_at=now - timedelta(days=updated_days_ago)))
        db.session.commit()


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', page, re.S)
    assert match, f"no figure {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def stage_row(page: str, level) -> list[str]:
    match = re.search(rf'<tr class="nhsuk-table__row" data-stage="{level}">(.*?)</tr>', page, re.S)
    assert match, f"no row for stage {level}"
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)]


@pytest.fixture
def world(app):
    """Team North (lead Lee, coach Casey) with three people in the report, and people who must
    not be counted: one of team South, one who withdrew, one assessed only long ago."""
    north = make_team(app, "North Hill link workers")
    south = make_team(app, "South Vale coaches")
    lead = make_staff(app, "lee@example.org", team_id=north, role="team_lead", name="Lee")
    coach = make_staff(app, "casey@example.org", team_id=north, role="coach")
    make_staff(app, "sam@example.org", team_id=south, role="team_lead", name="Sam")
    make_staff(app, "ada@example.org", role=None, is_admin=True, name="Ada")

    people = {}
    for key in ("up", "down", "once", "other_team", "withdrawn", "long_ago"):
        people[key] = make_person(app, f"{key.replace('_', '-')}@example.org", name=key)
    for key in ("up", "down", "once", "withdrawn", "long_ago"):
        share_with(app, people[key], north, coach)
    share_with(app, people["other_team"], south)

    # Moves from stage 1 to stage 3; capability index up by 0.2.
    activation(app, people["up"], 100, 30.0, 1)
    activation(app, people["up"], 10, 65.0, 3)
    capability(app, people["up"], 100, 0.3)
    capability(app, people["up"], 10, 0.5)
    # Drops from stage 3 to stage 2.
    activation(app, people["down"], 200, 70.0, 3)
    activation(app, people["down"], 20, 50.0, 2)
    capability(app, people["down"], 20, 0.8)  # only once: not in the capability change
    # One assessment only.
    activation(app, people["once"], 50, 55.0, 2)
    # Not counted: another team, withdrew, or assessed before the range.
    activation(app, people["other_team"], 30, 20.0, 1)
    activation(app, people["other_team"], 5, 90.0, 4)
    activation(app, people["withdrawn"], 30, 20.0, 1)
    activation(app, people["withdrawn"], 5, 90.0, 4)
    activation(app, people["long_ago"], 400, 20.0, 1)
    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.person_id == people["withdrawn"]))
        withdraw(db.session, consent, consent.person)
        db.session.commit()

    add_goal(app, people["up"], GoalStatus.ACHIEVED, created_days_ago=60, updated_days_ago=5)
    add_goal(app, people["down"], GoalStatus.STOPPED, created_days_ago=40, updated_days_ago=15)
    add_goal(app, people["down"], GoalStatus.DRAFT, created_days_ago=40, updated_days_ago=40)
    add_goal(app, people["down"], GoalStatus.THINKING, created_days_ago=40, updated_days_ago=40)
    add_goal(app, people["once"], GoalStatus.ACTIVE, created_days_ago=30, updated_days_ago=30)
    add_goal(app, people["once"], GoalStatus.ACHIEVED, created_days_ago=500, updated_days_ago=400)  # before the range
    add_goal(app, people["other_team"], GoalStatus.ACHIEVED, created_days_ago=20, updated_days_ago=2)
    add_goal(app, people["withdrawn"], GoalStatus.STOPPED, created_days_ago=20, updated_days_ago=2)
    return {"north": north, "south": south, "lead": lead, "coach": coach, "people": people}


def test_team_lead_sees_figures_for_their_team(client, app, world):
    sign_in(client, "lee@example.org")
    reply = client.get("/staff/reports")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "<h1" in page and "Team report" in page and "North Hill link workers" in page
    assert figure(page, "people") == "3"
    assert figure(page, "moved-up").startswith("1 of 2 people")
    assert figure(page, "activation-change").startswith("+7.5")  # (+35 - 20) / 2
    assert figure(page, "capability-change").startswith("+0.200")
    assert figure(page, "goals-set") == "3"
    assert figure(page, "goals-achieved") == "1"
    assert figure(page, "goals-stopped") == "1"
    # Stage at first: one each at 1, 2, 3; at latest: two at stage 2, one at stage 3.
    assert stage_row(page, 1) == ["Stage 1: Getting started", "1", "0"]
    assert stage_row(page, 2)[1:] == ["1", "2"]
    assert stage_row(page, 3)[1:] == ["1", "1"]
    assert stage_row(page, 4)[1:] == ["0", "0"]
    # Three people: a caution and no percentages.
    assert "Fewer than 5 people" in page
    assert "%" not in re.search(r"<table.*?</table>", page, re.S).group(0)
    # Links to the team's exports.
    assert 'href="/staff/team/export.csv"' in page and 'href="/staff/team/export.fhir.json"' in page


def test_report_is_audited_with_team_and_range(client, app, world):
    sign_in(client, "lee@example.org")
    client.get("/staff/reports?from=2025-01-01&to=2025-12-31")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.report")).one()
        assert event.team_id == world["north"]
        assert event.detail == {"from": "2025-01-01", "to": "2025-12-31", "format": "page"}
        assert event.person_id is None


def test_percentages_shown_from_five_people(client, app, world):
    for n in range(2):
        person = make_person(app, f"extra{n}@example.org", name=None)
        share_with(app, person, world["north"])
        activation(app, person, 3, 80.0, 4)
    sign_in(client, "lee@example.org")
    page = client.get("/staff/reports").get_data(as_text=True)
    assert figure(page, "people") == "5"
    assert "Fewer than 5 people" not in page
    assert stage_row(page, 4)[1:] == ["2", "40.0%", "2", "40.0%"]  # one assessment: first is latest
    assert stage_row(page, 2)[1:] == ["1", "20.0%", "2", "40.0%"]
    assert figure(page, "moved-up") == "1 of 2 people who filled it in more than once"  # under 5: no %


def test_date_range_bounds(client, app, world):
    sign_in(client, "lee@example.org")
    with app.app_context():
        zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
        latest_up = db.session.scalar(
            select(Response.authored_at).where(Response.person_id == world["people"]["up"],
                                               Response.questionnaire_id == "capable-activation")
            .order_by(Response.authored_at.desc()).limit(1))
        day = latest_up.astimezone(zone).date()
    # The "to" day is included: the person who moved up has only their latest assessment here.
    page = client.get(f"/staff/reports?from={day.isoformat()}&to={day.isoformat()}").get_data(as_text=True)
    assert figure(page, "people") == "1"
    assert stage_row(page, 3)[1:] == ["1", "1"]
    # The day before ends just before it.
    before = day - timedelta(days=1)
    page = client.get(f"/staff/reports?from={(day - timedelta(days=5)).isoformat()}&to={before.isoformat()}").get_data(as_text=True)
    assert figure(page, "people") == "0"
    # Going back far enough counts the person assessed long ago too.
    with app.app_context():
        start, end = today() - timedelta(days=500), today()
    page = client.get(f"/staff/reports?from={start.isoformat()}&to={end.isoformat()}").get_data(as_text=True)
    assert figure(page, "people") == "4"


@pytest.mark.parametrize("query, message", [
    ("from=2026-13-01&to=2026-12-31", "Enter the start date as a real date"),
    ("from=2026-01-01&to=yesterday", "Enter the end date as a real date"),
    ("from=2026-06-01&to=2026-01-01", "The start date must be before the end date"),
])
def test_bad_dates_are_422_with_an_error_summary(client, app, world, query, message):
    sign_in(client, "lee@example.org")
    for path in ("/staff/reports", "/staff/reports.csv"):
        reply = client.get(f"{path}?{query}")
        assert reply.status_code == 422
        page = reply.get_data(as_text=True)
        assert "There is a problem" in page and message in page
        assert "data-figure" not in page
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.report")).all() == []


def test_htmx_gets_the_fragment(client, app, world):
    sign_in(client, "lee@example.org")
    reply = client.get("/staff/reports", headers=HTMX)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "<html" not in page and 'data-figure="people"' in page


def test_admin_sees_whole_service_or_any_team(client, app, world):
    sign_in(client, "ada@example.org")
    page = client.get("/staff/reports").get_data(as_text=True)
    # An admin with no team starts with the whole service: team North's three and team South's one.
    assert "the whole service" in page
    assert figure(page, "people") == "4"
    assert 'name="team"' in page and "South Vale coaches" in page
    assert "/staff/team/export" not in page  # aggregates only, never people's records
    page = client.get(f"/staff/reports?team={world['south']}").get_data(as_text=True)
    assert figure(page, "people") == "1"
    for not_a_team in ("99999", "north", "\u00b2", "\u0663", str(2**31), "1" * 40):
        assert client.get("/staff/reports", query_string={"team": not_a_team}).status_code == 404, not_a_team
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.report")
                                    .order_by(AuditEvent.id)).all()
        assert [(e.team_id, e.detail.get("scope")) for e in events] == [(None, "service"), (world["south"], None)]


def test_who_may_not_see_the_report(client, app, world):
    assert client.get("/staff/reports").status_code == 302  # signed out: to sign in
    sign_in(client, "casey@example.org")
    assert client.get("/staff/reports").status_code == 403
    assert client.get("/staff/reports.csv").status_code == 403
    client.get("/")
    other = app.test_client()
    sign_in(other, "up@example.org")
    assert other.get("/staff/reports").status_code == 403
    lead = app.test_client()
    sign_in(lead, "lee@example.org")
    assert lead.get(f"/staff/reports?team={world['south']}").status_code == 404
    assert lead.get(f"/staff/reports?team={world['north']}").status_code == 200


def test_report_csv(client, app, world):
    sign_in(client, "lee@example.org")
    reply = client.get("/staff/reports.csv")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    assert reply.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))
    assert rows[0] == ["figure", "value"]
    figures = dict(rows[1:])
    assert figures["Who"] == "North Hill link workers"
    assert figures["People"] == "3"
    assert figures["People at Stage 1: Getting started at first assessment"] == "1"
    assert figures["People at Stage 2: Building knowledge and confidence at latest assessment"] == "2"
    assert figures["People who moved up at least one stage"] == "1"
    assert figures["Mean change in activation score"] == "7.5"
    assert figures["Mean change in capability index"] == "0.200"
    assert (figures["Goals set"], figures["Goals achieved"], figures["Goals stopped"]) == ("3", "1", "1")
    assert "Caution" in figures
    assert not any(name.startswith("Percent") for name in figures)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.report")).one()
        assert event.detail["format"] == "csv" and event.team_id == world["north"]


def test_an_admin_is_not_shown_stages_or_changes_of_fewer_than_five_people(client, app, world):
    """One person in team South: their stages and score changes would be their own record,
    which an admin may not read. The team's own lead still sees them."""
    sign_in(client, "ada@example.org")
    for path in ("/staff/reports", f"/staff/reports?team={world['south']}"):
        page = client.get(path).get_data(as_text=True)
        assert "Only the number of people and goals are shown" in page
        assert 'data-figure="people"' in page and 'data-figure="goals-achieved"' in page
        for hidden in ('data-figure="moved-up"', 'data-figure="activation-change"',
                       'data-figure="capability-change"', "data-stage="):
            assert hidden not in page, (path, hidden)
    rows = list(csv.reader(io.StringIO(client.get(f"/staff/reports.csv?team={world['south']}").get_data(as_text=True))))
    figures = dict(rows[1:])
    assert figures["People"] == "1" and figures["Goals achieved"] == "1"
    assert not any("stage" in name or "change" in name for name in figures), figures

    lead = app.test_client()
    sign_in(lead, "sam@example.org")
    page = lead.get("/staff/reports").get_data(as_text=True)
    assert figure(page, "activation-change") == "+70.0 (1 person, first to latest, out of 100)"
