"""The headline figure of a result, and how far its scale goes."""

from __future__ import annotations

from pathlib import Path

from webapp.domain.questionnaires import load_catalogue
from webapp.domain.results import headline, score_maximum

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue([ROOT / "questionnaires" / "builtin", ROOT / "tests" / "fixtures" / "questionnaires"])


def test_activation_headline_is_the_overall_score_out_of_100_with_its_stage():
    activation = CATALOGUE.get("capable-activation")
    answers = {item.link_id: "agree-strongly" for item in activation.answerable_items}
    top = headline(activation.score(answers), activation.scoring)
    assert (top.key, top.value, top.maximum, top.level, top.is_index) == ("scale:overall", 100, 100, 4, False)
    assert top.level_label.startswith("Stage 4")


def test_a_banded_sum_says_out_of_its_raw_maximum():
    example = CATALOGUE.get("every-item-type")
    top = headline(example.score({"mood": 3}), example.scoring)
    assert (top.value, top.maximum, top.band_label) == (3, 10, "Low")
    assert score_maximum(example.scoring, "no-such-scale") is None


def test_capability_headline_is_the_index_as_a_fraction():
    capability = CATALOGUE.get("capable-capability")
    top = headline(capability.score({}), capability.scoring)
    assert top.key == "capability-index" and top.is_index and top.value is None
