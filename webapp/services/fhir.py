"""Capable's questionnaires, responses and scores as FHIR R4 resources.

Pure functions: they take the loaded definitions (``webapp.domain.questionnaires``) and the stored
responses and return plain dicts ready for ``json.dumps``. Nothing here reads the database or
the app.

- A definition becomes a ``Questionnaire`` with canonical URL ``<base>/Questionnaire/<id>`` and
  its version; its option codes are ``Coding``s in the code system ``<base>/CodeSystem/<id>``.
- A completed response becomes a ``QuestionnaireResponse`` whose ``questionnaire`` is the
  canonical ``<url>|<version>``, items nested as in the definition.
- Each stored score becomes an ``Observation`` (category survey) coded in the Capable code system
  ``<base>/CodeSystem/scores``, derived from its ``QuestionnaireResponse``.

The subject is only ever the reference ``Patient/<id>``, the person's pseudonymous number in
Capable (the same ``person_id`` as the CSV export): no Patient resource, no name, no email.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from webapp.domain.questionnaires import EnableWhen, Item, Questionnaire, _compare
from webapp.models import Response

UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
# Stable namespace for the uuids of resources made here (so exporting twice gives the same ids).
_NAMESPACE = uuid_module.UUID("6f0b5a36-8e2f-4f0c-9a1e-3c2d7f1e5b40")

#: Capable item type -> FHIR R4 Questionnaire.item.type
ITEM_TYPES = {
    "group": "group",
    "display": "display",
    "choice": "choice",
    # A scale is one of a fixed set of whole numbers (or a "does not apply" option): a choice.
    "scale": "choice",
    "integer": "integer",
    "boolean": "boolean",
    "text": "text",
}


def questionnaire_url(base: str, questionnaire_id: str) -> str:
    return f"{base.rstrip('/')}/Questionnaire/{questionnaire_id}"


def canonical(base: str, questionnaire: Questionnaire) -> str:
    """``<url>|<version>``: how a response names exactly the definition it answered."""
    return f"{questionnaire_url(base, questionnaire.id)}|{questionnaire.version}"


def answers_system(base: str, questionnaire_id: str) -> str:
    return f"{base.rstrip('/')}/CodeSystem/{questionnaire_id}"


def scores_system(base: str) -> str:
    return f"{base.rstrip('/')}/CodeSystem/scores"


def subject_reference(person_id: int) -> dict[str, str]:
    return {"reference": f"Patient/{person_id}"}


def _uuid(*parts: str) -> str:
    return str(uuid_module.uuid5(_NAMESPACE, "|".join(parts)))


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _machine_name(identifier: str) -> str:
    """``capable-activation`` -> ``CapableActivation`` (FHIR's rule for ``name``)."""
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", identifier) if part)
    if not name or not name[0].isalpha():
        name = "Q" + name
    return name[:255]


# --------------------------------------------------------------------------------------------
# Questionnaire


def _coding(base: str, questionnaire: Questionnaire, item: Item, code: str) -> dict[str, Any]:
    coding: dict[str, Any] = {
        "system": answers_system(base, questionnaire.id),
        "version": questionnaire.version,
        "code": code,
    }
    option = item.option(code)
    if option is not None:
        coding["display"] = option.text
    return coding


def _enable_when(base: str, questionnaire: Questionnaire, item: Item) -> tuple[list[dict[str, Any]], str | None]:
    """The item's conditions in FHIR terms, and its enableBehavior.

    Capable compares a choice's option *value* with a number (``free <= 1``); FHIR cannot, so
    that becomes "equals one of the matching options" (only for an item with that one
    condition, where the translation is exact). Conditions FHIR cannot express exactly are left
    out rather than put in wrongly.
    """
    conditions: list[dict[str, Any]] = []
    for condition in item.enable_when:
        translated = _condition(base, questionnaire, condition, alone=len(item.enable_when) == 1)
        if translated is None:
            return [], None
        conditions.extend(translated)
    if not conditions:
        return [], None
    behaviour = item.enable_behavior
    if len(item.enable_when) == 1 and len(conditions) > 1:
        behaviour = "any"
    return conditions, (behaviour if len(conditions) > 1 else None)


def _condition(base: str, questionnaire: Questionnaire, condition: EnableWhen, *, alone: bool):
    question = questionnaire.item(condition.question)
    if question is None:
        return None
    operator, expected = condition.operator, condition.answer
    if operator == "exists":
        return [{"question": question.link_id, "operator": "exists", "answerBoolean": expected is True}]
    if isinstance(expected, bool):
        return [{"question": question.link_id, "operator": operator, "answerBoolean": expected}]
    if isinstance(expected, str) and question.type == "choice":
        return [{"question": question.link_id, "operator": operator,
                 "answerCoding": _coding(base, questionnaire, question, expected)}]
    if isinstance(expected, (int, float)) and question.type in ("scale", "integer"):
        if isinstance(expected, int) or float(expected).is_integer():
            return [{"question": question.link_id, "operator": operator, "answerInteger": int(expected)}]
        return None
    if isinstance(expected, (int, float)) and question.type == "choice" and not question.repeats and alone:
        codes = [option.code for option in question.options
                 if option.value is not None and not option.not_applicable
                 and _compare(option.value, operator, expected)]
        return [{"question": question.link_id, "operator": "=",
                 "answerCoding": _coding(base, questionnaire, question, code)} for code in codes] or None
    return None


def _questionnaire_item(base: str, questionnaire: Questionnaire, item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"linkId": item.link_id, "text": item.text, "type": ITEM_TYPES[item.type]}
    conditions, behaviour = _enable_when(base, questionnaire, item)
    if conditions:
        out["enableWhen"] = conditions
        if behaviour:
            out["enableBehavior"] = behaviour
    if item.answerable:
        out["required"] = item.required
        if item.repeats:
            out["repeats"] = True
    if item.type == "choice":
        out["answerOption"] = [{"valueCoding": _coding(base, questionnaire, item, option.code)}
                               for option in item.options]
    if item.type == "scale":
        out["answerOption"] = (
            [{"valueInteger": number} for number in item.scale_values]
            + [{"valueCoding": _coding(base, questionnaire, item, option.code)} for option in item.options]
        )
    if item.type == "integer":
        extensions = []
        if item.min is not None:
            extensions.append({"url": MIN_VALUE, "valueInteger": item.min})
        if item.max is not None:
            extensions.append({"url": MAX_VALUE, "valueInteger": item.max})
        if extensions:
            out["extension"] = extensions
    if item.type == "text" and item.max_length:
        out["maxLength"] = item.max_length
    if item.items:
        out["item"] = [_questionnaire_item(base, questionnaire, child) for child in item.items]
    return out


def questionnaire_resource(base: str, questionnaire: Questionnaire) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(questionnaire),
        "url": questionnaire_url(base, questionnaire.id),
        "version": questionnaire.version,
        "name": _machine_name(questionnaire.id),
        "title": questionnaire.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": questionnaire.description,
        "copyright": questionnaire.licence,
        "item": [_questionnaire_item(base, questionnaire, item) for item in questionnaire.items],
    }
    return {key: value for key, value in resource.items() if value not in (None, "", [])}


