"""A person's side of sharing: claiming an invite, consenting, seeing who can see their record
and withdrawing.

An invite link is ``/invite/<token>``. Someone not signed in learns who is inviting them and
creates an account there (or signs in and comes back); a signed-in person reads what sharing
means and agrees to it, which uses up the invite. Staff accounts never get here (the access
layer answers them 403).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from webapp.auth.forms import SignUpForm
from webapp.extensions import db, limiter
from webapp.htmx import redirect_after_post, render
from webapp.models import Consent, Invite
from webapp.services import accounts, consent
from webapp.services import invites as invite_service
from webapp.services.invites import ClaimOutcome, InviteStatus
from webapp.sharing.forms import ConsentForm, StopSharingForm

bp = Blueprint("sharing", __name__, template_folder="templates")


def _claim_limit() -> str:
    return current_app.config["INVITE_CLAIM_RATE_LIMIT"]


def _sign_up_limit() -> str:
    return current_app.config["SIGN_UP_RATE_LIMIT"]


def _private(response: Response) -> Response:
    """The invite link is a secret: keep it out of caches and out of Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _gone(status: int) -> Response:
    """A link that does not work says so, and what to do, and nothing more."""
    if status == 404:
        title = _("This invite link does not work")
        reason = _("Check you have the whole link. It is long, and the end is easy to miss.")
    else:
        title = _("This invite link no longer works")
        reason = _("Invite links work only once, and only for a short time.")
    return _private(render("sharing/_invite_gone.html", status=status, title=title, reason=reason))


def open_or_gone(invite: Invite | None) -> Invite:
    """The invite if it is open; otherwise the request ends with a page saying the link does not
    work: 404 if there never was one, 410 if it was used, cancelled or is out of date."""
    if invite is None:
        abort(_gone(404))
    if invite_service.status_of(invite) != InviteStatus.OPEN:
        abort(_gone(410))
    return invite


def _inviter(invite: Invite) -> dict:
    coach = invite.created_by
    return {
        "team": invite.team,
        "coach_name": coach.user.display_name if coach is not None and coach.active else None,
        "coach_job_title": coach.job_title if coach is not None and coach.active else None,
    }


def _welcome(invite: Invite, token: str, form: SignUpForm, status: int = 200) -> Response:
    return _private(render("sharing/_invite_welcome.html", status=status, form=form, token=token,
                           title=_("Share your record with %(team)s", team=invite.team.name),
                           **_inviter(invite)))


def _consent_page(invite: Invite, token: str, form: ConsentForm, status: int = 200) -> Response:
    already = consent.active_consent(db.session, current_user.id, invite.team_id) is not None
    return _private(render("sharing/_consent.html", status=status, form=form, token=token, already=already,
                           wording_version=consent.CONSENT_WORDING_VERSION,
                           title=_("Share your record with %(team)s", team=invite.team.name),
                           **_inviter(invite)))


@bp.get("/invite/<token>")
@limiter.limit(_claim_limit)
def invite(token: str):
    found = invite_service.find_by_token(db.session, token)
    if found is not None and current_user.is_authenticated and found.claimed_by_id == current_user.id:
        flash(_("You have already accepted this invite."), "info")
        return redirect(url_for("sharing.index"))
    found = open_or_gone(found)
    if not current_user.is_authenticated:
        return _welcome(found, token, SignUpForm())
    return _consent_page(found, token, ConsentForm(found.team.name))


@bp.post("/invite/<token>")
@limiter.limit(_claim_limit)
@limiter.limit(_sign_up_limit, exempt_when=lambda: current_user.is_authenticated)
def invite_post(token: str):
    found = open_or_gone(invite_service.find_by_token(db.session, token))
    if not current_user.is_authenticated:
        return _sign_up_through(found, token)
    form = ConsentForm(found.team.name)
    if not form.validate_on_submit():
        return _consent_page(found, token, form, status=422)
    person = current_user._get_current_object()
    result = invite_service.claim(db.session, found, person)
    if result.outcome is ClaimOutcome.GONE:  # somebody else claimed it a moment ago
        db.session.rollback()
        return _gone(410)
    db.session.commit()
    if result.outcome is ClaimOutcome.ALREADY_SHARING:
        flash(_("You already share your record with %(team)s. Nothing has changed.", team=found.team.name), "info")
    else:
        flash(_("You now share your record with %(team)s. You can stop at any time in your account, "
                "under \u201cWho can see my record\u201d.", team=found.team.name), "success")
    return redirect(url_for("main.home"), code=303)


def _sign_up_through(invite: Invite, token: str) -> Response:
    """Create an account on the invite page, then go on to the consent step."""
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            person = accounts.register_person(db.session, form.email.data, form.password.data,
                                              form.display_name.data)
        except accounts.EmailTaken:
            form.email.errors = [_("You cannot use this email address to sign up. If you already have an account, sign in.")]
        else:
            db.session.commit()
            session.clear()  # a fresh session, so nothing from before sign-in carries over
            login_user(person)
            flash(_("Your account is ready."), "success")
            return _private(redirect(url_for("sharing.invite", token=token), code=303))
    return _welcome(invite, token, form, status=422)


# --- Who can see my record ---------------------------------------------------------------------


@bp.get("/account/sharing")
@login_required
def index():
    consents = consent.consents_of(db.session, current_user)
    return render("sharing/_index.html", title=_("Who can see my record"),
                  standing=[c for c in consents if c.active], past=[c for c in consents if not c.active])


def own_standing_consent_or_404(consent_id: int) -> Consent:
    found = consent.own_consent(db.session, current_user, consent_id)
    if found is None:
        abort(404)
    return found


@bp.get("/account/sharing/<int:consent_id>/stop")
@login_required
def stop(consent_id: int):
    found = own_standing_consent_or_404(consent_id)
    if not found.active:
        return redirect(url_for("sharing.index"))
    return render("sharing/_stop.html", consent=found, form=StopSharingForm(),
                  title=_("Stop sharing with %(team)s", team=found.team.name))


@bp.post("/account/sharing/<int:consent_id>/stop")
@login_required
def stop_post(consent_id: int):
    found = own_standing_consent_or_404(consent_id)
    form = StopSharingForm()
    if not form.validate_on_submit():
        abort(400)
    if found.active:
        consent.withdraw(db.session, found, current_user._get_current_object())
        db.session.commit()
        flash(_("You have stopped sharing your record with %(team)s.", team=found.team.name), "success")
    return redirect_after_post(url_for("sharing.index"))
