"""A demo person with a few months of made-up history, for trying the app locally.

Answers are generated from the loaded definitions (so they always fit the current questionnaires)
and sent through the same service as real responses, so they are scored by the real engine.
"""

from __future__ import annotations

import random
import uuid as uuid_module
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.domain.goals import GoalLibrary
from webapp.domain.questionnaires import Catalogue, Item, Questionnaire
from webapp.models import CarePlan, CheckInOutcome, CoachNote, NextStep, StaffRole, User
from webapp.services import goals as goal_service
from webapp.services.consent import grant
from webapp.services.staff import create_staff, create_team
from webapp.services.accounts import register_person
from webapp.services.responses import receive_response

DEMO_EMAIL = "demo@capable.example"
DEMO_PASSWORD = "try-capable-demo"
# The demo team's staff, who sign in with the same password.
DEMO_COACH_EMAIL = "coach@capable.example"
DEMO_ADMIN_EMAIL = "admin@capable.example"
DEMO_TEAM = "Demo link workers"
# Others on the demo caseload: (name, [(days ago, wellness) of activation assessments]), so the
# caseload shows a range of stages and each of its flags.
DEMO_CASELOAD = (
    ("Alex", [(150, 0.2), (60, 0.5)]),
    ("Jordan", [(100, 0.75), (20, 0.35)]),   # stage dropped
    ("Priya", [(200, 0.55)]),                 # reassessment due, no activity for weeks
    ("Morgan", []),                           # has not assessed yet
)
WHAT_MATTERS = (
    "Being well enough to walk my dog every day and see my grandchildren at the weekend.",
    "Getting back to the allotment, and not feeling so on my own.",
)
# (days ago, how well things are going from 0 to 1): a person slowly gaining confidence
TIMELINE = {
    "activation": [(130, 0.30), (75, 0.48), (12, 0.66)],
    "other": [(125, 0.35), (10, 0.55)],
}


def synthetic_answers(questionnaire: Questionnaire, wellness: float, rng: random.Random) -> dict:
    """Plausible answers: higher ``wellness`` picks higher options, with a little noise."""
    answers: dict = {}
    for page in questionnaire.pages:
        for item in page.questions:
            if not questionnaire.is_enabled(item, answers):
                continue
            value = _answer(item, wellness, rng)
            if value is not None:
                answers[item.link_id] = value
    return questionnaire.clean_answers(answers)


def _answer(item: Item, wellness: float, rng: random.Random):
    level = min(1.0, max(0.0, wellness + rng.uniform(-0.25, 0.25)))
    if item.type == "choice":
        options = [o for o in item.options if not o.not_applicable]
        if item.repeats:
            return [rng.choice(options).code] if options and rng.random() < 0.7 else None
        ordered = sorted(options, key=lambda o: o.value)
        return ordered[round(level * (len(ordered) - 1))].code if ordered else None
    if item.type == "scale":
        return round(item.min + level * (item.max - item.min))
    if item.type == "integer":
        low = item.min if item.min is not None else 0
        high = item.max if item.max is not None else 10
        return round(low + level * (high - low))
    if item.type == "boolean":
        return level >= 0.5
    if item.type == "text":
        return rng.choice(WHAT_MATTERS)[: item.max_length]
    return None