def questionnaire_id(questionnaire: Questionnaire) -> str:
    return _uuid("Questionnaire", questionnaire.id, questionnaire.version)


# --------------------------------------------------------------------------------------------
# QuestionnaireResponse


def _answers(base: str, questionnaire: Questionnaire, item: Item, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if item.type == "choice":
        codes = value if isinstance(value, list) else [value]
        return [{"valueCoding": _coding(base, questionnaire, item, str(code))} for code in codes]
    if item.type in ("scale", "integer"):
        if isinstance(value, str):  # a scale's "does not apply" option
            return [{"valueCoding": _coding(base, questionnaire, item, value)}]
        if isinstance(value, bool):
            return []
        if isinstance(value, float) and not value.is_integer():
            return [{"valueDecimal": value}]
        return [{"valueInteger": int(value)}]
    if item.type == "boolean":
        return [{"valueBoolean": bool(value)}]
    if item.type == "text":
        return [{"valueString": str(value)}] if str(value) else []
    return []


def _response_items(base: str, questionnaire: Questionnaire, items: Iterable[Item],
                    answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if item.type == "group":
            children = _response_items(base, questionnaire, item.items, answers)
            if children:
                out.append({"linkId": item.link_id, "text": item.text, "item": children})
        elif item.answerable and item.link_id in answers:
            answer = _answers(base, questionnaire, item, answers[item.link_id])
            if answer:
                out.append({"linkId": item.link_id, "text": item.text, "answer": answer})
    return out


def questionnaire_response_resource(base: str, questionnaire: Questionnaire, response: Response) -> dict[str, Any]:
    """A completed response. ``questionnaire`` must be the exact version answered."""
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.uuid),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{response.uuid}"},
        "questionnaire": canonical(base, questionnaire),
        "status": "completed",
        "subject": subject_reference(response.person_id),
        "authored": _instant(response.authored_at or response.received_at),
        "item": _response_items(base, questionnaire, questionnaire.items, response.answer_map()),
    }


