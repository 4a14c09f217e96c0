"""Setting goals, rating them, shaping them to the person's confidence, and checking in.

Confidence decides the next move (Brief Action Planning): 7-10 commit and choose a check-in date;
4-6 make it smaller or name what is in the way, then rate again; 0-3 "not yet": keep it as
"thinking about it" and offer a first step from the tier below.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.domain import goals as coaching
from webapp.domain.goals import GoalIdea, GoalLibrary, PastGoal, PersonPicture
from webapp.domain.scoring import ScoreResult
from webapp.models import (
    CheckIn,
    CheckInOutcome,
    Goal,
    GoalKind,
    GoalRating,
    GoalStatus,
    NextStep,
    Response,
    ResponseStatus,
    User,
)

OPEN_STATUSES = (GoalStatus.THINKING, GoalStatus.ACTIVE, GoalStatus.PAUSED)
PAST_STATUS = {
    GoalStatus.THINKING: "thinking",
    GoalStatus.ACTIVE: "active",
    GoalStatus.PAUSED: "paused",
    GoalStatus.ACHIEVED: "achieved",
    GoalStatus.STOPPED: "abandoned",
}


class GoalClosed(Exception):
    """The goal is finished or stopped; it cannot be changed any more."""


class InvalidCheckInDate(Exception):
    """A check-in date must be today or later."""


class CheckInConflict(Exception):
    """The check-in's UUID already holds a different check-in (or one on another goal)."""


@dataclass(frozen=True)
class PlanFields:
    what: str
    how_much: str | None
    when: str | None
    how_often: str | None
    starts_on: date | None


def get_goal(session: Session, goal_uuid: uuid_module.UUID) -> Goal | None:
    return session.scalar(
        select(Goal)
        .where(Goal.uuid == goal_uuid)
        .options(selectinload(Goal.ratings), selectinload(Goal.check_ins))
    )


def goals_of(session: Session, person: User) -> list[Goal]:
    """Every goal but drafts, newest first."""
    return list(session.scalars(
        select(Goal)
        .where(Goal.person_id == person.id, Goal.status != GoalStatus.DRAFT)
        .options(selectinload(Goal.check_ins))
        .order_by(Goal.created_at.desc(), Goal.id.desc())
    ))


def active_goals(session: Session, person: User) -> list[Goal]:
    return [goal for goal in goals_of(session, person) if goal.status == GoalStatus.ACTIVE]


def _latest_completed(session: Session, person: User, questionnaire_id: str) -> Response | None:
    return session.scalar(
        select(Response)
        .where(
            Response.person_id == person.id,
            Response.questionnaire_id == questionnaire_id,
            Response.status == ResponseStatus.COMPLETED,
        )
        .order_by(Response.received_at.desc())
        .limit(1)
    )


def person_picture(
    session: Session, person: User, activation_id: str, capability_id: str, own_words: str | None = None
) -> PersonPicture:
    """What the suggestion engine knows about a person: their latest results, goal history, and
    what matters to them: in the capability questionnaire and in what they just said they would
    like to work on."""
    stage = None
    block_scores: dict[str, float | None] = {}
    activation = _latest_completed(session, person, activation_id)
    if activation is not None and activation.result:
        result = ScoreResult.from_dict(activation.result)
        for scale in result.scales.values():
            if scale.id == result.headline:
                stage = scale.level
            else:
                block_scores[scale.id] = scale.score
    domains: tuple = ()
    what_matters = None
    capability = _latest_completed(session, person, capability_id)
    if capability is not None and capability.result:
        profile = ScoreResult.from_dict(capability.result).profile
        if profile is not None:
            domains = coaching.picture_domains_from_profile(profile)
            what_matters = profile.what_matters
    past = tuple(
        PastGoal(idea_id=goal.idea_id, status=PAST_STATUS[goal.status], domain=goal.domain)
        for goal in goals_of(session, person)
    )
    return PersonPicture(
        stage=stage,
        block_scores=block_scores,
        domains=domains,
        what_matters=" ".join(text for text in (own_words, what_matters) if text) or None,
        past_goals=past,
    )


