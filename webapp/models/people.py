from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, created_at, int_pk

if TYPE_CHECKING:
    from webapp.models.goals import Goal
    from webapp.models.responses import Response


class User(UserMixin, Base):
    """Someone who signs in. For now, a person assessing themselves."""

    __tablename__ = "users"

    id: Mapped[int_pk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_sign_in_at: Mapped[datetime | None]

    responses: Mapped[list[Response]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:  # never the email: reprs end up in logs
        return f"<User {self.id}>"
