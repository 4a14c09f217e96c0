"""A team's caseload: everyone whose consent to the team stands, with the figures a coach scans.

``load_caseload`` reads the whole team's caseload in seven queries however many people it holds:
the consents, then one aggregate query per figure (window functions or GROUP BY, one row per
person), each limited to the team's consenting people by a subquery, never a list of ids.
Nothing here runs a query per person. The rest is plain Python with no database or Flask:
the flags, reading the page's query string, filtering, sorting and paging.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from webapp.domain.questionnaires import Catalogue
from webapp.domain.results import stage_words
from webapp.models import (
    CheckIn,
    Consent,
    Goal,
    GoalRating,
    GoalStatus,
    Invite,
    Response,
    ResponseStatus,
    StaffMember,
    User,
)

PAGE_SIZE = 25
#: A check-in confidence below this (on the 0-10 ruler) is flagged.
LOW_CONFIDENCE_BELOW = 7
#: The longest name search accepted.
SEARCH_MAX_LENGTH = 100

# Flags, in the order they are shown.
STAGE_DROPPED = "stage_dropped"
REASSESS_DUE = "reassess_due"
LOW_CONFIDENCE = "low_confidence"
INACTIVE = "inactive"
FLAGS = (STAGE_DROPPED, REASSESS_DUE, LOW_CONFIDENCE, INACTIVE)
ANY_FLAG = "any"

SCOPE_MINE = "mine"
SCOPE_TEAM = "team"
SCOPES = (SCOPE_MINE, SCOPE_TEAM)

SORTS = ("name", "stage", "change", "capability", "activity", "flags")
DEFAULT_SORT = "name"


# --- What a row holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """One activation assessment's headline score and stage."""

    at: datetime
    score: float
    level: int | None
    stage: str | None  # the stage's words, from the version answered


@dataclass(slots=True)
class CaseloadRow:
    person_id: int
    name: str
    coach_id: int | None  # StaffMember id
    coach_name: str | None
    granted_at: datetime
    latest: Assessment | None = None
    previous: Assessment | None = None  # the one before the latest
    first: Assessment | None = None
    capability: float | None = None  # the latest capability index, 0 to 1
    active_goals: int = 0
    check_in_confidence: int | None = None  # at the latest check-in
    rating_confidence: int | None = None  # the latest rating of any goal
    last_activity: datetime | None = None
    flags: tuple[str, ...] = ()

    @property
    def confidence(self) -> int | None:
        """The latest confidence: at the last check-in, else the last rating of a goal."""
        return self.check_in_confidence if self.check_in_confidence is not None else self.rating_confidence

    @property
    def repeated(self) -> bool:
        """More than one assessment, so there is a change to show."""
        return self.latest is not None and self.previous is not None and self.first is not None

    @property
    def score_change(self) -> float | None:
        if not self.repeated:
            return None
        return self.latest.score - self.first.score

    @property
    def stage_change(self) -> int | None:
        if not self.repeated or self.latest.level is None or self.first.level is None:
            return None
        return self.latest.level - self.first.level


def stage_words_for(catalogue: Catalogue, questionnaire_id: str) -> dict[tuple[str, int], str]:
    """The words for each stage of each version of the activation questionnaire:
    (questionnaire version, level) -> words."""
    return {
        (questionnaire.version, level): words
        for questionnaire in catalogue.versions(questionnaire_id)
        for level, words in stage_words(questionnaire.scoring).items()
    }


# --- Flags -----------------------------------------------------------------------------------


def flags_for(row: CaseloadRow, now: datetime, reassess_after: timedelta, inactive_after: timedelta) -> tuple[str, ...]:
    """The flags a row earns, in display order."""
    flags = []
    if (row.latest is not None and row.previous is not None and row.latest.level is not None
            and row.previous.level is not None and row.latest.level < row.previous.level):
        flags.append(STAGE_DROPPED)
    if row.latest is None or row.latest.at < now - reassess_after:
        flags.append(REASSESS_DUE)
    if row.check_in_confidence is not None and row.check_in_confidence < LOW_CONFIDENCE_BELOW:
        flags.append(LOW_CONFIDENCE)
    # Someone who has done nothing yet is measured from when they joined the caseload.
    if (row.last_activity or row.granted_at) < now - inactive_after:
        flags.append(INACTIVE)
    return tuple(flags)


