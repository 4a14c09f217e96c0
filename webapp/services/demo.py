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
from webapp.domain.questionnaires import Catalogue, Item, Questionnaire
from webapp.models import User
from webapp.services.accounts import register_person
from webapp.services.responses import receive_response

DEMO_EMAIL = "demo@capable.example"
DEMO_PASSWORD = "try-capable-demo"
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


def create_demo_person_if_empty(session: Session, catalogue: Catalogue) -> tuple[str, str] | None:
    """Create the demo person when nobody has signed up yet. Returns (email, password) or None."""
    if session.scalar(select(exists().where(User.id.is_not(None)))):
        return None
    person = register_person(session, DEMO_EMAIL, DEMO_PASSWORD, "Sam")
    rng = random.Random(2026)
    now = utcnow()
    for questionnaire in catalogue.latest():
        timeline = TIMELINE["activation"] if "activation" in questionnaire.id else TIMELINE["other"]
        for days_ago, wellness in timeline:
            when = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
            answers = synthetic_answers(questionnaire, wellness, rng)
            response, _created = receive_response(
                session, person, questionnaire, uuid_module.uuid4(), answers, authored_at=when
            )
            response.started_at = response.received_at = response.updated_at = when
    session.flush()
    return DEMO_EMAIL, DEMO_PASSWORD
