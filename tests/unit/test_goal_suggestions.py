"""The suggestion engine: every numbered rule of the goal suggestion spec, table by table.

The libraries here are small and synthetic (built from GoalIdea directly), so the tests do not
depend on the built-in content.
"""

from __future__ import annotations

import random

import pytest

from webapp.domain.capability import CapabilityProfile, DomainResult
from webapp.domain.goals import (
    DomainView,
    GoalIdea,
    GoalLibrary,
    PastGoal,
    PersonPicture,
    Reason,
    Suggestion,
    idea_words,
    picture_domains_from_profile,
    reason_text_en,
    suggest,
    tier_for_stage,
    tier_order,
)


def b(id: str, tier: int, domains=(), blocks=(), **extra) -> GoalIdea:
    """A behaviour idea."""
    return GoalIdea(id=id, kind="behaviour", tier=tier, text=extra.pop("text", f"Do {id}."),
                    domains=tuple(domains), blocks=tuple(blocks), library="test", version="1", **extra)


def s(id: str, domains=(), barriers=(), tier: int = 1, **extra) -> GoalIdea:
    """A support entry."""
    return GoalIdea(id=id, kind="support", tier=tier, text=extra.pop("text", f"Get help: {id}."),
                    domains=tuple(domains), barriers=tuple(barriers), library="test", version="1", **extra)


def lib(*ideas: GoalIdea) -> GoalLibrary:
    return GoalLibrary(ideas)


def priority(id: str, matters: int = 4, label: str | None = None, **extra) -> DomainView:
    return DomainView(id=id, label=label or id.title(), matters=matters, free=0, actual=0,
                      classification="priority", **extra)


def barrier(id: str, outside=("money",), matters: int = 4, **extra) -> DomainView:
    return DomainView(id=id, label=id.title(), matters=matters, free=0, actual=0, classification="barrier",
                      outside_barriers=tuple(outside), barriers=tuple(extra.pop("barriers", outside)), **extra)


def view(id: str, classification: str, matters: int | None = 4, **extra) -> DomainView:
    return DomainView(id=id, label=id.title(), matters=matters, free=extra.pop("free", 2),
                      actual=extra.pop("actual", 2), classification=classification, **extra)


def picture(*domains: DomainView, stage=None, blocks=None, what_matters=None, past=()) -> PersonPicture:
    return PersonPicture(stage=stage, block_scores=dict(blocks or {}), domains=tuple(domains),
                         what_matters=what_matters, past_goals=tuple(past))


def ids(suggestions: list[Suggestion]) -> list[tuple[str, str | None]]:
    return [(x.idea.id, x.domain) for x in suggestions]


def codes(suggestion: Suggestion) -> list[str]:
    return [r.code for r in suggestion.reasons]


# --- rule 1: the tier follows the stage ----------------------------------------------------


@pytest.mark.parametrize("stage, tier", [
    pytest.param(None, 1, id="never-assessed"),
    pytest.param(1, 1, id="stage-1"),
    pytest.param(2, 2, id="stage-2"),
    pytest.param(3, 3, id="stage-3"),
    pytest.param(4, 4, id="stage-4"),
])
def test_tier_for_stage(stage, tier):
    assert tier_for_stage(stage) == tier


@pytest.mark.parametrize("stage", [0, 5, -1, True, 2.0, "2"], ids=["0", "5", "neg", "bool", "float", "str"])
def test_tier_for_stage_rejects_other_values(stage):
    with pytest.raises(ValueError):
        tier_for_stage(stage)


@pytest.mark.parametrize("tier, order", [
    pytest.param(1, (1, 2), id="tier-1"),
    pytest.param(2, (2, 1, 3), id="tier-2"),
    pytest.param(3, (3, 2, 1, 4), id="tier-3"),
    pytest.param(4, (4, 3, 2, 1), id="tier-4"),
])
def test_tier_order(tier, order):
    assert tier_order(tier) == order


