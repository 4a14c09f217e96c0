"""The scoring engine, mode by mode, on small synthetic definitions."""

from __future__ import annotations

import json

import pytest

from webapp.domain.capability import round_half_up
from webapp.domain.scoring import (
    Band,
    ScaleDefinition,
    ScaleScore,
    ScoreResult,
    ScoringError,
    score_answers,
    score_scale,
    theoretical_range,
)

from .domain_helpers import choice, definition, load, load_errors, scale

LEVEL_NAMES = {str(n): {"label": f"Level {n}", "summary": f"About level {n}", "what_helps": f"Help {n}"} for n in range(1, 5)}


def scored(tmp_path, items, *scales, **scoring):
    return load(tmp_path, definition(items, {"version": "7", "scales": list(scales), **scoring}))


def four_choices():
    return [choice(f"q{i}") for i in range(1, 5)]


def answers(*codes):
    return {f"q{i}": code for i, code in enumerate(codes, 1) if code is not None}


# --- sum and mean ------------------------------------------------------------------------

def test_sum_needs_every_item_by_default(tmp_path):
    q = scored(tmp_path, four_choices(), {"id": "s", "label": "Sum", "method": "sum", "items": ["q1", "q2", "q3", "q4"]})
    result = q.score(answers("agree", "disagree", "strongly-agree", "strongly-disagree"))
    s = result.scales["s"]
    assert (s.raw, s.score, s.answered, s.items, s.status, s.method) == (10, 10.0, 4, 4, "ok", "sum")
    assert result.scoring_version == "7"
    missing = q.score(answers("agree", "disagree", "agree", None)).scales["s"]
    assert (missing.raw, missing.score, missing.status, missing.answered) == (None, None, "insufficient", 3)
    not_applicable = q.score(answers("agree", "disagree", "agree", "not-applicable")).scales["s"]
    assert (not_applicable.status, not_applicable.answered) == ("insufficient", 3)


def test_sum_with_min_answered_leaves_not_applicable_out(tmp_path):
    q = scored(tmp_path, four_choices(),
               {"id": "s", "label": "Sum", "method": "sum", "items": ["q1", "q2", "q3", "q4"], "min_answered": 2})
    s = q.score(answers("agree", "not-applicable", "agree", None)).scales["s"]
    assert (s.raw, s.answered, s.status) == (6, 2, "ok")
    s = q.score(answers("agree", "not-applicable", "not-applicable", None)).scales["s"]
    assert (s.raw, s.answered, s.status, s.level, s.band) == (None, 1, "insufficient", None, None)


def test_mean_with_min_answered(tmp_path):
    q = scored(tmp_path, four_choices(),
               {"id": "m", "label": "Mean", "method": "mean", "items": ["q1", "q2", "q3", "q4"], "min_answered": 3})
    s = q.score(answers("agree", "disagree", "disagree", "not-applicable")).scales["m"]
    assert s.raw == pytest.approx(7 / 3) and s.score == 2.3 and s.answered == 3
    assert q.score(answers("agree", "disagree", "not-applicable", None)).scales["m"].status == "insufficient"
    assert q.score({}).scales["m"].answered == 0


def test_prorated_sum(tmp_path):
    q = scored(tmp_path, four_choices(), {"id": "p", "label": "Prorated", "method": "sum",
                                          "items": ["q1", "q2", "q3", "q4"], "prorate": True, "min_answered": 3})
    s = q.score(answers("agree", "agree", "agree", "not-applicable")).scales["p"]
    assert (s.raw, s.score, s.answered) == (12, 12.0, 3)
    s = q.score(answers("agree", "agree", "strongly-agree", None)).scales["p"]
    assert s.raw == pytest.approx(40 / 3) and s.score == 13.3
    full = q.score(answers("agree", "agree", "agree", "agree")).scales["p"]
    assert full.raw == 12


def test_reverse_scored_choice_and_scale(tmp_path):
    q = scored(tmp_path, [choice("q1"), choice("q2"), scale("mood", 0, 10)],
               {"id": "r", "label": "Reversed", "method": "sum", "items": ["q1", "q2"], "reverse": ["q2"]},
               {"id": "sc", "label": "Scale reversed", "method": "sum", "items": ["mood"], "reverse": ["mood"]})
    result = q.score({"q1": "strongly-agree", "q2": "strongly-agree", "mood": 3})
    assert result.scales["r"].raw == 4 + 1
    assert result.scales["sc"].raw == 7
    result = q.score({"q1": "disagree", "q2": "disagree", "mood": 0})
    assert result.scales["r"].raw == 2 + 3
    assert result.scales["sc"].raw == 10


