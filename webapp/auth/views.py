"""Sign up, sign in (with a second step for staff who turned it on) and sign out (by POST);
a person's account, changing a password, and a staff member's own account page."""

from __future__ import annotations

import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    SignInCodeForm,
    SignInForm,
    SignOutForm,
    SignUpForm,
    TwoFactorOffForm,
    TwoFactorSetupForm,
)
from webapp.db import utcnow
from webapp.extensions import db, limiter, login_manager
from webapp.htmx import redirect_after_post, render
from webapp.models import User
from webapp.services import account_data, accounts, audit, two_factor
from webapp.staff.access import current_staff, staff_required

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.sign_in"
login_manager.login_message = None  # the sign-in page explains itself


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, if its password is still the one they signed in with (see
    ``User.get_id``); after a password change, other sessions are signed out."""
    number, _, stamp = user_id.partition(".")
    if not (number.isascii() and number.isdigit() and len(number) < 10):
        return None
    user = db.session.get(User, int(number))
    if user is None or not hmac.compare_digest(stamp, user.session_stamp):
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.home")


#: The invite link a person opened (``webapp.sharing.views``), kept while they sign up or sign in
#: on the way to accepting it, so its token need not go back into a URL.
INVITE_TOKEN_KEY = "invite_token"


def renew_session(*, keep_invite: bool = False) -> None:
    """Empty the session as signing in or up starts, so nothing planted in it before carries
    over. Only an opened invite may stay, and only for someone on their way back to it: on a
    shared phone, the next person to sign in for their own reasons does not inherit it."""
    kept = {INVITE_TOKEN_KEY: session[INVITE_TOKEN_KEY]} if keep_invite and INVITE_TOKEN_KEY in session else {}
    session.clear()
    session.update(kept)


def _going_to_invite(next_url: str) -> bool:
    return next_url == url_for("sharing.invite_page")


def _start_session(person: User, next_url: str | None = None) -> None:
    renew_session(keep_invite=next_url is not None and _going_to_invite(next_url))
    login_user(person)


@bp.get("/sign-up")
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render("auth/_sign_up.html", form=SignUpForm(), title=_("Create an account"))


@bp.post("/sign-up")
@limiter.limit(lambda: current_app.config["SIGN_UP_RATE_LIMIT"])
def sign_up_post():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            person = accounts.register_person(
                db.session, form.email.data, form.password.data, form.display_name.data
            )
        except accounts.EmailTaken:
            # Say nothing about whether the address has an account: offer to sign in instead.
            form.email.errors = [_("You cannot use this email address to sign up. If you already have an account, sign in.")]
        else:
            db.session.commit()
            _start_session(person)
            flash(_("Your account is ready."), "success")
            return redirect(url_for("main.home"))
    return render("auth/_sign_up.html", form=form, title=_("Create an account"), status=422)


@bp.get("/sign-in")
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render("auth/_sign_in.html", form=SignInForm(), next=request.args.get("next"),
                  title=_("Sign in"))


def _lockout() -> dict[str, int]:
    config = current_app.config
    return {"max_failures": config["LOCKOUT_AFTER_FAILURES"], "lock_minutes": config["LOCKOUT_MINUTES"]}


def _locked_message(user: User | None) -> str:
    minutes = current_app.config["LOCKOUT_MINUTES"]
    message = _("There have been too many wrong tries, so signing in is paused for this account. "
                "Wait %(minutes)s minutes, then try again.", minutes=minutes)
    if user is not None and user.staff is not None:
        message += " " + _("If you need to sign in sooner, ask an admin.")
    return message


# A pending sign-in (right password, code still to come) is kept in the session this long.
PENDING_KEY = "pending_sign_in"
PENDING_MINUTES = 5


@bp.post("/sign-in")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def sign_in_post():
    form = SignInForm()
    next_url = request.form.get("next")
    if form.validate_on_submit():
        attempt = accounts.attempt_sign_in(db.session, form.email.data, form.password.data, **_lockout())
        if attempt.ok and two_factor.is_on(attempt.user):
            db.session.commit()  # the count of failures stays until the code is right too
            renew_session(keep_invite=_going_to_invite(_safe_next(next_url)))
            session[PENDING_KEY] = {"user_id": attempt.user.id, "at": utcnow().isoformat(),
                                    "next": _safe_next(next_url)}
            return redirect(url_for("auth.sign_in_code"))
        if attempt.ok:
            accounts.signed_in(attempt.user)
            db.session.commit()
            _start_session(attempt.user, _safe_next(next_url))
            return redirect(_safe_next(next_url))
        db.session.commit()  # counts and locks are kept
        if attempt.outcome is accounts.SignInOutcome.LOCKED:
            form.form_errors.append(_locked_message(attempt.user))
        elif attempt.outcome is accounts.SignInOutcome.DEACTIVATED:
            form.form_errors.append(_("This staff account has been turned off. Ask an admin if you need it again."))
        else:
            form.form_errors.append(_("The email address or password is not right. Check them and try again."))
    return render("auth/_sign_in.html", form=form, next=next_url, title=_("Sign in"),
                  status=422)


def _pending_user() -> tuple[User | None, str | None]:
    """The staff member part-way through signing in, and where to go after; None once stale."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    try:
        started = datetime.fromisoformat(pending["at"])
        user = db.session.get(User, int(pending["user_id"]))
    except (KeyError, TypeError, ValueError):
        return None, None
    if utcnow() - started > timedelta(minutes=PENDING_MINUTES) or user is None or not two_factor.is_on(user):
        return None, None
    return user, pending.get("next")


