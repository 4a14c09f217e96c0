"""The one figure that sums up a result, for lists, history and change over time."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.domain.scoring import ScoreResult, ScoringDefinition


@dataclass(frozen=True)
class Headline:
    key: str  # "scale:<id>" or "capability-index": only like is compared with like
    label: str
    value: float | None
    level: int | None
    level_label: str | None
    band_label: str | None
    maximum: float | None  # the highest score the scale can give, to say "out of" (None: unknown)
    is_index: bool  # a 0-1 index (shown as a percentage) rather than a score


def score_maximum(scoring: ScoringDefinition | None, scale_id: str) -> float | None:
    """The top of a scale's reported range, where the definition fixes it."""
    if scoring is None:
        return None
    scale = next((s for s in scoring.scales if s.id == scale_id), None)
    if scale is None:
        return None
    if scale.rescale:
        return scale.rescale[1]
    if scale.lookup:
        return max(scale.lookup.values())
    return scale.raw_max


def stage_words(scoring: ScoringDefinition | None) -> dict[int, str]:
    """The words a person reads for each stage (level) of the headline scale, by level, in level
    order: {1: "Stage 1: Getting started", ...}. A level with no words is left out; a questionnaire
    with no headline scale, or whose headline scale has no levels, gives {}."""
    if scoring is None or not scoring.headline:
        return {}
    scale = scoring.scale(scoring.headline)
    if scale is None:
        return {}
    return {level: text["label"] for level, text in sorted(scale.levels.items()) if text.get("label")}


def headline(result: ScoreResult, scoring: ScoringDefinition | None = None) -> Headline | None:
    """The headline scale (or the first), else the capability index; None if nothing scored."""
    scale = None
    if result.headline and result.headline in result.scales:
        scale = result.scales[result.headline]
    elif result.profile is None and result.scales:
        scale = next(iter(result.scales.values()))
    if scale is not None:
        level_label = (scale.level_text or {}).get("label") if scale.level is not None else None
        return Headline(
            key=f"scale:{scale.id}",
            label=scale.label,
            value=scale.score,
            level=scale.level,
            level_label=level_label,
            band_label=scale.band.label if scale.band else None,
            maximum=score_maximum(scoring, scale.id),
            is_index=False,
        )
    if result.profile is not None:
        return Headline("capability-index", "", result.profile.index, None, None, None, 1.0, True)
    return None
