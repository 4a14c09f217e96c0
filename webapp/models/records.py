"""What staff write about a person, the plan agreed with them, and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, created_at, int_pk, utcnow

if TYPE_CHECKING:
    from webapp.models.staff import StaffMember, Team


class CoachNote(Base):
    """A note staff keep about a person; staff see it, the person does not.

    A note can be corrected for 24 hours after it is written; after that it only gets
    annotations: further notes with ``annotates_id`` set to it.
    """

    __tablename__ = "coach_notes"

    id: Mapped[int_pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    annotates_id: Mapped[int | None] = mapped_column(ForeignKey("coach_notes.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]
    edited_at: Mapped[datetime | None]

    author: Mapped[StaffMember | None] = relationship()
    annotations: Mapped[list[CoachNote]] = relationship(
        order_by="CoachNote.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:  # never the body
        return f"<CoachNote {self.id}>"


class CarePlan(Base):
    """A personalised care and support plan, agreed by a person and their team.

    The person's goals are part of it but live in ``goals``; this holds the rest: what matters
    to them, the support agreed, who to contact, and when it will be reviewed.
    """

    __tablename__ = "care_plans"
    __table_args__ = (UniqueConstraint("person_id", "team_id"),)

    id: Mapped[int_pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    what_matters: Mapped[str | None] = mapped_column(Text)
    support_agreed: Mapped[str | None] = mapped_column(Text)
    contacts: Mapped[str | None] = mapped_column(Text)
    review_on: Mapped[date | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship()
    updated_by: Mapped[StaffMember | None] = relationship()

    def __repr__(self) -> str:
        return f"<CarePlan {self.id}>"


class AuditEvent(Base):
    """One thing done to or with a person's record, or to staff accounts: who, what, when, whom.

    Append-only: the app has no way to change or remove a row, and database triggers refuse
    UPDATE and DELETE. Ids are plain numbers, not foreign keys, so the log outlives the
    accounts it names; ``detail`` never holds answers, scores, notes or other health content.
    """

    __tablename__ = "audit_events"

    id: Mapped[int_pk]
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    person_id: Mapped[int | None] = mapped_column(index=True)
    team_id: Mapped[int | None]
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"