# --- The page's query string -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadQuery:
    scope: str
    flag: str = ""  # "", ANY_FLAG or one of FLAGS
    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False
    page: int = 1
    search_too_long: bool = False


def parse_query(args: Mapping[str, str], default_scope: str) -> CaseloadQuery:
    """Read the filters from the query string; anything unknown falls back to the default."""
    scope = args.get("scope", "")
    flag = args.get("flag", "")
    sort = args.get("sort", "")
    search = " ".join(args.get("q", "").split())
    too_long = len(search) > SEARCH_MAX_LENGTH
    return CaseloadQuery(
        scope=scope if scope in SCOPES else default_scope,
        flag=flag if flag == ANY_FLAG or flag in FLAGS else "",
        search="" if too_long else search,
        sort=sort if sort in SORTS else DEFAULT_SORT,
        descending=args.get("dir") == "desc",
        page=_page_number(args.get("page", "")),
        search_too_long=too_long,
    )


def _page_number(value: str) -> int:
    """A page number from the query string: 1 if it is not a whole number; any number past the
    end is capped later to the last page."""
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return 1
    return max(int(value[:12]) if len(value) <= 12 else 10**12, 1)


# --- Filtering, sorting, paging --------------------------------------------------------------


def filter_rows(rows: Iterable[CaseloadRow], query: CaseloadQuery, staff_id: int) -> list[CaseloadRow]:
    search = query.search.casefold()
    chosen = []
    for row in rows:
        if query.scope == SCOPE_MINE and row.coach_id != staff_id:
            continue
        if query.flag == ANY_FLAG and not row.flags:
            continue
        if query.flag in FLAGS and query.flag not in row.flags:
            continue
        if search and search not in row.name.casefold():
            continue
        chosen.append(row)
    return chosen


_SORT_KEYS = {
    "name": lambda row: row.name.casefold(),
    "stage": lambda row: row.latest.level if row.latest is not None else None,
    "change": lambda row: row.score_change,
    "capability": lambda row: row.capability,
    "activity": lambda row: row.last_activity,
    "flags": lambda row: len(row.flags),
}


def sort_rows(rows: Iterable[CaseloadRow], sort: str, descending: bool = False) -> list[CaseloadRow]:
    """Sorted by ``sort``, ties by name then id; people with no value for it come last either way."""
    key = _SORT_KEYS[sort]
    ordered = sorted(rows, key=lambda row: (row.name.casefold(), row.person_id))
    known = [row for row in ordered if key(row) is not None]
    unknown = [row for row in ordered if key(row) is None]
    # Python's sort is stable in both directions, so ties keep the name order.
    return sorted(known, key=key, reverse=descending) + unknown


@dataclass(frozen=True)
class Page:
    rows: Sequence[CaseloadRow]
    number: int
    count: int  # how many pages
    total: int  # how many people, over all pages
    first_shown: int  # 1-based; 0 when there is nobody
    last_shown: int
    numbers: tuple[int | None, ...] = field(default=())  # page links to show; None is a gap


def paginate(rows: Sequence[CaseloadRow], number: int, size: int = PAGE_SIZE) -> Page:
    """One page of rows; a page number past the end shows the last page."""
    total = len(rows)
    count = max(math.ceil(total / size), 1)
    number = min(max(number, 1), count)
    start = (number - 1) * size
    shown = rows[start:start + size]
    return Page(
        rows=shown,
        number=number,
        count=count,
        total=total,
        first_shown=start + 1 if shown else 0,
        last_shown=start + len(shown),
        numbers=page_numbers(number, count),
    )