def test_reverse_uses_the_items_own_value_range(tmp_path):
    odd = [{"code": "a", "text": "A", "value": 2}, {"code": "b", "text": "B", "value": 3}, {"code": "c", "text": "C", "value": 7}]
    q = scored(tmp_path, [choice("x", odd)], {"id": "r", "label": "R", "method": "sum", "items": ["x"], "reverse": ["x"]})
    assert [q.score({"x": code}).scales["r"].raw for code in "abc"] == [7, 6, 2]


def test_subscales_and_overall_in_definition_order(tmp_path):
    q = scored(
        tmp_path, four_choices(),
        {"id": "overall", "label": "Overall", "method": "mean", "items": ["q1", "q2", "q3", "q4"], "min_answered": 3},
        {"id": "first", "label": "First", "method": "mean", "items": ["q1", "q2"], "min_answered": 1},
        {"id": "second", "label": "Second", "method": "mean", "items": ["q3", "q4"], "min_answered": 1},
        headline="overall",
    )
    result = q.score(answers("strongly-agree", "agree", "disagree", "not-applicable"))
    assert list(result.scales) == ["overall", "first", "second"]
    assert result.headline == "overall" and result.headline_scale is result.scales["overall"]
    assert result.scales["overall"].score == 3.0
    assert result.scales["first"].score == 3.5
    assert result.scales["second"].score == 2.0


def test_rescale_mean_to_0_100(tmp_path):
    five = [{"code": f"v{i}", "text": str(i), "value": i} for i in range(1, 6)]
    q = scored(tmp_path, [choice("a", five), choice("b", five)],
               {"id": "r", "label": "R", "method": "mean", "items": ["a", "b"], "min_answered": 1,
                "rescale": [0, 100], "decimals": 0})
    assert q.score({"a": "v1", "b": "v1"}).scales["r"].score == 0
    assert q.score({"a": "v5", "b": "v5"}).scales["r"].score == 100
    assert q.score({"a": "v4"}).scales["r"].score == 75
    result = q.score({"a": "v2", "b": "v3"}).scales["r"]
    assert result.raw == 2.5 and result.score == 38 and isinstance(result.score, int)  # 37.5 rounds half up


def test_rescale_sum_uses_its_theoretical_range(tmp_path):
    q = scored(tmp_path, [choice("a"), choice("b"), choice("c")],
               {"id": "r", "label": "R", "method": "sum", "items": ["a", "b", "c"], "rescale": [0, 100]})
    assert q.scoring.scales[0].raw_min == 3 and q.scoring.scales[0].raw_max == 12
    assert q.score({"a": "agree", "b": "agree", "c": "agree"}).scales["r"].score == pytest.approx(66.7)
    assert q.score({"a": "strongly-agree", "b": "strongly-agree", "c": "strongly-agree"}).scales["r"].score == 100.0


def test_theoretical_range():
    assert theoretical_range("sum", [(1, 4)] * 3, 3) == (3, 12)
    assert theoretical_range("sum", [(1, 4)] * 3, 2) == (2, 12)
    assert theoretical_range("sum", [(-2, 2), (1, 4)], 1) == (-2, 6)
    assert theoretical_range("mean", [(0, 4), (1, 5)], 1) == (0, 5)
    assert theoretical_range("mean", [(0, 4), (1, 5)], 2) == (0.5, 4.5)
    assert theoretical_range("sum", [(1, 4)] * 4, 2, prorate=True) == (4, 16)
    assert theoretical_range("value_set", [(0, 0.2), (-0.1, 0.3)], 2, constant=0.5) == (0.4, 1.0)


# --- lookup, cut points and levels ----------------------------------------------------------

def _lookup_definition(tmp_path, **extra):
    table = {str(raw): value for raw, value in zip(range(4, 17), [0, 10, 20, 30, 40, 45, 47, 47.5, 55.1, 60, 72.4, 90, 100])}
    return scored(tmp_path, four_choices(), {
        "id": "act", "label": "Activation", "method": "sum", "items": ["q1", "q2", "q3", "q4"],
        "lookup": table, "cut_points": [47.0, 55.1, 72.4], "levels": LEVEL_NAMES, **extra})


