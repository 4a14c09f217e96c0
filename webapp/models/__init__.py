"""ORM models. Import from here: ``from webapp.models import User, Response``."""

from webapp.models.goals import CheckIn, CheckInOutcome, Goal, GoalKind, GoalRating, GoalStatus, NextStep
from webapp.models.people import User
from webapp.models.records import AuditEvent, CarePlan, CoachNote
from webapp.models.responses import Answer, Response, ResponseStatus, Score
from webapp.models.staff import Consent, Invite, RecoveryCode, StaffMember, StaffRole, Team

__all__ = [
    "Answer",
    "AuditEvent",
    "CarePlan",
    "CoachNote",
    "Consent",
    "Invite",
    "RecoveryCode",
    "StaffMember",
    "StaffRole",
    "Team",
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