def page_numbers(current: int, count: int) -> tuple[int | None, ...]:
    """The first, last, current and its neighbours; None where pages are left out."""
    wanted = sorted({1, count, current - 1, current, current + 1} & set(range(1, count + 1)))
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - numbers[-1] > 1:  # type: ignore[operator]
            numbers.append(None)
        numbers.append(number)
    return tuple(numbers)


# --- Loading ---------------------------------------------------------------------------------


def load_caseload(
    session: Session,
    team_id: int,
    *,
    activation_id: str,
    stage_words: Mapping[tuple[str, int], str],
    capability_id: str,
    now: datetime,
    reassess_after: timedelta,
    inactive_after: timedelta,
) -> list[CaseloadRow]:
    """Everyone whose consent to the team stands, with their figures and flags (unsorted)."""
    people = (
        select(Consent.person_id)
        .where(Consent.team_id == team_id, Consent.withdrawn_at.is_(None))
        .scalar_subquery()
    )
    coach_user = aliased(User)
    consents = session.execute(
        select(
            Consent.person_id, Consent.coach_id, Consent.granted_at,
            Invite.person_label, User.display_name, coach_user.display_name.label("coach_name"),
        )
        .join(User, User.id == Consent.person_id)
        .outerjoin(Invite, Invite.id == Consent.invite_id)
        .outerjoin(StaffMember, StaffMember.id == Consent.coach_id)
        .outerjoin(coach_user, coach_user.id == StaffMember.user_id)
        .where(Consent.team_id == team_id, Consent.withdrawn_at.is_(None))
    ).all()
    # Each figure is its own query, planned on its own: joined into one statement, a planner
    # without fresh statistics may rescan every subquery once per person.
    figures: dict[int, dict[str, Any]] = {row.person_id: {} for row in consents}
    for subquery in (
        _activation(people, activation_id),
        _capability(people, capability_id),
        _goals(people),
        _latest_check_ins(people),
        _latest_ratings(people),
        _response_activity(people),
    ):
        for row in session.execute(select(subquery)).mappings():
            if row["person_id"] in figures:
                figures[row["person_id"]].update(row)

    words = stage_words
    caseload = []
    for consent in consents:
        row = _Figures(figures[consent.person_id])
        latest = _assessment(row, "latest", words)
        times = [when for when in (row.goal_updated, row.check_in_created, row.response_received, row.response_updated)
                 if when is not None]
        repeated = row.previous_at is not None
        caseload_row = CaseloadRow(
            person_id=consent.person_id,
            name=(consent.person_label or consent.display_name or "").strip() or f"Person {consent.person_id}",
            coach_id=consent.coach_id,
            coach_name=consent.coach_name,
            granted_at=consent.granted_at,
            latest=latest,
            # With one assessment there is nothing to compare: no first or previous.
            previous=_assessment(row, "previous", words) if repeated else None,
            first=_assessment(row, "first", words) if repeated else None,
            capability=row.capability,
            active_goals=int(row.active_goals or 0),
            check_in_confidence=row.check_in_confidence,
            rating_confidence=row.rating_confidence,
            last_activity=max(times) if times else None,
        )
        caseload_row.flags = flags_for(caseload_row, now, reassess_after, inactive_after)
        caseload.append(caseload_row)
    return caseload


