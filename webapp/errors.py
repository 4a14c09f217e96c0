"""Error pages: plain words, the right status, and never a stack trace or an answer."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.htmx import render

MESSAGES = {
    400: (_l("Something went wrong with that request"),
          _l("The page could not use what was sent. Go back and try again.")),
    403: (_l("You cannot see this page"),
          _l("This page belongs to someone else, or you need to sign in with a different account.")),
    404: (_l("Page not found"),
          _l("If you typed the web address, check it is correct. If you followed a link, it may be out of date.")),
    405: (_l("Something went wrong with that request"),
          _l("That page cannot be used in this way.")),
    409: (_l("This has already been sent"),
          _l("These answers were already sent and cannot be changed. You can start the questionnaire again.")),
    413: (_l("That was too much to send"),
          _l("What you sent was too long. Make it shorter and try again.")),
    429: (_l("Too many tries"),
          _l("Wait a few minutes, then try again.")),
    500: (_l("Sorry, there is a problem with the service"),
          _l("Try again later. What you have already saved is safe.")),
}


def render_error(status: int, description: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    if request.path.startswith("/api/"):
        return jsonify({"error": str(description or message)}), status
    return render("errors/_error.html", status=status, title=title, message=description or message)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _l("This form has expired or was sent from somewhere else. Go back, reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return render_error(500)