@pytest.mark.parametrize("codes,raw,score,level", [
    (("strongly-disagree",) * 4, 4, 0.0, 1),
    (("disagree", "disagree", "strongly-disagree", "strongly-disagree"), 6, 20.0, 1),
    (("disagree", "disagree", "disagree", "strongly-disagree"), 10 - 3, 30.0, 1),
    (("agree", "disagree", "disagree", "strongly-disagree"), 8, 40.0, 1),
    (("agree", "agree", "disagree", "disagree"), 10, 47.0, 1),     # equal to the first cut point: lower level
    (("agree", "agree", "agree", "disagree"), 11, 47.5, 2),
    (("agree", "agree", "agree", "agree"), 12, 55.1, 2),            # equal to the second cut point
    (("strongly-agree", "agree", "agree", "agree"), 13, 60.0, 3),
    (("strongly-agree", "strongly-agree", "agree", "agree"), 14, 72.4, 3),
    (("strongly-agree", "strongly-agree", "strongly-agree", "agree"), 15, 90.0, 4),
    (("strongly-agree",) * 4, 16, 100.0, 4),
])
def test_lookup_and_cut_points(tmp_path, codes, raw, score, level):
    s = _lookup_definition(tmp_path).score(answers(*codes)).scales["act"]
    assert (s.raw, s.score, s.level) == (raw, score, level)
    assert s.level_text == {"label": f"Level {level}", "summary": f"About level {level}", "what_helps": f"Help {level}"}


def test_lookup_with_not_applicable_is_insufficient_by_default(tmp_path):
    s = _lookup_definition(tmp_path).score(answers("agree", "agree", "agree", "not-applicable")).scales["act"]
    assert (s.status, s.score, s.level, s.level_text) == ("insufficient", None, None, None)


def test_lookup_covering_fewer_answers(tmp_path):
    table = {str(raw): raw * 5 for raw in range(3, 17)}
    q = scored(tmp_path, four_choices(), {"id": "act", "label": "A", "method": "sum", "items": ["q1", "q2", "q3", "q4"],
                                          "min_answered": 3, "lookup": table})
    assert q.score(answers("agree", "agree", "agree", "not-applicable")).scales["act"].score == 45.0
    errors = load_errors(tmp_path, definition(four_choices(), {"version": "1", "scales": [{
        "id": "act", "label": "A", "method": "sum", "items": ["q1", "q2", "q3", "q4"], "min_answered": 3,
        "lookup": {str(raw): raw for raw in range(4, 17)}}]}), "short.yaml")
    assert any("raw score(s) 3;" in e for e in errors)


def test_cut_points_without_lookup_and_levels_without_text(tmp_path):
    q = scored(tmp_path, [scale("a", 0, 10)], {"id": "s", "label": "S", "method": "sum", "items": ["a"],
                                               "cut_points": [3, 6], "decimals": 0})
    assert [q.score({"a": v}).scales["s"].level for v in (0, 3, 4, 6, 7, 10)] == [1, 1, 2, 2, 3, 3]
    assert q.score({"a": 5}).scales["s"].level_text is None


def test_level_is_read_from_the_reported_score(tmp_path):
    thirds = [{"code": f"v{i}", "text": str(i), "value": i} for i in range(0, 4)]
    q = scored(tmp_path, [choice("a", thirds), choice("b", thirds), choice("c", thirds)],
               {"id": "s", "label": "S", "method": "mean", "items": ["a", "b", "c"], "cut_points": [1.7]})
    result = q.score({"a": "v1", "b": "v2", "c": "v2"}).scales["s"]  # 1.6667 reported as 1.7
    assert result.score == 1.7 and result.level == 1


def test_missing_lookup_entry_at_run_time_is_an_error():
    definition_ = ScaleDefinition(id="s", label="S", method="sum", items=("a",), min_answered=1, lookup={1.0: 5.0})

    class Stub:
        @staticmethod
        def item(link_id):
            from webapp.domain.questionnaires import Item
            return Item(link_id="a", type="scale", text="A", min=1, max=2)

    assert score_scale(definition_, Stub, {"a": 1}).score == 5.0
    with pytest.raises(ScoringError, match="no entry for raw score 2"):
        score_scale(definition_, Stub, {"a": 2})


# --- value sets ----------------------------------------------------------------------------

def _value_set(tmp_path, **extra):
    levels = [{"code": c, "text": c, "value": v} for v, c in enumerate(["none", "little", "lot", "all"], 1)]
    values = {
        "attach": {"none": -0.1, "little": 0.05, "lot": 0.15, "all": 0.2},
        "enjoy": {"none": -0.05, "little": 0.1, "lot": 0.2, "all": 0.25},
    }
    return scored(tmp_path, [choice("attach", levels), choice("enjoy", levels)],
                  {"id": "index", "label": "Index", "method": "value_set", "items": ["attach", "enjoy"],
                   "values": values, "constant": 0.55, "decimals": 3, **extra})


