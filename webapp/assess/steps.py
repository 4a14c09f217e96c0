"""Working out and rendering the steps of a questionnaire for the views in ``views.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from functools import lru_cache

from flask import abort, current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from webapp.catalogue import get_catalogue
from webapp.domain import navigation
from webapp.domain.questionnaires import AnswerError, Item, Page, Questionnaire
from webapp.domain.results import headline
from webapp.domain.scoring import ScoreResult
from webapp.htmx import render
from webapp.models import Response
from webapp.services.responses import AnswerSheet

#: What the question screens and check your answers need of a response: its ``uuid`` and ``answer_map()``.
AnyResponse = Response | AnswerSheet


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@lru_cache(maxsize=4096)
def _cached_item(environment_id: int, locale: str, questionnaire_id: str, version: str, link_id: str,
                 value: Any, error: str | None, as_heading: bool, caption: str | None) -> Markup:
    questionnaire = get_catalogue().get(questionnaire_id, version)
    item = questionnaire.item(link_id)
    shown = list(value) if isinstance(value, tuple) else value
    return Markup(render_template("assess/_item.html", item=item, value=shown, error=error,
                                  as_heading=as_heading, caption=caption))


def render_item(questionnaire: Questionnaire, item: Item, value: Any, error: str | None,
                as_heading: bool, caption: str | None) -> Markup:
    """One question's markup (assess/_item.html). A question with the same answer, error and
    place renders the same every time, so it is rendered once per worker and reused: the NHS.UK
    macros behind a question are the largest part of a step's work."""
    return _cached_item(id(current_app.jinja_env), str(get_locale()), questionnaire.id, questionnaire.version,
                        item.link_id, _frozen(value), str(error) if error else None, as_heading,
                        str(caption) if caption else None)


# The back link and button of a question screen are the same on every screen but for the back
# link's address: each is rendered once per worker (the NHS.UK macros are slow) with a stand-in
# address, which is then replaced by the escaped real one.
_BACK_URL_STAND_IN = "capable-back-url-stand-in"


@lru_cache(maxsize=64)
def _cached_controls(environment_id: int, locale: str, changing: bool) -> tuple[str, Markup]:
    back_link = render_template("assess/_question_controls.html", part="back", back_url=_BACK_URL_STAND_IN)
    button = Markup(render_template("assess/_question_controls.html", part="button", changing=changing))
    return back_link, button


def question_controls(back_url: str, changing: bool) -> tuple[Markup, Markup]:
    """The back link to ``back_url`` and the Continue (or Save and go back) button."""
    back_link, button = _cached_controls(id(current_app.jinja_env), str(get_locale()), changing)
    return Markup(back_link.replace(_BACK_URL_STAND_IN, str(escape(back_url)))), button


@dataclass(frozen=True)
class Step:
    url: str
    page: Page | None  # None: check your answers


def question_url(response: AnyResponse, page: Page, changing: bool = False) -> str:
    return url_for(
        "assess.question",
        response_uuid=response.uuid,
        link_id=page.link_id,
        change=1 if changing else None,
    )


def check_url(response: AnyResponse) -> str:
    return url_for("assess.check", response_uuid=response.uuid)


def resume_step(questionnaire: Questionnaire, response: AnyResponse) -> Step:
    page = navigation.resume_page(questionnaire, response.answer_map())
    return Step(question_url(response, page), page) if page else Step(check_url(response), None)


def next_step(questionnaire: Questionnaire, response: AnyResponse, page: Page, changing: bool) -> Step:
    answers = response.answer_map()
    if changing:
        # Back to check your answers, unless the change opened a question still to answer.
        following = navigation.first_unanswered_page(questionnaire, answers)
        return Step(question_url(response, following, True), following) if following else Step(check_url(response), None)
    following = navigation.next_page(questionnaire, answers, page)
    return Step(question_url(response, following), following) if following else Step(check_url(response), None)


def render_step(questionnaire: Questionnaire, response: AnyResponse, step: Step, changing: bool = False):
    if step.page is None:
        return render_check(questionnaire, response, push_url=step.url)
    return render_question(questionnaire, response, step.page, changing=changing, push_url=step.url)


def enabled_page_or_404(questionnaire: Questionnaire, answers: Mapping[str, Any], link_id: str) -> Page:
    page = questionnaire.page(link_id)
    if page is None or page.link_id not in {p.link_id for p in questionnaire.enabled_pages(answers)}:
        abort(404)
    return page


