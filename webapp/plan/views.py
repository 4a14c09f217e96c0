"""A person's own personalised care and support plan, to read and print.

The plan is written with a coach (see ``webapp/staff/person.py``); here the person reads the
plan from each team they share their record with, with their own goals. Coach notes are never
shown here.
"""

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.htmx import render
from webapp.models import GoalStatus
from webapp.services import care_plans
from webapp.services import goals as goal_service

bp = Blueprint("plan", __name__, template_folder="templates")


@bp.get("/my-plan")
@login_required
def show():
    goals = [goal for goal in goal_service.goals_of(db.session, current_user)
             if goal.status in (GoalStatus.ACTIVE, GoalStatus.PAUSED)]
    return render("plan/_show.html", title=_("My care and support plan"),
                  shared=care_plans.shared_plans(db.session, current_user), goals=goals)
