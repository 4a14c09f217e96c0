"""enable_when: the shared test vectors (also run by the JavaScript version) and the cascade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp.domain.questionnaires import EnableWhen, Item, Option, enable_when_holds

from .domain_helpers import choice, definition, load, scale

VECTORS_PATH = Path(__file__).resolve().parent.parent / "enable_when_vectors.json"
VECTORS = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
OPERATORS = {"exists", "=", "!=", ">", ">=", "<", "<="}


def _item(link_id: str, spec: dict) -> Item:
    return Item(
        link_id=link_id,
        type=spec["type"],
        text=link_id,
        options=tuple(
            Option(code=o["code"], text=o["code"], value=o.get("value"),
                   not_applicable=bool(o.get("not_applicable", False)))
            for o in spec.get("options", [])
        ),
        repeats=bool(spec.get("repeats", False)),
        min=spec.get("min"),
        max=spec.get("max"),
    )


def _definition_item(link_id: str, spec: dict) -> dict:
    item = {"linkId": link_id, "type": spec["type"], "text": f"Question {link_id}", "required": False}
    if "options" in spec:
        item["options"] = [
            {key: value for key, value in {**o, "text": o["code"]}.items()} for o in spec["options"]
        ]
    for key in ("repeats", "min", "max"):
        if key in spec:
            item[key] = spec[key]
    return item


def test_vector_file_is_data_only_and_covers_everything():
    assert isinstance(VECTORS, list) and VECTORS
    operators, behaviours, types = set(), set(), set()
    for vector in VECTORS:
        assert set(vector) == {"description", "item", "question_types", "answers", "expected"}
        assert isinstance(vector["expected"], bool)
        for condition in vector["item"]["enable_when"]:
            operators.add(condition["operator"])
            assert condition["question"] in vector["question_types"]
        behaviours.add(vector["item"].get("enable_behavior", "all"))
        for spec in vector["question_types"].values():
            types.add((spec["type"], bool(spec.get("repeats"))))
    assert operators == OPERATORS
    assert behaviours == {"all", "any"}
    assert types >= {("choice", False), ("choice", True), ("scale", False), ("integer", False),
                     ("boolean", False), ("text", False)}
    descriptions = [v["description"] for v in VECTORS]
    assert len(descriptions) == len(set(descriptions))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["description"] for v in VECTORS])
def test_vector_with_the_pure_function(vector):
    conditions = [EnableWhen(**c) for c in vector["item"]["enable_when"]]
    questions = {link_id: _item(link_id, spec) for link_id, spec in vector["question_types"].items()}
    behaviour = vector["item"].get("enable_behavior", "all")
    assert enable_when_holds(conditions, behaviour, vector["answers"], questions) is vector["expected"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["description"] for v in VECTORS])
def test_vector_through_a_loaded_definition(vector, tmp_path):
    """The same vector as a real definition: one screen per question, then the target screen."""
    items = [_definition_item(link_id, spec) for link_id, spec in vector["question_types"].items()]
    target = {"linkId": "target", "type": "boolean", "text": "Target", "required": False}
    if vector["item"]["enable_when"]:
        target["enable_when"] = vector["item"]["enable_when"]
    if "enable_behavior" in vector["item"]:
        target["enable_behavior"] = vector["item"]["enable_behavior"]
    questionnaire = load(tmp_path, definition(items + [target]))
    assert questionnaire.is_enabled("target", vector["answers"]) is vector["expected"]
    pages = [page.link_id for page in questionnaire.enabled_pages(vector["answers"])]
    assert ("target" in pages) is vector["expected"]


def _cascade(tmp_path):
    return load(tmp_path, definition([
        choice("smoke", [{"code": "yes", "text": "Yes", "value": 1}, {"code": "no", "text": "No", "value": 0}]),
        scale("per-day", 0, 60, enable_when=[{"question": "smoke", "operator": "=", "answer": "yes"}]),
        {"linkId": "quit-help", "type": "boolean", "text": "Would help to stop be welcome?",
         "enable_when": [{"question": "per-day", "operator": ">=", "answer": 10}]},
        {"linkId": "habits", "type": "group", "text": "Habits", "items": [
            {"linkId": "habits-intro", "type": "display", "text": "About other habits."},
            {"linkId": "drink", "type": "boolean", "text": "Do you drink alcohol?"},
            {"linkId": "units", "type": "integer", "text": "Units a week", "min": 0, "max": 200,
             "enable_when": [{"question": "smoke", "operator": "=", "answer": "yes"}]},
        ]},
        {"linkId": "drink-more", "type": "text", "text": "Tell us more",
         "enable_when": [{"question": "drink", "operator": "=", "answer": True},
                         {"question": "quit-help", "operator": "exists", "answer": True}],
         "enable_behavior": "any"},
    ]))


def test_disabled_questions_do_not_enable_later_ones(tmp_path):
    q = _cascade(tmp_path)
    answers = {"smoke": "no", "per-day": 20, "quit-help": True}
    # per-day is disabled, so its stale answer cannot enable quit-help
    assert not q.is_enabled("per-day", answers)
    assert not q.is_enabled("quit-help", answers)
    assert q.clean_answers(answers) == {"smoke": "no"}
    answers["smoke"] = "yes"
    assert q.is_enabled("quit-help", answers)
    assert q.clean_answers(answers) == {"smoke": "yes", "per-day": 20, "quit-help": True}


def test_group_children_need_their_own_condition_and_the_page(tmp_path):
    q = _cascade(tmp_path)
    answers = {"smoke": "no", "drink": True, "units": 4}
    assert q.is_enabled("habits", answers)
    assert q.is_enabled("drink", answers)
    assert not q.is_enabled("units", answers)
    assert q.is_enabled(q.item("drink-more"), answers)  # any: drink = true
    assert q.clean_answers(answers) == {"smoke": "no", "drink": True}
    assert [p.link_id for p in q.enabled_pages(answers)] == ["smoke", "habits", "drink-more"]


def test_enabled_pages_leave_out_empty_pages(tmp_path):
    q = _cascade(tmp_path)
    assert [p.link_id for p in q.enabled_pages({})] == ["smoke", "habits"]
    pages = q.enabled_pages({"smoke": "yes", "per-day": 12})
    assert [p.link_id for p in pages] == ["smoke", "per-day", "quit-help", "habits"]


def test_group_page_without_enabled_questions_is_hidden(tmp_path):
    q = load(tmp_path, definition([
        {"linkId": "carer", "type": "boolean", "text": "Do you care for someone?"},
        {"linkId": "intro", "type": "display", "text": "Welcome"},
        {"linkId": "caring", "type": "group", "text": "Caring", "items": [
            {"linkId": "caring-note", "type": "display", "text": "About caring"},
            {"linkId": "hours", "type": "integer", "text": "Hours a week", "min": 0, "max": 168,
             "enable_when": [{"question": "carer", "operator": "=", "answer": True}]},
        ]},
    ]))
    assert [p.link_id for p in q.enabled_pages({"carer": False})] == ["carer", "intro"]
    assert [p.link_id for p in q.enabled_pages({"carer": True})] == ["carer", "intro", "caring"]


def test_missing_required_ignores_disabled_questions(tmp_path):
    q = _cascade(tmp_path)
    assert [i.link_id for i in q.missing_required({"smoke": "no"})] == ["drink"]
    missing = q.missing_required({"smoke": "yes"})
    assert [i.link_id for i in missing] == ["per-day", "drink", "units"]
    assert [i.link_id for i in q.missing_required({"smoke": "yes", "per-day": 3, "drink": False, "units": 0})] == []


def test_is_enabled_rejects_unknown_items(tmp_path):
    q = _cascade(tmp_path)
    with pytest.raises(KeyError):
        q.is_enabled("nope", {})
