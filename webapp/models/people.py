from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, created_at, int_pk

if TYPE_CHECKING:
    from webapp.models.goals import Goal
    from webapp.models.responses import Response
    from webapp.models.staff import StaffMember


class User(UserMixin, Base):
    """Someone who signs in: a person assessing themselves, or staff (with a ``staff`` row)."""

    __tablename__ = "users"

    id: Mapped[int_pk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_sign_in_at: Mapped[datetime | None]
    # Wrong passwords in a row, and until when sign-in is refused after too many.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]

    responses: Mapped[list[Response]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    # Loaded with the user (a LEFT JOIN): every request asks whether the user is staff.
    staff: Mapped[StaffMember | None] = relationship(back_populates="user", uselist=False, lazy="joined")

    def get_id(self) -> str:
        """What the session remembers: the id and a stamp of the password, so that changing the
        password ends every other session of the account (``auth.load_user`` checks the stamp)."""
        return f"{self.id}.{self.session_stamp}"

    @property
    def session_stamp(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def is_staff(self) -> bool:
        return self.staff is not None and self.staff.active

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:  # never the email: reprs end up in logs
        return f"<User {self.id}>"
