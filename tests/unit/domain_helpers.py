"""Small helpers for the domain unit tests: build synthetic definitions in a temporary folder."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from webapp.domain.questionnaires import DefinitionErrors, Questionnaire, load_definition

AGREEMENT = [
    {"code": "strongly-disagree", "text": "Strongly disagree", "value": 1},
    {"code": "disagree", "text": "Disagree", "value": 2},
    {"code": "agree", "text": "Agree", "value": 3},
    {"code": "strongly-agree", "text": "Strongly agree", "value": 4},
    {"code": "not-applicable", "text": "Does not apply", "not_applicable": True},
]


def definition(items: list[dict[str, Any]], scoring: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A minimal valid definition around the given items (answer set 'agreement' included)."""
    data: dict[str, Any] = {
        "kind": "questionnaire",
        "id": "synthetic",
        "version": "1",
        "title": "Synthetic questionnaire",
        "description": "Made up for a unit test.",
        "licence": "Test data.",
        "answer_sets": {"agreement": copy.deepcopy(AGREEMENT)},
        "items": items,
    }
    if scoring is not None:
        data["scoring"] = scoring
    data.update(extra)
    return data


def choice(link_id: str, options: Any = "agreement", **extra: Any) -> dict[str, Any]:
    return {"linkId": link_id, "type": "choice", "text": f"Question {link_id}", "options": options, **extra}


def scale(link_id: str, low: int = 0, high: int = 10, **extra: Any) -> dict[str, Any]:
    return {"linkId": link_id, "type": "scale", "text": f"Question {link_id}", "min": low, "max": high, **extra}


def write(folder: Path, data: dict[str, Any] | str, name: str = "synthetic.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(folder: Path, data: dict[str, Any] | str, name: str = "synthetic.yaml") -> Questionnaire:
    return load_definition(write(folder, data, name))


def load_errors(folder: Path, data: dict[str, Any] | str, name: str = "synthetic.yaml") -> list[str]:
    """The problems the loader reports for a definition that must fail."""
    try:
        load(folder, data, name)
    except DefinitionErrors as exc:
        return [str(error) for error in exc.errors]
    raise AssertionError("the definition loaded without errors")