def _pending_expired():
    session.pop(PENDING_KEY, None)
    flash(_("Signing in took too long. Enter your email address and password again."), "info")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.get("/sign-in/code")
def sign_in_code():
    user, _next = _pending_user()
    if user is None:
        if PENDING_KEY in session:
            return _pending_expired()
        return redirect(url_for("auth.sign_in"))
    return render("auth/_sign_in_code.html", form=SignInCodeForm(), title=_("Enter your code"))


@bp.post("/sign-in/code")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def sign_in_code_post():
    user, next_url = _pending_user()
    if user is None:
        return _pending_expired()
    form = SignInCodeForm()
    if form.validate_on_submit():
        staff = user.staff
        if accounts.is_locked(user):
            session.pop(PENDING_KEY, None)
            form.form_errors.append(_locked_message(user))
        elif not staff.active:
            session.pop(PENDING_KEY, None)
            form.form_errors.append(_("This staff account has been turned off. Ask an admin if you need it again."))
        elif (by_app := two_factor.check_code(staff, form.code.data)) or two_factor.use_recovery_code(
                db.session, staff, form.code.data):
            accounts.signed_in(user)
            db.session.flush()
            left = None if by_app else two_factor.recovery_codes_left(db.session, staff)
            db.session.commit()
            _start_session(user, _safe_next(next_url))
            if not by_app:
                flash(_("You signed in with a recovery code. You have %(count)s left. If your phone is lost, "
                        "turn two-step sign-in off and on again to get new codes.", count=left), "info")
            return redirect(_safe_next(next_url))
        else:
            if accounts.count_failure(db.session, user, **_lockout()):
                session.pop(PENDING_KEY, None)
                form.form_errors.append(_locked_message(user))
            else:
                form.code.errors = [_("That code is not right. Codes change every 30 seconds: try the one your app shows now.")]
            db.session.commit()
    return render("auth/_sign_in_code.html", form=form, title=_("Enter your code"), status=422)


@bp.post("/sign-out")
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@bp.get("/account")
@login_required
def account():
    if current_user.staff is not None:
        return redirect(url_for("auth.staff_account"))
    return render("auth/_account.html", form=DeleteAccountForm(), title=_("Your account"))


@bp.get("/account/my-data.json")
@login_required
def download_data():
    """Everything held about the signed-in person, as a JSON file to keep."""
    body = json.dumps(account_data.export_person(db.session, current_user), ensure_ascii=False, indent=2)
    audit.record(db.session, "account.export", actor=current_user, person_id=current_user.id)
    db.session.commit()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="capable-my-data.json"',
    })


@bp.post("/account/delete")
@login_required
def delete_account():
    if current_user.staff is not None:
        abort(403)  # staff accounts are work accounts: an admin turns them off
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not accounts.password_matches(current_user, form.password.data):
            form.password.errors = [_("That password is not right")]
        else:
            person = current_user._get_current_object()
            # Only that it happened: the id, nothing that says who they were.
            audit.record(db.session, "account.delete", actor=None, person_id=person.id)
            account_data.delete_person(db.session, person)
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account and everything in it have been deleted."), "success")
            return redirect(url_for("main.home"), code=303)
    return render("auth/_account.html", form=form, title=_("Your account"), status=422)


def _account_page() -> str:
    return url_for("auth.staff_account") if current_user.staff is not None else url_for("auth.account")


def _wrong_password_locks() -> bool:
    """A wrong password typed while signed in counts towards the lockout, as at sign-in: someone
    using a session left open cannot try passwords for ever. True if this one locked the account."""
    locked = accounts.count_failure(db.session, current_user._get_current_object(), **_lockout())
    db.session.commit()
    return locked