# (stage, tiers of the ideas available for the domain, tier of the idea offered or None)
RULE_1 = [
    pytest.param(1, (1, 2, 3, 4), 1, id="stage-1-takes-tier-1"),
    pytest.param(2, (1, 2, 3, 4), 2, id="stage-2-takes-tier-2"),
    pytest.param(3, (1, 2, 3, 4), 3, id="stage-3-takes-tier-3"),
    pytest.param(4, (1, 2, 3, 4), 4, id="stage-4-takes-tier-4"),
    pytest.param(None, (1, 2, 3, 4), 1, id="no-stage-takes-tier-1"),
    pytest.param(3, (1, 2, 4), 2, id="too-few-nearest-lower-first"),
    pytest.param(3, (1, 4), 1, id="then-further-lower"),
    pytest.param(3, (4,), 4, id="then-one-higher"),
    pytest.param(1, (2, 3), 2, id="stage-1-one-higher"),
    pytest.param(2, (4,), None, id="never-two-steps-above"),
    pytest.param(None, (3, 4), None, id="no-stage-never-two-above"),
    pytest.param(4, (1,), 1, id="stage-4-can-go-down-to-1"),
]


@pytest.mark.parametrize("stage, tiers, expected", RULE_1)
def test_rule_1_tier_follows_stage(stage, tiers, expected):
    library = lib(*(b(f"health-{t}", t, ["health"]) for t in sorted(tiers, reverse=True)))
    result = suggest(library, picture(priority("health"), stage=stage), minimum=0)
    if expected is None:
        assert result == []
    else:
        assert ids(result) == [(f"health-{expected}", "health")]


# --- rule 2: outside barriers get support, never a behaviour goal ----------------------------

BARRIER_LIBRARY = lib(
    b("walk", 1, ["getting-around"]),
    s("any-money", barriers=["money"]),
    s("domain-help", domains=["getting-around"]),
    s("bus-pass", barriers=["transport"]),
    s("bus-and-domain", domains=["getting-around"], barriers=["transport"]),
    s("other-domain", domains=["home"], barriers=["housing"]),
    s("info", barriers=["information"]),
)

# (domain view, expected support id, expected barrier param)
RULE_2 = [
    pytest.param(barrier("getting-around", outside=("transport",)), "bus-and-domain", "transport",
                 id="barrier-and-domain-both-match-first"),
    pytest.param(barrier("getting-around", outside=("money",)), "any-money", "money",
                 id="outside-barrier-match-before-domain-match"),
    pytest.param(barrier("getting-around", outside=("housing",)), "other-domain", "housing",
                 id="barrier-match-in-another-domain"),
    pytest.param(barrier("getting-around", outside=("work",)), "domain-help", "work",
                 id="no-barrier-match-domain-match-library-order"),
    pytest.param(barrier("getting-around", outside=("work",), barriers=("work", "information")), "domain-help",
                 "work", id="domain-match-before-inside-barrier-match"),
    pytest.param(barrier("getting-around", outside=("work",), barriers=("work", "transport")), "bus-and-domain",
                 "work", id="domain-and-inside-barrier-before-domain-only"),
    pytest.param(view("getting-around", "priority", outside_barriers=("money",), barriers=("money",)), "any-money",
                 "money", id="priority-with-outside-barrier-is-a-barrier"),
    pytest.param(barrier("getting-around", outside=("money", "transport")), "bus-and-domain", "transport",
                 id="names-the-barrier-the-support-helps-with"),
]


@pytest.mark.parametrize("domain, expected, named", RULE_2)
def test_rule_2_barrier_domains_get_support(domain, expected, named):
    result = suggest(BARRIER_LIBRARY, picture(domain, stage=3), minimum=0)
    assert ids(result) == [(expected, "getting-around")]
    (only,) = result
    assert only.idea.kind == "support"
    assert only.reasons[0] == Reason("outside_barrier", {"domain_label": "Getting-Around", "barrier": named})


@pytest.mark.parametrize("stage", [None, 1, 2, 3, 4], ids=lambda v: f"stage-{v}")
def test_rule_2_barrier_domain_never_gets_a_behaviour_goal(stage):
    library = lib(b("walk", 1, ["getting-around"]), b("walk-2", 2, ["getting-around"]))
    assert suggest(library, picture(barrier("getting-around"), stage=stage), minimum=0) == []
    # and the fill never uses an idea that serves a barrier domain either
    assert suggest(library, picture(barrier("getting-around"), stage=stage, blocks={"acting": 10})) == []


