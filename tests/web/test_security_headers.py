"""Security headers, and pages that a strict Content-Security-Policy can allow as they are."""

from __future__ import annotations

import re

import pytest

from tests.web.journey import start

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def assert_strict_page(reply):
    csp = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = reply.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not STYLE_ATTRIBUTE.search(html)
    assert not STYLE_ELEMENT.search(html)


def test_public_pages_carry_the_headers_and_no_inline_code(client):
    for path in ("/", "/sign-in", "/sign-up", "/no-such-page"):
        reply = client.get(path)
        assert_strict_page(reply)
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["Referrer-Policy"] == "same-origin"
        assert reply.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("questionnaire", ["capable-activation", "capable-capability"])
def test_signed_in_pages_have_no_inline_code_and_are_not_stored(signed_in, questionnaire):
    question = signed_in.get(start(signed_in, questionnaire).headers["Location"])
    for reply in (signed_in.get("/"), signed_in.get("/history"), signed_in.get("/goals"),
                  signed_in.get("/goals/new"), signed_in.get("/account"), question,
                  signed_in.get(f"/questionnaires/{questionnaire}")):
        assert reply.status_code == 200
        assert_strict_page(reply)
        assert reply.headers["Cache-Control"] == "no-store"


def test_cookies_are_http_only_and_same_site(client, person):
    from tests.conftest import sign_in

    reply = sign_in(client)
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch, tmp_path):
    from webapp import create_app
    from webapp.extensions import db

    monkeypatch.setenv("CAPABLE_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("CAPABLE_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app()
    client = app.test_client()
    reply = client.get("/sign-in", base_url="https://capable.example")
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        db.engine.dispose()
