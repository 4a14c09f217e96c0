"""The caseload's flags, query string, sorting and pages: plain Python, no app or database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.services.caseload import (
    INACTIVE,
    LOW_CONFIDENCE,
    REASSESS_DUE,
    STAGE_DROPPED,
    Assessment,
    CaseloadQuery,
    CaseloadRow,
    filter_rows,
    flags_for,
    page_numbers,
    paginate,
    parse_query,
    sort_rows,
)

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
REASSESS = timedelta(days=84)
INACTIVE_AFTER = timedelta(weeks=4)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def assessment(score: float, level: int | None, days: float) -> Assessment:
    return Assessment(at=days_ago(days), score=score, level=level, stage=None)


def row(name="Pat", person_id=1, **figures) -> CaseloadRow:
    figures.setdefault("granted_at", days_ago(1))
    return CaseloadRow(person_id=person_id, name=name, coach_id=figures.pop("coach_id", None), coach_name=None,
                       **figures)


def flags(**figures) -> tuple[str, ...]:
    return flags_for(row(**figures), NOW, REASSESS, INACTIVE_AFTER)


def test_a_stage_lower_than_the_one_before_is_flagged():
    dropped = flags(latest=assessment(50, 2, 10), previous=assessment(70, 3, 40), first=assessment(40, 1, 90),
                    last_activity=days_ago(10))
    assert dropped == (STAGE_DROPPED,)
    # Lower score but the same stage is not a drop; nor is a drop from the first but not the last.
    assert flags(latest=assessment(60, 2, 10), previous=assessment(64, 2, 40), first=assessment(40, 3, 90),
                 last_activity=days_ago(10)) == ()


def test_reassessment_is_due_with_no_assessment_or_an_old_one():
    assert flags(last_activity=days_ago(1)) == (REASSESS_DUE,)
    assert flags(latest=assessment(60, 2, 85), last_activity=days_ago(1)) == (REASSESS_DUE,)
    assert flags(latest=assessment(60, 2, 83), last_activity=days_ago(1)) == ()


def test_confidence_under_7_at_the_last_check_in_is_flagged_but_not_a_low_rating():
    base = {"latest": assessment(60, 2, 5), "last_activity": days_ago(1)}
    assert flags(check_in_confidence=6, **base) == (LOW_CONFIDENCE,)
    assert flags(check_in_confidence=7, **base) == ()
    assert flags(rating_confidence=2, **base) == ()
    assert row(check_in_confidence=8, rating_confidence=2).confidence == 8
    assert row(rating_confidence=2).confidence == 2


def test_no_activity_for_the_set_weeks_counts_from_joining_when_there_is_none():
    base = {"latest": assessment(60, 2, 5)}
    assert flags(last_activity=days_ago(29), **base) == (INACTIVE,)
    assert flags(last_activity=days_ago(27), **base) == ()
    assert flags(granted_at=days_ago(40), **base) == (INACTIVE,)
    assert flags(granted_at=days_ago(3), **base) == ()


def test_change_needs_two_assessments():
    one = row(latest=assessment(60, 2, 5))
    assert one.score_change is None and one.stage_change is None
    two = row(latest=assessment(72, 3, 5), previous=assessment(60, 2, 50), first=assessment(60, 2, 50))
    assert two.score_change == 12 and two.stage_change == 1


def test_the_query_string_falls_back_to_defaults():
    query = parse_query({"scope": "everyone", "flag": "purple", "sort": "shoe", "dir": "up", "page": "abc"}, "mine")
    assert query == CaseloadQuery(scope="mine")
    query = parse_query({"scope": "team", "flag": "any", "sort": "stage", "dir": "desc", "page": "3",
                         "q": "  ann   b "}, "mine")
    assert (query.scope, query.flag, query.sort, query.descending, query.page, query.search) == (
        "team", "any", "stage", True, 3, "ann b")
    assert parse_query({"page": "0"}, "team").page == 1
    assert parse_query({"page": "-2"}, "team").page == 1
    assert parse_query({"page": "٣"}, "team").page == 1  # not an ASCII digit
    assert parse_query({"page": "9" * 5000}, "team").page == 10**12  # capped to the last page later
    too_long = parse_query({"q": "a" * 101}, "team")
    assert too_long.search_too_long and too_long.search == ""


def test_filters_by_scope_flag_and_name():
    rows = [row("Pat Jones", 1, coach_id=7, flags=(LOW_CONFIDENCE,)), row("Sam", 2, coach_id=8),
            row("Ann B", 3, coach_id=7)]

    def names(**query):
        return [r.name for r in filter_rows(rows, CaseloadQuery(**{"scope": "team", **query}), staff_id=7)]

    assert names(scope="mine") == ["Pat Jones", "Ann B"]
    assert names(flag="any") == ["Pat Jones"]
    assert names(flag=STAGE_DROPPED) == []
    assert names(search="JONES") == ["Pat Jones"]


def test_sorting_keeps_people_without_a_value_last_and_ties_in_name_order():
    rows = [row("Cal", 1, capability=0.5), row("amy", 2), row("Bea", 3, capability=0.5), row("Dan", 4, capability=0.9)]
    assert [r.name for r in sort_rows(rows, "capability")] == ["Bea", "Cal", "Dan", "amy"]
    assert [r.name for r in sort_rows(rows, "capability", descending=True)] == ["Dan", "Bea", "Cal", "amy"]
    assert [r.name for r in sort_rows(rows, "name")] == ["amy", "Bea", "Cal", "Dan"]


@pytest.mark.parametrize("total, number, shown", [
    (120, 2, (2, 5, 26, 50)), (120, 5, (5, 5, 101, 120)), (120, 99, (5, 5, 101, 120)), (0, 1, (1, 1, 0, 0)),
    (25, 1, (1, 1, 1, 25)),
])
def test_pages_of_25(total, number, shown):
    page = paginate([row(str(n), n) for n in range(total)], number)
    assert (page.number, page.count, page.first_shown, page.last_shown) == shown
    assert page.total == total


def test_page_links_show_the_ends_and_neighbours():
    assert page_numbers(1, 1) == (1,)
    assert page_numbers(1, 5) == (1, 2, None, 5)
    assert page_numbers(4, 9) == (1, None, 3, 4, 5, None, 9)
    assert page_numbers(3, 5) == (1, 2, 3, 4, 5)