def test_rule_2_profile_adapter_reclassifies_priority_with_outside_barrier():
    profile = CapabilityProfile(domains=[
        DomainResult("health", "My health", 4.0, 0.0, 1.0, ["money", "confidence"], ["money"], "priority"),
        DomainResult("home", "Home", 3.0, 4.0, 4.0, [], [], "strength"),
        DomainResult("rest", "Rest", None, None, None, [], [], "none"),
    ], index=0.4, what_matters="My grandson")
    views = picture_domains_from_profile(profile)
    assert views == (
        DomainView("health", "My health", 4, 0, 1, "barrier", ("money",), ("money", "confidence")),
        DomainView("home", "Home", 3, 4, 4, "strength", (), ()),
        DomainView("rest", "Rest", None, None, None, "none", (), ()),
    )
    assert all(isinstance(v.matters, int) for v in views[:2])
    assert picture_domains_from_profile(None) == ()


# --- rule 3: at most one suggestion per domain ----------------------------------------------

RULE_3 = [
    pytest.param(lib(b("h1", 1, ["health"]), b("h1b", 1, ["health"]), b("h1c", 1, ["health"])),
                 (priority("health"),), (), [("h1", "health")], id="one-per-domain"),
    pytest.param(lib(b("both", 1, ["health", "home"]), b("home-only", 1, ["home"])),
                 (priority("health"), priority("home")), (), [("both", "health"), ("home-only", "home")],
                 id="shared-idea-offered-once"),
    pytest.param(lib(b("both", 1, ["health", "home"])),
                 (priority("health"), priority("home")), (), [("both", "health")],
                 id="shared-idea-only-idea"),
    pytest.param(lib(b("h1", 1, ["health"]), b("o1", 1, ["home"])),
                 (priority("health"), priority("home")), (PastGoal("custom", "active", "health"),),
                 [("o1", "home")], id="domain-with-active-goal-gets-none"),
    pytest.param(lib(b("h1", 1, ["health"]), b("o1", 1, ["home"])),
                 (priority("health"), priority("home")), (PastGoal(None, "paused", "health"),),
                 [("o1", "home")], id="domain-with-paused-custom-goal-gets-none"),
    pytest.param(lib(b("h1", 1, ["health"]), b("o1", 1, ["home"])),
                 (priority("health"), priority("home")), (PastGoal(None, "achieved", "health"),),
                 [("h1", "health"), ("o1", "home")], id="achieved-goal-in-domain-does-not-block"),
]


@pytest.mark.parametrize("library, domains, past, expected", RULE_3)
def test_rule_3_one_suggestion_per_domain(library, domains, past, expected):
    result = suggest(library, picture(*domains, stage=1, past=past), minimum=0)
    assert ids(result) == expected
    suggested_domains = [x.domain for x in result if x.domain is not None]
    assert len(suggested_domains) == len(set(suggested_domains))


# --- rule 4: domains that matter most come first ---------------------------------------------

ONE_EACH = lib(*(b(f"{d}-idea", 1, [d]) for d in ("a", "b", "c", "d", "e", "f")),
               *(s(f"{d}-help", domains=[d]) for d in ("a", "b", "c", "d", "e", "f")))

RULE_4 = [
    pytest.param((priority("a", 3), priority("b", 4)), ["b", "a"], id="matters-descending"),
    pytest.param((view("a", "none", 4), priority("b", 4)), ["b", "a"], id="tie-priority-before-none"),
    pytest.param((view("a", "none", 4), barrier("b", matters=4)), ["b", "a"], id="tie-barrier-before-none"),
    pytest.param((priority("a", 4), barrier("b", matters=4)), ["a", "b"], id="tie-priority-barrier-profile-order"),
    pytest.param((priority("a", 3), view("b", "none", 4)), ["b", "a"], id="matters-beats-classification"),
    pytest.param((priority("a", 4), priority("b", 4), priority("c", 4)), ["a", "b", "c"], id="ties-profile-order"),
    pytest.param((DomainView("a", "A", None, 0, 0, "priority"), priority("b", 1)), ["b", "a"],
                 id="unknown-matters-last"),
    pytest.param((view("a", "none", 2), priority("b", 1)), ["b"], id="none-that-matters-little-not-offered"),
    pytest.param((view("a", "none", 3), priority("b", 1)), ["a", "b"], id="none-that-matters-a-lot-offered"),
    pytest.param((view("a", "none", None), priority("b", 1)), ["b"], id="none-unknown-matters-not-offered"),
]


