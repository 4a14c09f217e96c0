"""A person's record as their coach reads it: who they are to the team, how their activation
has moved, their capability profile now against the first one, their goals and check-ins.

Built from stored results (``Response.result``), never by rescoring, so what staff see is what
the person saw. Signposts (help shown with the results) are worked out from the stored answers,
as the results page does. Nothing here is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.domain.capability import CapabilityProfile, DomainResult
from webapp.domain.questionnaires import Catalogue, Questionnaire, Signpost
from webapp.domain.results import stage_words
from webapp.domain.scoring import ScoreResult
from webapp.models import Consent, Goal, GoalStatus, Invite, Response, ResponseStatus, StaffMember, User
from webapp.services import goals as goal_service
from webapp.services import responses as response_service

CURRENT_GOAL_STATUSES = (GoalStatus.ACTIVE, GoalStatus.PAUSED, GoalStatus.THINKING)


@dataclass(frozen=True)
class Stage:
    """One activation stage: the stretch of the score it covers and its name."""

    level: int
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class ActivationResult:
    when: datetime
    score: float
    level: int | None
    level_label: str | None


@dataclass(frozen=True)
class DomainChange:
    """How free the person feels in one part of life: at the first assessment and now."""

    id: str
    label: str
    first: float | int | None
    now: float | int | None

    @property
    def change(self) -> float | None:
        if self.first is None or self.now is None:
            return None
        return self.now - self.first


@dataclass(frozen=True)
class FlaggedDomain:
    """A domain to talk about: a priority, or a barrier with the outside barriers named."""

    label: str
    classification: str
    barriers: list[str]


@dataclass(frozen=True)
class SignpostNote:
    """Help that was shown with one assessment's results (for example "If you do not feel safe")."""

    when: datetime
    signpost: Signpost


@dataclass
class ActivationHistory:
    label: str  # the headline scale's name
    results: list[ActivationResult]  # oldest first
    stages: list[Stage]
    minimum: float
    maximum: float

    @property
    def latest(self) -> ActivationResult | None:
        return self.results[-1] if self.results else None

    @property
    def first(self) -> ActivationResult | None:
        return self.results[0] if self.results else None

    @property
    def change(self) -> float | None:
        if len(self.results) < 2:
            return None
        return self.results[-1].score - self.results[0].score


@dataclass
class CapabilityComparison:
    first_at: datetime
    now_at: datetime
    domains: list[DomainChange]
    scale_min: float
    scale_max: float
    free_labels: dict[int, str]  # the answer words for each point of the "free" scale
    index_first: float | None
    index_now: float | None

    @property
    def repeated(self) -> bool:
        return self.first_at != self.now_at


@dataclass
class PersonRecord:
    person: User
    consent: Consent
    name: str
    coach: StaffMember | None
    activation: ActivationHistory | None
    capability: CapabilityComparison | None
    flagged: list[FlaggedDomain] = field(default_factory=list)
    what_matters: str | None = None
    activation_signposts: list[SignpostNote] = field(default_factory=list)  # newest first
    capability_signposts: list[SignpostNote] = field(default_factory=list)  # newest first
    current_goals: list[Goal] = field(default_factory=list)
    past_goals: list[Goal] = field(default_factory=list)

    @property
    def assessed(self) -> bool:
        return self.activation is not None or self.capability is not None


def person_name(session: Session, person: User, consent: Consent) -> str | None:
    """How the team knows the person: the label on the invite they accepted, else their own name."""
    if consent.invite_id is not None:
        invite = session.get(Invite, consent.invite_id)
        if invite is not None and invite.person_label:
            return invite.person_label
    return person.display_name


def _completed(session: Session, person: User, questionnaire_id: str) -> list[Response]:
    statement = (
        select(Response)
        .where(Response.person_id == person.id, Response.questionnaire_id == questionnaire_id,
               Response.status == ResponseStatus.COMPLETED, Response.result.is_not(None))
        # In the order they were filled in (as the caseload and reports count them): one done
        # offline may reach the server after a later one.
        .order_by(func.coalesce(Response.authored_at, Response.received_at, Response.started_at), Response.id)
    )
    return list(session.scalars(statement))


def _when(response: Response) -> datetime:
    return response.authored_at or response.received_at or response.started_at


def _has_signposts(catalogue: Catalogue, questionnaire_id: str) -> bool:
    return any(questionnaire.signposts for questionnaire in catalogue.versions(questionnaire_id))


def signpost_notes(session: Session, catalogue: Catalogue, questionnaire_id: str,
                   completed: list[Response]) -> list[SignpostNote]:
    """The signposts shown with each of these completed assessments, newest first, each read with
    the version the person answered. Their answers are read in one statement, as plain values: a
    long history has thousands."""
    answers_by_response = response_service.answers_of(session, [response.id for response in completed])
    notes = []
    for response in completed:
        questionnaire = catalogue.get(questionnaire_id, response.questionnaire_version)
        if questionnaire is None:
            continue
        answers = answers_by_response[response.id]
        notes.extend(SignpostNote(_when(response), signpost) for signpost in questionnaire.signposts_for(answers))
    return sorted(notes, key=lambda note: note.when, reverse=True)