def test_value_set_index(tmp_path):
    q = _value_set(tmp_path)
    s = q.score({"attach": "lot", "enjoy": "all"}).scales["index"]
    assert s.raw == pytest.approx(0.95) and s.score == 0.95 and s.method == "value_set"
    s = q.score({"attach": "none", "enjoy": "none"}).scales["index"]
    assert s.score == 0.4
    assert q.score({"attach": "lot"}).scales["index"].status == "insufficient"


def test_value_set_with_rescale_and_partial_answers(tmp_path):
    q = _value_set(tmp_path, min_answered=1, rescale=[0, 1])
    scale_def = q.scoring.scales[0]
    assert scale_def.raw_min == pytest.approx(0.55 - 0.1 - 0.05)
    assert scale_def.raw_max == pytest.approx(0.55 + 0.2 + 0.25)
    assert q.score({"attach": "all", "enjoy": "all"}).scales["index"].score == 1.0
    assert q.score({"attach": "none", "enjoy": "none"}).scales["index"].score == 0.0
    assert q.score({"enjoy": "lot"}).scales["index"].raw == pytest.approx(0.75)


# --- bands ---------------------------------------------------------------------------------

ONS_LIKE = [
    {"code": "low", "label": "Low", "min": 0, "max": 4},
    {"code": "medium", "label": "Medium", "min": 5, "max": 6},
    {"code": "high", "label": "High", "min": 7, "max": 8},
    {"code": "very-high", "label": "Very high", "min": 9, "max": 10},
]
ANXIETY_LIKE = [
    {"code": "very-low", "label": "Very low anxiety", "min": 0, "max": 1},
    {"code": "low", "label": "Low anxiety", "min": 2, "max": 3},
    {"code": "medium", "label": "Medium anxiety", "min": 4, "max": 5},
    {"code": "high", "label": "High anxiety", "min": 6, "max": 10},
]


def _banded(tmp_path):
    return scored(
        tmp_path, [scale("satisfied", 0, 10), scale("anxious", 0, 10)],
        {"id": "satisfied", "label": "Life satisfaction", "method": "sum", "items": ["satisfied"], "bands": ONS_LIKE, "decimals": 0},
        {"id": "anxious", "label": "Anxiety", "method": "sum", "items": ["anxious"], "bands": ANXIETY_LIKE, "decimals": 0},
    )


@pytest.mark.parametrize("value,band", [(0, "low"), (4, "low"), (5, "medium"), (6, "medium"), (7, "high"),
                                        (8, "high"), (9, "very-high"), (10, "very-high")])
def test_single_item_bands(tmp_path, value, band):
    s = _banded(tmp_path).score({"satisfied": value, "anxious": 0}).scales["satisfied"]
    assert s.score == value and s.band.code == band


@pytest.mark.parametrize("value,band", [(0, "very-low"), (1, "very-low"), (2, "low"), (3, "low"), (4, "medium"),
                                        (5, "medium"), (6, "high"), (10, "high")])
def test_inverted_bands(tmp_path, value, band):
    s = _banded(tmp_path).score({"satisfied": 5, "anxious": value}).scales["anxious"]
    assert s.band == Band(code=band, label=next(b["label"] for b in ANXIETY_LIKE if b["code"] == band))


def test_score_between_bands_has_no_band(tmp_path):
    q = scored(tmp_path, [scale("a", 0, 10), scale("b", 0, 10)],
               {"id": "m", "label": "M", "method": "mean", "items": ["a", "b"], "bands": ONS_LIKE})
    assert q.score({"a": 4, "b": 5}).scales["m"].band is None  # 4.5 falls between 0-4 and 5-6
    assert q.score({"a": 5, "b": 6}).scales["m"].band.code == "medium"


def test_unanswered_single_item_has_no_band(tmp_path):
    s = _banded(tmp_path).score({"anxious": 3}).scales["satisfied"]
    assert (s.status, s.band) == ("insufficient", None)


# --- not-applicable on scale items, integers, rounding, disabled items ----------------------

