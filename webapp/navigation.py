"""The links in the header: what a person, a coach, a team lead or an admin can reach."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_login import current_user


def header_links() -> list[dict[str, str]]:
    """The header's links for whoever is signed in (or not), in the order they are shown."""
    if not current_user.is_authenticated:
        return [
            {"href": url_for("auth.sign_in"), "text": _("Sign in")},
            {"href": url_for("auth.sign_up"), "text": _("Create an account")},
        ]
    staff = current_user.staff
    if staff is None or not staff.active:
        return [
            {"href": url_for("main.history"), "text": _("My results")},
            {"href": url_for("goals.index"), "text": _("My goals")},
            {"href": url_for("plan.show"), "text": _("My plan")},
            {"href": url_for("auth.account"), "text": _("Account")},
        ]
    links = []
    if staff.sees_records:
        links.append({"href": url_for("staff.caseload"), "text": _("Caseload")})
        links.append({"href": url_for("staff.invites"), "text": _("Invite someone")})
    if staff.is_team_lead or staff.is_admin:
        links.append({"href": url_for("staff.report"), "text": _("Reports")})
    if staff.is_admin:
        links.append({"href": url_for("admin.index"), "text": _("Admin")})
    links.append({"href": url_for("auth.staff_account"), "text": _("Account")})
    return links


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"header_links": header_links})
