"""A person's side of sharing: claiming an invite, consenting, seeing who can see their record
and withdrawing.

An invite link is ``/invite/<token>``. Opening it puts the token in the session and goes on to
``/invite``, so the token is in one request only, and not in later addresses, access logs,
browser history or the address bar (as Django's password reset does). There someone not signed in
learns who is inviting them and creates an account (or signs in and comes back: signing in keeps
the token, see ``webapp.auth.views.renew_session``); a signed-in person reads what sharing means
and agrees to it, which uses up the invite and forgets the token. Staff accounts never get here
(the access layer answers them 403).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from webapp.auth.forms import SignUpForm
from webapp.auth.views import INVITE_TOKEN_KEY, renew_session
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


def _gone(status: int, *, from_session: bool = False) -> Response:
    """A link that does not work says so, and what to do, and nothing more. ``from_session``:
    the invite was looked for in the session (``/invite``), not in a link just opened."""
    if status == 404:
        title = _("This invite link does not work")
        if from_session:
            reason = _("We could not tell which invite you were accepting. Open the link you were given again.")
            advice = _("If it still does not work, ask your coach or link worker for a new link.")
        else:
            reason = _("Check you have the whole link. It is long, and the end is easy to miss.")
            advice = _("Ask your coach or link worker for a new link.")
    else:
        title = _("This invite link no longer works")
        reason = _("Invite links work only once, and only for a short time.")
        advice = _("Ask your coach or link worker for a new link.")
    return _private(render("sharing/_invite_gone.html", status=status, title=title, reason=reason, advice=advice))


def open_or_gone(invite: Invite | None, *, from_session: bool = False) -> Invite:
    """The invite if it is open; otherwise the request ends with a page saying the link does not
    work: 404 if there never was one, 410 if it was used, cancelled or is out of date."""
    if invite is None:
        abort(_gone(404, from_session=from_session))
    if invite_service.status_of(invite) != InviteStatus.OPEN:
        abort(_gone(410, from_session=from_session))
    return invite


def _session_invite() -> Invite | None:
    """The invite whose link was opened in this session (``None`` if none was, or it is unknown)."""
    token = session.get(INVITE_TOKEN_KEY)
    return invite_service.find_by_token(db.session, token) if isinstance(token, str) else None


def _accepted_by_current_user(invite: Invite | None) -> bool:
    return invite is not None and current_user.is_authenticated and invite.claimed_by_id == current_user.id


def _already_accepted() -> Response:
    flash(_("You have already accepted this invite."), "info")
    return _private(redirect(url_for("sharing.index")))


def _inviter(invite: Invite) -> dict:
    coach = invite.created_by
    return {
        "team": invite.team,
        "coach_name": coach.user.display_name if coach is not None and coach.active else None,
        "coach_job_title": coach.job_title if coach is not None and coach.active else None,
    }


def _welcome(invite: Invite, form: SignUpForm, status: int = 200) -> Response:
    return _private(render("sharing/_invite_welcome.html", status=status, form=form,
                           title=_("Share your record with %(team)s", team=invite.team.name),
                           **_inviter(invite)))


def _consent_page(invite: Invite, form: ConsentForm, status: int = 200) -> Response:
    already = consent.active_consent(db.session, current_user.id, invite.team_id) is not None
    return _private(render("sharing/_consent.html", status=status, form=form, already=already,
                           wording_version=consent.CONSENT_WORDING_VERSION,
                           title=_("Share your record with %(team)s", team=invite.team.name),
                           **_inviter(invite)))


@bp.get("/invite/<token>")
@limiter.limit(_claim_limit)
def invite(token: str):
    """The link a coach gave: keep its token in the session and go on to ``/invite``."""
    found = invite_service.find_by_token(db.session, token)
    if _accepted_by_current_user(found):
        return _already_accepted()
    open_or_gone(found)
    session[INVITE_TOKEN_KEY] = token
    return _private(redirect(url_for("sharing.invite_page"), code=303))


@bp.get("/invite")
@limiter.limit(_claim_limit)
def invite_page():
    """The invite whose link was opened: who is inviting and a way to sign up or in, or for someone
    signed in, what sharing means and the box to agree."""
    found = _session_invite()
    if _accepted_by_current_user(found):
        return _already_accepted()
    found = open_or_gone(found, from_session=True)
    if not current_user.is_authenticated:
        return _welcome(found, SignUpForm())
    return _consent_page(found, ConsentForm(found.team.name))


@bp.post("/invite")
@limiter.limit(_claim_limit)
@limiter.limit(_sign_up_limit, exempt_when=lambda: current_user.is_authenticated)
def invite_post():
    """Sign up through the invite, or (signed in) agree to share, which uses it up."""
    found = open_or_gone(_session_invite(), from_session=True)
    if not current_user.is_authenticated:
        return _sign_up_through(found)
    form = ConsentForm(found.team.name)
    if not form.validate_on_submit():
        return _consent_page(found, form, status=422)
    person = current_user._get_current_object()
    result = invite_service.claim(db.session, found, person)
    if result.outcome is ClaimOutcome.GONE:  # somebody else claimed it a moment ago
        db.session.rollback()
        return _gone(410)
    db.session.commit()
    session.pop(INVITE_TOKEN_KEY, None)  # used up: nothing left to remember
    if result.outcome is ClaimOutcome.ALREADY_SHARING:
        flash(_("You already share your record with %(team)s. Nothing has changed.", team=found.team.name), "info")
    else:
        flash(_("You now share your record with %(team)s. You can stop at any time in your account, "
                "under \u201cWho can see my record\u201d.", team=found.team.name), "success")
    return _private(redirect(url_for("main.home"), code=303))


def _sign_up_through(invite: Invite) -> Response:
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
            renew_session(keep_invite=True)  # a fresh session that keeps only the invite's token
            login_user(person)
            flash(_("Your account is ready."), "success")
            return _private(redirect(url_for("sharing.invite_page"), code=303))
    return _welcome(invite, form, status=422)


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
