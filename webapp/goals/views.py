"""Setting a goal: say what you would like to work on, see suggestions, shape a plan, rate it,
and act on your confidence; then check in on it. Every step is a plain form with
post-redirect-get; htmx loads the same URLs into the page."""

from __future__ import annotations

import uuid as uuid_module
from flask import Blueprint, abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.catalogue import get_goal_library
from webapp.clock import today
from webapp.domain import goals as coaching
from webapp.extensions import db
from webapp.goals.forms import CheckInForm, CommitForm, InTheWayForm, OwnWordsForm, PlanForm, RatingForm
from webapp.goals.wording import reason_text
from webapp.htmx import redirect_after_post, render
from webapp.models import Goal, GoalStatus, Response
from webapp.services import goals as goal_service
from webapp.services import responses

bp = Blueprint("goals", __name__, url_prefix="/goals", template_folder="templates")


@bp.before_request
@login_required
def require_sign_in():
    """Goals are the signed-in person's own."""


def load_own_goal(goal_uuid: uuid_module.UUID) -> Goal:
    """The signed-in person's goal with this UUID; anyone else's is simply not found."""
    goal = goal_service.get_goal(db.session, goal_uuid)
    if goal is None or goal.person_id != current_user.id:
        abort(404)
    return goal


def load_open_goal(goal_uuid: uuid_module.UUID) -> Goal:
    goal = load_own_goal(goal_uuid)
    if goal.status in (GoalStatus.ACHIEVED, GoalStatus.STOPPED):
        abort(409)
    return goal


def load_goal_to_check_in(goal_uuid: uuid_module.UUID) -> Goal:
    """Only a goal that is on the go (or paused) can be checked in on."""
    goal = load_own_goal(goal_uuid)
    if goal.status not in (GoalStatus.ACTIVE, GoalStatus.PAUSED):
        abort(409)
    return goal


def picture(goal: Goal | None = None):
    """What the engine knows of the signed-in person, with this goal's own words if any."""
    config = current_app.config
    return goal_service.person_picture(
        db.session, current_user, config["ACTIVATION_QUESTIONNAIRE"], config["CAPABILITY_QUESTIONNAIRE"],
        own_words=goal.own_words if goal is not None else None,
    )


def goal_url(goal: Goal, step: str = "show") -> str:
    return url_for(f"goals.{step}", goal_uuid=goal.uuid)


@bp.get("")
def index():
    goals = goal_service.goals_of(db.session, current_user)
    return render("goals/_index.html", title=_("My goals"), goals=goals, today=today())


@bp.get("/new")
def new():
    return _render_new(OwnWordsForm(), source_uuid=request.args.get("from"))


def _render_new(form: OwnWordsForm, source_uuid: str | None, status: int = 200):
    active = goal_service.active_goals(db.session, current_user)
    return render("goals/_new.html", status=status, title=_("Set a goal"), form=form,
                  source_uuid=source_uuid, active=active,
                  suggested_max=current_app.config["ACTIVE_GOALS_SUGGESTED_MAX"])


@bp.post("/new")
def new_post():
    form = OwnWordsForm()
    source_uuid = request.form.get("from") or None
    if not form.validate_on_submit():
        return _render_new(form, source_uuid, status=422)
    source = _own_response(source_uuid)
    goal = goal_service.start_goal(db.session, current_user, form.own_words.data, source)
    db.session.commit()
    return redirect_after_post(goal_url(goal, "ideas"))


def _own_response(source_uuid: str | None) -> Response | None:
    try:
        response = responses.get_response(db.session, uuid_module.UUID(source_uuid)) if source_uuid else None
    except ValueError:
        return None
    return response if response is not None and response.person_id == current_user.id else None


