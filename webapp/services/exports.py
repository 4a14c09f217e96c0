"""Exporting people's completed questionnaires: a long CSV (one row per answer) and FHIR R4.

Both take the ids of the people to export as a query (one person, or everyone whose consent to a
team stands), so a team export is the same code as a person's. The CSV is produced row by row
from a streamed query: a big team's export never sits in memory as a whole.

Only completed responses are exported: a questionnaire still being filled in is not yet a record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from webapp.domain.questionnaires import Catalogue, Item, Questionnaire
from webapp.models import Answer, Response, ResponseStatus
from webapp.services import fhir

CSV_COLUMNS = (
    "person_id", "questionnaire_id", "questionnaire_version", "response_id", "authored_at",
    "received_at", "link_id", "question", "value", "display",
)
# Rows fetched from the database at a time while streaming.
BATCH = 500
# What spreadsheet programs would run as a formula if a cell started with it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text as a spreadsheet shows it, never run as a formula (a leading ``'``, as OWASP advise)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def value_cells(item: Item | None, value: Any) -> tuple[str, str]:
    """(value, display) for one stored answer: the code, number or text as stored, and the
    option's words for choices. Several choices are joined with "; "."""
    if isinstance(value, list):
        codes = [str(code) for code in value]
        words = [_option_text(item, code) for code in codes]
        return "; ".join(codes), "; ".join(words)
    if isinstance(value, bool):
        return ("true" if value else "false"), ""
    if value is None:
        return "", ""
    if isinstance(value, (int, float)):
        return str(value), ""
    text = str(value)
    return text, _option_text(item, text)  # a choice's words (or a scale's "does not apply")


def _option_text(item: Item | None, code: str) -> str:
    option = item.option(code) if item is not None else None
    return option.text if option is not None else ""


def _timestamp(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


class _Definitions(dict):
    """Questionnaire definitions by (id, version), looked up once each."""

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__()
        self.catalogue = catalogue

    def __missing__(self, key: tuple[str, str]) -> Questionnaire | None:
        found = self.catalogue.get(*key)
        self[key] = found
        return found

    def get(self, key, default=None):  # dict.get skips __missing__
        found = self[key]
        return default if found is None else found


def _completed(person_ids: Select):
    return (Response.status == ResponseStatus.COMPLETED) & Response.person_id.in_(person_ids)


def csv_rows(session: Session, person_ids: Select, catalogue: Catalogue) -> Iterator[list[str]]:
    """The header, then one row per answer of the people's completed responses, streamed."""
    yield list(CSV_COLUMNS)
    definitions = _Definitions(catalogue)
    query = (
        select(
            Response.person_id, Response.questionnaire_id, Response.questionnaire_version, Response.uuid,
            Response.authored_at, Response.received_at, Answer.link_id, Answer.value,
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(_completed(person_ids))
        .order_by(Response.person_id, Response.authored_at, Response.id, Answer.id)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        questionnaire = definitions[(row.questionnaire_id, row.questionnaire_version)]
        item = questionnaire.item(row.link_id) if questionnaire is not None else None
        value, display = value_cells(item, row.value)
        yield [
            str(row.person_id), row.questionnaire_id, row.questionnaire_version, str(row.uuid),
            _timestamp(row.authored_at), _timestamp(row.received_at), row.link_id,
            safe_cell(item.text if item is not None else ""),
            safe_cell(value) if isinstance(row.value, str) else value,  # numbers stay numbers
            safe_cell(display),
        ]


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text, one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def fhir_bundle(session: Session, person_ids: Select, catalogue: Catalogue, base: str, *,
                timestamp: datetime | None = None) -> dict[str, Any]:
    """The people's completed responses and scores as one FHIR R4 collection Bundle."""
    responses = session.scalars(
        select(Response)
        .where(_completed(person_ids))
        .order_by(Response.person_id, Response.authored_at, Response.id)
        .options(selectinload(Response.answers), selectinload(Response.scores))
    )
    return fhir.bundle(base, responses, _Definitions(catalogue), timestamp=timestamp)


def fhir_json(session: Session, person_ids: Select, catalogue: Catalogue, base: str, *,
              timestamp: datetime | None = None) -> str:
    return json.dumps(fhir_bundle(session, person_ids, catalogue, base, timestamp=timestamp), ensure_ascii=False)
