"""Two-step sign-in for staff: a code from an authenticator app (TOTP), or a recovery code.

The secret is kept in the database once the staff member has proved their app works by typing a
code from it. Each 30-second code works once (``totp_last_step``). Recovery codes are shown once,
kept only as SHA-256 hashes (each holds 80 random bits, so a hash cannot be turned back into a
code), and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import RecoveryCode, StaffMember, User
from webapp.services import audit

ISSUER = "Capable"
RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes are read off paper and typed.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS, _RECOVERY_GROUP_LENGTH = 4, 4
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG: presentation attributes only, no style, so the CSP allows it."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code this is (now, or one step either side for a slow phone clock)."""
    code = _clean_code(code)
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int((at if at is not None else time.time()) // STEP_SECONDS)
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_fits_secret(secret: str, code: str) -> int | None:
    """While setting up: the step of a right code for ``secret``, or None."""
    return _matching_step(secret, code)


def check_code(staff: StaffMember, code: str) -> bool:
    """A current code from the staff member's app that has not been used before. Marks it used."""
    if not staff.totp_secret:
        return False
    step = _matching_step(staff.totp_secret, code)
    if step is None or (staff.totp_last_step is not None and step <= staff.totp_last_step):
        return False
    staff.totp_last_step = step
    return True


def _hash_recovery(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return len(normalised) == _RECOVERY_GROUPS * _RECOVERY_GROUP_LENGTH


def _new_recovery_code() -> str:
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
              for _ in range(_RECOVERY_GROUPS))
    return "-".join(groups)


def use_recovery_code(session: Session, staff: StaffMember, code: str) -> bool:
    """True if ``code`` is one of the staff member's unused recovery codes; it is then used up.

    Audited as ``two_factor.recovery_code_used``; the caller commits.
    """
    if not looks_like_recovery_code(code):
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.staff_id == staff.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    audit.record(session, "two_factor.recovery_code_used", actor=staff.user,
                 detail={"codes_left": recovery_codes_left(session, staff) - 1})
    return True


def recovery_codes_left(session: Session, staff: StaffMember) -> int:
    return len(session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_(None))
    ).all())


def enable(session: Session, staff: StaffMember, secret: str, step: int) -> list[str]:
    """Turn two-step sign-in on with a confirmed secret; returns the recovery codes, to show once."""
    staff.totp_secret = secret
    staff.totp_enabled_at = utcnow()
    staff.totp_last_step = step
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(staff_id=staff.id, code_hash=_hash_recovery(code)) for code in codes)
    audit.record(session, "two_factor.enable", actor=staff.user, team_id=staff.team_id)
    return codes


def disable(session: Session, staff: StaffMember, *, actor: User) -> None:
    staff.totp_secret = None
    staff.totp_enabled_at = None
    staff.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    audit.record(session, "two_factor.disable", actor=actor, team_id=staff.team_id,
                 detail=None if actor.id == staff.user_id else {"staff_id": staff.id})


def is_on(user: User) -> bool:
    staff = user.staff
    return staff is not None and staff.totp_enabled_at is not None and bool(staff.totp_secret)
