"""Moving through a questionnaire one screen at a time.

Which screens a person sees depends on their answers so far (enable-when rules), so every step is
worked out from the answers, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webapp.domain.questionnaires import Page, Questionnaire


def _enabled(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Page]:
    return questionnaire.enabled_pages(answers)


def position(questionnaire: Questionnaire, answers: Mapping[str, Any], page: Page) -> tuple[int, int]:
    """(this screen's number, how many screens) among the screens this person will see."""
    pages = _enabled(questionnaire, answers)
    numbers = [p.link_id for p in pages]
    number = numbers.index(page.link_id) + 1 if page.link_id in numbers else 1
    return number, len(pages)


def next_page(questionnaire: Questionnaire, answers: Mapping[str, Any], page: Page) -> Page | None:
    """The next screen to show after ``page``, or None when it was the last."""
    for candidate in _enabled(questionnaire, answers):
        if candidate.index > page.index:
            return candidate
    return None


def previous_page(questionnaire: Questionnaire, answers: Mapping[str, Any], page: Page) -> Page | None:
    earlier = [p for p in _enabled(questionnaire, answers) if p.index < page.index]
    return earlier[-1] if earlier else None


def unanswered_required(questionnaire: Questionnaire, answers: Mapping[str, Any], page: Page) -> bool:
    return any(
        question.required
        and questionnaire.is_enabled(question, answers)
        and answers.get(question.link_id) is None
        for question in page.questions
    )


def first_unanswered_page(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Page | None:
    """Where to resume: the first screen with a required question still unanswered."""
    for page in _enabled(questionnaire, answers):
        if unanswered_required(questionnaire, answers, page):
            return page
    return None


def resume_page(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Page | None:
    """The screen to open a draft on: the first unanswered one; the first screen of a new draft;
    None when everything is answered (go to check your answers)."""
    if not answers:
        pages = _enabled(questionnaire, answers)
        return pages[0] if pages else None
    return first_unanswered_page(questionnaire, answers)

