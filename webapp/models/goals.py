from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, created_at, int_pk, utcnow

if TYPE_CHECKING:
    from webapp.models.people import User


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class GoalStatus(enum.StrEnum):
    DRAFT = "draft"          # being shaped: not yet a goal anyone sees
    THINKING = "thinking"    # "not yet": kept while the person thinks about it
    ACTIVE = "active"
    PAUSED = "paused"
    ACHIEVED = "achieved"
    STOPPED = "stopped"      # abandoned; offered again only changed


class GoalKind(enum.StrEnum):
    BEHAVIOUR = "behaviour"
    SUPPORT = "support"


class CheckInOutcome(enum.StrEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_YET = "not_yet"


class NextStep(enum.StrEnum):
    KEEP = "keep"
    SMALLER = "smaller"
    BIGGER = "bigger"
    STOP = "stop"


class Goal(Base):
    """Something a person chose to work on, in their words, shaped into a plan."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("importance IS NULL OR (importance BETWEEN 0 AND 10)", name="importance_0_10"),
        CheckConstraint("confidence IS NULL OR (confidence BETWEEN 0 AND 10)", name="confidence_0_10"),
    )

    id: Mapped[int_pk]
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=uuid_module.uuid4)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # What the person said they would like to work on, asked before any suggestion.
    own_words: Mapped[str | None] = mapped_column(Text)
    # The library idea it started from (None: written by the person), pinned to its library version.
    idea_id: Mapped[str | None] = mapped_column(String(100))
    idea_library: Mapped[str | None] = mapped_column(String(100))
    idea_version: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[GoalKind] = mapped_column(_enum(GoalKind, "goal_kind"), default=GoalKind.BEHAVIOUR)
    tier: Mapped[int | None]
    domain: Mapped[str | None] = mapped_column(String(100))
    # The plan: what, how much, when, how often, from when.
    what: Mapped[str | None] = mapped_column(String(300))
    how_much: Mapped[str | None] = mapped_column(String(200))
    when: Mapped[str | None] = mapped_column(String(200))
    how_often: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date | None]
    importance: Mapped[int | None]
    confidence: Mapped[int | None]
    in_the_way: Mapped[str | None] = mapped_column(Text)
    status: Mapped[GoalStatus] = mapped_column(_enum(GoalStatus, "goal_status"), default=GoalStatus.DRAFT)
    check_in_on: Mapped[date | None]
    # The assessment whose results the person set it from, if any.
    source_response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"))
    # A goal made smaller, bigger or as a first step from another keeps a link to it.
    previous_goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[User] = relationship(back_populates="goals")
    ratings: Mapped[list[GoalRating]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", passive_deletes=True, order_by="GoalRating.id"
    )
    check_ins: Mapped[list[CheckIn]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", passive_deletes=True, order_by="CheckIn.id"
    )

    def __repr__(self) -> str:  # never the person's words
        return f"<Goal {self.id} {self.status}>"


class GoalRating(Base):
    """One importance and confidence rating on the 0-10 rulers, kept so the goal shows its history."""

    __tablename__ = "goal_ratings"
    __table_args__ = (
        CheckConstraint("importance BETWEEN 0 AND 10", name="importance_0_10"),
        CheckConstraint("confidence BETWEEN 0 AND 10", name="confidence_0_10"),
    )

    id: Mapped[int_pk]
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    importance: Mapped[int]
    confidence: Mapped[int]
    # What the plan said when it was rated, so the history shows how it changed.
    what: Mapped[str | None] = mapped_column(String(300))
    rated_at: Mapped[created_at]

    goal: Mapped[Goal] = relationship(back_populates="ratings")


class CheckIn(Base):
    """How it went: done, partly or not yet, what helped, what got in the way, what next."""

    __tablename__ = "check_ins"
    __table_args__ = (CheckConstraint("confidence BETWEEN 0 AND 10", name="confidence_0_10"),)

    id: Mapped[int_pk]
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=uuid_module.uuid4)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[CheckInOutcome] = mapped_column(_enum(CheckInOutcome, "check_in_outcome"))
    helped: Mapped[str | None] = mapped_column(Text)
    got_in_the_way: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[int]
    next_step: Mapped[NextStep] = mapped_column(_enum(NextStep, "check_in_next_step"))
    authored_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    goal: Mapped[Goal] = relationship(back_populates="check_ins")

    def __repr__(self) -> str:
        return f"<CheckIn {self.id} {self.outcome}>"
