"""Completing a questionnaire: one screen at a time, check your answers, send, see results.

Every step is a plain form POST followed by a redirect. With htmx the same URLs answer with the
next step's fragment, pushing its URL, so the back button and a reload keep working.
"""

from __future__ import annotations

import uuid as uuid_module

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.assess import steps
from webapp.catalogue import get_questionnaire_or_404
from webapp.extensions import db
from webapp.htmx import is_htmx_request, render
from webapp.models import Response
from webapp.services import responses
from webapp.services.responses import AnswerSheet

bp = Blueprint("assess", __name__, template_folder="templates")


@bp.before_request
@login_required
def require_sign_in():
    """Every page here is about the signed-in person's own answers."""


def _own(found: Response | AnswerSheet | None) -> Response | AnswerSheet:
    """The signed-in person's own response; anyone else's is simply not found."""
    if found is None or found.person_id != current_user.id:
        abort(404)
    return found


def load_own_response(response_uuid: uuid_module.UUID) -> Response:
    """The response with its results, for sending and showing results."""
    return _own(responses.get_response(db.session, response_uuid))


def load_own_sheet(response_uuid: uuid_module.UUID) -> AnswerSheet:
    """The response's answers only, for the question screens and check your answers."""
    return _own(responses.load_answer_sheet(db.session, response_uuid))


def questionnaire_for(response: Response | AnswerSheet):
    return get_questionnaire_or_404(response.questionnaire_id, response.questionnaire_version)


def go_to(url: str):
    """After a POST: the next step's fragment for htmx, a 303 redirect for a plain form."""
    if is_htmx_request():
        return None
    return redirect(url, code=303)


@bp.get("/questionnaires/<questionnaire_id>")
def start(questionnaire_id: str):
    questionnaire = get_questionnaire_or_404(questionnaire_id)
    draft = responses.find_draft(db.session, current_user, questionnaire.id)
    return render("assess/_start.html",
        title=questionnaire.title,
        questionnaire=questionnaire,
        draft=draft,
        new_uuid=uuid_module.uuid4(),
    )


@bp.post("/questionnaires/<questionnaire_id>/start")
def start_post(questionnaire_id: str):
    questionnaire = get_questionnaire_or_404(questionnaire_id)
    try:
        response_uuid = uuid_module.UUID(request.form.get("response_uuid", ""))
    except ValueError:
        response_uuid = None
    try:
        response = responses.start_response(db.session, current_user, questionnaire, response_uuid)
    except responses.ResponseConflict:
        abort(409)
    db.session.commit()
    # A draft in progress may be of an older version: carry on with the version it started on.
    questionnaire = questionnaire_for(response)
    step = steps.resume_step(questionnaire, response)
    return go_to(step.url) or steps.render_step(questionnaire, response, step)


@bp.get("/responses/<uuid:response_uuid>/questions/<link_id>")
def question(response_uuid: uuid_module.UUID, link_id: str):
    response = load_own_sheet(response_uuid)
    if response.completed:
        return redirect(url_for("assess.results", response_uuid=response.uuid))
    questionnaire = questionnaire_for(response)
    page = steps.enabled_page_or_404(questionnaire, response.answer_map(), link_id)
    return steps.render_question(questionnaire, response, page, changing=bool(request.args.get("change")))


@bp.post("/responses/<uuid:response_uuid>/questions/<link_id>")
def answer(response_uuid: uuid_module.UUID, link_id: str):
    response = load_own_sheet(response_uuid)
    if response.completed:
        abort(409)
    questionnaire = questionnaire_for(response)
    answers = response.answer_map()
    page = steps.enabled_page_or_404(questionnaire, answers, link_id)
    changing = bool(request.form.get("change"))
    values, errors = steps.read_page_answers(questionnaire, page, answers, request.form)
    if errors:
        return steps.render_question(
            questionnaire, response, page, changing=changing, errors=errors, given=request.form, status=422
        )
    try:
        responses.save_page_answers(db.session, response, page, values)
    except responses.ResponseClosed:  # sent from another tab or device since it was read
        db.session.rollback()
        abort(409)
    db.session.commit()
    step = steps.next_step(questionnaire, response, page, changing)
    return go_to(step.url) or steps.render_step(questionnaire, response, step, changing=changing)


@bp.get("/responses/<uuid:response_uuid>/check")
def check(response_uuid: uuid_module.UUID):
    response = load_own_sheet(response_uuid)
    if response.completed:
        return redirect(url_for("assess.results", response_uuid=response.uuid))
    return steps.render_check(questionnaire_for(response), response)


@bp.post("/responses/<uuid:response_uuid>/submit")
def submit(response_uuid: uuid_module.UUID):
    response = load_own_response(response_uuid)
    questionnaire = questionnaire_for(response)
    try:
        responses.complete_response(db.session, response, questionnaire)
    except responses.IncompleteResponse as incomplete:
        db.session.rollback()
        return steps.render_check(questionnaire, response, missing=incomplete.missing, status=422)
    db.session.commit()
    url = url_for("assess.results", response_uuid=response.uuid)
    return go_to(url) or steps.render_results(questionnaire, response, push_url=url)


@bp.get("/responses/<uuid:response_uuid>/results")
def results(response_uuid: uuid_module.UUID):
    response = load_own_response(response_uuid)
    if not response.completed:
        return redirect(url_for("assess.check", response_uuid=response.uuid))
    return steps.render_results(questionnaire_for(response), response)

