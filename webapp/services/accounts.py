"""Signing up and signing in people."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import User

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


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account for this email and password, or None. Never says which of the two was wrong."""
    person = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    try:
        _hasher.verify(person.password_hash if person else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if person is None or not person.active:
        return None
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    person.last_sign_in_at = utcnow()
    return person
