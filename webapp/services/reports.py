"""The team report: how the people a team supports are getting on, as aggregate figures only.

Who is counted: people whose consent to the team stands (for the whole service, a standing
consent to any team) and who completed the activation questionnaire at least once in the date
range. Every figure is about those people, over that range:

- how many people;
- their activation stage at their first and at their latest assessment in the range;
- of those with two or more assessments, the share who moved up at least one stage, and the mean
  change in activation score and in capability index (first to latest in the range);
- goals set (became more than a draft or "not yet", created in the range), achieved and stopped
  (changed to that status in the range).

Everything is worked out by the database in one aggregate query (window functions pick each
person's first and latest assessment of each questionnaire; each person's goals are counted and
joined to them), so the
report costs the same for ten people or a hundred thousand in queries, and no query returns one row
per person. On PostgreSQL it reads only the index ``ix_responses_completed``, never the wide response rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select, text
from sqlalchemy.orm import Session

from webapp.models import Consent, Goal, GoalStatus, Response, ResponseStatus

#: Below this many people, figures could point to someone: the report warns and hides percentages.
SMALL_NUMBER = 5


@dataclass(frozen=True)
class Scope:
    """Whose figures: one team (``team_id``) or the whole service (``team_id`` None)."""

    team_id: int | None


@dataclass(frozen=True)
class StageRow:
    level: int | None
    first: int
    latest: int


@dataclass
class TeamReport:
    start: date
    end: date
    people: int = 0
    #: Stage counts at the first and latest assessment in the range, by level (None: no stage).
    first_stages: dict[int | None, int] = field(default_factory=dict)
    latest_stages: dict[int | None, int] = field(default_factory=dict)
    #: People with two or more activation assessments in the range.
    repeated: int = 0
    moved_up: int = 0
    #: Mean change (latest minus first) and how many people it is over (both scores present).
    activation_change: float | None = None
    activation_change_people: int = 0
    capability_change: float | None = None
    capability_change_people: int = 0
    goals_set: int = 0
    goals_achieved: int = 0
    goals_stopped: int = 0

    @property
    def small_numbers(self) -> bool:
        return self.people < SMALL_NUMBER

    def stage_rows(self, levels: Iterable[int]) -> list[StageRow]:
        """One row per stage (all stages, even with no one in them), then "no stage" if anyone."""
        rows = [StageRow(level, self.first_stages.get(level, 0), self.latest_stages.get(level, 0))
                for level in levels]
        if self.first_stages.get(None) or self.latest_stages.get(None):
            rows.append(StageRow(None, self.first_stages.get(None, 0), self.latest_stages.get(None, 0)))
        return rows

    def percent(self, count: int, of: int | None = None) -> float | None:
        """``count`` as a percentage of ``of`` (default: everyone counted), or None when the
        numbers are too small to show one."""
        total = self.people if of is None else of
        if total < SMALL_NUMBER or total == 0:
            return None
        return round(100 * count / total, 1)

    @property
    def moved_up_percent(self) -> float | None:
        return self.percent(self.moved_up, self.repeated)


def range_bounds(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """The range as UTC instants: from the start of ``start`` to the end of ``end`` (inclusive),
    in the service's own time zone."""
    zone = ZoneInfo(timezone)
    begin = datetime.combine(start, time.min, tzinfo=zone)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return begin.astimezone(ZoneInfo("UTC")), finish.astimezone(ZoneInfo("UTC"))


def people_in_scope(scope: Scope):
    """The ids of people whose consent stands (to the team, or to any team)."""
    query = select(Consent.person_id).where(Consent.withdrawn_at.is_(None))
    if scope.team_id is not None:
        query = query.where(Consent.team_id == scope.team_id)
    return query


def _completed_in_range(scope: Scope, begin: datetime, finish: datetime):
    """Completed responses of the people in scope, authored in the range."""
    return and_(
        Response.status == ResponseStatus.COMPLETED,
        Response.authored_at >= begin,
        Response.authored_at < finish,
        Response.person_id.in_(people_in_scope(scope)),
    )


def _first_and_latest(scope: Scope, begin: datetime, finish: datetime, questionnaire_id: str, name: str):
    """One row per person with a completed ``questionnaire_id`` in the range: the headline score
    and level of their first and latest, and how many there were.

    The headline figure is kept on each response, so this reads ``ix_responses_completed``
    (questionnaire, person, time: on PostgreSQL it covers the query, and its order is the window's,
    so nothing is sorted) and never the wide response rows.
    """
    # One window, the whole of each person's assessments in time order: every figure comes from
    # the same pass over the index, and every row of a person carries the same figures. (Two
    # windows, a running row number and a count, cost a pass each.)
    window = {"partition_by": Response.person_id, "order_by": (Response.authored_at, Response.id),
              "rows": (None, None)}
    ranked = (
        select(
            Response.person_id.label("person_id"),
            func.first_value(Response.headline_level).over(**window).label("first_level"),
            func.last_value(Response.headline_level).over(**window).label("last_level"),
            func.first_value(Response.headline_score).over(**window).label("first_value"),
            func.last_value(Response.headline_score).over(**window).label("last_value"),
            func.count().over(**window).label("n"),
        )
        .where(_completed_in_range(scope, begin, finish), Response.questionnaire_id == questionnaire_id)
        .subquery(f"{name}_ranked")
    )
    # One row a person. GROUP BY rather than keeping each person's first row: the rows come in
    # person order, so PostgreSQL groups them as they stream, and SQLite knows the result has one
    # row a person and indexes it for the joins that follow (filtered to the first rows instead,
    # it scanned the whole capability side again for every person: minutes over 100,000 people).
    return (
        select(
            ranked.c.person_id,
            *(func.max(column).label(column.name) for column in
              (ranked.c.first_level, ranked.c.last_level, ranked.c.first_value, ranked.c.last_value, ranked.c.n)),
        )
        .group_by(ranked.c.person_id)
        .subquery(name)
    )


