"""Inviting people: a coach makes a single-use link (and QR code) for a person to join the team's
caseload, sees which invites are still open, and can cancel one."""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from webapp.auth.forms import strip_spaces
from webapp.db import utcnow
from webapp.extensions import db
from webapp.htmx import redirect_after_post, render
from webapp.services import invites as invite_service
from webapp.staff.access import current_staff, records_required
from webapp.staff.blueprint import bp

# Each module of the QR code is this many pixels: about 270 pixels wide for an invite link,
# easy for a phone camera to read from a screen or from paper.
QR_SCALE = 6


class InviteForm(FlaskForm):
    person_label = StringField(
        _l("Who is this invite for?"),
        description=_l("A name or your own reference, so you know who this is"),
        filters=[strip_spaces],
        validators=[
            DataRequired(message=_l("Enter a name or reference for the person")),
            Length(max=120, message=_l("Name or reference must be 120 characters or fewer")),
        ],
    )


class CancelInviteForm(FlaskForm):
    """Only the CSRF token: cancelling is a POST."""


def qr_code_svg(url: str) -> Markup:
    """The link as a QR code: an inline SVG, dark on white, named for screen readers."""
    svg = segno.make(url, error="m").svg_inline(
        scale=QR_SCALE, dark="#000", light="#fff", title=_("QR code for the invite link"),
        svgclass="app-qr", lineclass=None,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # segno escapes the title


def _index(form: InviteForm, status: int = 200):
    staff = current_staff()
    now = utcnow()
    invites = invite_service.invites_of_team(db.session, staff.team_id, now)
    return render(
        "staff/invites/_index.html", status=status, form=form, cancel_form=CancelInviteForm(),
        invites=[(invite, invite_service.status_of(invite, now)) for invite in invites],
        team=staff.team, valid_days=current_app.config["INVITE_VALID_DAYS"],
        recent_days=invite_service.RECENT_DAYS, title=_("Invites"),
    )


@bp.get("/invites")
@records_required
def invites():
    return _index(InviteForm())


@bp.post("/invites")
@records_required
def create_invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _index(form, status=422)
    staff = current_staff()
    invite, token = invite_service.create_invite(
        db.session, staff, form.person_label.data, valid_days=current_app.config["INVITE_VALID_DAYS"],
    )
    db.session.commit()
    link = url_for("sharing.invite", token=token, _external=True)
    # The page is the only place the link is ever shown: rendered here, never redirected to.
    response = render("staff/invites/_created.html", invite=invite, link=link, qr_code=qr_code_svg(link),
                      team=staff.team, title=_("Invite link for %(label)s", label=invite.person_label))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/invites/<int:invite_id>/cancel")
@records_required
def cancel_invite(invite_id: int):
    form = CancelInviteForm()
    if not form.validate_on_submit():
        abort(400)
    staff = current_staff()
    invite = invite_service.team_invite(db.session, staff.team_id, invite_id)
    if invite is None:
        abort(404)
    if invite_service.revoke(db.session, invite, staff):
        flash(_("The invite was cancelled. Its link no longer works."), "success")
    else:
        flash(_("That invite was already used, cancelled or out of date, so there was nothing to cancel."), "info")
    db.session.commit()
    return redirect_after_post(url_for("staff.invites"))
