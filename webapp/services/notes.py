"""Coach notes: what staff keep about a person, for staff only.

A note's author may correct it for ``EDIT_WINDOW`` after writing it; after that, and for
anyone else, the note stands as written and can only be annotated (a further note that points
at it). Every change is audited in the same transaction, by note id only, never its words.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import CoachNote, StaffMember, User
from webapp.services import audit

EDIT_WINDOW = timedelta(hours=24)
MAX_LENGTH = 5000


class NoteLocked(Exception):
    """The note can no longer be corrected by this staff member: annotate it instead."""


def notes_for(session: Session, person_id: int, team_id: int) -> list[CoachNote]:
    """The team's notes about the person, newest first, each with its annotations (oldest first)."""
    return list(session.scalars(
        select(CoachNote)
        .where(CoachNote.person_id == person_id, CoachNote.team_id == team_id, CoachNote.annotates_id.is_(None))
        .options(selectinload(CoachNote.author).selectinload(StaffMember.user),
                 selectinload(CoachNote.annotations).selectinload(CoachNote.author).selectinload(StaffMember.user))
        .order_by(CoachNote.created_at.desc(), CoachNote.id.desc())
    ))


def get_note(session: Session, note_id: int, person_id: int, team_id: int) -> CoachNote | None:
    """The note if it is about this person and belongs to this team, else None."""
    note = session.get(CoachNote, note_id)
    if note is None or note.person_id != person_id or note.team_id != team_id:
        return None
    return note


def can_edit(note: CoachNote, staff: StaffMember, now: datetime | None = None) -> bool:
    """Only the author, and only within the edit window."""
    now = now or utcnow()
    return note.author_id == staff.id and now - note.created_at < EDIT_WINDOW


def add_note(session: Session, person: User, team_id: int, author: StaffMember, body: str) -> CoachNote:
    note = CoachNote(person_id=person.id, team_id=team_id, author_id=author.id, body=body)
    session.add(note)
    session.flush()
    audit.record(session, "note.add", actor=author.user, person_id=person.id, team_id=team_id,
                 detail={"note_id": note.id})
    return note


def edit_note(session: Session, note: CoachNote, author: StaffMember, body: str, now: datetime | None = None) -> None:
    """Correct the note; raises ``NoteLocked`` (changing nothing) if this staff member may not."""
    now = now or utcnow()
    if not can_edit(note, author, now):
        raise NoteLocked
    note.body = body
    note.edited_at = now
    audit.record(session, "note.edit", actor=author.user, person_id=note.person_id, team_id=note.team_id,
                 detail={"note_id": note.id})


def annotate(session: Session, note: CoachNote, author: StaffMember, body: str) -> CoachNote:
    """Add a note under ``note`` (under its original, if ``note`` is itself an annotation)."""
    original_id = note.annotates_id or note.id
    annotation = CoachNote(person_id=note.person_id, team_id=note.team_id, author_id=author.id,
                           annotates_id=original_id, body=body)
    session.add(annotation)
    session.flush()
    audit.record(session, "note.annotate", actor=author.user, person_id=note.person_id, team_id=note.team_id,
                 detail={"note_id": annotation.id, "annotates_id": original_id})
    return annotation