def _signed_out_locked():
    user = current_user._get_current_object()
    logout_user()
    session.clear()
    flash(_locked_message(user), "warning")
    return redirect_after_post(url_for("auth.sign_in"))


@bp.get("/account/password")
@login_required
def change_password():
    return render("auth/_password.html", form=ChangePasswordForm(), back=_account_page(),
                  title=_("Change your password"))


@bp.post("/account/password")
@login_required
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def change_password_post():
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        if not accounts.password_matches(current_user, form.current.data):
            if _wrong_password_locks():
                return _signed_out_locked()
            form.current.errors = [_("That is not your current password")]
        else:
            accounts.set_password(current_user, form.password.data)
            audit.record(db.session, "password.change", actor=current_user, person_id=None if current_user.is_staff
                         else current_user.id)
            db.session.commit()
            # Every other session of the account ends (their stamp no longer matches); this one
            # carries on with the new stamp.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect_after_post(_account_page())
    return render("auth/_password.html", form=form, back=_account_page(), title=_("Change your password"),
                  status=422)


# --- A staff member's own account, and two-step sign-in -------------------------------------

SETUP_KEY = "two_factor_setup"


def _role_words(staff) -> str:
    if staff.role is None:
        return _("None (admin only)")
    return _("Team lead") if staff.is_team_lead else _("Coach")


@bp.get("/staff/account")
@staff_required
def staff_account():
    staff = current_staff()
    return render("auth/_staff_account.html", staff=staff, role=_role_words(staff),
                  two_step_on=two_factor.is_on(current_user),
                  codes_left=two_factor.recovery_codes_left(db.session, staff),
                  title=_("Your staff account"))


def _setup_secret() -> str:
    """The secret being set up, kept in the session until a code from it is confirmed (so a GET
    changes nothing stored, and a reload shows the same QR code)."""
    secret = session.get(SETUP_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = two_factor.new_secret()
        session[SETUP_KEY] = secret
    return secret


def _render_setup(form: TwoFactorSetupForm, status: int = 200):
    secret = _setup_secret()
    uri = two_factor.provisioning_uri(secret, current_user.email)
    return render("auth/_two_factor_setup.html", form=form, status=status,
                  secret=two_factor.grouped(secret),
                  qr=two_factor.qr_svg(uri, _("QR code to scan with your authenticator app")),
                  title=_("Turn on two-step sign-in"))


@bp.get("/staff/account/two-step")
@staff_required
def two_factor_setup():
    if two_factor.is_on(current_user):
        return redirect(url_for("auth.staff_account"))
    return _render_setup(TwoFactorSetupForm())


@bp.post("/staff/account/two-step")
@staff_required
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def two_factor_setup_post():
    if two_factor.is_on(current_user):
        return redirect_after_post(url_for("auth.staff_account"))
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        secret = _setup_secret()
        step = two_factor.code_fits_secret(secret, form.code.data)
        if step is None:
            form.code.errors = [_("That code is not right. Check your app shows Capable, and type the code it shows now.")]
        else:
            codes = two_factor.enable(db.session, current_staff(), secret, step)
            db.session.commit()
            session.pop(SETUP_KEY, None)
            # Shown once, in this answer: never stored anywhere they could be read again.
            return render("auth/_recovery_codes.html", codes=codes, title=_("Your recovery codes"))
    return _render_setup(form, status=422)


@bp.get("/staff/account/two-step/off")
@staff_required
def two_factor_off():
    if not two_factor.is_on(current_user):
        return redirect(url_for("auth.staff_account"))
    return render("auth/_two_factor_off.html", form=TwoFactorOffForm(), title=_("Turn off two-step sign-in"))


@bp.post("/staff/account/two-step/off")
@staff_required
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def two_factor_off_post():
    if not two_factor.is_on(current_user):
        return redirect_after_post(url_for("auth.staff_account"))
    form = TwoFactorOffForm()
    if form.validate_on_submit():
        if not accounts.password_matches(current_user, form.password.data):
            if _wrong_password_locks():
                return _signed_out_locked()
            form.password.errors = [_("That password is not right")]
        else:
            two_factor.disable(db.session, current_staff(), actor=current_user)
            db.session.commit()
            flash(_("Two-step sign-in is off. You now sign in with your password only."), "success")
            return redirect_after_post(url_for("auth.staff_account"))
    return render("auth/_two_factor_off.html", form=form, title=_("Turn off two-step sign-in"), status=422)
