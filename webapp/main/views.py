"""The home page (what is due, what was done) and the history of results."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.catalogue import get_catalogue
from webapp.clock import today
from webapp.db import utcnow
from webapp.extensions import db
from webapp.htmx import render
from webapp.services.goals import goals_of
from webapp.services.history import due_for, history_for

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render("main/_welcome.html")
    reassess_after = timedelta(days=current_app.config["REASSESS_AFTER_DAYS"])
    due = due_for(db.session, current_user, get_catalogue(), reassess_after, utcnow())
    histories = history_for(db.session, current_user, get_catalogue())
    goals = [goal for goal in goals_of(db.session, current_user) if goal.status.value in ("active", "paused", "thinking")]
    return render("main/_home.html", due=due, histories=histories, goals=goals, today=today(),
                  title=_("Home"))


@bp.get("/history")
@login_required
def history():
    histories = history_for(db.session, current_user, get_catalogue())
    return render("main/_history.html", histories=histories, title=_("My results"))
