"""Everything Capable holds about a person: to give them a copy, or to delete it all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import CarePlan, CheckIn, Consent, Goal, GoalRating, Response, User


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_person(session: Session, person: User) -> dict[str, Any]:
    """A complete, machine-readable copy of the person's data (their right of access)."""
    responses = session.scalars(
        select(Response)
        .where(Response.person_id == person.id)
        .options(selectinload(Response.answers), selectinload(Response.scores))
        .order_by(Response.started_at)
    ).all()
    goals = session.scalars(
        select(Goal)
        .where(Goal.person_id == person.id)
        .options(selectinload(Goal.ratings), selectinload(Goal.check_ins))
        .order_by(Goal.created_at)
    ).all()
    consents = session.scalars(
        select(Consent).where(Consent.person_id == person.id)
        .options(selectinload(Consent.team)).order_by(Consent.granted_at)
    ).all()
    plans = session.scalars(
        select(CarePlan).where(CarePlan.person_id == person.id)
        .options(selectinload(CarePlan.team)).order_by(CarePlan.id)
    ).all()
    return {
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": person.email,
            "display_name": person.display_name,
            "created_at": _iso(person.created_at),
            "last_sign_in_at": _iso(person.last_sign_in_at),
        },
        "responses": [
            {
                "uuid": str(response.uuid),
                "questionnaire": response.questionnaire_id,
                "version": response.questionnaire_version,
                "status": response.status.value,
                "started_at": _iso(response.started_at),
                "authored_at": _iso(response.authored_at),
                "received_at": _iso(response.received_at),
                "answers": {answer.link_id: answer.value for answer in response.answers},
                "scoring_version": response.scoring_version,
                "result": response.result,
            }
            for response in responses
        ],
        "goals": [
            {
                "uuid": str(goal.uuid),
                "status": goal.status.value,
                "own_words": goal.own_words,
                "idea": goal.idea_id,
                "plan": {"what": goal.what, "how_much": goal.how_much, "when": goal.when,
                         "how_often": goal.how_often, "starts_on": _iso(goal.starts_on)},
                "importance": goal.importance,
                "confidence": goal.confidence,
                "in_the_way": goal.in_the_way,
                "check_in_on": _iso(goal.check_in_on),
                "created_at": _iso(goal.created_at),
                "ratings": [
                    {"importance": r.importance, "confidence": r.confidence, "plan": r.what,
                     "rated_at": _iso(r.rated_at)}
                    for r in goal.ratings
                ],
                "check_ins": [
                    {"outcome": c.outcome.value, "helped": c.helped, "got_in_the_way": c.got_in_the_way,
                     "confidence": c.confidence, "next_step": c.next_step.value, "at": _iso(c.created_at)}
                    for c in goal.check_ins
                ],
            }
            for goal in goals
        ],
        "sharing": [
            {"team": consent.team.name, "agreed_at": _iso(consent.granted_at),
             "stopped_at": _iso(consent.withdrawn_at), "wording_version": consent.wording_version}
            for consent in consents
        ],
        "care_plans": [
            {"team": plan.team.name, "what_matters": plan.what_matters, "support_agreed": plan.support_agreed,
             "contacts": plan.contacts, "review_on": _iso(plan.review_on), "updated_at": _iso(plan.updated_at)}
            for plan in plans
        ],
    }


def delete_person(session: Session, person: User) -> None:
    """Delete the account and every record of the person, in one transaction."""
    goal_ids = select(Goal.id).where(Goal.person_id == person.id)
    session.execute(delete(CheckIn).where(CheckIn.goal_id.in_(goal_ids)))
    session.execute(delete(GoalRating).where(GoalRating.goal_id.in_(goal_ids)))
    session.execute(delete(Goal).where(Goal.person_id == person.id))
    # Answers and scores go with their responses (ON DELETE CASCADE, and the ORM cascade).
    for response in session.scalars(select(Response).where(Response.person_id == person.id)):
        session.delete(response)
    session.flush()
    session.delete(person)
    session.flush()
