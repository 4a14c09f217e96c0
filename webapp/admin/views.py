"""Administration: teams, staff accounts and the audit log (admins only, no health records)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false, func, select

from webapp.admin.forms import NO_ROLE, ActionForm, AuditSearchForm, NewStaffForm, StaffRoleForm, TeamForm
from webapp.extensions import db
from webapp.htmx import redirect_after_post, render
from webapp.models import AuditEvent, StaffMember, StaffRole, Team, User
from webapp.services import accounts, audit, two_factor
from webapp.services.consent import MAX_ID
from webapp.services import staff as staff_service
from webapp.staff.access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PAGE_SIZE = 50


@bp.before_request
@admin_required
def require_admin():
    """Every page here is for admins."""


def _teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(func.lower(Team.name))))


def _staff_or_404(staff_id: int) -> StaffMember:
    staff = db.session.get(StaffMember, staff_id)
    if staff is None:
        abort(404)
    return staff


def _role(form_value: str | None) -> StaffRole | None:
    return None if form_value in (None, "", NO_ROLE) else StaffRole(form_value)


def _team(form_value: str | None) -> Team | None:
    if not form_value:
        return None
    team = db.session.get(Team, int(form_value))
    if team is None:  # the form only offers teams that exist
        abort(404)
    return team


@bp.get("/")
def index():
    return render("admin/_index.html", staff=staff_service.all_staff(db.session),
                  teams=staff_service.all_teams(db.session),
                  title=_("Staff and teams"))


# --- Teams --------------------------------------------------------------------------------------


@bp.get("/teams/new")
def new_team():
    return render("admin/_team_new.html", form=TeamForm(), title=_("Add a team"))


@bp.post("/teams/new")
def new_team_post():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = staff_service.create_team(db.session, form.name.data, actor=current_user)
        except staff_service.TeamNameTaken:
            form.name.errors = [_("There is already a team with this name")]
        else:
            db.session.commit()
            flash(_("Team %(name)s added.", name=team.name), "success")
            return redirect_after_post(url_for("admin.index"))
    return render("admin/_team_new.html", form=form, title=_("Add a team"), status=422)


# --- Staff --------------------------------------------------------------------------------------


@bp.get("/staff/new")
def new_staff():
    return render("admin/_staff_new.html", form=NewStaffForm(teams=_teams()), title=_("Add a staff member"))


@bp.post("/staff/new")
def new_staff_post():
    form = NewStaffForm(teams=_teams())
    if form.validate_on_submit():
        password = staff_service.starting_password()
        try:
            staff = staff_service.create_staff(
                db.session, email=form.email.data, password=password, display_name=form.display_name.data,
                team=_team(form.team.data), role=_role(form.role.data), job_title=form.job_title.data,
                is_admin=form.is_admin.data, actor=current_user,
            )
        except accounts.EmailTaken:
            db.session.rollback()
            form.email.errors = [_("There is already an account with this email address")]
        else:
            db.session.commit()
            # The starting password is shown once, here, and kept nowhere but as a hash.
            return render("admin/_staff_created.html", staff=staff, password=password,
                          title=_("Staff member added"))
    return render("admin/_staff_new.html", form=form, title=_("Add a staff member"), status=422)


def _render_staff(staff: StaffMember, form: StaffRoleForm | None = None, status: int = 200, error: str | None = None):
    if form is None:
        form = StaffRoleForm(teams=_teams(), data={
            "team": str(staff.team_id) if staff.team_id else "",
            "role": staff.role.value if staff.role else NO_ROLE,
            "job_title": staff.job_title or "",
            "is_admin": staff.is_admin,
        })
    if error:
        form.form_errors.append(error)
    return render("admin/_staff_edit.html", staff=staff, form=form, status=status,
                  locked=accounts.is_locked(staff.user), is_self=staff.user_id == current_user.id,
                  title=_("Change a staff member"))


@bp.get("/staff/<int:staff_id>")
def edit_staff(staff_id: int):
    return _render_staff(_staff_or_404(staff_id))


@bp.post("/staff/<int:staff_id>")
def edit_staff_post(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = StaffRoleForm(teams=_teams())
    if form.validate_on_submit():
        try:
            changed = staff_service.update_staff(
                db.session, staff, team=_team(form.team.data), role=_role(form.role.data),
                job_title=form.job_title.data, is_admin=form.is_admin.data, actor=current_user,
            )
        except staff_service.LastAdmin:
            db.session.rollback()
            form.is_admin.errors = [_("Keep admin ticked: this is the only active admin, and there must always be one")]
        else:
            db.session.commit()
            name = staff.user.display_name or staff.user.email
            flash(_("Changes to %(name)s saved.", name=name) if changed else _("Nothing was changed."), "success")
            return redirect_after_post(url_for("admin.index"))
    return _render_staff(staff, form, status=422)


@bp.post("/staff/<int:staff_id>/deactivate")
def deactivate_staff(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_staff(staff, status=400)
    try:
        staff_service.deactivate(db.session, staff, actor=current_user)
    except staff_service.OwnAccount:
        db.session.rollback()
        return _render_staff(staff, status=422, error=_("You cannot deactivate your own account. Ask another admin."))
    except staff_service.LastAdmin:
        db.session.rollback()
        return _render_staff(staff, status=422, error=_("This is the only active admin. Make someone else an admin first."))
    db.session.commit()
    flash(_("%(name)s is deactivated and can no longer sign in.", name=staff.user.display_name or staff.user.email),
          "success")
    return redirect_after_post(url_for("admin.index"))


@bp.post("/staff/<int:staff_id>/reactivate")
def reactivate_staff(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_staff(staff, status=400)
    staff_service.reactivate(db.session, staff, actor=current_user)
    db.session.commit()
    flash(_("%(name)s is active again and can sign in.", name=staff.user.display_name or staff.user.email), "success")
    return redirect_after_post(url_for("admin.index"))


@bp.post("/staff/<int:staff_id>/unlock")
def unlock_staff(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_staff(staff, status=400)
    if accounts.is_locked(staff.user):
        staff_service.unlock(db.session, staff, actor=current_user)
        db.session.commit()
        flash(_("%(name)s can sign in again now.", name=staff.user.display_name or staff.user.email), "success")
    return redirect_after_post(url_for("admin.edit_staff", staff_id=staff.id))


@bp.post("/staff/<int:staff_id>/two-step-off")
def reset_two_factor(staff_id: int):
    """For a staff member who lost their phone and their recovery codes."""
    staff = _staff_or_404(staff_id)
    if not ActionForm().validate_on_submit():
        return _render_staff(staff, status=400)
    if staff.totp_enabled_at is not None:
        two_factor.disable(db.session, staff, actor=current_user)
        db.session.commit()
        flash(_("Two-step sign-in is off for %(name)s. They sign in with their password, and can turn it on again.",
                name=staff.user.display_name or staff.user.email), "success")
    return redirect_after_post(url_for("admin.edit_staff", staff_id=staff.id))


# --- The audit log ------------------------------------------------------------------------------


def _london_midnight_utc(day) -> datetime:
    tz = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/London"))
    return datetime.combine(day, time.min, tzinfo=tz)


@bp.get("/audit")
def audit_log():
    args = request.args
    form = AuditSearchForm(formdata=args, actions=audit.ACTIONS)
    page = args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 7 else 1
    if args and not form.validate():
        return render("admin/_audit.html", form=form, events=[], page=1, pages=1, total=0, searched=True,
                      page_url=None, status=422, title=_("Audit log"))

    query = select(AuditEvent)
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.who.data:
        query = query.where(AuditEvent.actor_user_id.in_(
            select(User.id).where(func.lower(User.email).contains(form.who.data.lower(), autoescape=True))
        ))
    if form.person_id is not None:
        # An id beyond what the column holds names nobody (PostgreSQL would refuse to compare it).
        query = query.where(AuditEvent.person_id == form.person_id if form.person_id <= MAX_ID else false())
    if form.start.data:
        query = query.where(AuditEvent.at >= _london_midnight_utc(form.start.data))
    if form.end.data and form.end.data < date.max:  # up to the last day there is: no upper bound
        query = query.where(AuditEvent.at < _london_midnight_utc(form.end.data + timedelta(days=1)))

    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    events = list(db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    actor_ids = {event.actor_user_id for event in events if event.actor_user_id is not None}
    actors = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    team_ids = {event.team_id for event in events if event.team_id is not None}
    teams = {team.id: team for team in db.session.scalars(select(Team).where(Team.id.in_(team_ids)))} if team_ids else {}

    filters = {name: args.get(name) for name in ("action", "who", "person", "start", "end") if args.get(name)}

    def page_url(number: int) -> str:
        return url_for("admin.audit_log", **filters, page=number if number > 1 else None)

    return render("admin/_audit.html", form=form, events=events, actors=actors, teams=teams, actions=audit.ACTIONS,
                  page=page, pages=pages, total=total, searched=bool(filters), page_url=page_url,
                  push_url=page_url(page), title=_("Audit log"))