@bp.get("/<uuid:goal_uuid>/ideas")
def ideas(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    return _render_ideas(goal)


def _render_ideas(goal: Goal, error: str | None = None, status: int = 200):
    suggestions = coaching.suggest(get_goal_library(), picture(goal))
    return render("goals/_ideas.html", status=status, title=_("Ideas to choose from"),
                  goal=goal, suggestions=suggestions, reason_text=reason_text, error=error)


@bp.post("/<uuid:goal_uuid>/ideas")
def ideas_post(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    chosen = request.form.get("idea", "")
    library = get_goal_library()
    if chosen == "own":
        goal_service.choose_idea(db.session, goal, None, library, None)
    else:
        suggestion = next((s for s in coaching.suggest(library, picture(goal)) if s.idea.id == chosen), None)
        if suggestion is None:
            return _render_ideas(goal, error=_("Choose one of the ideas, or write your own"), status=422)
        goal_service.choose_idea(db.session, goal, suggestion.idea, library, suggestion.domain)
    db.session.commit()
    return redirect_after_post(goal_url(goal, "plan"))


@bp.get("/<uuid:goal_uuid>/plan")
def plan(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    form = PlanForm(data={**goal_service.as_mapping(goal), "starts_on": goal.starts_on or today()}, today=today())
    return _render_plan(goal, form)


def _render_plan(goal: Goal, form: PlanForm, status: int = 200):
    return render("goals/_plan.html", status=status, title=_("Make a plan"), goal=goal, form=form)


@bp.post("/<uuid:goal_uuid>/plan")
def plan_post(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    form = PlanForm(today=today())
    if not form.validate_on_submit():
        return _render_plan(goal, form, status=422)
    goal_service.save_plan(db.session, goal, goal_service.PlanFields(
        what=form.what.data, how_much=form.how_much.data or None, when=form.when.data or None,
        how_often=form.how_often.data or None, starts_on=form.starts_on.data))
    db.session.commit()
    return redirect_after_post(goal_url(goal, "rate"))


@bp.get("/<uuid:goal_uuid>/rate")
def rate(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    return _render_rate(goal, RatingForm())


def _render_rate(goal: Goal, form: RatingForm, status: int = 200):
    return render("goals/_rate.html", status=status, title=_("How important, how sure"),
                  goal=goal, form=form)


@bp.post("/<uuid:goal_uuid>/rate")
def rate_post(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    form = RatingForm()
    if not form.validate_on_submit() or not goal.what:
        return _render_rate(goal, form, status=422)
    move = goal_service.rate(db.session, goal, int(form.importance.data), int(form.confidence.data))
    if move == "not_yet":
        goal_service.keep_thinking(db.session, goal)
    db.session.commit()
    step = {"commit": "commit", "shrink": "smaller", "not_yet": "not_yet"}[move]
    return redirect_after_post(goal_url(goal, step))


@bp.get("/<uuid:goal_uuid>/smaller")
def smaller(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    return _render_smaller(goal, InTheWayForm(data={"in_the_way": goal.in_the_way or ""}))


def _render_smaller(goal: Goal, form: InTheWayForm, status: int = 200):
    idea = goal_service.idea_of(goal, get_goal_library())
    smaller_idea = get_goal_library().smaller_of(idea) if idea else None
    return render("goals/_smaller.html", status=status, title=_("Make it easier to do"),
                  goal=goal, smaller_idea=smaller_idea, form=form)


@bp.post("/<uuid:goal_uuid>/smaller")
def smaller_post(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    library = get_goal_library()
    if request.form.get("choice") == "smaller":
        idea = goal_service.idea_of(goal, library)
        smaller_idea = library.smaller_of(idea) if idea else None
        if smaller_idea is None:
            abort(400)
        goal_service.make_smaller(db.session, goal, smaller_idea)
        db.session.commit()
        return redirect_after_post(goal_url(goal, "plan"))
    form = InTheWayForm()
    if not form.validate_on_submit():
        return _render_smaller(goal, form, status=422)
    goal_service.note_what_is_in_the_way(db.session, goal, form.in_the_way.data)
    db.session.commit()
    return redirect_after_post(goal_url(goal, "rate"))


@bp.get("/<uuid:goal_uuid>/not-yet")
def not_yet(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    library = get_goal_library()
    first_step = coaching.preparatory_step(library, goal_service.idea_of(goal, library), goal.domain,
                                           goal.tier or coaching.tier_for_stage(picture().stage))
    return render("goals/_not_yet.html", title=_("Not yet, and that is fine"),
                  goal=goal, first_step=first_step)


@bp.post("/<uuid:goal_uuid>/first-step")
def first_step_post(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    library = get_goal_library()
    step = library.get(request.form.get("idea"))
    if step is None:
        abort(400)
    follow_on = goal_service.follow_on_goal(db.session, goal, step)
    db.session.commit()
    return redirect_after_post(goal_url(follow_on, "plan"))


@bp.get("/<uuid:goal_uuid>/commit")
def commit(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    return _render_commit(goal, CommitForm(today=today()))


def _render_commit(goal: Goal, form: CommitForm, status: int = 200):
    return render("goals/_commit.html", status=status, title=_("Choose a day to check in"),
                  goal=goal, form=form)


@bp.post("/<uuid:goal_uuid>/commit")
def commit_post(goal_uuid: uuid_module.UUID):
    goal = load_open_goal(goal_uuid)
    if goal.confidence is None or goal.confidence < 7:  # confidence decides: ask again first
        return redirect_after_post(goal_url(goal, "rate"))
    form = CommitForm(today=today())
    if not form.validate_on_submit():
        return _render_commit(goal, form, status=422)
    goal_service.commit(db.session, goal, form.check_in_on.data, today())
    db.session.commit()
    return redirect_after_post(goal_url(goal))


@bp.get("/<uuid:goal_uuid>")
def show(goal_uuid: uuid_module.UUID):
    goal = load_own_goal(goal_uuid)
    if goal.status == GoalStatus.DRAFT:
        return redirect_after_post(goal_url(goal, "plan" if goal.what else "ideas"))
    library = get_goal_library()
    idea = goal_service.idea_of(goal, library)
    return render("goals/_show.html", title=goal.what, goal=goal, today=today(),
                  offer=goal_service.progression_offer(goal),
                  bigger=library.bigger_of(idea) if idea else None,
                  smaller_idea=library.smaller_of(idea) if idea else None,
                  history=goal_service.goal_history(db.session, goal))


@bp.get("/<uuid:goal_uuid>/check-in")
def check_in(goal_uuid: uuid_module.UUID):
    goal = load_goal_to_check_in(goal_uuid)
    return _render_check_in(goal, CheckInForm(today=today()))


def _render_check_in(goal: Goal, form: CheckInForm, status: int = 200):
    return render("goals/_check_in.html", status=status, title=_("How did it go?"),
                  goal=goal, form=form, offline_messages=form.messages_for_offline())


@bp.post("/<uuid:goal_uuid>/check-in")
def check_in_post(goal_uuid: uuid_module.UUID):
    goal = load_own_goal(goal_uuid)
    form = CheckInForm(today=today())
    client_uuid = form.client_uuid()
    sent_before = client_uuid is not None and goal_service.get_check_in(db.session, client_uuid) is not None
    if not sent_before and goal.status not in (GoalStatus.ACTIVE, GoalStatus.PAUSED):
        abort(409)
    if not form.validate_on_submit():
        return _render_check_in(goal, form, status=422)
    try:
        stored, _created = goal_service.check_in(
            db.session, goal, form.fields(), today=today(), library=get_goal_library(), check_in_uuid=client_uuid)
    except (goal_service.CheckInConflict, goal_service.GoalClosed):
        db.session.rollback()
        abort(409)
    next_goal = goal_service.after_check_in(db.session, goal, stored)
    db.session.commit()
    # A form sent twice (the same UUID) lands where the first one did.
    return redirect_after_post(goal_url(goal) if next_goal.id == goal.id else goal_url(next_goal, "plan"))


@bp.post("/<uuid:goal_uuid>/status")
def change_status(goal_uuid: uuid_module.UUID):
    goal = load_own_goal(goal_uuid)
    choices = {"pause": GoalStatus.PAUSED, "resume": GoalStatus.ACTIVE, "achieved": GoalStatus.ACHIEVED,
               "stop": GoalStatus.STOPPED}
    status = choices.get(request.form.get("action", ""))
    if status is None:
        abort(400)
    try:
        goal_service.set_status(db.session, goal, status)
    except goal_service.GoalClosed:
        abort(409)
    db.session.commit()
    return redirect_after_post(goal_url(goal))
