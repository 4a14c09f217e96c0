"""Signing up and signing in people and staff, with a pause after too many wrong passwords."""

from __future__ import annotations

import enum
import gzip
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import User
from webapp.services import audit

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common_password(password: str) -> bool:
    """True for passwords on the shipped list of common ones (case does not help)."""
    return password.strip().lower() in _common_passwords()


class EmailTaken(Exception):
    """Somebody already signed up with this email address."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def register_person(session: Session, email: str, password: str, display_name: str | None = None) -> User:
    email = normalise_email(email)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise EmailTaken
    person = User(email=email, password_hash=hash_password(password), display_name=display_name or None)
    session.add(person)
    try:
        session.flush()
    except IntegrityError as error:  # two sign-ups with one address at the same moment
        session.rollback()
        raise EmailTaken from error
    return person


def password_matches(user: User, password: str) -> bool:
    """True if ``password`` is the account's own (to confirm a change, not to sign in)."""
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return True


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


class SignInOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"              # wrong email or password: never says which
    LOCKED = "locked"            # too many wrong passwords in a row: wait
    DEACTIVATED = "deactivated"  # right password, but an admin turned the staff account off


@dataclass(frozen=True)
class SignInAttempt:
    outcome: SignInOutcome
    user: User | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is SignInOutcome.OK


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def count_failure(session: Session, user: User, *, max_failures: int, lock_minutes: int) -> bool:
    """One more wrong password (or two-step code) in a row; locks the account at ``max_failures``.

    Returns True if this failure locked it. The caller commits.
    """
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins < max_failures:
        return False
    user.failed_sign_ins = 0
    user.locked_until = utcnow() + timedelta(minutes=lock_minutes)
    audit.record(session, "sign_in.locked", actor=user,
                 person_id=None if user.staff is not None else user.id,
                 detail={"failures": max_failures, "minutes": lock_minutes})
    return True


def signed_in(user: User) -> None:
    """A sign-in completed: the count of failures starts again."""
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = utcnow()


def attempt_sign_in(
    session: Session, email: str, password: str, *, max_failures: int, lock_minutes: int,
) -> SignInAttempt:
    """Check an email and password, counting wrong passwords and refusing a locked account.

    Every path verifies one Argon2 hash, so a wrong email takes as long as a wrong password or a
    locked account. A right password leaves the count of failures as it is: the caller calls
    ``signed_in`` once the sign-in is complete (after the second step, for staff who use one).
    The caller commits, whatever the outcome.
    """
    person = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    try:
        _hasher.verify(person.password_hash if person else _DUMMY_HASH, password)
        right = person is not None
    except (VerificationError, InvalidHashError):
        right = False
    if person is None or not person.active:
        return SignInAttempt(SignInOutcome.WRONG)
    if is_locked(person):
        return SignInAttempt(SignInOutcome.LOCKED, person, person.locked_until)
    if not right:
        if count_failure(session, person, max_failures=max_failures, lock_minutes=lock_minutes):
            return SignInAttempt(SignInOutcome.LOCKED, person, person.locked_until)
        return SignInAttempt(SignInOutcome.WRONG)
    if person.staff is not None and not person.staff.active:
        return SignInAttempt(SignInOutcome.DEACTIVATED)
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    return SignInAttempt(SignInOutcome.OK, person)
