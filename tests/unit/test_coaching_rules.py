"""Coaching rules: confidence decides the next move, check-ins decide the size of the next
step offered, and a preparatory step for "not yet"."""

from __future__ import annotations

import pytest

from webapp.domain.goals import (
    CheckInView,
    GoalIdea,
    GoalLibrary,
    confidence_next_move,
    preparatory_step,
    progression_offer,
)

# --- confidence_next_move ------------------------------------------------------------------

NEXT_MOVE = [
    *(pytest.param(c, "not_yet", id=f"{c}-not-yet") for c in range(0, 4)),
    *(pytest.param(c, "shrink", id=f"{c}-shrink") for c in range(4, 7)),
    *(pytest.param(c, "commit", id=f"{c}-commit") for c in range(7, 11)),
]


@pytest.mark.parametrize("confidence, move", NEXT_MOVE)
def test_confidence_next_move(confidence, move):
    assert confidence_next_move(confidence) == move


@pytest.mark.parametrize("confidence", [
    pytest.param(-1, id="below-0"),
    pytest.param(11, id="above-10"),
    pytest.param(7.0, id="float"),
    pytest.param("7", id="text"),
    pytest.param(None, id="none"),
    pytest.param(True, id="bool"),
])
def test_confidence_next_move_rejects(confidence):
    with pytest.raises(ValueError):
        confidence_next_move(confidence)


# --- progression_offer ---------------------------------------------------------------------


def c(outcome: str, confidence: int) -> CheckInView:
    return CheckInView(outcome, confidence)


PROGRESSION = [
    pytest.param([], None, id="no-check-ins"),
    pytest.param([c("done", 10)], None, id="one-success-is-not-enough"),
    pytest.param([c("not_yet", 0)], None, id="one-difficulty-is-not-enough"),
    pytest.param([c("done", 7), c("done", 7)], "bigger", id="two-done-confidence-7"),
    pytest.param([c("done", 9), c("done", 10)], "bigger", id="two-done-high-confidence"),
    pytest.param([c("done", 6), c("done", 10)], None, id="done-but-confidence-6"),
    pytest.param([c("done", 10), c("partly", 10)], None, id="partly-is-not-success"),
    pytest.param([c("not_yet", 0), c("done", 8), c("done", 8)], "bigger", id="only-last-two-count-success"),
    pytest.param([c("done", 8), c("done", 8), c("not_yet", 2)], None, id="latest-difficulty-breaks-success"),
    pytest.param([c("not_yet", 9), c("not_yet", 2)], "smaller", id="two-not-yet-any-confidence"),
    pytest.param([c("partly", 3), c("partly", 0)], "smaller", id="two-partly-low-confidence"),
    pytest.param([c("partly", 3), c("not_yet", 8)], "smaller", id="mixed-hard"),
    pytest.param([c("partly", 4), c("not_yet", 1)], None, id="partly-confidence-4-is-not-hard"),
    pytest.param([c("partly", 5), c("partly", 5)], None, id="partly-middling-no-change"),
    pytest.param([c("done", 9), c("not_yet", 1), c("partly", 2)], "smaller", id="only-last-two-count-difficulty"),
    pytest.param([c("not_yet", 1), c("not_yet", 1), c("done", 9)], None, id="latest-success-breaks-difficulty"),
    pytest.param([c("done", 2), c("done", 2)], None, id="done-with-low-confidence-is-neither"),
]


@pytest.mark.parametrize("check_ins, offer", PROGRESSION)
def test_progression_offer(check_ins, offer):
    assert progression_offer(check_ins) == offer
    assert progression_offer(tuple(check_ins)) == offer


@pytest.mark.parametrize("outcome, confidence", [
    pytest.param("failed", 5, id="unknown-outcome"),
    pytest.param("done", 11, id="confidence-above-10"),
    pytest.param("done", -1, id="confidence-below-0"),
    pytest.param("done", 7.5, id="confidence-float"),
    pytest.param("done", False, id="confidence-bool"),
])
def test_check_in_view_is_checked(outcome, confidence):
    with pytest.raises(ValueError):
        CheckInView(outcome, confidence)


