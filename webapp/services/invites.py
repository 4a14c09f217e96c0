"""Invites: a coach makes a single-use link for a person, and the person claims it.

The link carries a random token; only its SHA-256 is stored, so the database cannot give the
link away. Claiming is one conditional UPDATE: of two claims at the same moment exactly one
changes the row, and the other sees that it did not.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Consent, Invite, StaffMember, User
from webapp.services import audit, consent

# Closed invites (accepted, cancelled or expired) stay on the coach's list this long.
RECENT_DAYS = 30


class InviteStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    REVOKED = "revoked"
    EXPIRED = "expired"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def status_of(invite: Invite, now: datetime | None = None) -> InviteStatus:
    now = now or utcnow()
    if invite.claimed_at is not None:
        return InviteStatus.CLAIMED
    if invite.revoked_at is not None:
        return InviteStatus.REVOKED
    if invite.expires_at <= now:
        return InviteStatus.EXPIRED
    return InviteStatus.OPEN


def create_invite(session: Session, staff: StaffMember, person_label: str, *, valid_days: int) -> tuple[Invite, str]:
    """A new invite to the staff member's team; returns it with the token, which is never stored."""
    if staff.team_id is None:
        raise ValueError("only staff in a team can invite people")
    token = secrets.token_urlsafe(32)
    invite = Invite(
        token_hash=hash_token(token),
        team_id=staff.team_id,
        created_by_id=staff.id,
        person_label=" ".join(person_label.split()),
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    session.add(invite)
    session.flush()
    audit.record(session, "invite.create", actor=staff.user, team_id=staff.team_id,
                 detail={"invite_id": invite.id})
    return invite, token


def find_by_token(session: Session, token: str) -> Invite | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(select(Invite).where(Invite.token_hash == hash_token(token)))


def team_invite(session: Session, team_id: int, invite_id: int) -> Invite | None:
    """The team's invite with this id; another team's is None, as if it did not exist."""
    if not 0 < invite_id <= consent.MAX_ID:  # larger than the column holds: PostgreSQL would refuse it
        return None
    invite = session.get(Invite, invite_id)
    return invite if invite is not None and invite.team_id == team_id else None


def invites_of_team(session: Session, team_id: int, now: datetime | None = None) -> list[Invite]:
    """Open invites, then the ones closed in the last ``RECENT_DAYS``, newest first."""
    now = now or utcnow()
    since = now - timedelta(days=RECENT_DAYS)
    rows = session.scalars(
        select(Invite)
        .where(
            Invite.team_id == team_id,
            or_(
                Invite.claimed_at >= since,
                Invite.revoked_at >= since,
                (Invite.claimed_at.is_(None) & Invite.revoked_at.is_(None) & (Invite.expires_at >= since)),
            ),
        )
        .options(selectinload(Invite.created_by).selectinload(StaffMember.user))
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    ).all()
    return sorted(rows, key=lambda invite: status_of(invite, now) != InviteStatus.OPEN)


def revoke(session: Session, invite: Invite, staff: StaffMember) -> bool:
    """Cancel an open invite so its link stops working. False if it was no longer open."""
    now = utcnow()
    changed = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.claimed_at.is_(None), Invite.revoked_at.is_(None),
               Invite.expires_at > now)
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    session.refresh(invite)
    audit.record(session, "invite.revoke", actor=staff.user, team_id=invite.team_id,
                 detail={"invite_id": invite.id})
    return True


class ClaimOutcome(enum.Enum):
    SHARED = "shared"                  # the person now shares their record with the team
    ALREADY_SHARING = "already"        # they already did; the invite is used up all the same
    GONE = "gone"                      # used, cancelled or expired before this claim


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    consent: Consent | None = None


def claim(session: Session, invite: Invite, person: User) -> ClaimResult:
    """Use up the invite and share the person's record with its team, in the caller's
    transaction. Only one claim of an invite can succeed, however many arrive at once."""
    now = utcnow()
    changed = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.claimed_at.is_(None), Invite.revoked_at.is_(None),
               Invite.expires_at > now)
        .values(claimed_at=now, claimed_by_id=person.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return ClaimResult(ClaimOutcome.GONE)
    session.refresh(invite)
    already = consent.active_consent(session, person.id, invite.team_id)
    audit.record(session, "invite.claim", actor=person, person_id=person.id, team_id=invite.team_id,
                 detail={"invite_id": invite.id})
    if already is not None:
        return ClaimResult(ClaimOutcome.ALREADY_SHARING, already)
    granted = consent.grant(session, person, invite.team, coach=invite.created_by, invite=invite)
    return ClaimResult(ClaimOutcome.SHARED, granted)