def error_message(item: Item, error: AnswerError) -> str:
    params = error.params or {}
    if error.code == "required":
        if item.type == "integer":
            return _("Enter a number")
        if item.type == "text":
            return _("Enter your answer")
        if item.type == "choice" and item.repeats:
            return _("Select at least one answer")
        return _("Select an answer")
    if error.code == "not_an_option":
        return _("Select one of the answers shown")
    if error.code == "not_a_number":
        return _("Enter a whole number, like 5")
    if error.code == "out_of_range":
        return _("Enter a number from %(min)s to %(max)s", min=params.get("min", item.min), max=params.get("max", item.max))
    if error.code == "too_long":
        return _("Your answer must be %(count)s characters or fewer", count=params.get("max_length", item.max_length))
    return _("This question is not part of this questionnaire")


def read_page_answers(
    questionnaire: Questionnaire, page: Page, answers: Mapping[str, Any], form: MultiDict
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse the answers given on one screen. Returns (values, error messages by linkId)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in page.questions:
        if not questionnaire.is_enabled(question, answers):
            continue
        try:
            values[question.link_id] = questionnaire.parse_answer(question, form.getlist(question.link_id))
        except AnswerError as error:
            errors[question.link_id] = error_message(question, error)
    return values, errors


def display_answer(item: Item, value: Any) -> str:
    """An answer as the person would say it, for check your answers."""
    if value is None:
        return ""
    if item.type == "boolean":
        return _("Yes") if value else _("No")
    if item.options:
        codes = value if isinstance(value, list) else [value]
        texts = [option.text for code in codes if (option := item.option(code)) is not None]
        if texts:
            return ", ".join(texts)
    return str(value)


def render_question(
    questionnaire: Questionnaire,
    response: AnyResponse,
    page: Page,
    *,
    changing: bool = False,
    errors: dict[str, str] | None = None,
    given: MultiDict | None = None,
    status: int = 200,
    push_url: str | None = None,
):
    answers = response.answer_map()
    number, total = navigation.position(questionnaire, answers, page)
    previous = navigation.previous_page(questionnaire, answers, page)
    if changing:
        back_url = check_url(response)
    elif previous is not None:
        back_url = question_url(response, previous)
    else:
        back_url = url_for("assess.start", questionnaire_id=questionnaire.id)
    questions = [q for q in page.questions if questionnaire.is_enabled(q, answers)]
    shown = {}
    for question in questions:
        if given is not None:  # re-show what was typed, even when it was not valid
            raw = given.getlist(question.link_id)
            shown[question.link_id] = raw if (question.type == "choice" and question.repeats) else (raw[0] if raw else None)
        else:
            shown[question.link_id] = answers.get(question.link_id)
    return render("assess/_question.html",
        status=status,
        push_url=push_url,
        title=f"{page.item.text} – {questionnaire.title}",
        questionnaire=questionnaire,
        response=response,
        page=page,
        questions=questions,
        values=shown,
        errors=errors or {},
        number=number,
        total=total,
        controls=question_controls(back_url, changing),
        action=url_for("assess.answer", response_uuid=response.uuid, link_id=page.link_id),
        changing=changing,
        render_item=render_item,
    )


def render_check(
    questionnaire: Questionnaire,
    response: AnyResponse,
    *,
    missing: list[Item] | None = None,
    status: int = 200,
    push_url: str | None = None,
):
    answers = questionnaire.clean_answers(response.answer_map())
    rows = []
    for page in questionnaire.enabled_pages(answers):
        for question in page.questions:
            if not questionnaire.is_enabled(question, answers):
                continue
            rows.append({
                "page": page,
                "question": question,
                "answer": display_answer(question, answers.get(question.link_id)),
                "change_url": question_url(response, page, changing=True),
            })
    if missing is None:
        missing = questionnaire.missing_required(answers)
    last_page = questionnaire.enabled_pages(answers)[-1]
    return render("assess/_check.html",
        status=status,
        push_url=push_url,
        title=f"{_('Check your answers')} – {questionnaire.title}",
        questionnaire=questionnaire,
        response=response,
        rows=rows,
        missing=[{"item": item, "url": question_url(response, questionnaire.page_of(item.link_id), True)} for item in missing],
        back_url=question_url(response, last_page),
    )


def render_results(questionnaire: Questionnaire, response: Response, *, push_url: str | None = None):
    result = ScoreResult.from_dict(response.result)
    return render("assess/_results.html",
        push_url=push_url,
        title=f"{_('Your results')} – {questionnaire.title}",
        questionnaire=questionnaire,
        response=response,
        result=result,
        headline=headline(result, questionnaire.scoring),
        signposts=questionnaire.signposts_for(response.answer_map()) if questionnaire.signposts else [],
    )