class _Figures(dict):
    """A person's figures by name; a figure they have none of is None."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def _assessment(row, which: str, words: Mapping[tuple[str, int], str]) -> Assessment | None:
    at = getattr(row, f"{which}_at")
    if at is None:
        return None
    level = getattr(row, f"{which}_level")
    version = getattr(row, f"{which}_version")
    return Assessment(at=at, score=getattr(row, f"{which}_score"), level=level,
                      stage=words.get((version, level)) if level is not None else None)


def _completed(questionnaire_id: str, people):
    return (
        Response.questionnaire_id == questionnaire_id,
        Response.status == ResponseStatus.COMPLETED,
        Response.person_id.in_(people),
    )


def _activation(people, questionnaire_id: str):
    """Per person: the latest activation score and stage (the headline figure each response keeps),
    the one before it, and the first."""
    when = func.coalesce(Response.authored_at, Response.received_at)
    value = Response.headline_score
    ranked = (
        select(
            Response.person_id, Response.questionnaire_version.label("version"), value.label("value"),
            Response.headline_level.label("level"),
            when.label("at"),
            func.row_number().over(partition_by=Response.person_id, order_by=(when.desc(), Response.id.desc()))
            .label("newest"),
            func.row_number().over(partition_by=Response.person_id, order_by=(when.asc(), Response.id.asc()))
            .label("oldest"),
        )
        .where(*_completed(questionnaire_id, people), when.is_not(None), value.is_not(None))
        .subquery()
    )
    picks = {"latest": ranked.c.newest == 1, "previous": ranked.c.newest == 2, "first": ranked.c.oldest == 1}
    columns = [
        func.max(case((chosen, getattr(ranked.c, field)))).label(f"{which}_{name}")
        for which, chosen in picks.items()
        for field, name in (("value", "score"), ("level", "level"), ("at", "at"), ("version", "version"))
    ]
    return (
        select(ranked.c.person_id, *columns)
        .where(or_(ranked.c.newest <= 2, ranked.c.oldest == 1))
        .group_by(ranked.c.person_id)
        .subquery("activation")
    )


def _capability(people, questionnaire_id: str):
    when = func.coalesce(Response.authored_at, Response.received_at)
    value = Response.headline_score  # the capability index
    ranked = (
        select(
            Response.person_id, value.label("value"),
            func.row_number().over(partition_by=Response.person_id, order_by=(when.desc(), Response.id.desc()))
            .label("newest"),
        )
        .where(*_completed(questionnaire_id, people), value.is_not(None))
        .subquery()
    )
    return (
        select(ranked.c.person_id, ranked.c.value.label("capability"))
        .where(ranked.c.newest == 1)
        .subquery("capability")
    )


def _goals(people):
    return (
        select(
            Goal.person_id,
            func.sum(case((Goal.status == GoalStatus.ACTIVE, 1), else_=0)).label("active_goals"),
            func.max(Goal.updated_at).label("goal_updated"),
        )
        .where(Goal.person_id.in_(people))
        .group_by(Goal.person_id)
        .subquery("goal_counts")
    )


def _latest_check_ins(people):
    """Per person: the confidence at their latest check-in on any goal, and when the latest came in."""
    when = func.coalesce(CheckIn.authored_at, CheckIn.created_at)
    ranked = (
        select(
            Goal.person_id, CheckIn.confidence,
            func.max(CheckIn.created_at).over(partition_by=Goal.person_id).label("created"),
            func.row_number().over(partition_by=Goal.person_id, order_by=(when.desc(), CheckIn.id.desc()))
            .label("newest"),
        )
        .join(Goal, Goal.id == CheckIn.goal_id)
        .where(Goal.person_id.in_(people))
        .subquery()
    )
    return (
        select(ranked.c.person_id, ranked.c.confidence.label("check_in_confidence"),
               ranked.c.created.label("check_in_created"))
        .where(ranked.c.newest == 1)
        .subquery("latest_check_ins")
    )


def _latest_ratings(people):
    ranked = (
        select(
            Goal.person_id, GoalRating.confidence,
            func.row_number().over(partition_by=Goal.person_id,
                                   order_by=(GoalRating.rated_at.desc(), GoalRating.id.desc()))
            .label("newest"),
        )
        .join(Goal, Goal.id == GoalRating.goal_id)
        .where(Goal.person_id.in_(people))
        .subquery()
    )
    return (
        select(ranked.c.person_id, ranked.c.confidence.label("rating_confidence"))
        .where(ranked.c.newest == 1)
        .subquery("latest_ratings")
    )


def _response_activity(people):
    return (
        select(
            Response.person_id,
            func.max(Response.received_at).label("response_received"),
            func.max(Response.updated_at).label("response_updated"),
        )
        .where(Response.person_id.in_(people))
        .group_by(Response.person_id)
        .subquery("response_activity")
    )
