"""Signposts: help shown with the results when the answers meet a condition. The loader refuses
a signpost whose condition cannot work, just as it refuses a broken enable_when, and the
condition is read by the same rules (tested here on the real capability questionnaire)."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.domain.questionnaires import Contact, load_definition

from .domain_helpers import choice, definition, load, load_errors

ROOT = Path(__file__).resolve().parent.parent.parent
CAPABILITY = ROOT / "questionnaires" / "builtin" / "capable-capability-1.yaml"


def signpost(**changes) -> dict:
    data = {
        "id": "worried",
        "title": "If you are worried",
        "text": "You can talk to someone.",
        "contacts": [{"name": "A helpline", "phone": "0800 000 000", "when": "Free, any time"}],
        "enable_when": [{"question": "mood", "operator": "=", "answer": "strongly-disagree"}],
    }
    data.update(changes)
    return data


def with_signposts(*signposts) -> dict:
    return definition(
        [choice("mood"), {"linkId": "notes", "type": "text", "text": "Anything else?"}, choice("later")],
        signposts=list(signposts),
    )


# --- loading ---------------------------------------------------------------------------------


def test_a_valid_signpost_loads(tmp_path):
    q = load(tmp_path, with_signposts(signpost(
        text=["First paragraph.", "Second paragraph."],
        staff_note="Said they were worried",
        contacts=[{"name": "Helpline", "phone": "+44 800 000 000"},
                  {"name": "Website", "url": "https://example.org/help", "when": "Any time"}],
        enable_behavior="any",
        enable_when=[{"question": "mood", "operator": "<=", "answer": 2},
                     {"question": "later", "operator": "exists", "answer": False}],
    )))
    (loaded,) = q.signposts
    assert (loaded.id, loaded.title, loaded.staff_note, loaded.enable_behavior) == (
        "worried", "If you are worried", "Said they were worried", "any")
    assert loaded.text == ("First paragraph.", "Second paragraph.")
    assert loaded.contacts == (Contact("Helpline", phone="+44 800 000 000"),
                               Contact("Website", url="https://example.org/help", when="Any time"))
    assert loaded.contacts[0].phone_link == "tel:+44800000000"
    assert loaded.contacts[1].phone_link is None
    assert [c.question for c in loaded.enable_when] == ["mood", "later"]


def test_a_single_paragraph_is_one_paragraph(tmp_path):
    (loaded,) = load(tmp_path, with_signposts(signpost())).signposts
    assert loaded.text == ("You can talk to someone.",)


def test_a_definition_without_signposts_has_none(tmp_path):
    q = load(tmp_path, definition([choice("mood")]))
    assert q.signposts == ()
    assert q.signposts_for({"mood": "strongly-disagree"}) == []


def test_a_signpost_may_read_the_last_screen(tmp_path):
    """Unlike an item's enable_when, a signpost is read once every answer is in."""
    q = load(tmp_path, with_signposts(signpost(
        enable_when=[{"question": "later", "operator": "=", "answer": "agree"}])))
    assert [s.id for s in q.signposts_for({"mood": "agree", "later": "agree"})] == ["worried"]


@pytest.mark.parametrize(("name", "changes", "expected"), [
    ("unknown question", {"enable_when": [{"question": "moood", "operator": "=", "answer": "agree"}]},
     "signposts[0]: signpost 'worried': enable_when[0]: unknown question 'moood'"),
    ("unknown answer code", {"enable_when": [{"question": "mood", "operator": "=", "answer": "agreee"}]},
     "signposts[0]: signpost 'worried': enable_when[0]: 'mood' has no option 'agreee' (options: strongly-disagree, "
     "disagree, agree, strongly-agree, not-applicable)"),
    ("not-applicable code", {"enable_when": [{"question": "mood", "operator": "=", "answer": "not-applicable"}]},
     "enable_when[0]: option 'not-applicable' is not_applicable and counts as unanswered"),
    ("number on a text item", {"enable_when": [{"question": "notes", "operator": "<", "answer": 2}]},
     "enable_when[0]: a number cannot be compared with the text item 'notes'"),
    ("order on a code", {"enable_when": [{"question": "mood", "operator": "<=", "answer": "agree"}]},
     "enable_when[0]: operator '<=' needs a number"),
    ("exists without true/false", {"enable_when": [{"question": "mood", "operator": "exists", "answer": 1}]},
     "with operator 'exists' the answer must be true or false"),
    ("no condition", {"enable_when": []}, "signposts[0].enable_when: [] should be non-empty"),
    ("no text", {"text": []}, "signposts[0].text: text must be a paragraph, or a list of paragraphs"),
    ("contact without a way to reach it", {"contacts": [{"name": "Helpline", "when": "Any time"}]},
     "signposts[0].contacts[0]: a contact needs a phone number, a web address (url), or both"),
    ("phone with letters", {"contacts": [{"name": "Helpline", "phone": "0800 HELP"}]},
     "signposts[0].contacts[0].phone: a phone number is digits"),
    ("web address without https", {"contacts": [{"name": "Site", "url": "http://example.org"}]},
     "signposts[0].contacts[0].url: a web address must start with https://"),
    ("unknown field", {"colour": "red"}, "signposts[0]: Additional properties are not allowed ('colour'"),
])
def test_a_broken_signpost_is_refused(tmp_path, name, changes, expected):
    messages = load_errors(tmp_path, with_signposts(signpost(**changes)))
    assert any(expected in message for message in messages), (name, messages)
    assert all(message.startswith(str(tmp_path / "synthetic.yaml")) for message in messages)


