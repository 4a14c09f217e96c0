"""Personalised care and support plans: one per person and team, written with the person.

The person's goals are part of the plan but live in ``goals``; a plan holds what matters to
them, the support agreed, who to contact and when it will be reviewed. Changes are audited by
field name only, never by what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import CarePlan, Consent, StaffMember, User
from webapp.services import audit
from webapp.services.consent import consents_of

FIELDS = ("what_matters", "support_agreed", "contacts", "review_on")


@dataclass(frozen=True)
class PlanFields:
    what_matters: str | None
    support_agreed: str | None
    contacts: str | None
    review_on: date


@dataclass(frozen=True)
class SharedPlan:
    """A plan (or None, not written yet) from one team the person shares their record with."""

    consent: Consent
    plan: CarePlan | None


def plan_for(session: Session, person_id: int, team_id: int) -> CarePlan | None:
    return session.scalar(
        select(CarePlan)
        .where(CarePlan.person_id == person_id, CarePlan.team_id == team_id)
        .options(selectinload(CarePlan.updated_by).selectinload(StaffMember.user))
    )


def save_plan(session: Session, person: User, team_id: int, staff: StaffMember, fields: PlanFields) -> CarePlan:
    """Create or change the person's plan with this team; audits which fields changed."""
    plan = plan_for(session, person.id, team_id)
    if plan is None:
        plan = CarePlan(person_id=person.id, team_id=team_id)
        session.add(plan)
    changed = [name for name in FIELDS if getattr(plan, name) != getattr(fields, name)]
    for name in FIELDS:
        setattr(plan, name, getattr(fields, name))
    plan.updated_by_id = staff.id
    plan.updated_at = utcnow()
    session.flush()
    audit.record(session, "plan.edit", actor=staff.user, person_id=person.id, team_id=team_id,
                 detail={"fields": changed})
    return plan


def shared_plans(session: Session, person: User) -> list[SharedPlan]:
    """For each team the person shares their record with now, that team's plan with them (or
    None); then the plans of teams they stopped sharing with, which stay theirs to read."""
    plans: list[SharedPlan] = []
    teams: set[int] = set()
    for consent in consents_of(session, person):  # standing ones first, then newest first
        if consent.team_id in teams:
            continue
        plan = plan_for(session, person.id, consent.team_id)
        if consent.active or plan is not None:
            teams.add(consent.team_id)
            plans.append(SharedPlan(consent, plan))
    return plans
