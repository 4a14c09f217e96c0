"""Response headers that every page carries."""

from __future__ import annotations

from flask import Flask, Response, abort, request
from flask_login import current_user

# Everything comes from this site; no inline script or style, no eval, no plugins, no framing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """A NUL character is never typed by a person, and PostgreSQL cannot store one in text:
        refuse the request whole rather than fail part-way."""
        fields = (*request.args.listvalues(), *request.form.listvalues())
        if any("\x00" in value for values in fields for value in values):
            abort(400)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            # Served over HTTPS only (a TLS proxy in front): browsers must never fall back to HTTP.
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user.is_authenticated and response.mimetype in {"text/html", "application/json"}:
            # Personal health information must not be kept by shared caches or the back button
            # of a shared phone after sign-out.
            headers["Cache-Control"] = "no-store"
        return response
