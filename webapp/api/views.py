"""JSON endpoints for the device's outbox: a whole response sent at once, safe to resend."""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.assess.steps import error_message
from webapp.catalogue import get_catalogue
from webapp.domain.questionnaires import AnswerError
from webapp.extensions import db
from webapp.models import Response
from webapp.services import responses

bp = Blueprint("api", __name__, url_prefix="/api")

# Nothing was answered in Capable before it existed: an earlier time is a wrong device clock.
EARLIEST_AUTHORED_YEAR = 2020


def problem(status: int, message: str, **extra):
    body = {"error": message, **extra}
    return jsonify(body), status


def receipt(response: Response) -> dict:
    return {
        "uuid": str(response.uuid),
        "questionnaire": response.questionnaire_id,
        "version": response.questionnaire_version,
        "status": response.status.value,
        "received_at": response.received_at.isoformat(),
        "results_url": url_for("assess.results", response_uuid=response.uuid),
    }


@bp.post("/responses")
def receive_response():
    """Store a completed response. Body: {uuid, questionnaire, version, authored_at?, answers}.

    201 with a receipt when stored; 200 with the same receipt when the same answers were already
    stored under this uuid; 409 when the uuid holds different answers; 422 for answers that do
    not fit the questionnaire; 401 when not signed in. Nothing is stored unless the answer is 2xx.
    """
    if not current_user.is_authenticated:
        return problem(401, _("Sign in to send your answers."))
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real response could be
        body = None
    if not isinstance(body, dict):
        return problem(400, _("Send the response as a JSON object."))
    try:
        response_uuid = uuid_module.UUID(str(body.get("uuid", "")))
    except ValueError:
        return problem(400, _("The response needs a valid uuid."))
    questionnaire_id, version = body.get("questionnaire"), body.get("version")
    if not isinstance(questionnaire_id, str) or not isinstance(version, str):
        return problem(400, _("Say which questionnaire and version these answers are for."))
    questionnaire = get_catalogue().get(questionnaire_id, version)
    if questionnaire is None:
        return problem(404, _("That questionnaire or version is not known here."))
    answers = body.get("answers")
    if not isinstance(answers, dict):
        return problem(400, _("The answers must be a JSON object keyed by question id."))
    authored_at = None
    if body.get("authored_at") is not None:
        try:
            authored_at = datetime.fromisoformat(str(body["authored_at"]))
        except ValueError:
            return problem(400, _("authored_at must be a date and time, like 2026-01-31T09:30:00Z."))
        if authored_at.tzinfo is None:
            return problem(400, _("authored_at must include a time zone."))
        try:
            authored_at = authored_at.astimezone(UTC)
        except OverflowError:
            authored_at = None
        if authored_at is None or authored_at.year < EARLIEST_AUTHORED_YEAR:
            return problem(422, _("authored_at is too long ago. Check the clock on this device."))

    try:
        response, created = responses.receive_response(
            db.session, current_user, questionnaire, response_uuid, answers, authored_at
        )
    except AnswerError as error:
        db.session.rollback()
        item = questionnaire.item(error.link_id) if isinstance(error.link_id, str) else None
        message = error_message(item, error) if item is not None else _("This question is not part of this questionnaire")
        return problem(422, message, question=str(error.link_id))
    except responses.IncompleteResponse as incomplete:
        db.session.rollback()
        return problem(422, _("Some required questions have no answer."),
                       missing=[item.link_id for item in incomplete.missing])
    except responses.InvalidAuthoredTime:
        db.session.rollback()
        return problem(422, _("authored_at is in the future. Check the clock on this device."))
    except responses.ResponseConflict:
        db.session.rollback()
        return problem(409, _("Different answers were already sent with this id. Nothing was changed."))
    db.session.commit()
    return jsonify(receipt(response)), 201 if created else 200
