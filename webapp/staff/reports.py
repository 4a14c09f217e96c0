"""The team report: aggregate figures for a team (team leads) or any team or the whole service
(admins), over a date range, on the page or as a CSV file. No one's record is shown."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask import Response, abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.catalogue import get_catalogue
from webapp.clock import today
from webapp.domain.results import stage_words
from webapp.extensions import db, login_manager
from webapp.htmx import render
from webapp.models import StaffMember, Team
from webapp.services import audit
from webapp.services.consent import MAX_ID
from webapp.services.reports import Scope, TeamReport, team_report
from webapp.staff.access import current_staff
from webapp.staff.blueprint import bp

WHOLE_SERVICE = "service"


@dataclass
class ReportQuery:
    """What the form asked for, and what was wrong with it."""

    team: str
    start_text: str
    end_text: str
    start: date | None = None
    end: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, str]:
        params = {"from": self.start_text, "to": self.end_text}
        if self.team:
            params["team"] = self.team
        return params


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _read_query() -> ReportQuery:
    end_default = today()
    args = request.args
    query = ReportQuery(
        team=args.get("team", "").strip(),
        start_text=args.get("from", _year_before(end_default).isoformat()).strip(),
        end_text=args.get("to", end_default.isoformat()).strip(),
    )
    query.start = _parse_date(query.start_text)
    query.end = _parse_date(query.end_text)
    if query.start is None:
        query.errors["from"] = _("Enter the start date as a real date, for example 2026-01-31")
    if query.end is None:
        query.errors["to"] = _("Enter the end date as a real date, for example 2026-12-31")
    if query.start and query.end and query.start > query.end:
        query.errors["from"] = _("The start date must be before the end date")
    return query


def _scope(staff: StaffMember, query: ReportQuery) -> tuple[Scope, Team | None]:
    """Whose figures: admins choose any team or the whole service; team leads see their own.
    An unknown team, or another team for a lead, is a 404."""
    if staff.is_admin:
        if query.team == WHOLE_SERVICE or (not query.team and staff.team_id is None):
            query.team = WHOLE_SERVICE
            return Scope(None), None
        team_id = query.team if query.team else str(staff.team_id)
        team = db.session.get(Team, int(team_id)) if team_id.isascii() and team_id.isdigit() \
            and 0 < int(team_id) <= MAX_ID else None
        if team is None:
            abort(404)
        query.team = str(team.id)
        return Scope(team.id), team
    if query.team and query.team != str(staff.team_id):
        abort(404)
    query.team = ""
    return Scope(staff.team_id), staff.team


def _allowed_staff() -> StaffMember:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    staff = current_staff()
    if staff is None or not (staff.is_admin or (staff.sees_records and staff.is_team_lead)):
        abort(403)
    return staff


def _stage_words() -> dict[int, str]:
    """The words for each activation stage, from the latest version that has a headline scale;
    a stage without words of its own is called "Stage n", so nobody drops out of the table."""
    words: dict[int, str] = {}
    for questionnaire in get_catalogue().versions(current_app.config["ACTIVATION_QUESTIONNAIRE"]):
        scoring = questionnaire.scoring
        scale = scoring.scale(scoring.headline) if scoring is not None and scoring.headline else None
        if scale is not None:
            named = stage_words(scoring)
            levels = sorted({*scale.levels, *named}) or range(1, len(scale.cut_points) + 2)
            words = {level: named.get(level) or _("Stage %(n)s", n=level) for level in levels}
    return words


def _report(scope: Scope, query: ReportQuery) -> tuple[TeamReport, dict[int, str]]:
    words = _stage_words()
    report = team_report(
        db.session, scope, query.start, query.end,
        activation_id=current_app.config["ACTIVATION_QUESTIONNAIRE"],
        capability_id=current_app.config["CAPABILITY_QUESTIONNAIRE"],
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    return report, words


def _audit(staff: StaffMember, scope: Scope, query: ReportQuery, kind: str) -> None:
    detail = {"from": query.start.isoformat(), "to": query.end.isoformat(), "format": kind}
    if scope.team_id is None:
        detail["scope"] = WHOLE_SERVICE
    audit.record(db.session, "team.report", actor=staff.user, team_id=scope.team_id, detail=detail)
    db.session.commit()


def _teams(staff: StaffMember) -> list[Team]:
    if not staff.is_admin:
        return []
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def withheld(staff: StaffMember, scope: Scope, report: TeamReport) -> bool:
    """Whether stages and changes are left out: with fewer than 5 people they could be one
    person's, so only staff who may read those people's records (their own team's) see them."""
    return report.small_numbers and not (staff.sees_records and scope.team_id == staff.team_id)


def _render_report(staff: StaffMember, query: ReportQuery, team: Team | None, result: TeamReport | None = None,
                   words: dict[int, str] | None = None, hidden: bool = False):
    return render("staff/reports/_report.html", status=422 if query.errors else 200, report=result,
                  stage_words=words or {}, withheld=hidden, query=query, team=team, teams=_teams(staff),
                  staff=staff, title=_("Team report"), whole_service=WHOLE_SERVICE)


@bp.get("/reports")
def report():
    staff = _allowed_staff()
    query = _read_query()
    scope, team = _scope(staff, query)
    if query.errors:
        return _render_report(staff, query, team)
    result, words = _report(scope, query)
    _audit(staff, scope, query, "page")
    return _render_report(staff, query, team, result, words, withheld(staff, scope, result))


def csv_figures(report: TeamReport, words: dict[int, str], scope_name: str, hidden: bool = False) -> list[list[str]]:
    """The report as (figure, value) rows. Percentages are left out under 5 people; so are
    stages and changes when ``hidden`` (see ``withheld``)."""
    def number(value: float | None, places: int = 1) -> str:
        return "" if value is None else f"{value:.{places}f}"

    rows = [
        ["figure", "value"],
        [_("Who"), scope_name],
        [_("From"), report.start.isoformat()],
        [_("To"), report.end.isoformat()],
        [_("People"), str(report.people)],
    ]
    goals = [
        [_("Goals set"), str(report.goals_set)],
        [_("Goals achieved"), str(report.goals_achieved)],
        [_("Goals stopped"), str(report.goals_stopped)],
    ]
    if hidden:
        rows.append([_("Caution"), _("Fewer than 5 people: only the number of people and goals are shown")])
        return rows + goals
    if report.small_numbers:
        rows.append([_("Caution"), _("Fewer than 5 people: percentages are not shown")])
    for row in report.stage_rows(words):
        stage = words.get(row.level, "") if row.level is not None else _("No stage (too few answers)")
        rows.append([_("People at %(stage)s at first assessment", stage=stage), str(row.first)])
        if not report.small_numbers:
            rows.append([_("Percent at %(stage)s at first assessment", stage=stage), number(report.percent(row.first))])
        rows.append([_("People at %(stage)s at latest assessment", stage=stage), str(row.latest)])
        if not report.small_numbers:
            rows.append([_("Percent at %(stage)s at latest assessment", stage=stage), number(report.percent(row.latest))])
    rows += [
        [_("People with two or more assessments"), str(report.repeated)],
        [_("People who moved up at least one stage"), str(report.moved_up)],
    ]
    if report.moved_up_percent is not None:
        rows.append([_("Percent who moved up at least one stage"), number(report.moved_up_percent)])
    rows += [
        [_("Mean change in activation score"), number(report.activation_change)],
        [_("People in the mean change in activation score"), str(report.activation_change_people)],
        [_("Mean change in capability index"), number(report.capability_change, 3)],
        [_("People in the mean change in capability index"), str(report.capability_change_people)],
    ]
    return rows + goals


@bp.get("/reports.csv")
def report_csv():
    staff = _allowed_staff()
    query = _read_query()
    scope, team = _scope(staff, query)
    if query.errors:
        return _render_report(staff, query, team)
    result, words = _report(scope, query)
    _audit(staff, scope, query, "csv")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_figures(result, words, team.name if team is not None else _("The whole service"),
                                             withheld(staff, scope, result)))
    response = Response(buffer.getvalue(), mimetype="text/csv")
    name = f"capable-report-{scope.team_id or WHOLE_SERVICE}-{query.start.isoformat()}-{query.end.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
