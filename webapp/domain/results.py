"""The one figure that sums up a result, for lists, history and change over time."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.domain.scoring import ScoreResult


@dataclass(frozen=True)
class Headline:
    key: str  # "scale:<id>" or "capability-index": only like is compared with like
    label: str
    value: float | None
    level: int | None
    level_label: str | None
    is_index: bool  # a 0-1 index (shown as a percentage) rather than a 0-100 score


def headline(result: ScoreResult) -> Headline | None:
    if result.headline and result.headline in result.scales:
        scale = result.scales[result.headline]
        level_label = (scale.level_text or {}).get("label") if scale.level is not None else None
        return Headline(f"scale:{scale.id}", scale.label, scale.score, scale.level, level_label, False)
    if result.profile is not None:
        return Headline("capability-index", "", result.profile.index, None, None, True)
    if result.scales:
        scale = next(iter(result.scales.values()))
        return Headline(f"scale:{scale.id}", scale.label, scale.score, scale.level, None, False)
    return None
