"""JSON endpoints for the device's outbox: a whole response, or a goal check-in, sent at once and
safe to resend (the client's UUID is the idempotency key)."""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from webapp.assess.steps import error_message
from webapp.catalogue import get_catalogue, get_goal_library
from webapp.clock import today
from webapp.db import utcnow
from webapp.domain.questionnaires import AnswerError
from webapp.extensions import db
from webapp.goals.forms import CheckInForm
from webapp.models import CheckIn, Goal, Response
from webapp.services import goals as goal_service
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


def _device_time(body: dict, field: str, *, required: bool = False, not_in_future: bool = False):
    """(a UTC datetime or None, None) or (None, an error answer) for a time the device sent: when
    it was filled in or saved, by the device's clock."""
    value = body.get(field)
    example = _("%(field)s must be a date and time, like 2026-01-31T09:30:00Z.", field=field)
    if value is None:
        return (None, problem(400, example)) if required else (None, None)
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None, problem(400, example)
    if when.tzinfo is None:
        return None, problem(400, _("%(field)s must include a time zone.", field=field))
    try:
        when = when.astimezone(UTC)
    except OverflowError:
        when = None
    if when is None or when.year < EARLIEST_AUTHORED_YEAR:
        return None, problem(422, _("%(field)s is too long ago. Check the clock on this device.", field=field))
    if not_in_future and when > utcnow() + responses.CLOCK_SKEW_ALLOWED:
        return None, problem(422, _("%(field)s is in the future. Check the clock on this device.", field=field))
    return when, None