@pytest.mark.parametrize("domains, expected", RULE_4)
def test_rule_4_domains_that_matter_most_first(domains, expected):
    result = suggest(ONE_EACH, picture(*domains, stage=1), minimum=0)
    assert [x.domain for x in result] == expected


@pytest.mark.parametrize("limit, expected", [
    pytest.param(1, ["d"], id="limit-1"),
    pytest.param(3, ["d", "c", "a"], id="limit-3"),
    pytest.param(5, ["d", "c", "a", "b", "e"], id="limit-5"),
])
def test_rule_4_limit_keeps_the_most_important(limit, expected):
    domains = (priority("a", 3), priority("b", 3), view("c", "none", 4), priority("d", 4), barrier("e", matters=3))
    result = suggest(ONE_EACH, picture(*domains, stage=1), limit=limit, minimum=0)
    assert [x.domain for x in result] == expected


# --- rule 5: choice domains never get a suggestion -------------------------------------------

RULE_5 = [
    pytest.param(view("a", "choice", 4, free=4, actual=0), [], id="choice"),
    pytest.param(view("a", "strength", 4, free=4, actual=4), [], id="strength"),
    pytest.param(view("a", "none", 4), ["a"], id="none-that-matters-a-lot"),
    pytest.param(priority("a"), ["a"], id="priority"),
]


@pytest.mark.parametrize("domain, expected", RULE_5)
def test_rule_5_choice_domains_never_get_a_suggestion(domain, expected):
    assert [x.domain for x in suggest(ONE_EACH, picture(domain, stage=1), minimum=0)] == expected


def test_rule_5_fill_ideas_never_touch_a_choice_domain():
    library = lib(b("choice-idea", 1, ["a"], ["acting"]), b("other", 1, ["b"], ["acting"]),
                  b("no-domain", 1, [], ["acting"]))
    result = suggest(library, picture(view("a", "choice", 4, free=4, actual=0), stage=1, blocks={"acting": 20}))
    assert ids(result) == [("other", None), ("no-domain", None)]


# --- rule 6: past goals ------------------------------------------------------------------------

LADDER = lib(
    b("h1", 1, ["health"], bigger="h2"),
    b("h2", 2, ["health"], smaller="h1", bigger="h3"),
    b("h3", 3, ["health"], smaller="h2", bigger="h4"),
    b("h4", 4, ["health"], smaller="h3"),
    b("h2-alt", 2, ["health"]),
    b("loop-a", 2, ["rest"], bigger="loop-b", smaller="loop-b"),
    b("loop-b", 2, ["rest"], bigger="loop-a", smaller="loop-a"),
)

# (stage, past goals, domain, expected (idea, progression reason code, idea the reason quotes) or None)
RULE_6 = [
    pytest.param(2, [], "health", ("h2", None, None), id="nothing-past"),
    pytest.param(2, [("h2", "achieved")], "health", ("h3", "bigger_after_success", "h2"),
                 id="achieved-offers-bigger"),
    pytest.param(2, [("h2", "abandoned")], "health", ("h1", "smaller_after_difficulty", "h2"),
                 id="abandoned-offers-smaller"),
    pytest.param(4, [("h4", "achieved")], "health", ("h3", None, None), id="achieved-without-bigger-next-idea"),
    pytest.param(1, [("h1", "abandoned")], "health", ("h2", None, None), id="abandoned-without-smaller-next-idea"),
    pytest.param(2, [("h2", "active")], "health", ("h2-alt", None, None), id="active-not-offered"),
    pytest.param(2, [("h2", "thinking")], "health", ("h2-alt", None, None), id="thinking-not-offered"),
    pytest.param(2, [("h2", "paused")], "health", ("h2-alt", None, None), id="paused-not-offered"),
    pytest.param(2, [("h2", "achieved"), ("h3", "achieved")], "health", ("h4", "bigger_after_success", "h3"),
                 id="chain-of-achievements"),
    pytest.param(2, [("h2", "achieved"), ("h3", "active")], "health", ("h2-alt", None, None),
                 id="bigger-already-active"),
    pytest.param(2, [("h2", "active"), ("h2", "achieved")], "health", ("h2-alt", None, None),
                 id="current-status-wins"),
    pytest.param(2, [("h2", "abandoned"), ("h2", "achieved")], "health", ("h3", "bigger_after_success", "h2"),
                 id="latest-past-status-wins"),
    pytest.param(2, [("loop-a", "achieved"), ("loop-b", "achieved")], "rest", None, id="cycle-is-safe"),
]


