"""Teams and staff accounts."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import StaffMember, StaffRole, Team, User
from webapp.services import audit
from webapp.services.accounts import is_common_password, register_person


class TeamNameTaken(Exception):
    """Another team already has this name."""


def create_team(session: Session, name: str, *, actor: User | None) -> Team:
    name = " ".join(name.split())
    # Compared in Python: SQLite's lower() knows only ASCII, so "Équipe" and "ÉQUIPE" would pass.
    # A service has dozens of teams, not thousands.
    taken = {existing.casefold() for existing in session.scalars(select(Team.name))}
    if name.casefold() in taken:
        raise TeamNameTaken
    team = Team(name=name)
    session.add(team)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # the same name added at the same moment
        raise TeamNameTaken from error
    audit.record(session, "team.create", actor=actor, team_id=team.id)
    return team


def create_staff(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str | None,
    team: Team | None,
    role: StaffRole | None,
    job_title: str | None = None,
    is_admin: bool = False,
    actor: User | None,
) -> StaffMember:
    """A new sign-in with a staff row. Raises ``accounts.EmailTaken`` if the address is in use."""
    if role is not None and team is None:
        raise ValueError("coaches and team leads belong to a team")
    if role is None and not is_admin:
        raise ValueError("a staff member is a coach, a team lead or an admin")
    user = register_person(session, email, password, display_name)
    staff = StaffMember(user=user, team=team, role=role, job_title=job_title or None, is_admin=is_admin)
    session.add(staff)
    session.flush()
    audit.record(session, "staff.create", actor=actor or user, team_id=team.id if team else None,
                 detail={"staff_id": staff.id, "role": role.value if role else None, "admin": is_admin})
    return staff


# --- Administration ---------------------------------------------------------------------------

# Characters for a starting password: no look-alikes (0/O, 1/l/I), read out or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LastAdmin(Exception):
    """The change would leave no active admin."""


class OwnAccount(Exception):
    """An admin cannot deactivate their own account."""


def starting_password() -> str:
    """A strong one-time password (about 95 bits) for a new staff member, shown once to the admin."""
    while True:
        groups = ["".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4)]
        password = "-".join(groups)
        if not is_common_password(password):
            return password


def all_staff(session: Session) -> list[StaffMember]:
    return list(session.scalars(
        select(StaffMember).join(StaffMember.user)
        .options(selectinload(StaffMember.user), selectinload(StaffMember.team))
        .order_by(StaffMember.deactivated_at.is_not(None), func.lower(func.coalesce(User.display_name, User.email)))
    ))


def all_teams(session: Session) -> list[tuple[Team, int]]:
    """Every team with how many active staff are in it, by name."""
    active = (
        select(func.count(StaffMember.id))
        .where(StaffMember.team_id == Team.id, StaffMember.deactivated_at.is_(None))
        .scalar_subquery()
    )
    return [(team, count) for team, count in session.execute(
        select(Team, active).order_by(func.lower(Team.name))
    )]


def active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count(StaffMember.id)).where(StaffMember.is_admin.is_(True), StaffMember.deactivated_at.is_(None))
    ) or 0


def update_staff(
    session: Session,
    staff: StaffMember,
    *,
    team: Team | None,
    role: StaffRole | None,
    job_title: str | None,
    is_admin: bool,
    actor: User,
) -> list[str]:
    """Change what a staff member does; returns the names of the fields that changed (audited,
    without their values)."""
    if role is not None and team is None:
        raise ValueError("coaches and team leads belong to a team")
    if role is None and not is_admin:
        raise ValueError("a staff member is a coach, a team lead or an admin")
    if staff.is_admin and not is_admin and staff.active and active_admins(session) <= 1:
        raise LastAdmin
    changes = {
        "team": (staff.team_id, team.id if team else None),
        "role": (staff.role, role),
        "job_title": (staff.job_title, job_title or None),
        "admin": (staff.is_admin, is_admin),
    }
    changed = [name for name, (old, new) in changes.items() if old != new]
    if not changed:
        return []
    staff.team = team
    staff.role = role
    staff.job_title = job_title or None
    staff.is_admin = is_admin
    session.flush()
    audit.record(session, "staff.update", actor=actor, team_id=staff.team_id,
                 detail={"staff_id": staff.id, "changed": changed})
    return changed


def deactivate(session: Session, staff: StaffMember, *, actor: User) -> None:
    """Turn a staff account off at once: they are signed out on their next request."""
    if staff.user_id == actor.id:
        raise OwnAccount
    if staff.is_admin and staff.active and active_admins(session) <= 1:
        raise LastAdmin
    if not staff.active:
        return
    staff.deactivated_at = utcnow()
    audit.record(session, "staff.deactivate", actor=actor, team_id=staff.team_id, detail={"staff_id": staff.id})


def reactivate(session: Session, staff: StaffMember, *, actor: User) -> None:
    if staff.active:
        return
    staff.deactivated_at = None
    audit.record(session, "staff.reactivate", actor=actor, team_id=staff.team_id, detail={"staff_id": staff.id})


def unlock(session: Session, staff: StaffMember, *, actor: User) -> None:
    """Let a locked-out staff member try again straight away."""
    staff.user.locked_until = None
    staff.user.failed_sign_ins = 0
    audit.record(session, "staff.update", actor=actor, team_id=staff.team_id,
                 detail={"staff_id": staff.id, "changed": ["sign_in_unlocked"]})
