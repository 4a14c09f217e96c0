"""The FHIR R4 mapping of definitions, responses and scores (pure functions, no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from webapp.domain.questionnaires import load_definition
from webapp.models import Answer, Response, ResponseStatus, Score
from webapp.services import fhir
from webapp.services.exports import safe_cell, value_cells

ROOT = Path(__file__).resolve().parent.parent.parent
BASE = "https://capable.example.org/fhir"
WHEN = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def every_type():
    return load_definition(ROOT / "tests" / "fixtures" / "questionnaires" / "every-item-type-1.yaml")


@pytest.fixture(scope="module")
def capability():
    return load_definition(ROOT / "questionnaires" / "builtin" / "capable-capability-1.yaml")


def response_of(questionnaire, answers: dict, scores=()) -> Response:
    response = Response(
        uuid=uuid.uuid4(), person_id=42, questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version, status=ResponseStatus.COMPLETED,
        authored_at=WHEN, received_at=WHEN,
    )
    response.answers = [Answer(link_id=link_id, value=value) for link_id, value in answers.items()]
    response.scores = [Score(scale_id=s, value=v, level=level, band=band) for s, v, level, band in scores]
    return response


def items_by_link_id(items, found=None):
    found = {} if found is None else found
    for item in items:
        found[item["linkId"]] = item
        items_by_link_id(item.get("item", []), found)
    return found


def test_every_item_type_maps_to_a_fhir_type(every_type):
    resource = fhir.questionnaire_resource(BASE, every_type)
    FhirQuestionnaire.model_validate(resource)
    assert resource["url"] == f"{BASE}/Questionnaire/every-item-type" and resource["version"] == "1"
    assert resource["name"] == "EveryItemType"
    items = items_by_link_id(resource["item"])
    assert {link_id: item["type"] for link_id, item in items.items()} == {
        "intro": "display", "mood": "choice", "walks": "integer", "slept-well": "boolean",
        "helpers": "choice", "note": "text",
    }
    mood = items["mood"]["answerOption"]
    assert [o["valueInteger"] for o in mood[:-1]] == list(range(0, 11))
    assert mood[-1]["valueCoding"]["code"] == "rather-not-say"
    assert items["helpers"]["repeats"] is True and items["helpers"]["required"] is False
    assert [o["valueCoding"]["display"] for o in items["helpers"]["answerOption"]] == ["Family", "Friends", "Nobody"]
    assert {e["url"]: e["valueInteger"] for e in items["walks"]["extension"]} == {fhir.MIN_VALUE: 0, fhir.MAX_VALUE: 30}
    assert items["note"]["maxLength"] == 50


def test_answers_get_the_right_fhir_types(every_type):
    answers = {"mood": 7, "walks": 12, "slept-well": False, "helpers": ["family", "friends"], "note": "Fine"}
    resource = fhir.questionnaire_response_resource(BASE, every_type, response_of(every_type, answers))
    QuestionnaireResponse.model_validate(resource)
    assert resource["questionnaire"] == f"{BASE}/Questionnaire/every-item-type|1"
    assert resource["subject"] == {"reference": "Patient/42"}
    assert resource["authored"] == WHEN.isoformat()
    got = {item["linkId"]: item["answer"] for item in resource["item"]}
    assert got["mood"] == [{"valueInteger": 7}]
    assert got["walks"] == [{"valueInteger": 12}]
    assert got["slept-well"] == [{"valueBoolean": False}]
    assert [a["valueCoding"]["code"] for a in got["helpers"]] == ["family", "friends"]
    assert got["note"] == [{"valueString": "Fine"}]
    # A scale's "does not apply" option is a Coding.
    resource = fhir.questionnaire_response_resource(BASE, every_type, response_of(every_type, {"mood": "rather-not-say"}))
    assert resource["item"][0]["answer"][0]["valueCoding"]["display"] == "I would rather not say"


def test_group_answers_are_nested_and_conditions_translated(capability):
    resource = fhir.questionnaire_resource(BASE, capability)
    FhirQuestionnaire.model_validate(resource)
    items = items_by_link_id(resource["item"])
    assert items["health"]["type"] == "group"
    assert "health-matters" in [child["linkId"] for child in items["health"]["item"]]
    # "free <= 1" on a choice becomes: free is one of the options valued 0 or 1.
    barriers = items["health-barriers"]
    assert barriers["enableBehavior"] == "any"
    assert [(c["operator"], c["answerCoding"]["code"]) for c in barriers["enableWhen"]] == [
        ("=", "not-free"), ("=", "a-little-free")]
    answers = {"health-matters": "a-lot", "health-free": "not-free", "health-barriers": ["money"]}
    response = fhir.questionnaire_response_resource(BASE, capability, response_of(capability, answers))
    QuestionnaireResponse.model_validate(response)
    top = [item["linkId"] for item in response["item"]]
    assert top == ["health", "health-barriers"]
    assert [child["linkId"] for child in response["item"][0]["item"]] == ["health-matters", "health-free"]


def test_observations_carry_the_stored_scores(every_type):
    response = response_of(every_type, {"mood": 7}, scores=[
        ("mood-band", 7.0, None, "medium"), ("stage", 61.0, 3, None), ("domain:home", None, None, "priority"),
        ("missing", None, None, None),
    ])
    observations = fhir.observation_resources(BASE, every_type, response)
    for observation in observations:
        Observation.model_validate(observation)
        assert observation["status"] == "final"
        assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{response.uuid}", "type": "QuestionnaireResponse"}]
        assert observation["effectiveDateTime"] == WHEN.isoformat()
        assert observation["code"]["coding"][0]["system"] == f"{BASE}/CodeSystem/scores"
    band, stage, domain, missing = observations
    assert band["code"]["coding"][0] == {"system": f"{BASE}/CodeSystem/scores", "code": "every-item-type.mood-band",
                                         "display": "Mood"}
    assert band["valueQuantity"]["value"] == 7.0
    assert band["component"][0]["valueCodeableConcept"]["text"] == "medium"
    assert stage["valueQuantity"]["value"] == 61.0 and stage["component"][0]["valueInteger"] == 3
    assert domain["valueCodeableConcept"]["text"] == "priority"
    assert "dataAbsentReason" in missing and "valueQuantity" not in missing


def test_bundle_resolves_its_own_references(every_type):
    first = response_of(every_type, {"mood": 3}, scores=[("mood-band", 3.0, None, "low")])
    second = response_of(every_type, {"mood": 9}, scores=[("mood-band", 9.0, None, "high")])
    data = fhir.bundle(BASE, [first, second], {("every-item-type", "1"): every_type}, timestamp=WHEN)
    Bundle.model_validate(data)
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds == ["Questionnaire", "QuestionnaireResponse", "Observation", "QuestionnaireResponse", "Observation"]
    full_urls = {entry["fullUrl"] for entry in data["entry"]}
    assert len(full_urls) == len(data["entry"])
    questionnaire = data["entry"][0]["resource"]
    for entry in data["entry"][1:]:
        resource = entry["resource"]
        if resource["resourceType"] == "QuestionnaireResponse":
            assert resource["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
        else:
            assert resource["derivedFrom"][0]["reference"] in full_urls
    # Exporting again gives the same ids.
    again = fhir.bundle(BASE, [first, second], {("every-item-type", "1"): every_type}, timestamp=WHEN)
    assert again == data
    # A response whose definition is not loaded is left out.
    assert len(fhir.bundle(BASE, [first], {})["entry"]) == 0


def test_csv_cells(every_type):
    assert value_cells(every_type.item("helpers"), ["family", "friends"]) == ("family; friends", "Family; Friends")
    assert value_cells(every_type.item("slept-well"), True) == ("true", "")
    assert value_cells(every_type.item("mood"), 7) == ("7", "")
    assert value_cells(every_type.item("mood"), "rather-not-say") == ("rather-not-say", "I would rather not say")
    assert value_cells(every_type.item("note"), "Fine") == ("Fine", "")
    # Text that a spreadsheet would run as a formula is not run.
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("-3 walks") == "'-3 walks" and safe_cell("Fine") == "Fine"