@pytest.mark.parametrize("stage, past, domain, expected", RULE_6)
def test_rule_6_past_goals(stage, past, domain, expected):
    pic = picture(priority(domain), stage=stage, past=[PastGoal(i, status, None) for i, status in past])
    result = suggest(LADDER, pic, minimum=0)
    if expected is None:
        assert result == []
        return
    idea_id, code, previous = expected
    (only,) = result
    assert (only.idea.id, only.domain) == (idea_id, domain)
    progression = [r for r in only.reasons if r.code in ("bigger_after_success", "smaller_after_difficulty")]
    if code is None:
        assert progression == []
    else:
        assert progression == [Reason(code, {"previous_text": LADDER.get(previous).text})]


def test_rule_6_applies_to_fill_ideas_too():
    library = lib(b("k1", 1, [], ["knowhow"], bigger="k2"), b("k2", 2, [], ["knowhow"], smaller="k1"),
                  b("k1-alt", 1, [], ["knowhow"]))
    result = suggest(library, picture(stage=1, blocks={"knowhow": 10}, past=[PastGoal("k1", "achieved")]),
                     minimum=1)
    assert ids(result) == [("k2", None)]
    assert codes(result[0]) == ["lowest_block", "bigger_after_success"]


# --- rule 7: a low stage never removes support offers ----------------------------------------

@pytest.mark.parametrize("stage", [None, 1, 2, 3, 4], ids=lambda v: f"stage-{v}")
@pytest.mark.parametrize("support_tier", [1, 2, 3, 4], ids=lambda v: f"support-tier-{v}")
def test_rule_7_support_offered_whatever_the_stage(stage, support_tier):
    library = lib(s("help", domains=["home"], barriers=["housing"], tier=support_tier))
    result = suggest(library, picture(barrier("home", outside=("housing",)), stage=stage), minimum=0)
    assert ids(result) == [("help", "home")]


@pytest.mark.parametrize("stage", [None, 1, 2], ids=lambda v: f"stage-{v}")
def test_rule_7_priority_domain_without_behaviour_idea_at_a_fitting_tier_gets_support(stage):
    library = lib(b("too-big", 4, ["useful"]), s("advice", barriers=["information"], tier=4))
    domain = priority("useful", barriers=("information",))
    result = suggest(library, picture(domain, stage=stage), minimum=0)
    assert ids(result) == [("advice", "useful")]
    assert codes(result[0]) == ["matters_little_freedom"]


# --- rule 8: 3 to 5 suggestions, filled from the blocks, deterministic ------------------------

FILL = lib(
    b("own-1", 1, [], ["ownership"]),
    b("own-1b", 1, [], ["ownership"]),
    b("know-1", 1, [], ["knowhow"]),
    b("know-2", 2, [], ["knowhow"]),
    b("act-2", 2, [], ["acting"]),
    b("sus-2", 2, [], ["sustaining"]),
    b("sus-3", 3, [], ["sustaining"]),
    b("health-2", 2, ["health"], ["acting"]),
    b("home-2", 2, ["home"]),
)

