"""Sign up, sign in and sign out (by POST) with an email address and password."""

from __future__ import annotations

from urllib.parse import urlsplit

import json

from flask import Blueprint, Response, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth.forms import DeleteAccountForm, SignInForm, SignOutForm, SignUpForm
from webapp.extensions import db, limiter, login_manager
from webapp.htmx import render
from webapp.models import User
from webapp.services import account_data, accounts

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.sign_in"
login_manager.login_message = None  # the sign-in page explains itself


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.home")


def _start_session(person: User) -> None:
    session.clear()  # a fresh session, so nothing from before sign-in carries over
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


@bp.post("/sign-in")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def sign_in_post():
    form = SignInForm()
    next_url = request.form.get("next")
    if form.validate_on_submit():
        person = accounts.authenticate(db.session, form.email.data, form.password.data)
        if person is not None:
            db.session.commit()
            _start_session(person)
            return redirect(_safe_next(next_url))
        form.form_errors.append(_("The email address or password is not right. Check them and try again."))
    return render("auth/_sign_in.html", form=form, next=next_url, title=_("Sign in"),
                  status=422)


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
    return render("auth/_account.html", form=DeleteAccountForm(), title=_("Your account"))


@bp.get("/account/my-data.json")
@login_required
def download_data():
    """Everything held about the signed-in person, as a JSON file to keep."""
    body = json.dumps(account_data.export_person(db.session, current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="capable-my-data.json"',
    })


@bp.post("/account/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if accounts.authenticate(db.session, current_user.email, form.password.data) is None:
            db.session.rollback()
            form.password.errors = [_("That password is not right")]
        else:
            account_data.delete_person(db.session, current_user._get_current_object())
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account and everything in it have been deleted."), "success")
            return redirect(url_for("main.home"), code=303)
    return render("auth/_account.html", form=form, title=_("Your account"), status=422)
