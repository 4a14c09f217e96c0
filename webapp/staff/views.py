"""The staff workspace's routes, one module per part (all on ``webapp.staff.blueprint.bp``)."""

from webapp.staff import caseload, exports, invites, person, reports  # noqa: F401  (registers routes)
from webapp.staff.blueprint import bp

__all__ = ["bp"]
