"""ORM models. Import from here: ``from webapp.models import User, Response``."""

from webapp.models.people import User
from webapp.models.responses import Answer, Response, ResponseStatus, Score

__all__ = ["Answer", "Response", "ResponseStatus", "Score", "User"]
