"""The capability profile: classification of each domain and the capability index."""

from __future__ import annotations

import json

import pytest

from webapp.domain.capability import (
    CapabilityProfile,
    DomainResult,
    ProfileDefinition,
    build_profile,
    capability_index,
    classify,
)
from webapp.domain.scoring import ScoreResult

from .domain_helpers import choice, definition, load

DOMAINS = ("friends", "home", "work")
ZERO_FOUR = [{"code": f"v{i}", "text": f"Answer {i}", "value": i} for i in range(5)]
BARRIERS = [
    {"code": "money", "text": "Money", "value": 0},
    {"code": "transport", "text": "Transport", "value": 0},
    {"code": "confidence", "text": "Confidence", "value": 0},
    {"code": "none", "text": "Nothing", "not_applicable": True},
]
PROFILE = {
    "type": "capability", "scale": [0, 4], "matters_high": 3, "free_low": 1, "free_high": 3, "actual_low": 1,
    "outside_barriers": ["money", "transport"], "what_matters": "what-matters",
    "domains": [{"id": d, "label": d.title(), "matters": f"{d}-matters", "free": f"{d}-free",
                 "actual": f"{d}-actual", "barriers": f"{d}-barriers"} for d in DOMAINS],
}


@pytest.fixture
def q(tmp_path):
    items = []
    for d in DOMAINS:
        items.append({"linkId": d, "type": "group", "text": d.title(), "items": [
            choice(f"{d}-matters", "zero-four", required=False),
            choice(f"{d}-free", "zero-four", required=False),
            choice(f"{d}-actual", "zero-four", required=False),
        ]})
        items.append(choice(f"{d}-barriers", "barriers", repeats=True, required=False,
                            enable_when=[{"question": f"{d}-free", "operator": "<=", "answer": 1}]))
    items.append({"linkId": "what-matters", "type": "text", "text": "What matters to you?"})
    data = definition(items, {"version": "1", "profile": PROFILE})
    data["answer_sets"].update({"zero-four": ZERO_FOUR, "barriers": BARRIERS})
    return load(tmp_path, data)


def domain_answers(domain, matters=None, free=None, actual=None, barriers=None):
    answers = {}
    for role, value in (("matters", matters), ("free", free), ("actual", actual)):
        if value is not None:
            answers[f"{domain}-{role}"] = f"v{value}"
    if barriers is not None:
        answers[f"{domain}-barriers"] = barriers
    return answers


def profile_for(q, **domains):
    answers = {}
    for domain, spec in domains.items():
        answers.update(domain_answers(domain, **spec))
    return q.score(answers).profile


def test_definition_is_loaded(q):
    definition_ = q.scoring.profile
    assert isinstance(definition_, ProfileDefinition)
    assert (definition_.scale_min, definition_.scale_max, definition_.matters_high) == (0, 4, 3)
    assert definition_.outside_barriers == ("money", "transport")
    assert [d.id for d in definition_.domains] == list(DOMAINS)
    assert definition_.domains[0].barriers == "friends-barriers"


@pytest.mark.parametrize("spec,expected", [
    (dict(matters=3, free=1, actual=0), "priority"),
    (dict(matters=4, free=0, actual=4), "priority"),
    (dict(matters=3, free=1, actual=0, barriers=["confidence"]), "priority"),   # confidence is not an outside barrier
    (dict(matters=3, free=1, actual=0, barriers=["none"]), "priority"),
    (dict(matters=3, free=1, actual=0, barriers=["money"]), "barrier"),
    (dict(matters=4, free=0, actual=1, barriers=["confidence", "transport"]), "barrier"),
    (dict(matters=3, free=3, actual=1), "choice"),
    (dict(matters=0, free=4, actual=0), "choice"),
    (dict(matters=3, free=3, actual=2), "strength"),
    (dict(matters=1, free=4, actual=4), "strength"),
    (dict(matters=2, free=1, actual=0), "none"),                                   # does not matter a lot
    (dict(matters=2, free=1, actual=0, barriers=["money"]), "none"),
    (dict(matters=4, free=2, actual=0), "none"),                                   # neither little nor free
    (dict(matters=4, free=2, actual=4), "none"),
    (dict(), "none"),                                                              # nothing answered
    (dict(matters=4), "none"),
    (dict(matters=4, actual=0), "none"),                                           # free missing
    (dict(free=1, actual=0), "none"),                                              # matters missing: not a priority
    (dict(free=4, actual=3), "strength"),                                          # matters not needed
    (dict(matters=4, free=4), "none"),                                             # actual missing
])
def test_classification(q, spec, expected):
    profile = profile_for(q, friends=spec)
    assert profile.domains[0].classification == expected
    assert profile.domains[1].classification == "none"


def test_barriers_are_reported(q):
    profile = profile_for(q, friends=dict(matters=4, free=0, actual=0, barriers=["transport", "confidence", "money"]))
    friends = profile.domains[0]
    assert friends.barriers == ["money", "transport", "confidence"]  # in option order
    assert friends.outside_barriers == ["money", "transport"]
    assert (friends.matters, friends.free, friends.actual) == (4, 0, 0)