def _json_object() -> dict | None:
    """The request's JSON body if it is an object, else None."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real response could be
        return None
    return body if isinstance(body, dict) else None


def _questionnaire_and_answers(body: dict):
    """(questionnaire, answers, None) or (None, None, an error answer): the questionnaire version
    the body names, and its answers keyed by question id."""
    questionnaire_id, version = body.get("questionnaire"), body.get("version")
    if not isinstance(questionnaire_id, str) or not isinstance(version, str):
        return None, None, problem(400, _("Say which questionnaire and version these answers are for."))
    questionnaire = get_catalogue().get(questionnaire_id, version)
    if questionnaire is None:
        return None, None, problem(404, _("That questionnaire or version is not known here."))
    answers = body.get("answers")
    if not isinstance(answers, dict):
        return None, None, problem(400, _("The answers must be a JSON object keyed by question id."))
    return questionnaire, answers, None


@bp.post("/responses")
def receive_response():
    """Store a completed response. Body: {uuid, questionnaire, version, authored_at?, answers}.

    201 with a receipt when stored; 200 with the same receipt when the same answers were already
    stored under this uuid; 409 when the uuid holds different answers; 422 for answers that do
    not fit the questionnaire; 401 when not signed in. Nothing is stored unless the answer is 2xx.
    """
    if not current_user.is_authenticated:
        return problem(401, _("Sign in to send your answers."))
    body = _json_object()
    if body is None:
        return problem(400, _("Send the response as a JSON object."))
    try:
        response_uuid = uuid_module.UUID(str(body.get("uuid", "")))
    except ValueError:
        return problem(400, _("The response needs a valid uuid."))
    questionnaire, answers, refused = _questionnaire_and_answers(body)
    if refused is not None:
        return refused
    authored_at, refused = _device_time(body, "authored_at")
    if refused is not None:
        return refused

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


# --- Goal check-ins ---------------------------------------------------------------------------

# What a check-in holds, as the web form names it. The form's own rules check every value.
CHECK_IN_FIELDS = ("outcome", "helped", "got_in_the_way", "confidence", "next_step", "next_check_in_on")


def check_in_receipt(stored: CheckIn, goal: Goal, next_goal: Goal) -> dict:
    return {
        "uuid": str(stored.uuid),
        "kind": "check-in",
        "goal": str(goal.uuid),
        "outcome": stored.outcome.value,
        "next_step": stored.next_step.value,
        "received_at": stored.created_at.isoformat(),
        "goal_url": url_for("goals.show", goal_uuid=goal.uuid),
        # The goal, or the next one to shape after "bigger" or "smaller" (its page leads on).
        "next_url": url_for("goals.show", goal_uuid=next_goal.uuid),
    }


def _day_filled_in(authored_at: datetime | None) -> date:
    """The day the check-in was filled in, where the service's people live (never after today):
    a check-in that waited on a phone is checked against the day it was given."""
    now = today()
    if authored_at is None:
        return now
    return min(now, authored_at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date())


@bp.post("/check-ins")
def receive_check_in():
    """Store a goal check-in. Body: {uuid, goal, outcome, helped?, got_in_the_way?, confidence,
    next_step, next_check_in_on? (needed with "keep"), authored_at?}; ``goal`` is the goal's uuid.

    201 with a receipt when stored; 200 with the same receipt when the same check-in was already
    stored under this uuid; 409 when the uuid holds a different check-in, or the goal is finished;
    422 for values the check-in form refuses (its messages); 404 for a goal that is not the signed-in
    person's; 401 when not signed in. Nothing is stored unless the answer is 2xx.
    """
    if not current_user.is_authenticated:
        return problem(401, _("Sign in to send your check-in."))
    body = _json_object()
    if body is None:
        return problem(400, _("Send the check-in as a JSON object."))
    try:
        check_in_uuid = uuid_module.UUID(str(body.get("uuid", "")))
    except ValueError:
        return problem(400, _("The check-in needs a valid uuid."))
    try:
        goal_uuid = uuid_module.UUID(str(body.get("goal", "")))
    except ValueError:
        return problem(400, _("Say which goal this check-in is for."))
    goal = goal_service.get_goal(db.session, goal_uuid)
    if goal is None or goal.person_id != current_user.id:
        return problem(404, _("That goal is not found."))
    authored_at, refused = _device_time(body, "authored_at")
    if refused is not None:
        return refused
    if authored_at is not None and authored_at > utcnow() + responses.CLOCK_SKEW_ALLOWED:
        return problem(422, _("authored_at is in the future. Check the clock on this device."))

    values = MultiDict()
    for name in CHECK_IN_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int) or "\x00" in str(value):
            return problem(422, _("This answer is not one the check-in can take."), field=name)
        values.add(name, str(value))
    day = _day_filled_in(authored_at)
    form = CheckInForm(formdata=values, meta={"csrf": False}, today=day)
    if not form.validate():
        errors = {field.name: [str(message) for message in field.errors] for field in form if field.errors}
        first = next(iter(errors))
        return problem(422, errors[first][0], field=first, errors=errors)

    try:
        stored, created = goal_service.check_in(
            db.session, goal, form.fields(), today=day, library=get_goal_library(),
            check_in_uuid=check_in_uuid, authored_at=authored_at)
    except goal_service.CheckInConflict:
        db.session.rollback()
        return problem(409, _("A different check-in was already sent with this id. Nothing was changed."))
    except goal_service.GoalClosed:
        db.session.rollback()
        return problem(409, _("This goal is finished or stopped, so it cannot take a check-in. Nothing was stored."))
    except goal_service.InvalidCheckInDate:
        db.session.rollback()
        return problem(422, _("Choose today or a date in the future"), field="next_check_in_on")
    next_goal = goal_service.after_check_in(db.session, goal, stored)
    receipt_body = check_in_receipt(stored, goal, next_goal)
    db.session.commit()
    return jsonify(receipt_body), 201 if created else 200


# --- Drafts: a response in progress on a device, saved to the server too -----------------------


def draft_receipt(response: Response) -> dict:
    return {
        "uuid": str(response.uuid),
        "questionnaire": response.questionnaire_id,
        "version": response.questionnaire_version,
        "status": response.status.value,
        "saved_at": response.updated_at.isoformat(),
        "answered": len(response.answers),
        "continue_url": url_for("assess.start", questionnaire_id=response.questionnaire_id),
    }


def draft_body(response: Response) -> dict:
    """A draft with its answers, for a device that has none to start from."""
    return {**draft_receipt(response), "answers": response.answer_map(),
            "started_at": response.started_at.isoformat()}


def _no_store(reply):
    body, status = reply if isinstance(reply, tuple) else (reply, 200)
    body.headers["Cache-Control"] = "no-store"
    return body, status


@bp.put("/drafts/<draft_uuid>")
def save_draft(draft_uuid: str):
    """Save the answers of a response in progress on a device, without completing it.

    Body: {questionnaire, version, answers, saved_at, screen?}; ``answers`` is every answer the
    device holds (keyed by question id, as for /api/responses, gaps allowed), ``saved_at`` when the
    device saved them. ``screen`` is accepted and not stored: the online screens carry on at the
    first question without an answer.

    201 with a receipt when this created the draft; 200 when it updated it or it already held
    exactly this; 409 when the response is completed (``reason: "completed"``), belongs to another
    questionnaire or version (``"conflict"``), or holds answers saved later than ``saved_at``
    (``"newer"``: the newest save wins, and the receipt of what is kept is in ``draft``); 422 for
    answers that do not fit; 404 for someone else's response; 401 when not signed in. Nothing is
    changed unless the answer is 2xx.
    """
    if not current_user.is_authenticated:
        return problem(401, _("Sign in to save your answers."))
    try:
        response_uuid = uuid_module.UUID(draft_uuid)
    except ValueError:
        return problem(404, _("That draft is not found."))
    body = _json_object()
    if body is None:
        return problem(400, _("Send the draft as a JSON object."))
    questionnaire, answers, refused = _questionnaire_and_answers(body)
    if refused is not None:
        return refused
    screen = body.get("screen")
    if screen is not None and not isinstance(screen, str):
        return problem(400, _("screen must be the id of a screen."))
    saved_at, refused = _device_time(body, "saved_at", required=True, not_in_future=True)
    if refused is not None:
        return refused

    try:
        draft, outcome = responses.save_draft(db.session, current_user, questionnaire, response_uuid, answers, saved_at)
    except AnswerError as error:
        db.session.rollback()
        item = questionnaire.item(error.link_id) if isinstance(error.link_id, str) else None
        message = error_message(item, error) if item is not None else _("This question is not part of this questionnaire")
        return problem(422, message, question=str(error.link_id))
    except responses.ResponseNotFound:
        db.session.rollback()
        return problem(404, _("That draft is not found."))
    except responses.ResponseClosed:
        db.session.rollback()
        return problem(409, _("These answers were already sent, so the draft cannot change. Nothing was changed."),
                       reason="completed")
    except responses.ResponseConflict:
        db.session.rollback()
        return problem(409, _("This id belongs to a different questionnaire. Nothing was changed."), reason="conflict")
    except responses.DraftOutdated as outdated:
        kept = draft_receipt(outdated.response)
        db.session.rollback()
        return problem(409, _("Newer answers to this questionnaire were saved from another device. Nothing was changed."),
                       reason="newer", draft=kept)
    receipt_body = draft_receipt(draft)
    db.session.commit()
    return _no_store((jsonify(receipt_body), 201 if outcome == "created" else 200))


@bp.get("/drafts")
def latest_draft():
    """``{"draft": ...}``: the signed-in person's most recently saved draft of ``?questionnaire=<id>``
    (any version) with its answers, or ``{"draft": null}`` when there is none (not an error: the
    offline page asks every time it opens without a draft of its own, and starts from it)."""
    if not current_user.is_authenticated:
        return problem(401, _("Sign in to carry on with your answers."))
    questionnaire_id = request.args.get("questionnaire", "")
    if not questionnaire_id:
        return problem(400, _("Say which questionnaire, like ?questionnaire=capable-activation."))
    if get_catalogue().get(questionnaire_id) is None:
        return problem(404, _("That questionnaire or version is not known here."))
    draft = responses.latest_draft(db.session, current_user, questionnaire_id)
    return _no_store(jsonify({"draft": draft_body(draft) if draft is not None else None}))


@bp.get("/drafts/<draft_uuid>")
def get_draft(draft_uuid: str):
    """One of the signed-in person's drafts, with its answers; 404 for anyone else's or none,
    409 when it has been completed."""
    if not current_user.is_authenticated:
        return problem(401, _("Sign in to carry on with your answers."))
    try:
        response_uuid = uuid_module.UUID(draft_uuid)
    except ValueError:
        return problem(404, _("That draft is not found."))
    draft = responses.get_response(db.session, response_uuid)
    if draft is None or draft.person_id != current_user.id:
        return _no_store(problem(404, _("That draft is not found.")))
    if draft.completed:
        return _no_store(problem(409, _("These answers were already sent."), reason="completed",
                                 results_url=url_for("assess.results", response_uuid=draft.uuid)))
    return _no_store(jsonify(draft_body(draft)))
