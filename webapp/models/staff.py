"""Staff, their teams, and what links a person's record to a team: invites and consent.

A staff member signs in with an ordinary ``User`` account; their ``StaffMember`` row says which
team they work in and what they may do. Staff see a person's record only while that person's
consent to their team stands (``Consent.withdrawn_at`` is empty).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, created_at, int_pk, utcnow

if TYPE_CHECKING:
    from webapp.models.people import User


class StaffRole(enum.StrEnum):
    """The clinical role: what a staff member may see of people's records."""

    COACH = "coach"          # coaches, link workers, care coordinators (job title says which)
    TEAM_LEAD = "team_lead"  # a coach who also reads the team's reports and manages its caseload


class Team(Base):
    """A group of staff who share a caseload, such as one primary care network's link workers."""

    __tablename__ = "teams"

    id: Mapped[int_pk]
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[created_at]

    members: Mapped[list[StaffMember]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"<Team {self.id}>"


class StaffMember(Base):
    """What a signed-in ``User`` may do as staff.

    ``role`` is None for an administrator who is not also a coach: they manage staff and read
    the audit log but see no one's health record.
    """

    __tablename__ = "staff_members"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    role: Mapped[StaffRole | None] = mapped_column(
        Enum(StaffRole, name="staff_role", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e])
    )
    job_title: Mapped[str | None] = mapped_column(String(120))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    deactivated_at: Mapped[datetime | None]
    # Optional second factor: a TOTP secret, set once the staff member has confirmed a code.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    # The last 30-second time step accepted, so one code cannot be used twice.
    totp_last_step: Mapped[int | None]

    user: Mapped[User] = relationship(back_populates="staff")
    team: Mapped[Team | None] = relationship(back_populates="members")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def active(self) -> bool:
        return self.deactivated_at is None

    @property
    def sees_records(self) -> bool:
        """Coaches and team leads in a team see the records of people who consented to it."""
        return self.active and self.role is not None and self.team_id is not None

    @property
    def is_team_lead(self) -> bool:
        return self.role == StaffRole.TEAM_LEAD

    def __repr__(self) -> str:
        return f"<StaffMember {self.id} {self.role} admin={self.is_admin}>"


class RecoveryCode(Base):
    """A single-use code that stands in for a TOTP code when the phone is lost (kept hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int_pk]
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]

    staff: Mapped[StaffMember] = relationship(back_populates="recovery_codes")


class Invite(Base):
    """A single-use link a coach gives a person so they can join the team's caseload.

    Only a hash of the token is stored: the link itself is shown once, to the coach.
    """

    __tablename__ = "invites"

    id: Mapped[int_pk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    # How the coach knows the person (a name or their own reference), shown on their list.
    person_label: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    team: Mapped[Team] = relationship()
    created_by: Mapped[StaffMember | None] = relationship()

    def __repr__(self) -> str:  # never the label or token
        return f"<Invite {self.id}>"


class Consent(Base):
    """A person's agreement to share their record with one team, with the wording they saw.

    Withdrawing sets ``withdrawn_at``; the row stays as the record of what was agreed and when.
    At most one consent per person and team stands at a time.
    """

    __tablename__ = "consents"
    __table_args__ = (
        Index("uq_consents_active_person_team", "person_id", "team_id", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"), postgresql_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int_pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # The coach whose invite it came from: "my people" on their caseload.
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    wording_version: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    person: Mapped[User] = relationship()
    team: Mapped[Team] = relationship()
    coach: Mapped[StaffMember | None] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def __repr__(self) -> str:
        return f"<Consent {self.id} person={self.person_id} team={self.team_id}>"