# --- preparatory_step ----------------------------------------------------------------------


def b(id: str, tier: int, domains=(), blocks=(), **extra) -> GoalIdea:
    return GoalIdea(id=id, kind="behaviour", tier=tier, text=f"Do {id}.", domains=tuple(domains),
                    blocks=tuple(blocks), **extra)


LIBRARY = GoalLibrary([
    b("walk-4", 4, ["health"], ["sustaining"], smaller="walk-3"),
    b("walk-3", 3, ["health"], ["acting"], smaller="walk-2"),
    b("walk-2", 2, ["health"], ["acting"], smaller="walk-2-easier"),
    b("walk-2-easier", 2, ["health"], ["acting"], smaller="walk-1"),
    b("walk-1", 1, ["health"], ["ownership"], smaller="walk-1-tiny"),
    b("walk-1-tiny", 1, ["health"], ["ownership"]),
    b("friends-3", 3, ["family-friends"], ["acting"], smaller="friends-3b"),
    b("friends-3b", 3, ["family-friends"], ["acting"]),
    b("friends-2", 2, ["family-friends"], ["acting"]),
    b("lonely-3", 3, ["community"], ["knowhow"]),
    b("learn-2", 2, [], ["knowhow"]),
    GoalIdea("group", "support", 2, "Join a group.", domains=("community",), barriers=("confidence",)),
    b("community-2", 2, ["community"], ["ownership"]),
])

# (idea id or None, domain, tier, expected id or None)
PREPARATORY = [
    pytest.param("walk-3", None, 3, "walk-2", id="smaller-variant-one-tier-lower"),
    pytest.param("walk-4", None, 4, "walk-3", id="smaller-variant-tier-4"),
    pytest.param("walk-2", None, 2, "walk-1", id="smaller-same-tier-skipped-for-tier-below"),
    pytest.param("walk-1", None, 1, "walk-1-tiny", id="tier-1-smaller-in-tier-1"),
    pytest.param("friends-3", None, 3, "friends-2", id="smaller-same-tier-then-domain"),
    pytest.param("friends-3", "health", 3, "walk-2", id="given-domain-wins"),
    pytest.param("lonely-3", None, 3, "community-2", id="domain-match-skips-support"),
    pytest.param("lonely-3", "rest", 3, "learn-2", id="no-domain-match-then-block"),
    pytest.param(None, "health", 3, "walk-2", id="no-idea-domain-only"),
    pytest.param(None, "health", 1, "walk-1", id="no-idea-tier-1"),
    pytest.param(None, "rest", 2, None, id="nothing-serves"),
    pytest.param(None, None, 2, None, id="nothing-to-go-on"),
    pytest.param("walk-1-tiny", None, 1, "walk-1", id="never-the-idea-itself"),
]


@pytest.mark.parametrize("idea_id, domain, tier, expected", PREPARATORY)
def test_preparatory_step(idea_id, domain, tier, expected):
    idea = LIBRARY.get(idea_id) if idea_id else None
    step = preparatory_step(LIBRARY, idea, domain, tier)
    assert (step.id if step else None) == expected
    if step is not None:
        assert step.kind == "behaviour"
        assert step.tier <= max(1, tier - 1)


@pytest.mark.parametrize("tier", [0, 5, None, True], ids=["0", "5", "none", "bool"])
def test_preparatory_step_rejects_bad_tier(tier):
    with pytest.raises(ValueError):
        preparatory_step(LIBRARY, None, "health", tier)


def test_preparatory_step_is_deterministic():
    idea = LIBRARY.get("lonely-3")
    assert {preparatory_step(LIBRARY, idea, None, 3) for _ in range(5)} == {LIBRARY.get("community-2")}
