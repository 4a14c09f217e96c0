"""Downloading records: one person's (any coach of their team) or a whole team's (team leads).

Every export is written to the audit log, in the same transaction, before the file is sent.
Files are not kept by caches (``no-store``): they hold health information.
"""

from __future__ import annotations

from flask import Response, current_app, request, stream_with_context
from sqlalchemy import literal, select

from webapp.catalogue import get_catalogue
from webapp.db import utcnow
from webapp.extensions import db
from webapp.services import audit, exports
from webapp.services.reports import Scope, people_in_scope
from webapp.staff.access import consented_person_or_404, current_staff, records_required, team_lead_required
from webapp.staff.blueprint import bp

FHIR_MIMETYPE = "application/fhir+json"


def fhir_base() -> str:
    """Where Capable's FHIR canonical URLs and code systems live: ``FHIR_BASE_URL`` if the
    service set one, otherwise this service's own address."""
    return current_app.config.get("FHIR_BASE_URL") or request.url_root.rstrip("/") + "/fhir"


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _csv(person_ids, filename: str) -> Response:
    # The query runs as the file is sent, a batch of rows at a time.
    # The request's own session is closed when the view returns, before the file is sent, so
    # the rows are read with a session of their own, closed as soon as the last row is out.
    session = db.sessionmaker()
    rows = exports.csv_rows(session, person_ids, get_catalogue())
    return _download(stream_with_context(_then_close(exports.csv_lines(rows), session)), "text/csv", filename)


def _then_close(lines, session):
    try:
        yield from lines
    finally:
        session.close()


def _fhir(person_ids, filename: str) -> Response:
    body = exports.fhir_json(db.session, person_ids, get_catalogue(), fhir_base(), timestamp=utcnow())
    return _download(body, FHIR_MIMETYPE, filename)


# -- one person ---------------------------------------------------------------------------------


def _person_export(person_id: int, kind: str) -> Response:
    person, consent = consented_person_or_404(person_id)
    audit.record(db.session, "person.export", actor=current_staff().user, person_id=person.id,
                 team_id=consent.team_id, detail={"format": kind})
    db.session.commit()
    person_ids = select(literal(person.id))
    if kind == "csv":
        return _csv(person_ids, f"capable-person-{person.id}.csv")
    return _fhir(person_ids, f"capable-person-{person.id}.fhir.json")


@bp.get("/people/<int:person_id>/export.csv")
@records_required
def person_export_csv(person_id: int):
    return _person_export(person_id, "csv")


@bp.get("/people/<int:person_id>/export.fhir.json")
@records_required
def person_export_fhir(person_id: int):
    return _person_export(person_id, "fhir")


# -- a team -------------------------------------------------------------------------------------


def _team_export(kind: str) -> Response:
    staff = current_staff()
    audit.record(db.session, "team.export", actor=staff.user, team_id=staff.team_id, detail={"format": kind})
    db.session.commit()
    person_ids = people_in_scope(Scope(staff.team_id))
    if kind == "csv":
        return _csv(person_ids, f"capable-team-{staff.team_id}.csv")
    return _fhir(person_ids, f"capable-team-{staff.team_id}.fhir.json")


@bp.get("/team/export.csv")
@team_lead_required
def team_export_csv():
    return _team_export("csv")


@bp.get("/team/export.fhir.json")
@team_lead_required
def team_export_fhir():
    return _team_export("fhir")
