"""The scoring engine.

A questionnaire's ``scoring`` section lists *scales*. Each scale reads the ordinal values of
some items (the chosen option's ``value`` for a choice, the number for a scale or integer item)
and turns them into a score:

1. Not-applicable answers and unanswered items are left out. If fewer than ``min_answered`` real
   answers remain (default: every item), the scale is ``"insufficient"`` and has no score.
2. Reverse-scored items become ``lo + hi - v`` (``lo``/``hi``: the item's lowest and highest
   ordinal value).
3. ``raw`` is the ``sum`` (times ``n_items / n_answered`` with ``prorate``), the ``mean``, or for
   ``value_set`` the ``constant`` plus each answered item's value from ``values``.
4. ``lookup`` replaces the raw sum by a calibrated score; otherwise ``rescale: [a, b]`` maps the
   theoretical range of the raw score linearly onto ``[a, b]``; otherwise the score is the raw.
5. The score is rounded half up to ``decimals`` (default 1). Levels and bands are read from
   this reported score, so what people see always agrees with the level shown:
   ``level = 1 + number of cut points strictly below the score`` (a score equal to a cut point
   gets the lower level) and the band is the first whose inclusive ``[min, max]`` holds it.

Nothing is rounded except the reported score (the raw is only cleaned of float noise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .capability import (
    CapabilityProfile,
    ProfileDefinition,
    build_profile,
    ordinal_value,
    round_half_up,
)

METHODS = ("sum", "mean", "value_set")
STATUS_OK = "ok"
STATUS_INSUFFICIENT = "insufficient"


class ScoringError(Exception):
    """A definition could not score an answer set (for example a raw score missing from a
    lookup table that the loader could not check)."""


def number_key(value: float) -> float:
    """Normalise a number for use as a lookup key (no float noise, no negative zero)."""
    return round(float(value), 6) + 0.0


def clean_number(value: float | int) -> float | int:
    """Remove float noise (0.30000000000000004 -> 0.3) and keep whole ints as ints."""
    if isinstance(value, int):
        return value
    cleaned = round(value, 6) + 0.0
    return cleaned


def item_range(item: Any) -> tuple[float, float] | None:
    """The lowest and highest ordinal value an item can give, or ``None`` when unbounded."""
    if item is None:
        return None
    if item.type == "choice" and not item.repeats:
        values = [o.value for o in item.options if not o.not_applicable and o.value is not None]
        return (min(values), max(values)) if values else None
    if item.type in ("scale", "integer") and item.min is not None and item.max is not None:
        return (item.min, item.max)
    return None


@dataclass(frozen=True)
class BandDefinition:
    code: str
    label: str
    min: float
    max: float

    def contains(self, score: float) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True, eq=False)
class ScaleDefinition:
    """One scale of a scoring section (compared and hashed by identity)."""

    id: str
    label: str
    method: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    min_answered: int = 1
    prorate: bool = False
    rescale: tuple[float, float] | None = None
    lookup: dict[float, float] | None = None
    cut_points: tuple[float, ...] = ()
    levels: dict[int, dict[str, str | None]] = field(default_factory=dict)
    bands: tuple[BandDefinition, ...] = ()
    values: dict[str, dict[str, float]] | None = None
    constant: float = 0.0
    decimals: int = 1
    raw_min: float | None = None
    raw_max: float | None = None

    def level_for(self, score: float | None) -> int | None:
        if score is None or not self.cut_points:
            return None
        return 1 + sum(1 for cut in self.cut_points if cut < score)

    def band_for(self, score: float | None) -> BandDefinition | None:
        if score is None:
            return None
        for band in self.bands:
            if band.contains(score):
                return band
        return None


@dataclass(frozen=True)
class ScoringDefinition:
    version: str | None
    headline: str | None = None
    scales: tuple[ScaleDefinition, ...] = ()
    profile: ProfileDefinition | None = None

    def scale(self, scale_id: str) -> ScaleDefinition | None:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        return None


@dataclass
class Band:
    code: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label}


@dataclass
class ScaleScore:
    id: str
    label: str
    method: str
    raw: float | None
    score: float | None
    answered: int
    items: int
    status: str
    level: int | None = None
    level_text: dict[str, str | None] | None = None
    band: Band | None = None

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "method": self.method,
            "raw": self.raw,
            "score": self.score,
            "answered": self.answered,
            "items": self.items,
            "status": self.status,
            "level": self.level,
            "level_text": dict(self.level_text) if self.level_text is not None else None,
            "band": self.band.to_dict() if self.band is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScaleScore":
        band = data.get("band")
        level_text = data.get("level_text")
        return cls(
            id=data["id"],
            label=data["label"],
            method=data["method"],
            raw=data.get("raw"),
            score=data.get("score"),
            answered=data["answered"],
            items=data["items"],
            status=data["status"],
            level=data.get("level"),
            level_text=dict(level_text) if level_text is not None else None,
            band=Band(code=band["code"], label=band["label"]) if band is not None else None,
        )


@dataclass
class ScoreResult:
    scoring_version: str | None
    scales: dict[str, ScaleScore]
    headline: str | None = None
    profile: CapabilityProfile | None = None

    @property
    def headline_scale(self) -> ScaleScore | None:
        return self.scales.get(self.headline) if self.headline is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict. Scales are a list, so their order survives any store."""
        return {
            "scoring_version": self.scoring_version,
            "headline": self.headline,
            "scales": [scale.to_dict() for scale in self.scales.values()],
            "profile": self.profile.to_dict() if self.profile is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScoreResult":
        raw_scales = data.get("scales") or []
        if isinstance(raw_scales, Mapping):
            raw_scales = list(raw_scales.values())
        scales = {s.id: s for s in (ScaleScore.from_dict(d) for d in raw_scales)}
        profile = data.get("profile")
        return cls(
            scoring_version=data.get("scoring_version"),
            scales=scales,
            headline=data.get("headline"),
            profile=CapabilityProfile.from_dict(profile) if profile is not None else None,
        )


def theoretical_range(
    method: str,
    ranges: list[tuple[float, float]],
    min_answered: int,
    prorate: bool = False,
    constant: float = 0.0,
) -> tuple[float, float]:
    """The lowest and highest raw score that can occur.

    ``ranges`` are the items' (lowest, highest) values (for ``value_set``: the lowest and
    highest value in ``values``). With at least ``min_answered`` answers: a sum takes the
    ``min_answered`` lowest item minimums plus any other negative ones; a mean (and a prorated
    sum, which is the mean times the number of items) takes the mean of the ``min_answered``
    lowest minimums. Likewise for the maximum.
    """
    lows = sorted(lo for lo, _ in ranges)
    highs = sorted((hi for _, hi in ranges), reverse=True)
    m = max(1, min(min_answered, len(ranges)))
    if method == "mean" or (method == "sum" and prorate):
        low = sum(lows[:m]) / m
        high = sum(highs[:m]) / m
        if method == "sum":
            low, high = low * len(ranges), high * len(ranges)
        return low, high
    low = sum(lows[:m]) + sum(v for v in lows[m:] if v < 0)
    high = sum(highs[:m]) + sum(v for v in highs[m:] if v > 0)
    return low + constant, high + constant


def score_scale(
    scale: ScaleDefinition, questionnaire: Any, answers: Mapping[str, object]
) -> ScaleScore:
    """Score one scale from answers that are already cleaned (only enabled items)."""
    values: list[float] = []
    total = float(scale.constant)
    for link_id in scale.items:
        item = questionnaire.item(link_id)
        answer = answers.get(link_id)
        value = ordinal_value(item, answer)
        if value is None:
            continue
        if scale.method == "value_set":
            total += scale.values[link_id][answer]  # type: ignore[index]
            values.append(value)
            continue
        if link_id in scale.reverse:
            low, high = item_range(item)  # type: ignore[misc]
            value = low + high - value
        values.append(value)

    answered = len(values)
    base = dict(id=scale.id, label=scale.label, method=scale.method, answered=answered,
                items=len(scale.items))
    if answered < scale.min_answered or answered == 0:
        return ScaleScore(raw=None, score=None, status=STATUS_INSUFFICIENT, **base)

    if scale.method == "value_set":
        raw: float = total
    elif scale.method == "mean":
        raw = sum(values) / answered
    else:
        raw = sum(values)
        if scale.prorate:
            raw = raw * len(scale.items) / answered
    raw = clean_number(raw)

    score: float = raw
    if scale.lookup is not None:
        key = number_key(raw)
        if key not in scale.lookup:
            raise ScoringError(
                f"scale {scale.id!r}: the lookup table has no entry for raw score {raw}"
            )
        score = scale.lookup[key]
    elif scale.rescale is not None:
        low, high = scale.raw_min, scale.raw_max
        if low is None or high is None or high == low:
            raise ScoringError(f"scale {scale.id!r}: cannot rescale without a raw score range")
        a, b = scale.rescale
        score = a + (raw - low) * (b - a) / (high - low)

    reported = round_half_up(score, scale.decimals)
    level = scale.level_for(reported)
    level_text = None
    if level is not None and level in scale.levels:
        level_text = dict(scale.levels[level])
    band_definition = scale.band_for(reported)
    band = Band(band_definition.code, band_definition.label) if band_definition else None
    return ScaleScore(raw=raw, score=reported, status=STATUS_OK, level=level,
                      level_text=level_text, band=band, **base)


def score_answers(questionnaire: Any, answers: Mapping[str, object]) -> ScoreResult:
    """Score a response to ``questionnaire`` (a
    :class:`webapp.domain.questionnaires.Questionnaire`). Answers of items that are not
    enabled are ignored."""
    clean = questionnaire.clean_answers(answers)
    definition: ScoringDefinition = questionnaire.scoring
    scales = {scale.id: score_scale(scale, questionnaire, clean) for scale in definition.scales}
    profile = None
    if definition.profile is not None:
        profile = build_profile(definition.profile, questionnaire, clean)
    return ScoreResult(
        scoring_version=definition.version,
        scales=scales,
        headline=definition.headline,
        profile=profile,
    )
