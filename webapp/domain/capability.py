"""The capability profile: what matters to a person, how free they are, and what they do.

For each life domain the capability questionnaire asks how much it *matters*, how *free* the
person is to have or do it, and how much they *actually* do, plus "what is stopping you?". Each
domain is classified as:

- ``barrier``: matters a lot (matters >= matters_high), little freedom (free <= free_low) and at
  least one *outside* barrier ticked (money, transport, ...): support and social prescribing;
- ``priority``: matters a lot and little freedom, no outside barrier: something to work on;
- ``choice``: free to (free >= free_high) but not doing it (actual <= actual_low): respected,
  never flagged;
- ``strength``: free to and doing it (free >= free_high and actual > actual_low);
- ``none``: anything else.

A class is only given when the answers its rule reads are there: ``barrier`` and ``priority``
need *matters* and *free*, ``choice`` and ``strength`` need *free* and *actual*. Missing or
not-applicable answers therefore lead to ``none``.

The capability index (Capable's own, provisional) weighs freedom by what matters::

    index = sum(matters_d * free_d) / sum(matters_d * max)

over the domains where both *matters* and *free* are answered, with answers measured from the
bottom of the profile scale (for the usual ``scale: [0, 4]`` that is the answer itself). When
every answered domain matters 0, the index is the plain mean of ``free_d / max``. It is ``None``
when no domain has both answers. It lies between 0 and 1 and is rounded to 2 decimals.

The ordinal value of a choice answer is the chosen option's ``value``; of a scale or integer
answer, the number itself. Not-applicable answers have no ordinal value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

CLASSIFICATIONS = ("priority", "barrier", "choice", "strength", "none")


def round_half_up(value: float, decimals: int) -> float | int:
    """Round like people do (2.25 -> 2.3, 2.5 -> 3), not like binary floats do.

    ``decimals == 0`` returns an ``int``.
    """
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if decimals == 0:
        return int(rounded)
    result = float(rounded)
    return 0.0 if result == 0 else result


def ordinal_value(item: Any, value: object) -> float | int | None:
    """The number an answer stands for, or ``None`` (unanswered, not applicable, not ordinal).

    ``item`` is a :class:`webapp.domain.questionnaires.Item`. Choice (single answer): the chosen
    option's ``value``. Scale and integer: the number. Anything else: ``None``.
    """
    if item is None or value is None:
        return None
    if item.type == "choice":
        if item.repeats or not isinstance(value, str):
            return None
        option = item.option(value)
        if option is None or option.not_applicable:
            return None
        return option.value
    if item.type in ("scale", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return value
    return None


@dataclass(frozen=True)
class DomainDefinition:
    id: str
    label: str
    matters: str
    free: str
    actual: str
    barriers: str | None = None


@dataclass(frozen=True)
class ProfileDefinition:
    scale_min: float
    scale_max: float
    matters_high: float
    free_low: float
    free_high: float
    actual_low: float
    outside_barriers: tuple[str, ...]
    what_matters: str | None
    domains: tuple[DomainDefinition, ...]


@dataclass
class DomainResult:
    id: str
    label: str
    matters: float | int | None
    free: float | int | None
    actual: float | int | None
    barriers: list[str] = field(default_factory=list)
    outside_barriers: list[str] = field(default_factory=list)
    classification: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "matters": self.matters,
            "free": self.free,
            "actual": self.actual,
            "barriers": list(self.barriers),
            "outside_barriers": list(self.outside_barriers),
            "classification": self.classification,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DomainResult":
        return cls(
            id=data["id"],
            label=data["label"],
            matters=data.get("matters"),
            free=data.get("free"),
            actual=data.get("actual"),
            barriers=list(data.get("barriers") or []),
            outside_barriers=list(data.get("outside_barriers") or []),
            classification=data.get("classification", "none"),
        )


@dataclass
class CapabilityProfile:
    domains: list[DomainResult]
    index: float | None
    what_matters: str | None

    def by_class(self, classification: str) -> list[DomainResult]:
        """The domains with this classification, in definition order."""
        if classification not in CLASSIFICATIONS:
            raise ValueError(
                f"unknown classification {classification!r}; expected one of {', '.join(CLASSIFICATIONS)}"
            )
        return [domain for domain in self.domains if domain.classification == classification]

    def to_dict(self) -> dict[str, Any]:
        return {
            "domains": [domain.to_dict() for domain in self.domains],
            "index": self.index,
            "what_matters": self.what_matters,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CapabilityProfile":
        return cls(
            domains=[DomainResult.from_dict(d) for d in data.get("domains") or []],
            index=data.get("index"),
            what_matters=data.get("what_matters"),
        )


def classify(
    definition: ProfileDefinition,
    matters: float | None,
    free: float | None,
    actual: float | None,
    outside_ticked: bool,
) -> str:
    """Classify one domain (see the module docstring for the rules)."""
    if matters is not None and free is not None:
        if matters >= definition.matters_high and free <= definition.free_low:
            return "barrier" if outside_ticked else "priority"
    if free is not None and actual is not None and free >= definition.free_high:
        return "choice" if actual <= definition.actual_low else "strength"
    return "none"


def capability_index(
    definition: ProfileDefinition, pairs: list[tuple[float, float]]
) -> float | None:
    """Capable's provisional index from (matters, free) pairs of the answered domains."""
    if not pairs:
        return None
    span = definition.scale_max - definition.scale_min
    weights = [(m - definition.scale_min, f - definition.scale_min) for m, f in pairs]
    denominator = sum(w * span for w, _ in weights)
    if denominator > 0:
        value = sum(w * f for w, f in weights) / denominator
    else:
        value = sum(f / span for _, f in weights) / len(weights)
    value = min(1.0, max(0.0, value))
    return float(round_half_up(value, 2))


def build_profile(
    definition: ProfileDefinition, questionnaire: Any, answers: Mapping[str, object]
) -> CapabilityProfile:
    """Build the profile from one response.

    ``questionnaire`` is the :class:`webapp.domain.questionnaires.Questionnaire` the answers
    belong to. Answers of items that are not enabled are ignored.
    """
    clean = questionnaire.clean_answers(answers)
    outside_codes = set(definition.outside_barriers)
    results: list[DomainResult] = []
    pairs: list[tuple[float, float]] = []
    for domain in definition.domains:
        matters = ordinal_value(questionnaire.item(domain.matters), clean.get(domain.matters))
        free = ordinal_value(questionnaire.item(domain.free), clean.get(domain.free))
        actual = ordinal_value(questionnaire.item(domain.actual), clean.get(domain.actual))
        ticked: list[str] = []
        if domain.barriers is not None:
            raw = clean.get(domain.barriers)
            item = questionnaire.item(domain.barriers)
            if isinstance(raw, (list, tuple)) and item is not None:
                chosen = {code for code in raw if isinstance(code, str)}
                ticked = [option.code for option in item.options if option.code in chosen]
        outside = [code for code in ticked if code in outside_codes]
        results.append(
            DomainResult(
                id=domain.id,
                label=domain.label,
                matters=matters,
                free=free,
                actual=actual,
                barriers=ticked,
                outside_barriers=outside,
                classification=classify(definition, matters, free, actual, bool(outside)),
            )
        )
        if matters is not None and free is not None:
            pairs.append((matters, free))
    what_matters = None
    if definition.what_matters is not None:
        text = clean.get(definition.what_matters)
        if isinstance(text, str) and text.strip():
            what_matters = text
    return CapabilityProfile(
        domains=results, index=capability_index(definition, pairs), what_matters=what_matters
    )