def start_goal(session: Session, person: User, own_words: str, source: Response | None = None) -> Goal:
    """A draft goal holding what the person said they would like to work on."""
    goal = Goal(person=person, own_words=own_words, status=GoalStatus.DRAFT,
                source_response_id=source.id if source is not None else None)
    session.add(goal)
    session.flush()
    return goal


def choose_idea(
    session: Session, goal: Goal, idea: GoalIdea | None, library: GoalLibrary | None, domain: str | None
) -> None:
    """Start the plan from a library idea, or from the person's own words when ``idea`` is None."""
    _require_open(goal)
    goal.idea_id = idea.id if idea else None
    goal.idea_library = idea.library if idea else None
    goal.idea_version = idea.version if idea else None
    goal.kind = GoalKind(idea.kind) if idea else GoalKind.BEHAVIOUR
    goal.tier = idea.tier if idea else None
    goal.domain = domain or (idea.domains[0] if idea and idea.domains else None)
    plan = idea.plan if idea else None
    goal.what = (plan.what if plan and plan.what else (idea.text if idea else goal.own_words))
    goal.how_much = plan.how_much if plan else None
    goal.when = plan.when if plan else None
    goal.how_often = plan.how_often if plan else None
    session.flush()


def save_plan(session: Session, goal: Goal, plan: PlanFields) -> None:
    _require_open(goal)
    goal.what = plan.what
    goal.how_much = plan.how_much
    goal.when = plan.when
    goal.how_often = plan.how_often
    goal.starts_on = plan.starts_on
    session.flush()


def rate(session: Session, goal: Goal, importance: int, confidence: int) -> str:
    """Record the rulers; returns the next move: "commit", "shrink" or "not_yet"."""
    _require_open(goal)
    move = coaching.confidence_next_move(confidence)
    coaching.confidence_next_move(importance)  # same 0-10 check
    goal.importance = importance
    goal.confidence = confidence
    goal.ratings.append(GoalRating(importance=importance, confidence=confidence, what=goal.what))
    session.flush()
    return move


def note_what_is_in_the_way(session: Session, goal: Goal, in_the_way: str) -> None:
    _require_open(goal)
    goal.in_the_way = in_the_way
    session.flush()


def make_smaller(session: Session, goal: Goal, smaller: GoalIdea) -> None:
    """Swap the plan for the idea's smaller variant, keeping the goal and its ratings."""
    _require_open(goal)
    choose_idea(session, goal, smaller, None, goal.domain)


def commit(session: Session, goal: Goal, check_in_on: date, today: date) -> None:
    _require_open(goal)
    if check_in_on < today:
        raise InvalidCheckInDate
    goal.check_in_on = check_in_on
    goal.status = GoalStatus.ACTIVE
    if goal.starts_on is None:
        goal.starts_on = today
    session.flush()


def keep_thinking(session: Session, goal: Goal) -> None:
    """Confidence 0-3: "not yet". The goal is kept as something the person is thinking about."""
    _require_open(goal)
    goal.status = GoalStatus.THINKING
    session.flush()


ALLOWED_CHANGES = {
    GoalStatus.PAUSED: (GoalStatus.ACTIVE,),
    GoalStatus.ACTIVE: (GoalStatus.PAUSED,),
    GoalStatus.ACHIEVED: (GoalStatus.ACTIVE, GoalStatus.PAUSED),
    GoalStatus.STOPPED: (GoalStatus.THINKING, GoalStatus.ACTIVE, GoalStatus.PAUSED),
}