# (stage, block scores, domains, limit, minimum, expected ids)
RULE_8 = [
    pytest.param(2, {"ownership": 50, "knowhow": 20, "acting": 70, "sustaining": 60}, (), 5, 3,
                 ["know-2", "own-1", "sus-2"], id="lowest-block-first-then-round-robin"),
    pytest.param(2, {"ownership": 50, "knowhow": 50, "acting": 50, "sustaining": 50}, (), 5, 3,
                 ["own-1", "know-2", "act-2"], id="tied-blocks-canonical-order"),
    pytest.param(2, {"knowhow": 20}, (), 5, 3, ["know-2", "know-1", "act-2"], id="one-block-then-stage-fit"),
    pytest.param(2, {"knowhow": 20, "acting": None}, (), 5, 3, ["know-2", "know-1", "act-2"],
                 id="unscored-block-ignored"),
    pytest.param(2, {}, (), 5, 3, ["know-2", "act-2", "sus-2"], id="no-blocks-stage-fit-tier-then-library-order"),
    pytest.param(2, {"knowhow": 20}, (priority("health"),), 5, 3, ["health-2", "know-2", "know-1"],
                 id="domain-first-then-fill"),
    pytest.param(2, {"knowhow": 20}, (priority("health"), priority("home")), 5, 2, ["health-2", "home-2"],
                 id="enough-from-domains-no-fill"),
    pytest.param(2, {"knowhow": 20}, (priority("health"), priority("home")), 5, 3,
                 ["health-2", "home-2", "know-2"], id="two-domains-one-fill"),
    pytest.param(2, {"knowhow": 20}, (priority("health"),), 1, 1, ["health-2"], id="limit-1"),
    pytest.param(2, {"acting": 20}, (priority("health"),), 5, 3, ["health-2", "act-2", "know-2"],
                 id="fill-skips-used-idea"),
    pytest.param(2, {"acting": 5}, (priority("home"),), 5, 3, ["home-2", "act-2", "health-2"],
                 id="fill-prefers-ideas-in-unused-domains"),
]


@pytest.mark.parametrize("stage, blocks, domains, limit, minimum, expected", RULE_8)
def test_rule_8_fill(stage, blocks, domains, limit, minimum, expected):
    result = suggest(FILL, picture(*domains, stage=stage, blocks=blocks), limit=limit, minimum=minimum)
    assert [x.idea.id for x in result] == expected
    assert minimum <= len(result) <= limit


@pytest.mark.parametrize("size, expected", [
    pytest.param(0, 0, id="empty-library"),
    pytest.param(2, 2, id="too-small-library-gives-what-it-has"),
    pytest.param(3, 3, id="three"),
    pytest.param(10, 3, id="fill-stops-at-minimum"),
])
def test_rule_8_count(size, expected):
    library = lib(*(b(f"idea-{n}", 1, [], ["acting"]) for n in range(size)))
    assert len(suggest(library, picture(stage=1, blocks={"acting": 10}))) == expected


def test_rule_8_at_most_limit_from_domains():
    library = lib(*(b(f"{d}-idea", 1, [d]) for d in "abcdefg"))
    result = suggest(library, picture(*(priority(d) for d in "abcdefg"), stage=1))
    assert [x.domain for x in result] == list("abcde")


def test_rule_8_deterministic():
    domains = (priority("health", 3), barrier("home", outside=("housing",)), view("rest", "none", 4),
               view("useful", "choice", 4, free=4, actual=0))
    library_ideas = [*FILL, s("housing-help", domains=["home"], barriers=["housing"]), b("rest-1", 1, ["rest"])]
    blocks = {"ownership": 40.0, "knowhow": 40.0, "acting": 10.0, "sustaining": 90.0}
    base = suggest(GoalLibrary(library_ideas), picture(*domains, stage=2, blocks=blocks, what_matters="Sleep well"))
    assert base == suggest(GoalLibrary(library_ideas), picture(*domains, stage=2, blocks=blocks,
                                                                what_matters="Sleep well"))
    shuffled_blocks = dict(random.Random(7).sample(sorted(blocks.items()), k=len(blocks)))
    assert suggest(GoalLibrary(library_ideas), picture(*domains, stage=2, blocks=shuffled_blocks,
                                                       what_matters="Sleep well")) == base
    assert [x.idea.id for x in base] == ["housing-help", "rest-1", "health-2"]


@pytest.mark.parametrize("limit, minimum", [(0, 0), (3, 4), (5, -1), (True, 0), (5, 2.5)],
                         ids=["limit-0", "minimum-above-limit", "negative-minimum", "bool-limit", "float-minimum"])
def test_rule_8_bad_limits(limit, minimum):
    with pytest.raises(ValueError):
        suggest(FILL, picture(), limit=limit, minimum=minimum)


# --- rule 9: every suggestion has a reason naming what the person said ------------------------

REASONS_LIBRARY = lib(
    b("walk-dogs", 2, ["health"], ["acting"], text="Walk your dogs round the park."),
    b("sleep", 2, ["rest"], ["sustaining"], text="Go to bed at the same time."),
    b("learn", 1, [], ["knowhow"], text="Find out what your tablets are for."),
    b("ask", 2, [], ["acting"], text="Write down one question for your next appointment."),
    s("bus", domains=["getting-around"], barriers=["transport"]),
)

