"""ORM models. Import from here: ``from webapp.models import User, Response``."""

from webapp.models.goals import CheckIn, CheckInOutcome, Goal, GoalKind, GoalRating, GoalStatus, NextStep
from webapp.models.people import User
from webapp.models.responses import Answer, Response, ResponseStatus, Score

__all__ = [
    "Answer",
    "CheckIn",
    "CheckInOutcome",
    "Goal",
    "GoalKind",
    "GoalRating",
    "GoalStatus",
    "NextStep",
    "Response",
    "ResponseStatus",
    "Score",
    "User",
]
