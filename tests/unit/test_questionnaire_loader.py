"""Loading definitions and catalogues, the model, and answer parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.domain.questionnaires import (
    AnswerError,
    Catalogue,
    DefinitionError,
    DefinitionErrors,
    Item,
    load_catalogue,
    load_definition,
    version_key,
)

from .domain_helpers import choice, definition, load, load_errors, scale, write

ROOT = Path(__file__).resolve().parent.parent.parent
BUILTIN = ROOT / "questionnaires" / "builtin"
EXAMPLE = ROOT / "questionnaires" / "examples" / "made-up-licensed" / "example-activation-measure-1.yaml"


def full_definition() -> dict:
    return definition([
        {"linkId": "intro", "type": "display", "text": "Welcome"},
        choice("mood", help="Pick one"),
        scale("pain", 0, 10, min_label="None", max_label="Worst",
              options=[{"code": "not-sure", "text": "Not sure", "not_applicable": True}]),
        {"linkId": "age", "type": "integer", "text": "Age", "min": 16, "max": 120},
        {"linkId": "steps", "type": "integer", "text": "Steps yesterday"},
        {"linkId": "carer", "type": "boolean", "text": "Do you care for someone?"},
        {"linkId": "story", "type": "text", "text": "Anything else?", "max_length": 10},
        {"linkId": "friends", "type": "group", "text": "Friends", "help": "People", "items": [
            {"linkId": "friends-note", "type": "display", "text": "About friends"},
            choice("friends-matter"),
            choice("friends-barriers", [
                {"code": "money", "text": "Money"},
                {"code": "transport", "text": "Transport"},
                {"code": "none", "text": "None of these", "not_applicable": True},
            ], repeats=True, required=False),
        ]},
        {"linkId": "what-matters", "type": "text", "text": "What matters to you?"},
    ], estimated_minutes=3, attribution="Nobody")


# --- definitions ---------------------------------------------------------------------------

def test_full_definition_model(tmp_path):
    q = load(tmp_path, full_definition())
    assert (q.id, q.version, q.title, q.licence, q.attribution, q.estimated_minutes) == (
        "synthetic", "1", "Synthetic questionnaire", "Test data.", "Nobody", 3)
    assert q.source == str(tmp_path / "synthetic.yaml")
    assert [p.link_id for p in q.pages] == [
        "intro", "mood", "pain", "age", "steps", "carer", "story", "friends", "what-matters"]
    assert [p.index for p in q.pages] == list(range(9))
    friends = q.page("friends")
    assert friends.is_group and not q.page("mood").is_group
    assert [i.link_id for i in friends.questions] == ["friends-matter", "friends-barriers"]
    assert q.page("intro").questions == ()
    assert q.page("mood").questions == (q.item("mood"),)
    assert q.page("friends-matter") is None  # not a page, but an item
    assert q.item("friends-barriers").repeats
    assert q.item("nope") is None
    assert [i.link_id for i in q.answerable_items] == [
        "mood", "pain", "age", "steps", "carer", "story", "friends-matter", "friends-barriers", "what-matters"]


def test_item_defaults(tmp_path):
    q = load(tmp_path, full_definition())
    mood, story, intro = q.item("mood"), q.item("story"), q.item("intro")
    assert mood.required and mood.answerable and mood.enable_behavior == "all" and mood.enable_when == ()
    assert mood.help == "Pick one"
    assert [o.code for o in mood.options] == [
        "strongly-disagree", "disagree", "agree", "strongly-agree", "not-applicable"]
    assert mood.option("agree").value == 3
    assert mood.option("not-applicable").not_applicable and mood.option("not-applicable").value is None
    assert mood.option("nope") is None
    assert not story.required and story.max_length == 10
    assert q.item("what-matters").max_length == 2000 and not q.item("what-matters").required
    assert not intro.answerable and not intro.required
    assert not q.item("friends").answerable
    assert not q.item("friends-barriers").required
    pain = q.item("pain")
    assert (pain.min, pain.max, pain.min_label, pain.max_label) == (0, 10, "None", "Worst")
    assert pain.scale_values == tuple(range(11))
    assert pain.not_applicable_codes == ("not-sure",)
    assert isinstance(pain, Item)


def test_questionnaire_is_hashable_and_immutable(tmp_path):
    q = load(tmp_path, full_definition())
    assert hash(q) == hash(q)
    with pytest.raises(AttributeError):
        q.title = "changed"  # type: ignore[misc]


def test_yaml_1_2_booleans_and_quoted_codes(tmp_path):
    text = """