# (picture, expected [(idea, domain, reason codes)])
RULE_9 = [
    pytest.param(
        picture(priority("health", label="My health"), stage=2),
        [("walk-dogs", "health", ["matters_little_freedom", "stage_fit"])], id="priority-and-stage-fit"),
    pytest.param(
        picture(priority("health", label="My health"), stage=3),
        [("walk-dogs", "health", ["matters_little_freedom"])], id="lower-tier-no-stage-fit"),
    pytest.param(
        picture(priority("health"), stage=None),
        [("walk-dogs", "health", ["matters_little_freedom"])], id="no-stage-no-stage-fit"),
    pytest.param(
        picture(priority("health"), stage=2, what_matters="I'd love to take my DOG to the park again"),
        [("walk-dogs", "health", ["matters_little_freedom", "stage_fit", "what_matters"])],
        id="what-matters-overlap"),
    pytest.param(
        picture(barrier("getting-around", outside=("transport",)), stage=2),
        [("bus", "getting-around", ["outside_barrier"])], id="outside-barrier"),
    pytest.param(
        picture(view("rest", "none", 4), stage=2),
        [("sleep", "rest", ["matters_a_lot", "stage_fit"])], id="matters-a-lot"),
    pytest.param(
        picture(stage=2, blocks={"knowhow": 10, "acting": 40}),
        [("learn", None, ["lowest_block"]), ("walk-dogs", None, ["block_to_grow", "stage_fit"]),
         ("ask", None, ["block_to_grow", "stage_fit"])], id="blocks-round-robin"),
    pytest.param(
        picture(stage=None),
        [("learn", None, ["stage_fit"]), ("walk-dogs", None, ["stage_fit"]), ("sleep", None, ["stage_fit"])],
        id="nothing-known-starts-small"),
]


@pytest.mark.parametrize("pic, expected", RULE_9)
def test_rule_9_reasons(pic, expected):
    limit_to = 1 if pic.domains else 3
    result = suggest(REASONS_LIBRARY, pic, minimum=0 if pic.domains else 3)[:limit_to]
    assert [(x.idea.id, x.domain, codes(x)) for x in result] == expected
    for suggestion in result:
        assert suggestion.reasons
        for reason in suggestion.reasons:
            assert reason_text_en(reason)


def test_rule_9_reason_params():
    pic = picture(priority("health", label="My health and body"), barrier("getting-around", outside=("transport",)),
                  stage=2, blocks={"knowhow": 10})
    result = suggest(REASONS_LIBRARY, pic)
    assert [x.reasons[0] for x in result] == [
        Reason("matters_little_freedom", {"domain_label": "My health and body"}),
        Reason("outside_barrier", {"domain_label": "Getting-Around", "barrier": "transport"}),
        Reason("lowest_block", {"block": "knowhow"}),
    ]
    assert result[0].reasons[1] == Reason("stage_fit", {"stage": 2})


@pytest.mark.parametrize("reason, text", [
    pytest.param(Reason("matters_little_freedom", {"domain_label": "My health and body"}),
                 "You said my health and body matters a lot to you, and you feel little free to do it.",
                 id="matters_little_freedom"),
    pytest.param(Reason("outside_barrier", {"domain_label": "Getting around", "barrier": "transport"}),
                 "You said getting around matters a lot to you, and transport makes it hard: support may help.",
                 id="outside_barrier"),
    pytest.param(Reason("outside_barrier", {"domain_label": "Home", "barrier": "discrimination"}),
                 "You said home matters a lot to you, and being treated unfairly makes it hard: support may help.",
                 id="outside_barrier-worded"),
    pytest.param(Reason("outside_barrier", {"domain_label": "NHS care"}),
                 "You said NHS care matters a lot to you, and things outside your control make it hard: "
                 "support may help.", id="outside_barrier-unnamed"),
    pytest.param(Reason("matters_a_lot", {"domain_label": "Rest"}), "You said rest matters a lot to you.",
                 id="matters_a_lot"),
    pytest.param(Reason("lowest_block", {"block": "knowhow"}),
                 "This builds on know-how, your area with most room to grow.", id="lowest_block"),
    pytest.param(Reason("block_to_grow", {"block": "acting"}),
                 "This builds on taking action, an area with room to grow.", id="block_to_grow"),
    pytest.param(Reason("stage_fit", {"stage": 2}), "A step that fits where you are now.", id="stage_fit"),
    pytest.param(Reason("stage_fit", {}), "A small first step, as a place to start.", id="stage_fit-no-stage"),
    pytest.param(Reason("bigger_after_success", {"previous_text": "Walk."}),
                 "You managed \u201cWalk.\u201d, so this is a next, bigger step.", id="bigger_after_success"),
    pytest.param(Reason("smaller_after_difficulty", {"previous_text": "Run."}),
                 "\u201cRun.\u201d was hard going, so this is a smaller step.", id="smaller_after_difficulty"),
    pytest.param(Reason("what_matters", {}), "It links to what you said matters to you.", id="what_matters"),
])
def test_reason_text_en(reason, text):
    assert reason_text_en(reason) == text


