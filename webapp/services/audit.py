"""The audit log: every view, change and export of a person's record, and every change to staff.

``record`` appends one event in the caller's transaction, so the event and what it describes
are committed together (or neither is). Events name people and staff by id only and never carry
answers, scores, notes or other health content: ``detail`` holds things like the export format
or which field changed, never its value.

Actions are dotted names, ``<thing>.<verb>``; ``ACTIONS`` lists every one in use, with the words
the audit log page shows for it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from webapp.models import AuditEvent, User

ACTIONS: dict[str, str] = {
    # A person's record, as staff use it.
    "caseload.view": "Viewed the caseload",
    "person.view": "Viewed a person's record",
    "person.export": "Exported a person's record",
    "team.export": "Exported a team's records",
    "team.report": "Viewed a team report",
    "note.add": "Added a note",
    "note.edit": "Corrected a note",
    "note.annotate": "Annotated a note",
    "plan.view": "Viewed a care plan",
    "plan.edit": "Changed a care plan",
    # Invites and consent.
    "invite.create": "Invited a person",
    "invite.revoke": "Cancelled an invite",
    "invite.claim": "Accepted an invite",
    "consent.grant": "Agreed to share their record",
    "consent.withdraw": "Stopped sharing their record",
    # Accounts.
    "account.delete": "Deleted their account",
    "account.export": "Downloaded all their data",
    "password.change": "Changed their password",
    "staff.create": "Added a staff member",
    "staff.update": "Changed a staff member",
    "staff.deactivate": "Deactivated a staff member",
    "staff.reactivate": "Reactivated a staff member",
    "team.create": "Added a team",
    "sign_in.locked": "Sign-in locked after repeated failures",
    "two_factor.enable": "Turned on two-step sign-in",
    "two_factor.disable": "Turned off two-step sign-in",
    "two_factor.recovery_code_used": "Signed in with a recovery code",
    "note.view": "Viewed a note",
}


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    person_id: int | None = None,
    team_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``action`` must be one of ``ACTIONS``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to ACTIONS")
    event = AuditEvent(
        actor_user_id=actor.id if actor is not None else None,
        action=action,
        person_id=person_id,
        team_id=team_id,
        detail=detail or None,
    )
    session.add(event)
    return event
