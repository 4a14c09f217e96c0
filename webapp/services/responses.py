"""Starting, answering, completing and receiving questionnaire responses.

A response is identified by a UUID made by the client. Completing is idempotent: sending the same
UUID with the same answers again returns the original receipt; different answers under a UUID
that is already complete are refused and change nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from webapp.db import utcnow
from webapp.domain.questionnaires import AnswerError, Item, Page, Questionnaire
from webapp.domain.results import headline
from webapp.domain.scoring import ScoreResult
from webapp.models import Answer, Response, ResponseStatus, Score, User

# A device clock a little ahead of the server's is normal; one far ahead is not believable.
CLOCK_SKEW_ALLOWED = timedelta(minutes=10)


class ResponseConflict(Exception):
    """The UUID is already used by a different response (other answers, questionnaire or person)."""


class ResponseClosed(Exception):
    """The response is complete; its answers can no longer change."""


class IncompleteResponse(Exception):
    """Required questions are unanswered."""

    def __init__(self, missing: list[Item]):
        super().__init__(f"{len(missing)} required question(s) unanswered")
        self.missing = missing


class InvalidAuthoredTime(Exception):
    """The device's completion time is in the future."""


def answers_digest(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str:
    """A fingerprint of exactly what was answered, to tell a resend from a changed response."""
    canonical = json.dumps(
        {"questionnaire": questionnaire.id, "version": questionnaire.version, "answers": answers},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def get_response(session: Session, response_uuid: uuid_module.UUID) -> Response | None:
    # The answers come in the same statement (a join, not a second query): every answer step
    # loads its response, and on PostgreSQL each statement is a round trip to the database.
    return session.execute(
        select(Response)
        .where(Response.uuid == response_uuid)
        .options(joinedload(Response.answers))
    ).unique().scalar_one_or_none()


def find_draft(session: Session, person: User, questionnaire_id: str) -> Response | None:
    return session.scalar(
        select(Response)
        .where(
            Response.person_id == person.id,
            Response.questionnaire_id == questionnaire_id,
            Response.status == ResponseStatus.IN_PROGRESS,
        )
        .order_by(Response.updated_at.desc())
        .limit(1)
    )


def start_response(
    session: Session,
    person: User,
    questionnaire: Questionnaire,
    response_uuid: uuid_module.UUID | None = None,
) -> Response:
    """Resume this person's draft of the questionnaire, or start one under ``response_uuid``."""
    if response_uuid is not None:
        existing = get_response(session, response_uuid)
        if existing is not None:
            if existing.person_id != person.id or existing.questionnaire_id != questionnaire.id:
                raise ResponseConflict
            return existing
    draft = find_draft(session, person, questionnaire.id)
    if draft is not None:
        return draft
    response = Response(
        uuid=response_uuid or uuid_module.uuid4(),
        person=person,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        status=ResponseStatus.IN_PROGRESS,
    )
    session.add(response)
    session.flush()
    return response


def _add_unless_stored_meanwhile(session: Session, response: Response) -> Response | None:
    """Add a new response. None when it is added; otherwise the response another request stored
    under the same UUID a moment before (a resend, or the device saving the draft it finishes),
    to be judged as stored, with this one rolled back."""
    response_uuid = response.uuid
    session.add(response)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = get_response(session, response_uuid)
        if existing is None:
            raise
        return existing
    return None


# --- Answering one screen at a time ----------------------------------------------------------
#
# Answer steps are most of the traffic. A step needs only a response's identity and its answers,
# so it reads them as plain values in one statement and writes with two Core statements, without
# building ORM objects for the response and every answer (which took a third of a step's time).

_responses = Response.__table__
_answers = Answer.__table__


@dataclass
class AnswerSheet:
    """A response as the question screens see it: who it belongs to, which questionnaire version
    it answers, whether it is complete, and its answers by linkId."""

    id: int
    uuid: uuid_module.UUID
    person_id: int
    questionnaire_id: str
    questionnaire_version: str
    status: ResponseStatus
    answers: dict[str, Any]

    @property
    def completed(self) -> bool:
        return self.status == ResponseStatus.COMPLETED

    def answer_map(self) -> dict[str, Any]:
        return dict(self.answers)


def load_answer_sheet(session: Session, response_uuid: uuid_module.UUID) -> AnswerSheet | None:
    """The response with this UUID and its answers, in one statement; None if there is none."""
    rows = session.execute(
        select(_responses.c.id, _responses.c.person_id, _responses.c.questionnaire_id,
               _responses.c.questionnaire_version, _responses.c.status, _answers.c.link_id, _answers.c.value)
        .select_from(_responses.outerjoin(_answers, _answers.c.response_id == _responses.c.id))
        .where(_responses.c.uuid == response_uuid)
        .order_by(_answers.c.id)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return AnswerSheet(
        id=first.id, uuid=response_uuid, person_id=first.person_id, questionnaire_id=first.questionnaire_id,
        questionnaire_version=first.questionnaire_version, status=first.status,
        answers={row.link_id: row.value for row in rows if row.link_id is not None},
    )


def answers_of(session: Session, response_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The answers of these responses by linkId, per response id, read as plain values in one
    statement (for showing what a set of assessments led to, without an ORM object an answer)."""
    by_response: dict[int, dict[str, Any]] = {response_id: {} for response_id in response_ids}
    if response_ids:
        rows = session.execute(
            select(_answers.c.response_id, _answers.c.link_id, _answers.c.value)
            .where(_answers.c.response_id.in_(response_ids))
        )
        for response_id, link_id, value in rows:
            by_response[response_id][link_id] = value
    return by_response


@cache
def _insert_or_replace_answers(dialect: str):
    """An INSERT of answers that replaces the value of an answer already stored for the same
    question (SQLite and PostgreSQL both say ON CONFLICT ... DO UPDATE). Built once per dialect:
    building it is a tenth of a step."""
    statement = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](_answers)
    return statement.on_conflict_do_update(
        index_elements=[_answers.c.response_id, _answers.c.link_id],
        set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at},
    )


def save_page_answers(
    session: Session,
    sheet: AnswerSheet,
    page: Page,
    values: Mapping[str, Any],
) -> None:
    """Store the answers given on one screen; a question left empty loses its old answer.

    Raises ``ResponseClosed``, writing nothing, if the response is complete by now (another tab
    or device may have sent it since it was read). ``sheet.answers`` becomes what is stored.
    """
    now = utcnow()
    # Stamping the response first also checks it is still open, in the same statement, and on
    # PostgreSQL holds its row until the commit, so two saves to one response take turns.
    still_open = session.execute(
        update(_responses)
        .where(_responses.c.id == sheet.id, _responses.c.status == ResponseStatus.IN_PROGRESS)
        .values(updated_at=now)
    ).rowcount
    if not still_open:
        raise ResponseClosed
    cleared, given = [], []
    for question in page.questions:
        link_id = question.link_id
        value = values.get(link_id)
        if value is None:
            if link_id in sheet.answers:
                cleared.append(link_id)
        elif link_id not in sheet.answers or sheet.answers[link_id] != value:
            given.append({"response_id": sheet.id, "link_id": link_id, "value": value, "answered_at": now})
    if cleared:
        session.execute(delete(_answers).where(_answers.c.response_id == sheet.id, _answers.c.link_id.in_(cleared)))
    if given:
        session.execute(_insert_or_replace_answers(session.get_bind().dialect.name), given)
    for link_id in cleared:
        del sheet.answers[link_id]
    sheet.answers.update((row["link_id"], row["value"]) for row in given)


def complete_response(
    session: Session,
    response: Response,
    questionnaire: Questionnaire,
    authored_at: datetime | None = None,
) -> Response:
    """Score and close a draft. Completing a completed response changes nothing."""
    if response.completed:
        return response
    answers = questionnaire.clean_answers(response.answer_map())
    missing = questionnaire.missing_required(answers)
    if missing:
        raise IncompleteResponse(missing)
    for answer in list(response.answers):
        if answer.link_id not in answers:  # answers to questions that no longer apply
            response.answers.remove(answer)
    _close(response, questionnaire, answers, authored_at)
    session.flush()
    return response


def receive_response(
    session: Session,
    person: User,
    questionnaire: Questionnaire,
    response_uuid: uuid_module.UUID,
    raw_answers: Mapping[str, Any],
    authored_at: datetime | None = None,
) -> tuple[Response, bool]:
    """Accept a whole completed response sent at once (the outbox of an offline device).

    Returns the stored response and whether this call created it. Raises ``AnswerError`` for an
    answer that does not fit its question, ``IncompleteResponse``, ``InvalidAuthoredTime`` or
    ``ResponseConflict``; in every case nothing is written.
    """
    if authored_at is not None and authored_at > utcnow() + CLOCK_SKEW_ALLOWED:
        raise InvalidAuthoredTime
    answers = _checked_answers(questionnaire, raw_answers)
    missing = questionnaire.missing_required(answers)
    if missing:
        raise IncompleteResponse(missing)
    digest = answers_digest(questionnaire, answers)

    existing = get_response(session, response_uuid)
    if existing is None:
        response = Response(
            uuid=response_uuid,
            person=person,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
        )
        _replace_answers(response, answers)
        _close(response, questionnaire, answers, authored_at)
        existing = _add_unless_stored_meanwhile(session, response)
        if existing is None:
            return response, True

    if existing.completed:
        return _compare_resend(existing, person, questionnaire, digest), False
    # A draft saved from this device while online, now sent complete: finish it.
    if (
        existing.person_id != person.id
        or existing.questionnaire_id != questionnaire.id
        or existing.questionnaire_version != questionnaire.version
    ):
        raise ResponseConflict
    _replace_answers(existing, answers)
    _close(existing, questionnaire, answers, authored_at)
    session.flush()
    return existing, True


def _replace_answers(response: Response, values: Mapping[str, Any]) -> None:
    """Make the stored answers match ``values`` (a whole response: a draft or a sent one).

    Rows are updated in place (never deleted and re-inserted), so the unique (response, linkId)
    constraint holds at every step of the flush.
    """
    stored = {answer.link_id: answer for answer in response.answers}
    for link_id in [*stored, *(k for k in values if k not in stored)]:
        value = values.get(link_id)
        answer = stored.get(link_id)
        if value is None:
            if answer is not None:
                response.answers.remove(answer)
        elif answer is None:
            response.answers.append(Answer(link_id=link_id, value=value))
        elif answer.value != value:
            answer.value = value


def _compare_resend(existing: Response, person: User, questionnaire: Questionnaire, digest: str) -> Response:
    if existing.person_id == person.id and existing.answers_digest == digest:
        return existing
    raise ResponseConflict


def _checked_answers(questionnaire: Questionnaire, raw_answers: Mapping[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for link_id, value in raw_answers.items():
        item = questionnaire.item(link_id) if isinstance(link_id, str) else None
        if item is None or not item.answerable:
            raise AnswerError("unknown_item", str(link_id))
        if value is None:
            continue
        checked[link_id] = questionnaire.check_answer_value(item, value)
    return questionnaire.clean_answers(checked)


def _close(
    response: Response,
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    authored_at: datetime | None,
) -> None:
    result = questionnaire.score(answers)
    now = utcnow()
    response.status = ResponseStatus.COMPLETED
    response.received_at = now
    response.authored_at = authored_at or now
    response.answers_digest = answers_digest(questionnaire, answers)
    response.scoring_version = result.scoring_version
    response.result = result.to_dict()
    response.scores = list(_score_rows(result))
    summary = headline(result, questionnaire.scoring)
    response.headline_score = summary.value if summary is not None else None
    response.headline_level = summary.level if summary is not None else None
    response.updated_at = now


def _score_rows(result: ScoreResult):
    for scale in result.scales.values():
        yield Score(
            scale_id=scale.id,
            value=scale.score,
            level=scale.level,
            band=scale.band.code if scale.band else None,
        )
    if result.profile is not None:
        yield Score(scale_id="capability-index", value=result.profile.index)
        for domain in result.profile.domains:
            yield Score(scale_id=f"domain:{domain.id}", band=domain.classification)


# --- Drafts saved from a device (PUT /api/drafts/<uuid>) -----------------------------------------


class ResponseNotFound(Exception):
    """The UUID belongs to someone else's response: for this person it does not exist."""


class DraftOutdated(Exception):
    """The server holds answers to this draft saved later than the ones sent (newest wins)."""

    def __init__(self, response: Response):
        super().__init__("a newer save of this draft is stored")
        self.response = response


def _is_unanswered(value: Any) -> bool:
    return value is None or value == "" or value == []


def checked_draft_answers(questionnaire: Questionnaire, raw_answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of a draft, checked like a finished response's (every key a question of this
    version, every value one it can take) but with gaps allowed: an empty value is no answer.
    Raises ``AnswerError`` for the first answer that does not fit."""
    checked: dict[str, Any] = {}
    for link_id, value in raw_answers.items():
        item = questionnaire.item(link_id) if isinstance(link_id, str) else None
        if item is None or not item.answerable:
            raise AnswerError("unknown_item", str(link_id))
        if _is_unanswered(value):
            continue
        normalised = questionnaire.check_answer_value(item, value)
        if normalised is not None:
            checked[link_id] = normalised
    return questionnaire.clean_answers(checked)


def save_draft(
    session: Session,
    person: User,
    questionnaire: Questionnaire,
    response_uuid: uuid_module.UUID,
    raw_answers: Mapping[str, Any],
    saved_at: datetime,
) -> tuple[Response, str]:
    """Store every answer of a draft kept on a device, without completing it.

    The answers sent replace the draft's answers (a question left out loses its old answer).
    ``saved_at`` is when the device last saved them; it becomes the draft's ``updated_at`` (never
    later than now), and the newest save wins: answers saved before the stored ``updated_at``
    (by the online screens or another device) raise ``DraftOutdated`` and change nothing.

    Returns the draft and what happened: ``"created"``, ``"updated"`` or ``"unchanged"`` (the same
    answers saved at the same time again). Raises ``AnswerError``, ``ResponseNotFound`` (someone
    else's UUID), ``ResponseClosed`` (already completed), ``ResponseConflict`` (another
    questionnaire or version under this UUID) or ``DraftOutdated``; in every case nothing is written.
    """
    answers = checked_draft_answers(questionnaire, raw_answers)
    saved_at = min(saved_at, utcnow())
    existing = get_response(session, response_uuid)
    if existing is None:
        response = Response(
            uuid=response_uuid,
            person=person,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            status=ResponseStatus.IN_PROGRESS,
            updated_at=saved_at,
        )
        _replace_answers(response, answers)
        existing = _add_unless_stored_meanwhile(session, response)
        if existing is None:
            return response, "created"

    if existing.person_id != person.id:
        raise ResponseNotFound
    if existing.completed:
        raise ResponseClosed
    if existing.questionnaire_id != questionnaire.id or existing.questionnaire_version != questionnaire.version:
        raise ResponseConflict
    same_answers = existing.answer_map() == answers
    if saved_at < existing.updated_at or (saved_at == existing.updated_at and not same_answers):
        raise DraftOutdated(existing)
    if saved_at == existing.updated_at:
        return existing, "unchanged"
    _replace_answers(existing, answers)
    existing.updated_at = saved_at
    session.flush()
    return existing, "unchanged" if same_answers else "updated"


def latest_draft(session: Session, person: User, questionnaire_id: str) -> Response | None:
    """This person's most recently saved draft of the questionnaire (any version), with answers."""
    draft = find_draft(session, person, questionnaire_id)
    return get_response(session, draft.uuid) if draft is not None else None
