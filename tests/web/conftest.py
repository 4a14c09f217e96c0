"""Fixtures shared by the web tests of the staff side: a team, its coach, and the coach signed in;
a person sharing their record with a team and a coach in another team (``caseload``), and helpers
that give that person a capability assessment and goals.

Test modules that need a different team or coach define their own fixtures of these names, which
take precedence over these.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests.conftest import make_person, make_staff, make_team, share_with, sign_in
from webapp.catalogue import get_catalogue
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import CheckIn, CheckInOutcome, Goal, GoalStatus, NextStep, User
from webapp.services.responses import receive_response


@pytest.fixture
def team(app) -> int:
    return make_team(app)


@pytest.fixture
def coach(app, team) -> int:
    return make_staff(app, "casey@example.org", team_id=team, name="Casey Jones",
                      job_title="Health and wellbeing coach")


@pytest.fixture
def coach_client(app, coach):
    client = app.test_client()
    assert sign_in(client, "casey@example.org").status_code == 302
    return client


@dataclass
class Caseload:
    team_id: int
    coach_id: int
    person_id: int
    other_team_id: int
    other_coach_id: int


@pytest.fixture
def caseload(app) -> Caseload:
    """Alex shares their record with North Hill (coach Casey); Drew coaches in another team."""
    team_id = make_team(app)
    coach_id = make_staff(app, "casey@example.org", team_id=team_id)
    person_id = make_person(app, "alex@example.org", name="Alex")
    share_with(app, person_id, team_id, coach_id)
    other_team_id = make_team(app, "South Vale care coordinators")
    other_coach_id = make_staff(app, "drew@example.org", team_id=other_team_id, name="Drew")
    return Caseload(team_id, coach_id, person_id, other_team_id, other_coach_id)


def capability_answers(app, *, health_free: str, getting_around_free: str, what_matters: str | None) -> dict:
    """Answers where "My health and body" matters most, and "Getting around" is held back by
    transport (an outside barrier); everything else matters some and is mostly free."""
    with app.app_context():
        questionnaire = get_catalogue().get("capable-capability")
        answers: dict = {}
        for domain in questionnaire.scoring.profile.domains:
            answers[domain.matters] = "some"
            answers[domain.free] = "mostly-free"
            answers[domain.actual] = "some"
    answers["health-matters"] = "most-important"
    answers["health-free"] = health_free
    answers["health-actual"] = "a-little"
    answers["getting-around-matters"] = "a-lot"
    answers["getting-around-free"] = getting_around_free
    answers["getting-around-actual"] = "not-at-all"
    answers["getting-around-barriers"] = ["transport", "confidence"]
    if what_matters:
        answers["what-matters"] = what_matters
    return answers


def add_capability(app, person_id: int, answers: dict, days_ago: float) -> None:
    with app.app_context():
        questionnaire = get_catalogue().get("capable-capability")
        when = utcnow() - timedelta(days=days_ago)
        response, _ = receive_response(db.session, db.session.get(User, person_id), questionnaire, uuid.uuid4(),
                                       answers, authored_at=when)
        response.started_at = response.received_at = response.updated_at = when
        db.session.commit()


def add_goal_with_check_in(app, person_id: int) -> None:
    with app.app_context():
        goal = Goal(person_id=person_id, own_words="Get out of the house more", what="Walk to the post box",
                    how_much="10 minutes", when="after lunch", how_often="3 days a week",
                    starts_on=date.today(), importance=8, confidence=7, status=GoalStatus.ACTIVE,
                    check_in_on=date.today() + timedelta(days=7))
        goal.check_ins.append(CheckIn(outcome=CheckInOutcome.PARTLY, confidence=6, next_step=NextStep.KEEP,
                                      got_in_the_way="Rain on Tuesday"))
        past = Goal(person_id=person_id, what="Ring my sister on Sundays", importance=9, confidence=9,
                    status=GoalStatus.ACHIEVED)
        db.session.add_all([goal, past])
        db.session.commit()