def set_status(session: Session, goal: Goal, status: GoalStatus) -> None:
    """Pause, resume, mark achieved or stop a goal, where that makes sense from where it is."""
    if goal.status not in ALLOWED_CHANGES.get(status, ()):
        raise GoalClosed
    goal.status = status
    if status in (GoalStatus.ACHIEVED, GoalStatus.STOPPED):
        goal.check_in_on = None
    session.flush()


def follow_on_goal(session: Session, previous: Goal, idea: GoalIdea | None) -> Goal:
    """A new draft goal that grew from ``previous``: from a variant of its idea (bigger, smaller,
    a first step), or, with ``idea`` None, from its plan for the person to reshape."""
    goal = Goal(
        person_id=previous.person_id,
        own_words=previous.own_words,
        status=GoalStatus.DRAFT,
        previous_goal_id=previous.id,
        source_response_id=previous.source_response_id,
        kind=previous.kind,
        tier=previous.tier,
        domain=previous.domain,
        what=previous.what,
        how_much=previous.how_much,
        when=previous.when,
        how_often=previous.how_often,
    )
    session.add(goal)
    session.flush()
    if idea is not None:
        choose_idea(session, goal, idea, None, previous.domain)
    return goal


def goal_history(session: Session, goal: Goal) -> list[Goal]:
    """The goals this one grew from (made smaller, bigger, or a first step), oldest first."""
    chain: list[Goal] = []
    seen = {goal.id}
    previous_id = goal.previous_goal_id
    while previous_id is not None and previous_id not in seen:
        previous = session.get(Goal, previous_id)
        if previous is None or previous.person_id != goal.person_id:
            break
        chain.append(previous)
        seen.add(previous.id)
        previous_id = previous.previous_goal_id
    return list(reversed(chain))


def record_check_in(
    session: Session,
    goal: Goal,
    *,
    outcome: CheckInOutcome,
    helped: str | None,
    got_in_the_way: str | None,
    confidence: int,
    next_step: NextStep,
    next_check_in_on: date | None,
    today: date,
    check_in_uuid: uuid_module.UUID | None = None,
    authored_at: datetime | None = None,
) -> CheckIn:
    """Store how it went. "keep" needs the next check-in date; "stop" stops the goal."""
    if goal.status not in (GoalStatus.ACTIVE, GoalStatus.PAUSED):
        raise GoalClosed
    coaching.confidence_next_move(confidence)
    if next_step == NextStep.KEEP:
        if next_check_in_on is None or next_check_in_on < today:
            raise InvalidCheckInDate
    check_in = CheckIn(
        uuid=check_in_uuid or uuid_module.uuid4(),
        outcome=outcome,
        helped=helped,
        got_in_the_way=got_in_the_way,
        confidence=confidence,
        next_step=next_step,
        authored_at=authored_at or utcnow(),
    )
    goal.check_ins.append(check_in)
    goal.confidence = confidence
    if next_step == NextStep.KEEP:
        goal.check_in_on = next_check_in_on
        goal.status = GoalStatus.ACTIVE
    elif next_step == NextStep.STOP:
        goal.status = GoalStatus.STOPPED
        goal.check_in_on = None
    else:  # bigger or smaller: this goal is done with; the person shapes the next one
        goal.status = GoalStatus.ACHIEVED if next_step == NextStep.BIGGER else GoalStatus.STOPPED
        goal.check_in_on = None
    session.flush()
    return check_in


@dataclass(frozen=True)
class CheckInFields:
    """How it went, as a person gave it (text already tidied, empty text as None)."""

    outcome: CheckInOutcome
    helped: str | None
    got_in_the_way: str | None
    confidence: int
    next_step: NextStep
    next_check_in_on: date | None


def get_check_in(session: Session, check_in_uuid: uuid_module.UUID) -> CheckIn | None:
    return session.scalar(select(CheckIn).where(CheckIn.uuid == check_in_uuid))