def _per_person(scope: Scope, begin: datetime, finish: datetime, *, activation_id: str, capability_id: str):
    """One row per person in the report (those with an activation assessment in the range): their
    activation stage and score at the first and latest, how many they did, and the same for the
    capability index. Used only inside the aggregate query, never fetched."""
    activation = _first_and_latest(scope, begin, finish, activation_id, "activation")
    capability = _first_and_latest(scope, begin, finish, capability_id, "capability")
    return (
        select(
            activation.c.person_id,
            activation.c.first_level,
            activation.c.last_level,
            activation.c.first_value,
            activation.c.last_value,
            activation.c.n,
            capability.c.first_value.label("cap_first"),
            capability.c.last_value.label("cap_last"),
            capability.c.n.label("cap_n"),
        )
        .select_from(activation.outerjoin(capability, capability.c.person_id == activation.c.person_id))
        .subquery("per_person")
    )


def team_report(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    *,
    activation_id: str,
    capability_id: str,
    timezone: str = "UTC",
) -> TeamReport:
    """The figures for ``scope`` between ``start`` and ``end`` (both days included). The
    activation stage is the headline level of ``activation_id``'s responses (its headline scale's
    level); the capability index is the headline of ``capability_id``'s."""
    report = TeamReport(start=start, end=end)
    begin, finish = range_bounds(start, end, timezone)
    if session.get_bind().dialect.name == "postgresql":
        # Room to sort a whole service's assessments in memory (this transaction only).
        session.execute(text("SET LOCAL work_mem = '64MB'"))

    # One aggregate query grouped by (first stage, latest stage, assessed more than once): a few
    # dozen rows at most, whatever the number of people. Each person's goals are counted first
    # (goals are few) and joined to their row, so goals are counted for the people in the report.
    people = _per_person(scope, begin, finish, activation_id=activation_id, capability_id=capability_id)
    created_in_range = and_(Goal.created_at >= begin, Goal.created_at < finish)
    updated_in_range = and_(Goal.updated_at >= begin, Goal.updated_at < finish)

    def counted(condition):
        return func.sum(case((condition, 1), else_=0))

    goals = (
        select(
            Goal.person_id.label("person_id"),
            counted(and_(Goal.status.not_in([GoalStatus.DRAFT, GoalStatus.THINKING]), created_in_range)).label("set"),
            counted(and_(Goal.status == GoalStatus.ACHIEVED, updated_in_range)).label("achieved"),
            counted(and_(Goal.status == GoalStatus.STOPPED, updated_in_range)).label("stopped"),
        )
        .where(Goal.person_id.in_(people_in_scope(scope)))
        .group_by(Goal.person_id)
        .subquery("goals_per_person")
    )
    repeated = people.c.n >= 2
    activation_pair = and_(repeated, people.c.first_value.is_not(None), people.c.last_value.is_not(None))
    capability_pair = and_(people.c.cap_n >= 2, people.c.cap_first.is_not(None), people.c.cap_last.is_not(None))
    rows = session.execute(
        select(
            people.c.first_level,
            people.c.last_level,
            repeated.label("repeated"),
            func.count(),
            func.sum(case((activation_pair, people.c.last_value - people.c.first_value), else_=literal(0.0))),
            func.sum(case((activation_pair, 1), else_=0)),
            func.sum(case((capability_pair, people.c.cap_last - people.c.cap_first), else_=literal(0.0))),
            func.sum(case((capability_pair, 1), else_=0)),
            func.sum(goals.c.set),
            func.sum(goals.c.achieved),
            func.sum(goals.c.stopped),
        )
        .select_from(people.outerjoin(goals, goals.c.person_id == people.c.person_id))
        .group_by(people.c.first_level, people.c.last_level, repeated)
    ).all()
    totals = [0.0, 0, 0.0, 0]
    for first_level, last_level, was_repeated, count, *sums in rows:
        *sums, goals_set, achieved, stopped = sums
        report.people += count
        report.first_stages[first_level] = report.first_stages.get(first_level, 0) + count
        report.latest_stages[last_level] = report.latest_stages.get(last_level, 0) + count
        if was_repeated:
            report.repeated += count
            if first_level is not None and last_level is not None and last_level > first_level:
                report.moved_up += count
        totals = [total + float(value or 0) for total, value in zip(totals, sums)]
        report.goals_set += int(goals_set or 0)
        report.goals_achieved += int(achieved or 0)
        report.goals_stopped += int(stopped or 0)
    if totals[1]:
        report.activation_change, report.activation_change_people = totals[0] / totals[1], int(totals[1])
    if totals[3]:
        report.capability_change, report.capability_change_people = totals[2] / totals[3], int(totals[3])
    return report