def activation_history(session: Session, person: User, catalogue: Catalogue, questionnaire_id: str) -> ActivationHistory | None:
    """The headline activation score of every completed assessment, with the current stages."""
    questionnaire = catalogue.get(questionnaire_id)
    if questionnaire is None or questionnaire.scoring is None or questionnaire.scoring.headline is None:
        return None
    scale = questionnaire.scoring.scale(questionnaire.scoring.headline)
    if scale is None:
        return None
    minimum, maximum = scale.rescale if scale.rescale else (scale.raw_min or 0, scale.raw_max or 100)
    edges = [minimum, *scale.cut_points, maximum]
    words = stage_words(questionnaire.scoring)
    stages = [
        Stage(level, edges[level - 1], edges[level], words.get(level) or str(level))
        for level in range(1, len(edges))
    ] if scale.cut_points else []
    results = []
    for response in _completed(session, person, questionnaire_id):
        result = ScoreResult.from_dict(response.result)
        headline = result.scales.get(scale.id)
        if headline is None or headline.score is None:
            continue
        level_label = (headline.level_text or {}).get("label") if headline.level is not None else None
        results.append(ActivationResult(_when(response), headline.score, headline.level, level_label))
    return ActivationHistory(scale.label, results, stages, minimum, maximum)


def _profile(response: Response) -> CapabilityProfile | None:
    data = (response.result or {}).get("profile")
    return CapabilityProfile.from_dict(data) if data else None


def _profiles(completed: list[Response]) -> list[tuple[Response, CapabilityProfile]]:
    profiles = [(response, _profile(response)) for response in completed]
    return [(response, profile) for response, profile in profiles if profile is not None]


def _latest_what_matters(profiles: list[tuple[Response, CapabilityProfile]]) -> str | None:
    return next((profile.what_matters for _, profile in reversed(profiles) if profile.what_matters), None)


def latest_what_matters(session: Session, person: User, capability_id: str) -> str | None:
    """What the person last said matters to them, in their own words (a new care plan starts
    from it), without building their whole record."""
    return _latest_what_matters(_profiles(_completed(session, person, capability_id)))


def _free_labels(questionnaire: Questionnaire | None) -> dict[int, str]:
    """The words of the "free" answers (0 "Not at all" ... 4 "Completely"), from the first domain."""
    if questionnaire is None or questionnaire.scoring is None or questionnaire.scoring.profile is None:
        return {}
    domains = questionnaire.scoring.profile.domains
    item = questionnaire.item(domains[0].free) if domains else None
    if item is None:
        return {}
    return {option.value: option.text for option in item.options
            if option.value is not None and not option.not_applicable}


def _barrier_words(questionnaire: Questionnaire | None, domain: DomainResult) -> list[str]:
    codes = domain.outside_barriers
    if questionnaire is None or questionnaire.scoring is None or questionnaire.scoring.profile is None:
        return list(codes)
    definition = next((d for d in questionnaire.scoring.profile.domains if d.id == domain.id), None)
    item = questionnaire.item(definition.barriers) if definition and definition.barriers else None
    words = []
    for code in codes:
        option = item.option(code) if item is not None else None
        words.append(option.text if option is not None else code)
    return words


def person_record(
    session: Session,
    person: User,
    consent: Consent,
    catalogue: Catalogue,
    *,
    activation_id: str,
    capability_id: str,
) -> PersonRecord:
    activation = activation_history(session, person, catalogue, activation_id)
    if activation is not None and not activation.results:
        activation_with_results = None
    else:
        activation_with_results = activation

    capability = None
    flagged: list[FlaggedDomain] = []
    capability_done = _completed(session, person, capability_id)
    profiles = _profiles(capability_done)
    if profiles:
        (first_response, first), (latest_response, latest) = profiles[0], profiles[-1]
        questionnaire = catalogue.get(capability_id, latest_response.questionnaire_version) or catalogue.get(capability_id)
        first_by_id = {domain.id: domain for domain in first.domains}
        definition = questionnaire.scoring.profile if questionnaire and questionnaire.scoring else None
        capability = CapabilityComparison(
            first_at=_when(first_response),
            now_at=_when(latest_response),
            domains=[
                DomainChange(domain.id, domain.label,
                             first_by_id[domain.id].free if domain.id in first_by_id else None, domain.free)
                for domain in latest.domains
            ],
            scale_min=definition.scale_min if definition else 0,
            scale_max=definition.scale_max if definition else 4,
            free_labels=_free_labels(questionnaire),
            index_first=first.index,
            index_now=latest.index,
        )
        for classification in ("priority", "barrier"):
            for domain in latest.by_class(classification):
                flagged.append(FlaggedDomain(domain.label, classification,
                                             _barrier_words(questionnaire, domain) if classification == "barrier" else []))

    goals = goal_service.goals_of(session, person)
    return PersonRecord(
        person=person,
        consent=consent,
        name=person_name(session, person, consent),
        coach=consent.coach,
        activation=activation_with_results,
        capability=capability,
        flagged=flagged,
        what_matters=_latest_what_matters(profiles),
        activation_signposts=signpost_notes(
            session, catalogue, activation_id, _completed(session, person, activation_id),
        ) if _has_signposts(catalogue, activation_id) else [],
        capability_signposts=signpost_notes(
            session, catalogue, capability_id, capability_done,
        ) if _has_signposts(catalogue, capability_id) else [],
        current_goals=[goal for goal in goals if goal.status in CURRENT_GOAL_STATUSES],
        past_goals=[goal for goal in goals if goal.status not in CURRENT_GOAL_STATUSES],
    )