kind: questionnaire
id: yes-no
version: "1"
title: Yes and no
description: Codes called yes and no stay strings.
licence: Test.
items:
  - linkId: q
    type: choice
    text: Pick
    options:
      - {code: yes, text: "Yes", value: 1}
      - {code: no, text: "No", value: 0}
      - {code: on, text: "On", value: 2}
    required: true
"""
    q = load(tmp_path, text)
    assert [o.code for o in q.item("q").options] == ["yes", "no", "on"]


def test_integer_keys_in_levels_and_lookup(tmp_path):
    text = """
kind: questionnaire
id: keys
version: "1"
title: Keys
description: Unquoted numeric keys are fine.
licence: Test.
items:
  - {linkId: a, type: scale, text: A, min: 1, max: 2}
scoring:
  version: "1"
  scales:
    - id: s
      label: S
      method: sum
      items: [a]
      lookup: {1: 10, 2: 20}
      cut_points: [15]
      levels:
        1: {label: Low}
        2: {label: High}
"""
    q = load(tmp_path, text)
    result = q.score({"a": 2})
    assert result.scales["s"].score == 20 and result.scales["s"].level_text["label"] == "High"


def test_example_licensed_instrument_loads_and_scores():
    q = load_definition(EXAMPLE)
    assert q.id == "example-activation-measure" and q.version == "1"
    assert "made up" in q.title.lower()
    assert len(q.answerable_items) == 4
    scale_def = q.scoring.scales[0]
    assert scale_def.method == "sum" and sorted(scale_def.lookup) == [float(r) for r in range(4, 17)]
    assert len(scale_def.cut_points) == 3 and sorted(scale_def.levels) == [1, 2, 3, 4]
    all_low = q.score({i.link_id: "strongly-disagree" for i in q.answerable_items}).scales[scale_def.id]
    assert (all_low.raw, all_low.score, all_low.level) == (4, 0.0, 1)
    all_high = q.score({i.link_id: "strongly-agree" for i in q.answerable_items}).scales[scale_def.id]
    assert (all_high.raw, all_high.score, all_high.level) == (16, 100.0, 4)
    with_na = q.score({**{i.link_id: "agree" for i in q.answerable_items}, "example-2": "not-applicable"})
    assert with_na.scales[scale_def.id].status == "insufficient"


def test_builtin_definitions_load():
    files = sorted(BUILTIN.glob("*.y*ml")) if BUILTIN.is_dir() else []
    if not files:
        pytest.skip("no built-in questionnaire files yet")
    catalogue = load_catalogue([BUILTIN])
    assert len(catalogue) >= 1
    for questionnaire in catalogue:
        empty = questionnaire.score({})
        assert empty.to_dict()["scoring_version"] == questionnaire.scoring.version


# --- catalogue ------------------------------------------------------------------------------

def test_version_ordering():
    versions = ["10", "1.9", "2", "1.10", "1", "1.2.1", "1.2"]
    assert sorted(versions, key=version_key) == ["1", "1.2", "1.2.1", "1.9", "1.10", "2", "10"]


def test_catalogue_get_latest_versions(tmp_path):
    for version in ("1", "2", "10", "1.10", "1.9"):
        write(tmp_path / "a", definition([choice("q")], id="alpha", version=version), f"alpha-{version}.yaml")
    write(tmp_path / "b" / "deeper", definition([choice("q")], id="beta"), "beta.yml")
    catalogue = load_catalogue([tmp_path / "a", str(tmp_path / "b")])
    assert len(catalogue) == 6
    assert catalogue.get("alpha").version == "10"
    assert catalogue.get("alpha", "1.9").version == "1.9"
    assert catalogue.get("alpha", "3") is None
    assert catalogue.get("gamma") is None
    assert [q.version for q in catalogue.versions("alpha")] == ["1", "1.9", "1.10", "2", "10"]
    assert catalogue.versions("gamma") == []
    assert [(q.id, q.version) for q in catalogue.latest()] == [("alpha", "10"), ("beta", "1")]
    assert [(q.id, q.version) for q in catalogue][-1] == ("beta", "1")
    assert "alpha" in catalogue and isinstance(catalogue, Catalogue)


def test_catalogue_skips_goal_libraries_and_hidden_files(tmp_path):
    write(tmp_path, definition([choice("q")]), "q.yaml")
    write(tmp_path, "kind: goal-library\ngoals: []\n", "goals.yaml")
    write(tmp_path, "not: [valid", ".editor-backup.yaml")
    write(tmp_path, "this is not yaml: [", "notes.txt")
    assert [q.id for q in load_catalogue([tmp_path])] == ["synthetic"]


def test_catalogue_rejects_unknown_or_missing_kind(tmp_path):
    write(tmp_path, "kind: goals\nx: 1\n", "a.yaml")
    write(tmp_path, "id: nothing\n", "b.yaml")
    write(tmp_path, "", "c.yaml")
    with pytest.raises(DefinitionErrors) as caught:
        load_catalogue([tmp_path])
    messages = str(caught.value).splitlines()
    assert len(messages) == 3
    assert messages[0].startswith(str(tmp_path / "a.yaml")) and "unknown kind 'goals'" in messages[0]
    assert "no 'kind'" in messages[1]
    assert "empty" in messages[2]


def test_catalogue_missing_folder(tmp_path):
    missing = tmp_path / "not-there"
    with pytest.raises(DefinitionErrors) as caught:
        load_catalogue([missing])
    assert str(caught.value) == f"{missing}: questionnaire folder does not exist"


def test_catalogue_duplicate_id_and_version(tmp_path):
    first = write(tmp_path / "one", definition([choice("q")]), "x.yaml")
    second = write(tmp_path / "two", definition([choice("q")]), "y.yaml")
    with pytest.raises(DefinitionErrors) as caught:
        load_catalogue([tmp_path / "one", tmp_path / "two"])
    (error,) = caught.value.errors
    assert error.file == str(second) and str(first) in error.problem
    assert "id 'synthetic' version '1' is already defined" in str(error)


def test_catalogue_lists_every_broken_file(tmp_path):
    write(tmp_path, definition([choice("q", "agreemnt")]), "a.yaml")
    write(tmp_path, definition([choice("q"), choice("q")], id="other"), "b.yaml")
    write(tmp_path, definition([choice("q")], id="fine"), "c.yaml")
    with pytest.raises(DefinitionErrors) as caught:
        load_catalogue([tmp_path])
    lines = str(caught.value).splitlines()
    a_lines = (tmp_path / "a.yaml").read_text().splitlines()
    b_lines = (tmp_path / "b.yaml").read_text().splitlines()
    item_a = a_lines.index("- linkId: q") + 1
    second_b = [n for n, line in enumerate(b_lines, 1) if line == "- linkId: q"][1]
    assert lines == [
        f"{tmp_path / 'a.yaml'}: item 'q': options: unknown answer set 'agreemnt' (answer sets: agreement) (line {item_a})",
        f"{tmp_path / 'b.yaml'}: item 'q': linkId is used twice in this definition (line {second_b})",
    ]
    assert all(isinstance(e, DefinitionError) for e in caught.value.errors)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    text = "kind: questionnaire\nid: broken\nitems:\n  - linkId: a\n    text: [unclosed\n"
    errors = load_errors(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith(f"{tmp_path / 'synthetic.yaml'}: YAML syntax error")
    assert errors[0].endswith("(line 6)")


def test_yaml_duplicate_keys_are_errors(tmp_path):
    text = "kind: questionnaire\nid: a\nid: b\n"
    (error,) = load_errors(tmp_path, text)
    assert "duplicate key 'id'" in error and "(line 3)" in error


def test_load_definition_of_another_kind(tmp_path):
    path = write(tmp_path, "kind: goal-library\n")
    with pytest.raises(DefinitionErrors, match="not 'questionnaire'"):
        load_definition(path)


# --- answers: form values -----------------------------------------------------------------

@pytest.fixture
def q(tmp_path):
    return load(tmp_path, full_definition())


def _error(callable_, *args) -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        callable_(*args)
    return caught.value


def test_parse_choice(q):
    mood = q.item("mood")
    assert q.parse_answer(mood, ["agree"]) == "agree"
    assert q.parse_answer(mood, [" agree "]) == "agree"
    assert q.parse_answer(mood, ["not-applicable"]) == "not-applicable"
    error = _error(q.parse_answer, mood, ["maybe"])
    assert (error.code, error.link_id) == ("not_an_option", "mood")
    assert _error(q.parse_answer, mood, []).code == "required"
    assert _error(q.parse_answer, mood, [""]).code == "required"


def test_parse_repeats(q):
    item = q.item("friends-barriers")
    assert q.parse_answer(item, ["transport", "money", "transport"]) == ["money", "transport"]
    assert q.parse_answer(item, []) is None
    assert _error(q.parse_answer, item, ["money", "cars"]).code == "not_an_option"


def test_parse_scale(q):
    pain = q.item("pain")
    assert q.parse_answer(pain, ["7"]) == 7
    assert q.parse_answer(pain, ["0"]) == 0
    assert q.parse_answer(pain, ["not-sure"]) == "not-sure"
    error = _error(q.parse_answer, pain, ["11"])
    assert (error.code, error.params) == ("out_of_range", {"min": 0, "max": 10})
    assert _error(q.parse_answer, pain, ["-1"]).code == "out_of_range"
    assert _error(q.parse_answer, pain, ["seven"]).code == "not_an_option"
    assert _error(q.parse_answer, pain, ["7.5"]).code == "not_an_option"
    assert _error(q.parse_answer, pain, []).code == "required"


def test_parse_integer(q):
    age, steps = q.item("age"), q.item("steps")
    assert q.parse_answer(age, [" 42 "]) == 42
    error = _error(q.parse_answer, age, ["15"])
    assert (error.code, error.params) == ("out_of_range", {"min": 16, "max": 120})
    assert "between 16 and 120" in error.message
    for bad in ("4.5", "forty", "1e3", "12 years"):
        assert _error(q.parse_answer, age, [bad]).code == "not_a_number"
    assert q.parse_answer(steps, ["-3"]) == -3
    assert q.parse_answer(steps, ["123456"]) == 123456


def test_parse_boolean(q):
    carer = q.item("carer")
    assert q.parse_answer(carer, ["yes"]) is True
    assert q.parse_answer(carer, ["no"]) is False
    assert q.parse_answer(carer, ["Yes"]) is True
    assert _error(q.parse_answer, carer, ["perhaps"]).code == "not_an_option"
    assert _error(q.parse_answer, carer, []).code == "required"


def test_parse_text(q):
    story, what = q.item("story"), q.item("what-matters")
    assert q.parse_answer(story, ["  hello  "]) == "hello"
    assert q.parse_answer(story, ["   "]) is None
    assert q.parse_answer(story, []) is None
    assert q.parse_answer(story, ["a\r\nb"]) == "a\nb"
    error = _error(q.parse_answer, story, ["x" * 11])
    assert (error.code, error.params["max_length"]) == ("too_long", 10)
    assert "10 characters" in error.message
    assert q.parse_answer(what, ["x" * 2000]) == "x" * 2000
    assert _error(q.parse_answer, what, ["x" * 2001]).code == "too_long"


def test_parse_display_item_is_not_answerable(q):
    assert _error(q.parse_answer, q.item("intro"), ["x"]).code == "unknown_item"


# --- answers: JSON values -----------------------------------------------------------------

def test_check_answer_value(q):
    check = q.check_answer_value
    assert check(q.item("mood"), "agree") == "agree"
    assert check(q.item("pain"), 3) == 3
    assert check(q.item("pain"), 3.0) == 3
    assert check(q.item("pain"), "not-sure") == "not-sure"
    assert check(q.item("age"), 30) == 30
    assert check(q.item("carer"), False) is False
    assert check(q.item("story"), " hi ") == "hi"
    assert check(q.item("story"), None) is None
    assert check(q.item("friends-barriers"), ["transport", "money"]) == ["money", "transport"]
    assert check(q.item("friends-barriers"), []) is None
    cases = [
        ("mood", None, "required"),
        ("mood", 3, "not_an_option"),
        ("mood", "maybe", "not_an_option"),
        ("pain", 3.5, "not_a_number"),
        ("pain", True, "not_a_number"),
        ("pain", 12, "out_of_range"),
        ("pain", "3", "not_an_option"),
        ("age", "30", "not_a_number"),
        ("age", 200, "out_of_range"),
        ("carer", "yes", "not_an_option"),
        ("carer", 1, "not_an_option"),
        ("story", "x" * 11, "too_long"),
        ("friends-barriers", "money", "not_an_option"),
        ("friends-barriers", ["cars"], "not_an_option"),
    ]
    for link_id, value, code in cases:
        assert _error(check, q.item(link_id), value).code == code, (link_id, value)


def test_validate_answers(tmp_path):
    q = load(tmp_path, definition([
        {"linkId": "carer", "type": "boolean", "text": "Carer?"},
        {"linkId": "hours", "type": "integer", "text": "Hours", "min": 0, "max": 168,
         "enable_when": [{"question": "carer", "operator": "=", "answer": True}]},
    ]))
    assert q.validate_answers({"carer": True, "hours": 12.0}) == {"carer": True, "hours": 12}
    assert q.validate_answers({"carer": False, "hours": None}) == {"carer": False}
    error = _error(q.validate_answers, {"carer": False, "hours": 3})
    assert (error.code, error.link_id) == ("not_enabled", "hours")
    assert _error(q.validate_answers, {"who": 1}).code == "unknown_item"


def test_answer_error_codes_are_checked():
    with pytest.raises(ValueError):
        AnswerError("bad-code", "x")
    error = AnswerError("out_of_range", "x", {"min": None, "max": 5})
    assert error.message == "Enter a whole number no more than 5."
    assert str(error).startswith("x: out_of_range")