def _demo_goal(session: Session, person: User, library: GoalLibrary, now) -> None:
    """A goal set six weeks ago, rated twice, with two check-ins; the next check-in is due."""
    idea = next((i for i in library if i.kind == "behaviour" and i.tier == 2 and i.smaller and i.bigger), None)
    if idea is None:
        return
    set_on = (now - timedelta(days=42)).date()
    goal = goal_service.start_goal(session, person, "Get out of the house more, without wearing myself out")
    goal_service.choose_idea(session, goal, idea, library, None)
    goal_service.save_plan(session, goal, goal_service.PlanFields(
        what=idea.plan.what if idea.plan and idea.plan.what else idea.text,
        how_much=idea.plan.how_much if idea.plan else None,
        when=idea.plan.when if idea.plan else None,
        how_often=idea.plan.how_often if idea.plan else None,
        starts_on=set_on,
    ))
    goal_service.rate(session, goal, importance=8, confidence=5)
    goal_service.note_what_is_in_the_way(session, goal, "Bad days when I am very tired")
    goal_service.rate(session, goal, importance=8, confidence=7)
    goal_service.commit(session, goal, set_on + timedelta(days=14), today=set_on)
    for days_after, outcome, confidence, helped in (
        (14, CheckInOutcome.PARTLY, 6, "Going with my neighbour"),
        (28, CheckInOutcome.DONE, 8, "Doing it straight after lunch"),
    ):
        day = set_on + timedelta(days=days_after)
        goal_service.record_check_in(
            session, goal, outcome=outcome, helped=helped, got_in_the_way=None, confidence=confidence,
            next_step=NextStep.KEEP, next_check_in_on=day + timedelta(days=14), today=day)
    goal.created_at = now - timedelta(days=42)
    for offset, rating in enumerate(goal.ratings):
        rating.rated_at = goal.created_at + timedelta(minutes=offset)
    for check_in, days_after in zip(goal.check_ins, (14, 28)):
        check_in.created_at = check_in.authored_at = goal.created_at + timedelta(days=days_after)


def _assess(session: Session, person: User, questionnaire: Questionnaire, days_ago: float, wellness: float,
            rng: random.Random, now) -> None:
    when = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
    answers = synthetic_answers(questionnaire, wellness, rng)
    response, _created = receive_response(session, person, questionnaire, uuid_module.uuid4(), answers,
                                          authored_at=when)
    response.started_at = response.received_at = response.updated_at = when


def _demo_team(session: Session, catalogue: Catalogue, sam: User, rng: random.Random, now) -> None:
    """A team lead and an admin, with Sam and a few others sharing their records with the team."""
    team = create_team(session, DEMO_TEAM, actor=None)
    coach = create_staff(session, email=DEMO_COACH_EMAIL, password=DEMO_PASSWORD, display_name="Casey",
                         team=team, role=StaffRole.TEAM_LEAD, job_title="Social prescribing link worker",
                         actor=None)
    create_staff(session, email=DEMO_ADMIN_EMAIL, password=DEMO_PASSWORD, display_name="Ade", team=None,
                 role=None, is_admin=True, actor=None)
    grant(session, sam, team, coach=coach)
    activation = catalogue.get("capable-activation")
    for index, (name, assessments) in enumerate(DEMO_CASELOAD, start=1):
        person = register_person(session, f"demo-{index}@capable.example", DEMO_PASSWORD, name)
        consent = grant(session, person, team, coach=coach)
        consent.granted_at = now - timedelta(days=max((days for days, _w in assessments), default=3) + 1)
        if activation is not None:
            for days_ago, wellness in assessments:
                _assess(session, person, activation, days_ago, wellness, rng, now)
    session.add(CoachNote(person_id=sam.id, team_id=team.id, author=coach, created_at=now - timedelta(days=40),
                          body="First meeting at the surgery. Sam would like to get out more and feel less "
                               "alone. Agreed to try a short walk after lunch."))
    session.add(CarePlan(person_id=sam.id, team_id=team.id, updated_by=coach,
                         what_matters=WHAT_MATTERS[0],
                         support_agreed="Walking group on Thursday mornings. Check-in with Casey every two weeks.",
                         contacts="Casey, social prescribing link worker, at the surgery on 01632 960 000",
                         review_on=(now + timedelta(days=28)).date()))


def create_demo_person_if_empty(
    session: Session, catalogue: Catalogue, library: GoalLibrary | None = None
) -> tuple[str, str] | None:
    """Create the demo person, and a demo team with its staff and caseload, when nobody has signed
    up yet. Returns the person's (email, password) or None."""
    if session.scalar(select(exists().where(User.id.is_not(None)))):
        return None
    person = register_person(session, DEMO_EMAIL, DEMO_PASSWORD, "Sam")
    rng = random.Random(2026)
    now = utcnow()
    for questionnaire in catalogue.latest():
        timeline = TIMELINE["activation"] if "activation" in questionnaire.id else TIMELINE["other"]
        for days_ago, wellness in timeline:
            _assess(session, person, questionnaire, days_ago, wellness, rng, now)
    if library is not None:
        _demo_goal(session, person, library, now)
    _demo_team(session, catalogue, person, rng, now)
    session.flush()
    return DEMO_EMAIL, DEMO_PASSWORD
