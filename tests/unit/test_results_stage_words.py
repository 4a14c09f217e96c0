"""The words a person reads for each stage of a questionnaire's headline scale."""

from __future__ import annotations

from pathlib import Path

from webapp.domain.questionnaires import load_catalogue
from webapp.domain.results import stage_words

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue([ROOT / "questionnaires" / "builtin", ROOT / "tests" / "fixtures" / "questionnaires"])


def test_the_activation_stages_are_named_in_level_order():
    words = stage_words(CATALOGUE.get("capable-activation").scoring)
    assert list(words.items()) == [
        (1, "Stage 1: Getting started"),
        (2, "Stage 2: Building knowledge and confidence"),
        (3, "Stage 3: Taking action"),
        (4, "Stage 4: Keeping it going"),
    ]


def test_no_levels_no_words():
    # A headline scale with bands but no levels, no headline scale (a capability profile), no scoring.
    assert stage_words(CATALOGUE.get("every-item-type").scoring) == {}
    assert stage_words(CATALOGUE.get("capable-capability").scoring) == {}
    assert stage_words(None) == {}