def test_barriers_of_a_disabled_question_are_ignored(q):
    # friends-barriers is only asked when free <= 1
    profile = profile_for(q, friends=dict(matters=4, free=3, actual=0, barriers=["money"]))
    friends = profile.domains[0]
    assert friends.barriers == [] and friends.outside_barriers == []
    assert friends.classification == "choice"


def test_by_class(q):
    profile = profile_for(
        q,
        friends=dict(matters=4, free=0, actual=0, barriers=["money"]),
        home=dict(matters=3, free=1, actual=1),
        work=dict(matters=1, free=4, actual=4),
    )
    assert [d.id for d in profile.by_class("barrier")] == ["friends"]
    assert [d.id for d in profile.by_class("priority")] == ["home"]
    assert [d.id for d in profile.by_class("strength")] == ["work"]
    assert profile.by_class("choice") == [] and profile.by_class("none") == []
    with pytest.raises(ValueError):
        profile.by_class("weakness")


# --- the index ---------------------------------------------------------------------------------

def test_index_is_weighted_by_what_matters(q):
    profile = profile_for(
        q,
        friends=dict(matters=4, free=4, actual=4),
        home=dict(matters=2, free=0, actual=0),
        work=dict(matters=0, free=2, actual=2),
    )
    # (4*4 + 2*0 + 0*2) / ((4 + 2 + 0) * 4) = 16 / 24
    assert profile.index == 0.67


def test_index_when_nothing_matters_is_the_mean_freedom(q):
    profile = profile_for(q, friends=dict(matters=0, free=2), home=dict(matters=0, free=4), work=dict(matters=0, free=1))
    assert profile.index == pytest.approx((0.5 + 1 + 0.25) / 3, abs=0.005)
    assert profile.index == 0.58


def test_index_leaves_out_domains_without_both_answers(q):
    profile = profile_for(
        q,
        friends=dict(matters=4, free=2, actual=1),
        home=dict(matters=4),             # free missing
        work=dict(free=0, actual=0),      # matters missing
    )
    assert profile.index == 0.5


def test_index_is_none_with_no_answered_domain(q):
    assert profile_for(q, friends=dict(matters=3), home=dict(free=2)).index is None
    assert q.score({}).profile.index is None


def test_index_bounds(q):
    everything = {d: dict(matters=4, free=4, actual=4) for d in DOMAINS}
    nothing = {d: dict(matters=4, free=0, actual=0) for d in DOMAINS}
    assert profile_for(q, **everything).index == 1.0
    assert profile_for(q, **nothing).index == 0.0


def test_index_on_a_scale_that_does_not_start_at_zero():
    definition_ = ProfileDefinition(scale_min=1, scale_max=5, matters_high=4, free_low=2, free_high=4, actual_low=2,
                                    outside_barriers=(), what_matters=None, domains=())
    # measured from the bottom: (4*4 + 0*2) / (4*4 + 0*4) = 1.0 ; matters 1 means "not at all"
    assert capability_index(definition_, [(5, 5), (1, 3)]) == 1.0
    assert capability_index(definition_, [(3, 3)]) == 0.5
    assert capability_index(definition_, [(1, 3), (1, 5)]) == 0.75
    assert capability_index(definition_, []) is None
    assert classify(definition_, 4, 2, 1, False) == "priority"


def test_what_matters(q):
    assert q.score({"what-matters": "  Seeing my grandchildren  "}).profile.what_matters == "  Seeing my grandchildren  "
    assert q.score({"what-matters": "   "}).profile.what_matters is None
    assert q.score({}).profile.what_matters is None


def test_build_profile_directly(q):
    answers = domain_answers("home", matters=3, free=0, actual=0, barriers=["money"])
    profile = build_profile(q.scoring.profile, q, answers)
    assert [d.classification for d in profile.domains] == ["none", "barrier", "none"]
    assert profile.index == 0.0


def test_profile_round_trips_through_json(q):
    result = q.score({**domain_answers("friends", matters=4, free=1, actual=0, barriers=["transport"]),
                      **domain_answers("work", matters=2, free=4, actual=3), "what-matters": "Work"})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["profile"]["domains"][0]["classification"] == "barrier"
    assert data["profile"]["index"] == result.profile.index
    again = ScoreResult.from_dict(data)
    assert again == result
    assert isinstance(again.profile, CapabilityProfile) and isinstance(again.profile.domains[0], DomainResult)
    assert CapabilityProfile.from_dict(result.profile.to_dict()) == result.profile


def test_builtin_capability_questionnaire_if_present():
    from pathlib import Path

    from webapp.domain.questionnaires import load_catalogue

    folder = Path(__file__).resolve().parent.parent.parent / "questionnaires" / "builtin"
    if not folder.is_dir() or not any(folder.glob("*.y*ml")):
        pytest.skip("no built-in questionnaires yet")
    with_profiles = [q for q in load_catalogue([folder]) if q.scoring.profile is not None]
    if not with_profiles:
        pytest.skip("no built-in questionnaire has a capability profile")
    for questionnaire in with_profiles:
        profile = questionnaire.score({}).profile
        assert profile.index is None
        assert all(d.classification == "none" for d in profile.domains)