def check_in(
    session: Session,
    goal: Goal,
    fields: CheckInFields,
    *,
    today: date,
    library: GoalLibrary,
    check_in_uuid: uuid_module.UUID | None = None,
    authored_at: datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Store a check-in once under its UUID, as the web form and a phone's outbox send it.

    Returns the check-in and whether this call stored it. The same check-in sent again under its
    UUID is returned as it was stored (nothing changes); a different one under a used UUID raises
    ``CheckInConflict``. A new one may raise ``GoalClosed`` or ``InvalidCheckInDate``. "Bigger" and
    "smaller" also start the next goal as a draft for the person to shape (see ``follow_on_of``).
    """
    if check_in_uuid is not None:
        existing = get_check_in(session, check_in_uuid)
        if existing is not None:
            return _same_check_in(existing, goal, fields), False
    try:
        stored = record_check_in(
            session, goal, outcome=fields.outcome, helped=fields.helped, got_in_the_way=fields.got_in_the_way,
            confidence=fields.confidence, next_step=fields.next_step, next_check_in_on=fields.next_check_in_on,
            today=today, check_in_uuid=check_in_uuid, authored_at=authored_at)
    except IntegrityError:
        # The same UUID arrived twice at once; the other request stored it first.
        goal_uuid = goal.uuid
        session.rollback()
        existing = get_check_in(session, check_in_uuid) if check_in_uuid is not None else None
        if existing is None:
            raise
        return _same_check_in(existing, get_goal(session, goal_uuid) or goal, fields), False
    if fields.next_step in (NextStep.BIGGER, NextStep.SMALLER):
        idea = idea_of(goal, library)
        if fields.next_step == NextStep.BIGGER:
            variant = library.bigger_of(idea) if idea else None
        else:
            variant = (library.smaller_of(idea) if idea else None) or coaching.preparatory_step(
                library, idea, goal.domain, goal.tier or 1)
        follow_on_goal(session, goal, variant)
    return stored, True


def _same_check_in(existing: CheckIn, goal: Goal, fields: CheckInFields) -> CheckIn:
    if (
        existing.goal_id == goal.id
        and existing.outcome == fields.outcome
        and existing.helped == fields.helped
        and existing.got_in_the_way == fields.got_in_the_way
        and existing.confidence == fields.confidence
        and existing.next_step == fields.next_step
    ):
        return existing
    raise CheckInConflict


def follow_on_of(session: Session, goal: Goal) -> Goal | None:
    """The newest goal that grew from this one (after "bigger" or "smaller" at a check-in)."""
    return session.scalar(
        select(Goal).where(Goal.previous_goal_id == goal.id, Goal.person_id == goal.person_id)
        .order_by(Goal.id.desc()).limit(1)
    )


def after_check_in(session: Session, goal: Goal, stored: CheckIn) -> Goal:
    """Where the person goes after this check-in: the next goal to shape, or this goal."""
    if stored.next_step in (NextStep.BIGGER, NextStep.SMALLER):
        return follow_on_of(session, goal) or goal
    return goal


def progression_offer(goal: Goal) -> str | None:
    """After check-ins: "bigger" after two good ones with high confidence, "smaller" after two hard."""
    views = [coaching.CheckInView(outcome=c.outcome.value, confidence=c.confidence) for c in goal.check_ins]
    return coaching.progression_offer(views)


def idea_of(goal: Goal, library: GoalLibrary) -> GoalIdea | None:
    return library.get(goal.idea_id) if goal.idea_id else None


def _require_open(goal: Goal) -> None:
    if goal.status not in (GoalStatus.DRAFT, GoalStatus.THINKING, GoalStatus.ACTIVE, GoalStatus.PAUSED):
        raise GoalClosed


def as_mapping(goal: Goal) -> Mapping[str, object]:
    """The plan as the form shows it."""
    return {
        "what": goal.what or "",
        "how_much": goal.how_much or "",
        "when": goal.when or "",
        "how_often": goal.how_often or "",
        "starts_on": goal.starts_on.isoformat() if goal.starts_on else "",
    }
