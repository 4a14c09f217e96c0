"""Who may do what: the checks every staff and admin route makes.

- A **person** (an account with no staff row) uses the person pages: their own assessments,
  goals and plan. Staff pages answer them 403.
- A **coach** or **team lead** (``StaffMember.role`` set, in a team) sees the records of people
  whose consent to their team stands; any other person id is answered 404, exactly as if it did
  not exist. Team leads also read their team's reports.
- An **admin** (``is_admin``) manages teams and staff and reads the audit log. Without a role too
  they see no one's health record.

Staff accounts are work accounts: person pages (assessments, goals) answer them 403 and the home
page sends them to the workspace. Staff sessions end after ``STAFF_IDLE_MINUTES`` without a
request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from typing import Callable, TypeVar

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from webapp.db import utcnow
from webapp.extensions import db, login_manager
from webapp.models import Consent, StaffMember, User

F = TypeVar("F", bound=Callable)

# Blueprints whose pages are a person's own record: not for staff accounts.
PERSON_BLUEPRINTS = {"assess", "goals", "api", "plan", "sharing"}
PERSON_ENDPOINTS = {"main.history", "offline.outbox", "offline.questionnaire"}
LAST_SEEN_KEY = "staff_last_seen"


def current_staff() -> StaffMember | None:
    """The signed-in user's active staff row, or None."""
    if not current_user.is_authenticated:
        return None
    staff = current_user.staff
    return staff if staff is not None and staff.active else None


def _guard(allowed: Callable[[StaffMember], bool]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            staff = current_staff()
            if staff is None or not allowed(staff):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


#: Coaches and team leads in a team: the caseload and people's records.
records_required = _guard(lambda staff: staff.sees_records)
#: Team leads: their team's reports and exports.
team_lead_required = _guard(lambda staff: staff.sees_records and staff.is_team_lead)
#: Admins: teams, staff and the audit log.
admin_required = _guard(lambda staff: staff.is_admin)
#: Any active staff member (their own account settings).
staff_required = _guard(lambda staff: True)


def consented_person_or_404(person_id: int) -> tuple[User, Consent]:
    """The person and their standing consent to the signed-in staff member's team.

    Anyone else, including a person who withdrew or never consented, is a 404: staff cannot
    even learn that an id exists.
    """
    staff = current_staff()
    if staff is None or not staff.sees_records:
        abort(404)
    row = db.session.execute(
        select(User, Consent)
        .join(Consent, Consent.person_id == User.id)
        .where(User.id == person_id, Consent.team_id == staff.team_id, Consent.withdrawn_at.is_(None))
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def init_app(app: Flask) -> None:
    @app.before_request
    def keep_staff_sessions_short_and_separate():
        if not current_user.is_authenticated or current_user.staff is None:
            return None
        if not current_user.staff.active:  # deactivated while signed in
            logout_user()
            session.clear()
            return redirect(url_for("auth.sign_in"))
        now = utcnow()
        idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
        last_seen = session.get(LAST_SEEN_KEY)
        if last_seen is not None and now - datetime.fromisoformat(last_seen) > idle:
            logout_user()
            session.clear()
            flash(_("You were signed out because you had not used the service for a while."), "info")
            return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
        session[LAST_SEEN_KEY] = now.isoformat()
        if request.endpoint == "main.home":
            staff = current_user.staff
            return redirect(url_for("staff.caseload" if staff.sees_records else "admin.index"))
        if request.blueprint in PERSON_BLUEPRINTS or request.endpoint in PERSON_ENDPOINTS:
            abort(403)
        return None