# --------------------------------------------------------------------------------------------
# Observation


def _scale_label(questionnaire: Questionnaire | None, scale_id: str) -> str:
    if questionnaire is not None:
        for scale in questionnaire.scoring.scales:
            if scale.id == scale_id:
                return scale.label
        profile = questionnaire.scoring.profile
        if profile is not None and scale_id.startswith("domain:"):
            for domain in profile.domains:
                if f"domain:{domain.id}" == scale_id:
                    return domain.label
    if scale_id == "capability-index":
        return "Capability index"
    return scale_id


def score_code(response: Response, scale_id: str) -> str:
    return f"{response.questionnaire_id}.{scale_id}"


def observation_resources(base: str, questionnaire: Questionnaire | None, response: Response) -> list[dict[str, Any]]:
    """One Observation per stored score of the response."""
    observations = []
    for score in response.scores:
        code = score_code(response, score.scale_id)
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": observation_id(response, score.scale_id),
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
            "code": {"coding": [{"system": scores_system(base), "code": code,
                                 "display": _scale_label(questionnaire, score.scale_id)}]},
            "subject": subject_reference(response.person_id),
            "effectiveDateTime": _instant(response.authored_at or response.received_at),
            "issued": _instant(response.received_at),
            "derivedFrom": [{"reference": f"urn:uuid:{response.uuid}", "type": "QuestionnaireResponse"}],
        }
        if score.value is not None:
            observation["valueQuantity"] = {"value": score.value, "unit": "score", "system": UCUM, "code": "{score}"}
        elif score.level is not None:
            observation["valueInteger"] = score.level
        elif score.band is not None:
            observation["valueCodeableConcept"] = {
                "coding": [{"system": scores_system(base), "code": f"{code}.{score.band}"}], "text": score.band,
            }
        else:
            observation["dataAbsentReason"] = {
                "coding": [{"system": DATA_ABSENT_REASON, "code": "unknown"}],
                "text": "Too few answers to give a score",
            }
        components = []
        if score.level is not None and score.value is not None:
            components.append({
                "code": {"coding": [{"system": scores_system(base), "code": f"{code}.level"}], "text": "Level"},
                "valueInteger": score.level,
            })
        if score.band is not None and score.value is not None:
            components.append({
                "code": {"coding": [{"system": scores_system(base), "code": f"{code}.band"}], "text": "Band"},
                "valueCodeableConcept": {"coding": [{"system": scores_system(base), "code": f"{code}.{score.band}"}],
                                         "text": score.band},
            })
        if components:
            observation["component"] = components
        observations.append({key: value for key, value in observation.items() if value is not None})
    return observations


def observation_id(response: Response, scale_id: str) -> str:
    return _uuid("Observation", str(response.uuid), scale_id)


# --------------------------------------------------------------------------------------------
# Bundle


def bundle(base: str, responses: Iterable[Response], definitions: Mapping[tuple[str, str], Questionnaire],
           *, bundle_id: str | None = None, timestamp: datetime | None = None) -> dict[str, Any]:
    """A ``collection`` Bundle: each questionnaire version used, each completed response and
    its scores. Responses whose definition is not loaded (``definitions`` lacks their id and
    version) are left out, as their questions cannot be named."""
    questionnaire_entries: dict[tuple[str, str], dict[str, Any]] = {}
    other_entries: list[dict[str, Any]] = []
    for response in responses:
        key = (response.questionnaire_id, response.questionnaire_version)
        questionnaire = definitions.get(key)
        if questionnaire is None:
            continue
        if key not in questionnaire_entries:
            resource = questionnaire_resource(base, questionnaire)
            questionnaire_entries[key] = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        other_entries.append({"fullUrl": f"urn:uuid:{response.uuid}",
                              "resource": questionnaire_response_resource(base, questionnaire, response)})
        for observation in observation_resources(base, questionnaire, response):
            other_entries.append({"fullUrl": f"urn:uuid:{observation['id']}", "resource": observation})
    out: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if bundle_id:
        out["id"] = bundle_id
    if timestamp is not None:
        out["timestamp"] = _instant(timestamp)
    out["entry"] = list(questionnaire_entries.values()) + other_entries
    return out
