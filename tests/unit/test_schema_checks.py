"""The JSON Schema and the loader's further checks: every broken definition is refused with a
message naming the file, the item (or path) and the problem."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from webapp.domain.questionnaires import SCHEMA_PATH, DefinitionError, load_definition

from .domain_helpers import choice, definition, load, load_errors, scale

ROOT = Path(__file__).resolve().parent.parent.parent


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert SCHEMA_PATH == ROOT / "questionnaires" / "schema" / "questionnaire.schema.json"


def test_example_and_builtin_files_validate_against_the_bare_schema():
    """The schema alone (as another tool would use it) accepts the shipped files."""
    import yaml

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    paths = list((ROOT / "questionnaires" / "examples").rglob("*.yaml"))
    paths += list((ROOT / "questionnaires" / "builtin").glob("*.yaml"))
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("kind") != "questionnaire":
            continue
        # plain YAML gives integer keys for levels/lookup; the loader turns them into strings
        for scale_def in (data.get("scoring") or {}).get("scales", []):
            for key in ("levels", "lookup"):
                if key in scale_def:
                    scale_def[key] = {str(k): v for k, v in scale_def[key].items()}
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (path, errors)


def test_error_message_format(tmp_path):
    (message,) = load_errors(tmp_path, definition([choice("own-2", "agreemnt")]), "x.yaml")
    assert message.startswith(f"{tmp_path / 'x.yaml'}: item 'own-2': options: unknown answer set 'agreemnt'")
    try:
        load(tmp_path, definition([choice("own-2", "agreemnt")]), "x.yaml")
    except Exception as exc:  # noqa: BLE001 - inspecting the structured error
        (error,) = exc.errors  # type: ignore[attr-defined]
        assert isinstance(error, DefinitionError)
        assert (error.file, error.item) == (str(tmp_path / "x.yaml"), "own-2")
        assert error.problem.startswith("options: unknown answer set 'agreemnt'")
        assert isinstance(error.line, int)


def _scored(items, *scales, **scoring):
    return definition(items, {"version": "1", "scales": list(scales), **scoring})


def _sum_scale(items, **extra):
    return {"id": "total", "label": "Total", "method": "sum", "items": items, **extra}


NA_ONLY_SCALE = scale("pain", 0, 10, options=[{"code": "not-sure", "text": "Not sure", "not_applicable": True}])

BROKEN = [
    # --- schema: structure and types ---
    ("missing title", lambda: {k: v for k, v in definition([choice("a")]).items() if k != "title"},
     [None, "'title' is a required property"]),
    ("version as a number", lambda: definition([choice("a")], version=2),
     ["version", "2 is not of type 'string' (put it in quotes"]),
    ("bad id", lambda: definition([choice("a")], id="My Questionnaire"),
     ["id", "does not match"]),
    ("unknown top-level key", lambda: definition([choice("a")], titel="x"),
     [None, "'titel' was unexpected"]),
    ("no items", lambda: definition([]), ["items", "should be non-empty"]),
    ("typo in an item key", lambda: definition([{**choice("a"), "optons": "agreement"}]),
     ["a", "'optons' was unexpected"]),
    ("unknown item type", lambda: definition([{"linkId": "a", "type": "slider", "text": "A"}]),
     ["a", "type: 'slider' is not one of"]),
    ("bad linkId", lambda: definition([choice("a b")]), ["a b", "linkId: 'a b' does not match"]),
    ("choice without options", lambda: definition([{"linkId": "a", "type": "choice", "text": "A"}]),
     ["a", "'options' is a required property"]),
    ("scale without max", lambda: definition([{"linkId": "a", "type": "scale", "text": "A", "min": 0}]),
     ["a", "'max' is a required property"]),
    ("repeats on a scale", lambda: definition([scale("a", repeats=True)]),
     ["a", "'repeats' is only allowed on choice items"]),
    ("max_length on a choice", lambda: definition([choice("a", max_length=5)]),
     ["a", "'max_length' is only allowed on text items"]),
    ("options on a text item", lambda: definition([{"linkId": "a", "type": "text", "text": "A", "options": "agreement"}]),
     ["a", "'options' is only allowed on choice and scale items"]),
    ("required on a display item", lambda: definition([{"linkId": "a", "type": "display", "text": "A", "required": True}]),
     ["a", "'required' is only allowed on items that take an answer"]),
    ("group inside a group", lambda: definition([{"linkId": "g", "type": "group", "text": "G", "items": [
        {"linkId": "h", "type": "group", "text": "H", "items": [choice("a")]}]}]),
     ["h", "a group cannot contain another group"]),
    ("group without items", lambda: definition([{"linkId": "g", "type": "group", "text": "G"}]),
     ["g", "'items' is a required property"]),
    ("option code not a slug", lambda: definition([choice("a", [{"code": "Agree", "text": "Agree", "value": 1}])]),
     ["a", "options[0].code: 'Agree' does not match"]),
    ("not-applicable option with a value", lambda: definition([choice("a", [
        {"code": "x", "text": "X", "value": 1}, {"code": "na", "text": "N/A", "not_applicable": True, "value": 0}])]),
     ["a", "options[1]: a not_applicable option has no value"]),
    ("unknown operator", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "a", "operator": "==", "answer": 1}])]),
     ["b", "enable_when[0].operator: '==' is not one of"]),
    ("exists with a number", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "a", "operator": "exists", "answer": 1}])]),
     ["b", "with operator 'exists' the answer must be true or false"]),
    ("unknown scale method", lambda: _scored([choice("a")], {"id": "s", "label": "S", "method": "median", "items": ["a"]}),
     ["scoring.scales[0].method", "'median' is not one of"]),
    ("prorate with mean", lambda: _scored([choice("a")], {"id": "s", "label": "S", "method": "mean", "items": ["a"], "prorate": True}),
     ["scoring.scales[0]: ", "'prorate' and 'lookup' are only used with method sum"]),
    ("value_set without values", lambda: _scored([choice("a")], {"id": "s", "label": "S", "method": "value_set", "items": ["a"]}),
     ["scoring.scales[0]", "'values' is a required property"]),
    # --- loader checks: items ---
    ("duplicate linkId", lambda: definition([choice("a"), choice("a")]), ["a", "linkId is used twice"]),
    ("duplicate linkId inside a group", lambda: definition([choice("a"), {"linkId": "g", "type": "group", "text": "G", "items": [choice("a")]}]),
     ["a", "linkId is used twice"]),
    ("unknown answer set", lambda: definition([choice("own-2", "agreemnt")]),
     ["own-2", "options: unknown answer set 'agreemnt'"]),
    ("duplicate option code inline", lambda: definition([choice("a", [
        {"code": "x", "text": "X", "value": 1}, {"code": "x", "text": "Y", "value": 2}])]),
     ["a", "options: option code 'x' is used twice"]),
    ("duplicate option code in an answer set", lambda: definition([choice("a", "twice")], answer_sets={"twice": [
        {"code": "x", "text": "X", "value": 1}, {"code": "x", "text": "Y", "value": 2}]}),
     ["answer_sets.twice", "option code 'x' is used twice"]),
    ("choice option without a value", lambda: definition([choice("a", [{"code": "x", "text": "X"}, {"code": "y", "text": "Y", "value": 1}])]),
     ["a", "needs a number 'value'", "missing on x"]),
    ("scale min not below max", lambda: definition([scale("a", 5, 5)]), ["a", "min (5) must be less than max (5)"]),
    ("scale option that is not n/a", lambda: definition([scale("a", options=[{"code": "x", "text": "X", "value": 1}])]),
     ["a", "option 'x' on a scale must be not_applicable"]),
    ("integer min above max", lambda: definition([{"linkId": "a", "type": "integer", "text": "A", "min": 5, "max": 1}]),
     ["a", "min (5) must not be more than max (1)"]),
    # --- loader checks: enable_when ---
    ("enable_when unknown item", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "zzz", "operator": "exists", "answer": True}])]),
     ["b", "enable_when[0]: unknown question 'zzz'"]),
    ("enable_when refers forward", lambda: definition([choice("a", enable_when=[
        {"question": "b", "operator": "exists", "answer": True}]), choice("b")]),
     ["a", "question 'b' must be on an earlier screen"]),
    ("enable_when refers to itself", lambda: definition([choice("a", enable_when=[
        {"question": "a", "operator": "exists", "answer": True}])]),
     ["a", "question 'a' must be on an earlier screen"]),
    ("enable_when refers to the same screen", lambda: definition([{"linkId": "g", "type": "group", "text": "G", "items": [
        choice("a"), choice("b", enable_when=[{"question": "a", "operator": "=", "answer": "agree"}])]}]),
     ["b", "question 'a' must be on an earlier screen"]),
    ("enable_when refers to a display item", lambda: definition([{"linkId": "d", "type": "display", "text": "D"}, choice("b", enable_when=[
        {"question": "d", "operator": "exists", "answer": True}])]),
     ["b", "question 'd' is a display item and has no answer"]),
    ("> with a string", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "a", "operator": ">", "answer": "agree"}])]),
     ["b", "operator '>' needs a number"]),
    ("string on a scale", lambda: definition([scale("a"), choice("b", enable_when=[
        {"question": "a", "operator": "=", "answer": "five"}])]),
     ["b", "answer 'five' is an option code, but 'a' is a scale item"]),
    ("unknown option code", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "a", "operator": "=", "answer": "agre"}])]),
     ["b", "'a' has no option 'agre'"]),
    ("not-applicable code in a condition", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "a", "operator": "=", "answer": "not-applicable"}])]),
     ["b", "option 'not-applicable' is not_applicable", "use operator 'exists' with answer false"]),
    ("boolean answer on a choice", lambda: definition([choice("a"), choice("b", enable_when=[
        {"question": "a", "operator": "=", "answer": True}])]),
     ["b", "answer true only fits a boolean question"]),
    ("> on a boolean", lambda: definition([{"linkId": "a", "type": "boolean", "text": "A"}, choice("b", enable_when=[
        {"question": "a", "operator": ">", "answer": True}])]),
     ["b", "operator '>' cannot compare true/false"]),
    ("number on a text item", lambda: definition([{"linkId": "a", "type": "text", "text": "A"}, choice("b", enable_when=[
        {"question": "a", "operator": "=", "answer": 3}])]),
     ["b", "a number cannot be compared with the text item 'a'"]),
    ("number on a repeats choice", lambda: definition([choice("a", repeats=True), choice("b", enable_when=[
        {"question": "a", "operator": ">=", "answer": 3}])]),
     ["b", "'a' allows several answers"]),
    # --- loader checks: scoring ---
    ("scoring an unknown item", lambda: _scored([choice("a")], _sum_scale(["a", "b"])),
     ["scoring.scales[0]", "scale 'total': items: unknown item 'b'"]),
    ("scoring a display item", lambda: _scored([choice("a"), {"linkId": "d", "type": "display", "text": "D"}], _sum_scale(["a", "d"])),
     ["scoring.scales[0]", "item 'd' is a display item and has no answer"]),
    ("scoring a repeats choice", lambda: _scored([choice("a", repeats=True)], _sum_scale(["a"])),
     ["scoring.scales[0]", "item 'a' is a choice with repeats (a list of answers) and cannot be scored"]),
    ("scoring a text item", lambda: _scored([{"linkId": "t", "type": "text", "text": "T"}], _sum_scale(["t"])),
     ["scoring.scales[0]", "item 't' is a text item and cannot be scored"]),
    ("scoring an unbounded integer", lambda: _scored([{"linkId": "n", "type": "integer", "text": "N", "min": 0}], _sum_scale(["n"])),
     ["scoring.scales[0]", "item 'n' is an integer item without both min and max"]),
    ("scale item listed twice", lambda: _scored([choice("a")], _sum_scale(["a", "a"])),
     ["scoring.scales[0]", "items: listed more than once: a"]),
    ("duplicate scale id", lambda: _scored([choice("a")], _sum_scale(["a"]), _sum_scale(["a"])),
     ["scoring.scales[1]", "scale id 'total' is used twice"]),
    ("reverse item not in the scale", lambda: _scored([choice("a"), choice("b")], _sum_scale(["a"], reverse=["b"])),
     ["scoring.scales[0]", "reverse: 'b' is not one of this scale's items"]),
    ("min_answered above the item count", lambda: _scored([choice("a")], _sum_scale(["a"], min_answered=2)),
     ["scoring.scales[0]", "min_answered (2) is more than the number of items (1)"]),
    ("lookup missing raw scores", lambda: _scored([choice("a"), choice("b")], _sum_scale(
        ["a", "b"], lookup={"2": 0, "3": 10, "4": 20, "5": 30, "6": 40, "7": 50})),
     ["scoring.scales[0]", "lookup: no calibrated score for raw score(s) 8", "2 to 8 with at least 2 answers"]),
    ("lookup missing sums of fewer items", lambda: _scored([choice("a"), choice("b")], _sum_scale(
        ["a", "b"], min_answered=1, lookup={str(r): r for r in range(2, 9)})),
     ["scoring.scales[0]", "raw score(s) 1", "1 to 8 with at least 1 answers"]),
    ("lookup with rescale", lambda: _scored([choice("a")], _sum_scale(
        ["a"], lookup={str(r): r for r in range(1, 5)}, rescale=[0, 100])),
     ["scoring.scales[0]", "lookup and rescale cannot be used together"]),
    ("lookup with prorate", lambda: _scored([choice("a")], _sum_scale(
        ["a"], lookup={str(r): r for r in range(1, 5)}, prorate=True)),
     ["scoring.scales[0]", "lookup cannot be used with prorate"]),
    ("cut points not ascending", lambda: _scored([choice("a")], _sum_scale(["a"], cut_points=[2, 1.5, 3])),
     ["scoring.scales[0]", "cut_points: must be in ascending order"]),
    ("cut points repeated", lambda: _scored([choice("a")], _sum_scale(["a"], cut_points=[2, 2])),
     ["scoring.scales[0]", "cut_points: must be in ascending order"]),
    ("levels without cut points", lambda: _scored([choice("a")], _sum_scale(["a"], levels={"1": {"label": "L"}})),
     ["scoring.scales[0]", "levels: need cut_points"]),
    ("level that cannot occur", lambda: _scored([choice("a")], _sum_scale(["a"], cut_points=[2], levels={"3": {"label": "L"}})),
     ["scoring.scales[0]", "levels: level 3 cannot occur with 1 cut point(s)"]),
    ("bands overlapping", lambda: _scored([scale("a")], _sum_scale(["a"], bands=[
        {"code": "low", "label": "Low", "min": 0, "max": 5}, {"code": "high", "label": "High", "min": 5, "max": 10}])),
     ["scoring.scales[0]", "bands: 'low' (0 to 5) overlaps 'high' (5 to 10)"]),
    ("band upside down", lambda: _scored([scale("a")], _sum_scale(["a"], bands=[
        {"code": "low", "label": "Low", "min": 4, "max": 0}])),
     ["scoring.scales[0]", "band 'low' has min (4) above max (0)"]),
    ("headline naming an unknown scale", lambda: _scored([choice("a")], _sum_scale(["a"]), headline="overall"),
     ["scoring.headline", "unknown scale 'overall'"]),
    ("value_set naming an unknown item", lambda: _scored([choice("a")], {
        "id": "s", "label": "S", "method": "value_set", "items": ["a"],
        "values": {"a": {"strongly-disagree": 0, "disagree": 0.1, "agree": 0.2, "strongly-agree": 0.3}, "zz": {"x": 1}}}),
     ["scoring.scales[0]", "values: 'zz' is not one of this scale's items"]),
    ("value_set naming an unknown option", lambda: _scored([choice("a")], {
        "id": "s", "label": "S", "method": "value_set", "items": ["a"],
        "values": {"a": {"strongly-disagree": 0, "disagree": 0.1, "agree": 0.2, "strongly-agree": 0.3, "maybe": 1}}}),
     ["scoring.scales[0]", "values: item 'a' has no option 'maybe'"]),
    ("value_set missing an option", lambda: _scored([choice("a")], {
        "id": "s", "label": "S", "method": "value_set", "items": ["a"],
        "values": {"a": {"strongly-disagree": 0, "disagree": 0.1, "agree": 0.2}}}),
     ["scoring.scales[0]", "values: item 'a' has no value for option(s) strongly-agree"]),
    ("value_set valuing a not-applicable option", lambda: _scored([choice("a")], {
        "id": "s", "label": "S", "method": "value_set", "items": ["a"],
        "values": {"a": {"strongly-disagree": 0, "disagree": 0.1, "agree": 0.2, "strongly-agree": 0.3, "not-applicable": 0}}}),
     ["scoring.scales[0]", "option 'not-applicable' of item 'a' is not_applicable"]),
    ("value_set with reverse", lambda: _scored([choice("a")], {
        "id": "s", "label": "S", "method": "value_set", "items": ["a"], "reverse": ["a"],
        "values": {"a": {"strongly-disagree": 0, "disagree": 0.1, "agree": 0.2, "strongly-agree": 0.3}}}),
     ["scoring.scales[0]", "reverse: cannot be used with value_set"]),
    ("value_set on a scale item", lambda: _scored([NA_ONLY_SCALE], {
        "id": "s", "label": "S", "method": "value_set", "items": ["pain"], "values": {"pain": {"not-sure": 1}}}),
     ["scoring.scales[0]", "value_set items must be choice items"]),
]


@pytest.mark.parametrize("name,build,expected", BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_definition_is_refused(tmp_path, name, build, expected):
    messages = load_errors(tmp_path, build(), "broken.yaml")
    where, *parts = expected
    file = str(tmp_path / "broken.yaml")
    matching = [
        m for m in messages
        if m.startswith(f"{file}: ")
        and (where is None or m.startswith(f"{file}: item '{where}': ") or m.startswith(f"{file}: {where}"))
        and all(part in m for part in parts)
    ]
    assert matching, f"{name}: expected {expected!r} in {messages!r}"


def _profile_definition(**profile_changes):
    items = [
        {"linkId": "d1", "type": "group", "text": "D1", "items": [
            choice("d1-matters", "zero-four"), choice("d1-free", "zero-four"), choice("d1-actual", "zero-four")]},
        choice("d1-barriers", [{"code": "money", "text": "Money"}, {"code": "confidence", "text": "Confidence"}],
               repeats=True, required=False),
        {"linkId": "what", "type": "text", "text": "What matters?"},
    ]
    profile = {
        "type": "capability", "scale": [0, 4], "matters_high": 3, "free_low": 1, "free_high": 3,
        "actual_low": 1, "outside_barriers": ["money"], "what_matters": "what",
        "domains": [{"id": "d1", "label": "D1", "matters": "d1-matters", "free": "d1-free",
                     "actual": "d1-actual", "barriers": "d1-barriers"}],
    }
    profile.update(profile_changes)
    zero_four = [{"code": f"v{i}", "text": str(i), "value": i} for i in range(5)]
    data = definition(items, {"version": "1", "profile": profile})
    data["answer_sets"]["zero-four"] = zero_four
    return data


def test_valid_profile_loads(tmp_path):
    q = load(tmp_path, _profile_definition())
    assert q.scoring.profile.domains[0].barriers == "d1-barriers"


PROFILE_BROKEN = [
    ("unknown matters item", {"domains": [{"id": "d1", "label": "D1", "matters": "nope", "free": "d1-free", "actual": "d1-actual"}]},
     "domain 'd1': matters: unknown item 'nope'"),
    ("text item as free", {"domains": [{"id": "d1", "label": "D1", "matters": "d1-matters", "free": "what", "actual": "d1-actual"}]},
     "domain 'd1': free: item 'what' is a text item and cannot be scored"),
    ("barriers not a repeats choice", {"domains": [{"id": "d1", "label": "D1", "matters": "d1-matters", "free": "d1-free",
                                                    "actual": "d1-actual", "barriers": "d1-matters"}]},
     "barriers: item 'd1-matters' must be a choice with repeats: true"),
    ("unknown barriers item", {"domains": [{"id": "d1", "label": "D1", "matters": "d1-matters", "free": "d1-free",
                                            "actual": "d1-actual", "barriers": "zz"}]},
     "barriers: unknown item 'zz'"),
    ("duplicate domain id", {"domains": [
        {"id": "d1", "label": "D1", "matters": "d1-matters", "free": "d1-free", "actual": "d1-actual"},
        {"id": "d1", "label": "D1", "matters": "d1-matters", "free": "d1-free", "actual": "d1-actual"}]},
     "domain id 'd1' is used twice"),
    ("values outside the scale", {"scale": [1, 4], "free_low": 1}, "gives values 0 to 4, outside the profile scale [1, 4]"),
    ("what_matters unknown", {"what_matters": "nope"}, "what_matters: unknown item 'nope'"),
    ("what_matters not text", {"what_matters": "d1-matters"}, "what_matters: item 'd1-matters' must be a text item"),
    ("outside barrier no item offers", {"outside_barriers": ["money", "transprt"]},
     "outside_barriers: no barriers item has the option(s) transprt"),
    ("free thresholds crossed", {"free_low": 3, "free_high": 2}, "free_low (3) must be less than free_high (2)"),
    ("threshold outside the scale", {"matters_high": 5}, "matters_high (5) is outside scale [0, 4]"),
    ("wrong profile type", {"type": "wellbeing"}, "'capability' was expected"),
]


@pytest.mark.parametrize("name,changes,expected", PROFILE_BROKEN, ids=[case[0] for case in PROFILE_BROKEN])
def test_broken_profile_is_refused(tmp_path, name, changes, expected):
    messages = load_errors(tmp_path, _profile_definition(**changes))
    assert any("scoring.profile" in m and expected in m for m in messages), messages


def test_every_problem_in_a_file_is_reported(tmp_path):
    data = _scored(
        [choice("a", "agreemnt"), choice("a"), choice("b", enable_when=[{"question": "c", "operator": "exists", "answer": True}])],
        _sum_scale(["zz"]),
        headline="nothing",
    )
    messages = load_errors(tmp_path, data)
    assert len(messages) == 5
    assert any("unknown answer set" in m for m in messages)
    assert any("linkId is used twice" in m for m in messages)
    assert any("unknown question 'c'" in m for m in messages)
    assert any("unknown item 'zz'" in m for m in messages)
    assert any("unknown scale 'nothing'" in m for m in messages)


def test_schema_errors_are_all_reported_at_once(tmp_path):
    data = definition([{"linkId": "a", "type": "choice", "text": ""}, {"linkId": "b", "type": "bogus", "text": "B"}])
    messages = load_errors(tmp_path, data)
    assert any("item 'a'" in m and "'options' is a required property" in m for m in messages)
    assert any("item 'a'" in m and "text" in m for m in messages)
    assert any("item 'b'" in m and "'bogus' is not one of" in m for m in messages)


def test_licence_is_required(tmp_path):
    data = definition([choice("a")])
    del data["licence"]
    (message,) = load_errors(tmp_path, data)
    assert "'licence' is a required property" in message


def test_loader_accepts_the_documented_example_of_every_field(tmp_path):
    q = load(tmp_path, definition(
        [
            {"linkId": "intro", "type": "display", "text": "Hello", "help": "About this"},
            choice("own-1", help="hint", required=True, repeats=False),
            scale("q-scale", 0, 10, min_label="Not at all", max_label="Completely",
                  options=[{"code": "not-applicable", "text": "N/A", "not_applicable": True, "help": "skip"}],
                  enable_when=[{"question": "own-1", "operator": ">=", "answer": 2}], enable_behavior="any"),
            {"linkId": "q-int", "type": "integer", "text": "Number", "min": 0, "max": 5},
            {"linkId": "q-text", "type": "text", "text": "Words", "max_length": 50},
            {"linkId": "q-bool", "type": "boolean", "text": "Yes or no", "required": False},
        ],
        {"version": "1", "headline": "s", "scales": [
            {"id": "s", "label": "S", "method": "sum", "items": ["own-1", "q-scale", "q-int"], "reverse": ["own-1"],
             "min_answered": 2, "prorate": True, "rescale": [0, 100], "cut_points": [40, 60],
             "levels": {"1": {"label": "L1", "summary": "s", "what_helps": "w"}, "2": {"label": "L2"}},
             "bands": [{"code": "low", "label": "Low", "min": 0, "max": 49.9}], "decimals": 2},
        ]},
        attribution="Someone", estimated_minutes=2,
    ))
    assert q.scoring.headline == "s"
    assert load_definition(q.source).id == q.id