def test_reason_text_en_unknown_code():
    with pytest.raises(ValueError, match="unknown reason code"):
        reason_text_en(Reason("because", {}))


@pytest.mark.parametrize("text, why, wanted, overlap", [
    pytest.param("Walk your dogs", None, "my dog and walking", False, id="no-stemming-beyond-plural"),
    pytest.param("Walk your dogs round the park", None, "the PARK", True, id="case-insensitive"),
    pytest.param("Phone a friend", None, "My friends matter most", True, id="plural-s-ignored"),
    pytest.param("Do this with them", None, "this with them", False, id="stop-words-ignored"),
    pytest.param("Eat a pie", None, "pie", False, id="short-words-ignored"),
    pytest.param("Rest", "Sleep helps your garden grow.", "my garden", True, id="why-counts"),
])
def test_what_matters_word_overlap(text, why, wanted, overlap):
    idea = GoalIdea("x", "behaviour", 1, text, why=why, blocks=("acting",))
    result = suggest(lib(idea), picture(stage=1, what_matters=wanted), minimum=1)
    assert ("what_matters" in codes(result[0])) is overlap
    assert bool(idea_words(idea)) or not overlap


def test_what_matters_orders_ideas_within_a_tier():
    library = lib(b("first", 2, ["health"]), b("garden", 2, ["health"], text="Spend ten minutes in the garden."),
                  b("lower", 1, ["health"], text="Look at the garden."))
    result = suggest(library, picture(priority("health"), stage=2, what_matters="Gardening and my garden"),
                     minimum=0)
    assert ids(result) == [("garden", "health")]


# --- the picture -------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    pytest.param(lambda: PastGoal("x", "done"), id="bad-status"),
    pytest.param(lambda: DomainView("x", "X", classification="flagged"), id="bad-classification"),
], )
def test_picture_values_are_checked(make):
    with pytest.raises(ValueError):
        make()


# --- within a domain: ideas mainly about it before ideas that only touch it -----------------


def test_an_idea_mainly_about_the_domain_comes_before_one_that_only_touches_it():
    library = lib(
        b("tidy-home", 2, domains=("home", "friends")),
        b("call-a-friend", 2, domains=("friends",)),
    )
    [first, *_] = suggest(library, picture(priority("friends"), stage=2), minimum=1)
    assert first.idea.id == "call-a-friend"


def test_the_persons_own_words_pick_between_ideas_of_one_tier():
    library = lib(
        b("pace-day", 2, domains=("rest",), text="Plan rests into your day."),
        b("sleep-routine", 2, domains=("rest",), text="Go to bed at the same time for sleep."),
    )
    chosen = suggest(library, picture(priority("rest"), stage=2, what_matters="Better sleep at night"), minimum=1)
    assert chosen[0].idea.id == "sleep-routine"
    assert "what_matters" in codes(chosen[0])


def test_filler_words_with_a_plural_s_do_not_count_as_matching_what_matters():
    assert idea_words(b("x", 1, text="Go out when it feels OK.")) & frozenset({"feel"}) == frozenset()
    library = lib(b("walk-short", 2, domains=("rest",), text="A short walk if it feels OK."))
    [only] = suggest(library, picture(priority("rest"), stage=2, what_matters="so it feels calmer"), minimum=1)
    assert "what_matters" not in codes(only)
