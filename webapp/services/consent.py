"""Consent: a person sharing their record with a team, and withdrawing it.

Staff see a person's record only while that person's consent to their team stands. Every
change is written to the audit log in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Consent, Invite, StaffMember, Team, User
from webapp.services import audit

# The version of the words a person agrees to when they share their record. Change it whenever
# those words change (webapp/sharing/templates/sharing/_consent_wording.html), so every consent
# records which words were agreed to.
CONSENT_WORDING_VERSION = "2026-11-1"
# The largest id an integer column holds.
MAX_ID = 2**31 - 1


def active_consent(session: Session, person_id: int, team_id: int) -> Consent | None:
    return session.scalar(
        select(Consent).where(
            Consent.person_id == person_id, Consent.team_id == team_id, Consent.withdrawn_at.is_(None)
        )
    )


def own_consent(session: Session, person: User, consent_id: int) -> Consent | None:
    """The person's own consent with this id; anyone else's is None, as if it did not exist."""
    if not 0 < consent_id <= MAX_ID:  # larger than the column holds: PostgreSQL would refuse it
        return None
    found = session.get(Consent, consent_id)
    return found if found is not None and found.person_id == person.id else None


def consents_of(session: Session, person: User) -> list[Consent]:
    """Every consent the person has given, standing ones first, newest first."""
    return list(session.scalars(
        select(Consent)
        .where(Consent.person_id == person.id)
        .options(selectinload(Consent.team), selectinload(Consent.coach).selectinload(StaffMember.user))
        .order_by(Consent.withdrawn_at.is_not(None), Consent.granted_at.desc(), Consent.id.desc())
    ))


def grant(
    session: Session,
    person: User,
    team: Team,
    *,
    coach: StaffMember | None = None,
    invite: Invite | None = None,
    wording_version: str = CONSENT_WORDING_VERSION,
) -> Consent:
    """Share the person's record with the team (again, if they had withdrawn). Idempotent: a
    standing consent to the same team is returned as it is."""
    existing = active_consent(session, person.id, team.id)
    if existing is not None:
        return existing
    consent = Consent(
        person_id=person.id, team_id=team.id, coach_id=coach.id if coach else None,
        invite_id=invite.id if invite else None, wording_version=wording_version,
    )
    try:
        with session.begin_nested():
            session.add(consent)
    except IntegrityError:
        # Another request shared with the same team a moment ago (two invites accepted at once):
        # the unique index kept one standing consent, and that one is the answer.
        existing = active_consent(session, person.id, team.id)
        if existing is None:
            raise
        return existing
    audit.record(session, "consent.grant", actor=person, person_id=person.id, team_id=team.id,
                 detail={"wording_version": wording_version})
    return consent


def withdraw(session: Session, consent: Consent, person: User) -> None:
    """Stop sharing: staff of that team lose access at once (their next request is refused)."""
    if consent.person_id != person.id:
        raise ValueError("a person can withdraw only their own consent")
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        audit.record(session, "consent.withdraw", actor=person, person_id=person.id, team_id=consent.team_id)
