"""The caseload: everyone who shares their record with the signed-in coach's team, with flags.

A plain GET form filters it (whose people, a flag, a name) and links sort and page it, so it
works without JavaScript; htmx fetches the same URLs into the page.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_babel import gettext as _

from webapp.catalogue import get_catalogue
from webapp.db import utcnow
from webapp.extensions import db
from webapp.htmx import render
from webapp.services import audit
from webapp.services import caseload as caseload_service
from webapp.staff.access import current_staff, records_required
from webapp.staff.blueprint import bp


def _load(team_id: int) -> list[caseload_service.CaseloadRow]:
    config = current_app.config
    activation_id = config["ACTIVATION_QUESTIONNAIRE"]
    return caseload_service.load_caseload(
        db.session,
        team_id,
        activation_id=activation_id,
        stage_words=caseload_service.stage_words_for(get_catalogue(), activation_id),
        capability_id=config["CAPABILITY_QUESTIONNAIRE"],
        now=utcnow(),
        reassess_after=timedelta(days=config["REASSESS_AFTER_DAYS"]),
        inactive_after=timedelta(weeks=config["INACTIVE_AFTER_WEEKS"]),
    )


@bp.get("/")
@records_required
def caseload():
    staff = current_staff()
    everyone = _load(staff.team_id)
    has_own = any(row.coach_id == staff.id for row in everyone)
    default_scope = caseload_service.SCOPE_MINE if has_own and not staff.is_team_lead else caseload_service.SCOPE_TEAM
    query = caseload_service.parse_query(request.args, default_scope)

    shown = caseload_service.filter_rows(everyone, query, staff.id)
    page = caseload_service.paginate(caseload_service.sort_rows(shown, query.sort, query.descending), query.page)

    audit.record(db.session, "caseload.view", actor=staff.user, team_id=staff.team_id)
    db.session.commit()

    def link(**changes) -> str:
        """This page's URL with some settings changed; defaults are left out."""
        settings = {"scope": query.scope, "flag": query.flag, "q": query.search, "sort": query.sort,
                    "dir": "desc" if query.descending else "", "page": page.number}
        settings.update(changes)
        if settings["sort"] == caseload_service.DEFAULT_SORT and not settings["dir"]:
            settings["sort"] = ""
        if settings["scope"] == default_scope:
            settings["scope"] = ""
        if settings["page"] == 1:
            settings["page"] = ""
        params = {key: value for key, value in settings.items() if value}
        return url_for("staff.caseload") + ("?" + urlencode(params) if params else "")

    def sort_link(column: str) -> str:
        descending = column == query.sort and not query.descending
        return link(sort=column, dir="desc" if descending else "", page=1)

    return render(
        "staff/caseload/_caseload.html",
        status=422 if query.search_too_long else 200,
        push_url=link(),
        title=_("Caseload"),
        team=staff.team,
        staff=staff,
        query=query,
        default_scope=default_scope,
        team_size=len(everyone),
        page=page,
        link=link,
        sort_link=sort_link,
        flags=caseload_service.FLAGS,
        any_flag=caseload_service.ANY_FLAG,
        search_max=caseload_service.SEARCH_MAX_LENGTH,
    )