def test_scale_item_with_not_applicable_option(tmp_path):
    na = [{"code": "not-applicable", "text": "N/A", "not_applicable": True}]
    q = scored(tmp_path, [scale("a", 1, 10, options=na), scale("b", 1, 10, options=na), scale("c", 1, 10, options=na)],
               {"id": "m", "label": "M", "method": "mean", "items": ["a", "b", "c"], "min_answered": 2})
    s = q.score({"a": 8, "b": "not-applicable", "c": 5}).scales["m"]
    assert (s.raw, s.answered, s.score) == (6.5, 2, 6.5)
    assert q.score({"a": 8, "b": "not-applicable", "c": "not-applicable"}).scales["m"].status == "insufficient"


def test_bounded_integer_items_are_scorable(tmp_path):
    q = scored(tmp_path, [{"linkId": "days", "type": "integer", "text": "Days", "min": 0, "max": 7}],
               {"id": "d", "label": "Days", "method": "sum", "items": ["days"], "rescale": [0, 100], "decimals": 0})
    assert q.score({"days": 7}).scales["d"].score == 100
    assert q.score({"days": 2}).scales["d"].score == 29


def test_repeats_choice_cannot_be_scored(tmp_path):
    errors = load_errors(tmp_path, definition([choice("many", repeats=True)], {"version": "1", "scales": [
        {"id": "s", "label": "S", "method": "sum", "items": ["many"]}]}))
    assert any("choice with repeats" in e and "cannot be scored" in e for e in errors)


@pytest.mark.parametrize("value,decimals,expected", [
    (2.25, 1, 2.3), (2.35, 1, 2.4), (2.5, 0, 3), (3.5, 0, 4), (-2.5, 0, -3), (1 / 3, 2, 0.33), (66.666, 1, 66.7),
    (0.1 + 0.2, 1, 0.3), (12, 1, 12.0),
])
def test_round_half_up(value, decimals, expected):
    assert round_half_up(value, decimals) == expected


def test_decimals_default_to_one(tmp_path):
    q = scored(tmp_path, [choice("a"), choice("b"), choice("c")],
               {"id": "m", "label": "M", "method": "mean", "items": ["a", "b", "c"]})
    s = q.score({"a": "agree", "b": "agree", "c": "disagree"}).scales["m"]
    assert s.raw == pytest.approx(8 / 3) and s.score == 2.7


def test_answers_of_disabled_items_are_not_scored(tmp_path):
    q = scored(tmp_path, [
        {"linkId": "has-pain", "type": "boolean", "text": "Pain?"},
        scale("pain", 0, 10, enable_when=[{"question": "has-pain", "operator": "=", "answer": True}]),
    ], {"id": "p", "label": "Pain", "method": "sum", "items": ["pain"]})
    assert q.score({"has-pain": False, "pain": 9}).scales["p"].status == "insufficient"
    assert q.score({"has-pain": True, "pain": 9}).scales["p"].score == 9.0
    assert score_answers(q, {"has-pain": False, "pain": 9}).scales["p"].status == "insufficient"


def test_unexpected_answer_values_are_ignored(tmp_path):
    q = scored(tmp_path, [choice("a"), scale("b", 0, 10)],
               {"id": "s", "label": "S", "method": "sum", "items": ["a", "b"], "min_answered": 1})
    s = q.score({"a": "made-up-code", "b": True}).scales["s"]
    assert (s.status, s.answered) == ("insufficient", 0)


def test_no_scoring_section(tmp_path):
    q = load(tmp_path, definition([choice("a")]))
    result = q.score({"a": "agree"})
    assert (result.scoring_version, result.scales, result.headline, result.profile) == (None, {}, None, None)


# --- results as JSON -------------------------------------------------------------------------

def test_result_round_trips_through_json(tmp_path):
    q = _lookup_definition(tmp_path, bands=[{"code": "x", "label": "X", "min": 0, "max": 100}])
    result = q.score(answers("agree", "agree", "agree", "disagree"))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["scales"][0]["id"] == "act" and data["scales"][0]["band"] == {"code": "x", "label": "X"}
    again = ScoreResult.from_dict(data)
    assert again == result
    assert again.to_dict() == result.to_dict()
    insufficient = q.score({})
    assert ScoreResult.from_dict(json.loads(json.dumps(insufficient.to_dict()))) == insufficient


def test_from_dict_accepts_scales_keyed_by_id():
    scale_score = ScaleScore(id="a", label="A", method="sum", raw=3, score=3.0, answered=1, items=1, status="ok")
    result = ScoreResult(scoring_version="1", scales={"a": scale_score}, headline="a")
    data = result.to_dict()
    data["scales"] = {"a": data["scales"][0]}
    assert ScoreResult.from_dict(data) == result
    assert scale_score.ok
