from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, created_at, int_pk, short_text, utcnow

if TYPE_CHECKING:
    from webapp.models.people import User


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Response(Base):
    """One person's answers to one version of one questionnaire.

    ``uuid`` is made by the client when the response starts and is the idempotency key for
    sending it: the same uuid with the same answers returns the original receipt, with different
    answers it is refused. ``questionnaire_id`` and ``questionnaire_version`` pin the exact
    definition answered, so results of old versions keep rendering and can be rescored later.
    """

    __tablename__ = "responses"
    __table_args__ = (
        # Reports read every completed response of one questionnaire, person by person in time
        # order: from this index alone on PostgreSQL (INCLUDE), already in the order they need,
        # never from the wide rows with their result JSON.
        Index("ix_responses_completed", "questionnaire_id", "person_id", "authored_at", "id",
              postgresql_include=["headline_score", "headline_level"],
              postgresql_where=text("status = 'completed'"), sqlite_where=text("status = 'completed'")),
    )

    id: Mapped[int_pk]
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[ResponseStatus] = mapped_column(
        Enum(ResponseStatus, name="response_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=ResponseStatus.IN_PROGRESS,
    )
    started_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the person finished, by their device's clock (may be earlier than received, offline).
    authored_at: Mapped[datetime | None]
    # When the server accepted the completed response.
    received_at: Mapped[datetime | None]
    answers_digest: Mapped[str | None] = mapped_column(String(64))
    scoring_version: Mapped[str | None] = mapped_column(String(40))
    # The full ScoreResult (scales, levels, capability profile) as scored on receipt.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The one figure that sums the result up (``webapp.domain.results.headline``: the headline
    # scale's score and level, or the capability index), kept on the row so reports over a whole
    # service read it from an index without joining the scores.
    headline_score: Mapped[float | None] = mapped_column(Float)
    headline_level: Mapped[int | None]

    person: Mapped[User] = relationship(back_populates="responses")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Answer.id",
    )
    scores: Mapped[list[Score]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Score.id",
    )

    @property
    def completed(self) -> bool:
        return self.status == ResponseStatus.COMPLETED

    def answer_map(self) -> dict[str, Any]:
        return {answer.link_id: answer.value for answer in self.answers}

    def __repr__(self) -> str:
        return f"<Response {self.uuid} {self.questionnaire_id}@{self.questionnaire_version} {self.status}>"


class Answer(Base):
    """One answer, keyed by the item's stable linkId (``value`` is the normalised JSON value)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "link_id"),)

    id: Mapped[int_pk]
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    link_id: Mapped[short_text]
    value: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:  # never the value
        return f"<Answer {self.link_id}>"


class Score(Base):
    """One scored scale of a completed response, kept in rows so staff views can query them."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("response_id", "scale_id"),
        # One scale across everyone (the headline stage, the capability index) for reports.
        Index("ix_scores_scale_id", "scale_id", "response_id", postgresql_include=["value", "level"]),
    )

    id: Mapped[int_pk]
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    scale_id: Mapped[short_text]
    value: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None]
    band: Mapped[str | None] = mapped_column(String(40))

    response: Mapped[Response] = relationship(back_populates="scores")

    def __repr__(self) -> str:
        return f"<Score {self.scale_id}>"
