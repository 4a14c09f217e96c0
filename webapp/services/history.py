"""What a person has done and what is due next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.questionnaires import Catalogue, Questionnaire
from webapp.domain.results import Headline, headline
from webapp.domain.scoring import ScoreResult
from webapp.models import Response, ResponseStatus, User


@dataclass
class DueQuestionnaire:
    questionnaire: Questionnaire
    draft: Response | None
    draft_answered: int
    last_completed: Response | None
    due_on: datetime | None  # None: due now

    @property
    def due_now(self) -> bool:
        return self.due_on is None


@dataclass
class HistoryEntry:
    response: Response
    questionnaire: Questionnaire | None  # None if that version's file was removed
    result: ScoreResult
    headline: Headline | None
    change: float | None  # headline change since the person's first result for this questionnaire


@dataclass
class QuestionnaireHistory:
    questionnaire_id: str
    title: str
    entries: list[HistoryEntry]  # newest first

    @property
    def first(self) -> HistoryEntry:
        return self.entries[-1]

    @property
    def latest(self) -> HistoryEntry:
        return self.entries[0]


def due_for(
    session: Session, person: User, catalogue: Catalogue, reassess_after: timedelta, now: datetime
) -> list[DueQuestionnaire]:
    """Every current questionnaire with this person's draft, last result and due date."""
    responses = session.scalars(
        select(Response)
        .where(Response.person_id == person.id)
        .order_by(Response.updated_at)
    ).all()
    drafts: dict[str, Response] = {}
    last: dict[str, Response] = {}
    for response in responses:
        if response.status == ResponseStatus.IN_PROGRESS:
            drafts[response.questionnaire_id] = response
        else:
            previous = last.get(response.questionnaire_id)
            if previous is None or response.received_at > previous.received_at:
                last[response.questionnaire_id] = response
    due = []
    for questionnaire in catalogue.latest():
        draft = drafts.get(questionnaire.id)
        completed = last.get(questionnaire.id)
        due_on = None
        if completed is not None and draft is None:
            next_time = completed.received_at + reassess_after
            due_on = next_time if next_time > now else None
        due.append(
            DueQuestionnaire(
                questionnaire=questionnaire,
                draft=draft,
                draft_answered=len(draft.answers) if draft is not None else 0,
                last_completed=completed,
                due_on=due_on,
            )
        )
    return due


def history_for(session: Session, person: User, catalogue: Catalogue) -> list[QuestionnaireHistory]:
    """Completed results grouped by questionnaire, each with its change since the first."""
    responses = session.scalars(
        select(Response)
        .where(Response.person_id == person.id, Response.status == ResponseStatus.COMPLETED)
        .order_by(Response.received_at)
    ).all()
    grouped: dict[str, list[HistoryEntry]] = {}
    for response in responses:
        result = ScoreResult.from_dict(response.result)
        questionnaire = catalogue.get(response.questionnaire_id, response.questionnaire_version)
        entries = grouped.setdefault(response.questionnaire_id, [])
        this = headline(result, questionnaire.scoring if questionnaire else None)
        first = entries[0].headline if entries else None
        change = None
        if entries and this and first and this.value is not None and first.value is not None and this.key == first.key:
            change = this.value - first.value
        entries.append(HistoryEntry(response, questionnaire, result, this, change))
    histories = []
    for questionnaire_id, entries in grouped.items():
        current = catalogue.get(questionnaire_id)
        title = current.title if current else (entries[-1].questionnaire.title if entries[-1].questionnaire else questionnaire_id)
        histories.append(QuestionnaireHistory(questionnaire_id, title, list(reversed(entries))))
    return histories