def test_a_signpost_id_used_twice_is_refused(tmp_path):
    (message,) = load_errors(tmp_path, with_signposts(signpost(), signpost(title="Again")))
    assert "signposts[1]: signpost id 'worried' is used twice" in message


def test_every_broken_condition_is_reported_with_its_line(tmp_path):
    messages = load_errors(tmp_path, with_signposts(signpost(enable_when=[
        {"question": "nope", "operator": "=", "answer": "agree"},
        {"question": "mood", "operator": "=", "answer": "maybe"},
    ])))
    assert len(messages) == 2
    assert "enable_when[0]: unknown question 'nope'" in messages[0]
    assert "enable_when[1]: 'mood' has no option 'maybe'" in messages[1]
    assert all("(line " in message for message in messages)


# --- the condition, on the real capability questionnaire ------------------------------------


@pytest.fixture(scope="module")
def capability():
    return load_definition(CAPABILITY)


def safe_answers(capability, free: str, actual: str) -> dict:
    """Every domain answered in the middle, with the given answers about feeling safe."""
    answers: dict = {}
    for domain in capability.scoring.profile.domains:
        answers[domain.matters] = "some"
        answers[domain.free] = "partly-free"
        answers[domain.actual] = "some"
    answers["safe-free"] = free
    answers["safe-actual"] = actual
    return answers


def shown(capability, answers) -> list[str]:
    return [s.id for s in capability.signposts_for(answers)]


def test_the_capability_questionnaire_has_the_feeling_safe_signpost(capability):
    (safe,) = capability.signposts
    assert safe.id == "not-feeling-safe"
    assert safe.title == "If you do not feel safe"
    assert any("999" in paragraph for paragraph in safe.text)
    assert [(c.name, c.phone_link) for c in safe.contacts] == [
        ("Emergency services", "tel:999"),
        ("National Domestic Abuse Helpline", "tel:08082000247"),
        ("Samaritans", "tel:116123"),
    ]
    assert {c.question for c in safe.enable_when} == {"safe-free", "safe-actual"}


@pytest.mark.parametrize("free", ["not-free", "a-little-free"])
def test_shown_when_not_free_to_feel_safe(capability, free):
    assert shown(capability, safe_answers(capability, free, "a-lot")) == ["not-feeling-safe"]


@pytest.mark.parametrize("actual", ["not-at-all", "a-little"])
def test_shown_when_not_feeling_safe_now(capability, actual):
    assert shown(capability, safe_answers(capability, "completely-free", actual)) == ["not-feeling-safe"]


@pytest.mark.parametrize("free", ["partly-free", "mostly-free", "completely-free"])
@pytest.mark.parametrize("actual", ["some", "a-lot", "as-much-as-i-want"])
def test_not_shown_for_the_other_answers(capability, free, actual):
    assert shown(capability, safe_answers(capability, free, actual)) == []


def test_not_shown_when_the_safety_questions_are_not_answered(capability):
    answers = safe_answers(capability, "partly-free", "some")
    del answers["safe-free"], answers["safe-actual"]
    assert shown(capability, answers) == []


def test_low_answers_elsewhere_do_not_bring_it_up(capability):
    answers = safe_answers(capability, "mostly-free", "a-lot")
    answers.update({"home-free": "not-free", "home-actual": "not-at-all", "rest-free": "not-free"})
    assert shown(capability, answers) == []

