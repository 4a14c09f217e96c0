"""Offline use: installable app, service worker, one cacheable page per questionnaire version.

The service worker (``static/app/offline/sw.js``) is served at ``/sw.js`` so that its scope is the
whole site. Its cache names carry a version made from the vendored library versions and a hash of
our own static files, worked out once when the app starts (``OFFLINE_CACHE_VERSION`` overrides it).

Which pages a device may keep is decided here, not in JavaScript: an HTML ``GET`` answered with
200 to a signed-in person, on an allow-listed page about that person, carries the header
``X-Capable-Cache`` with the person's cache key. The service worker stores only responses with
that header, in a cache named after the key. The key is an HMAC of the account id: stable, not
guessable, and not the email address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from webapp.assess.steps import error_message
from webapp.catalogue import get_catalogue, get_questionnaire_or_404
from webapp.domain.questionnaires import DEFAULT_MAX_LENGTH, AnswerError, EnableWhen, Item, Questionnaire
from webapp.offline.messages import locale_tag, offline_messages
from webapp.templating import SUPPORTED_LOCALES, VENDOR

bp = Blueprint("offline", __name__, template_folder="templates")

CACHE_HEADER = "X-Capable-Cache"
ALIAS_HEADER = "X-Capable-Alias"
BUILD_HEADER = "X-Capable-Build"
VERSION_KEY = "capable.offline_version"
SW_SOURCE = "app/offline/sw.js"
# Pages about the signed-in person that a device may keep for reading offline.
CACHEABLE_ENDPOINTS = frozenset({
    "main.home",
    "main.history",
    "assess.results",
    "goals.index",
    "goals.show",
    "goals.check_in",  # the check-in of an active goal works without a signal (check_in.js)
    "offline.questionnaire",
    "offline.outbox",
    "offline.offline_page",
})
# The translation catalogues: the offline scripts' messages come from them, so they are part of
# the build's version (a new translation reaches phones like a changed static file).
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
# The vendored files every page needs, kept by the service worker when it installs.
VENDOR_FILES = (
    VENDOR["htmx"],
    VENDOR["nhsuk_css"],
    VENDOR["nhsuk_js"],
    VENDOR["nhsuk_images"] + "/favicon.ico",
    VENDOR["nhsuk_images"] + "/favicon.svg",
    VENDOR["nhsuk_images"] + "/nhsuk-icon-180.png",
    "vendor/idb-8.0.4/idb.umd.js",
)
THEME_COLOUR = "#005eb8"
BACKGROUND_COLOUR = "#f0f4f5"


def _static_root() -> Path:
    return Path(current_app.static_folder or "")


def app_files(static_root: Path) -> list[str]:
    """Our own static files (``static/app/``), relative to the static folder, sorted."""
    return sorted(
        path.relative_to(static_root).as_posix()
        for path in (static_root / "app").rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def compute_version(static_root: Path, translations: Path | None = None) -> str:
    """A short version for the caches: the vendored versions, a hash of our static files and of
    the compiled translations (``*.mo`` under ``translations``, when given)."""
    digest = hashlib.sha256()
    for name in VENDOR_FILES:
        digest.update(name.encode())  # the vendored versions are in their paths
    for name in app_files(static_root):
        digest.update(name.encode())
        digest.update((static_root / name).read_bytes())
    if translations is not None and translations.is_dir():
        for path in sorted(translations.rglob("*.mo")):
            digest.update(path.relative_to(translations).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_version() -> str:
    configured = current_app.config.get("OFFLINE_CACHE_VERSION")
    if configured:
        return str(configured)
    version = current_app.extensions.get(VERSION_KEY)
    if version is None:
        version = current_app.extensions[VERSION_KEY] = compute_version(_static_root(), TRANSLATIONS)
    return version


@bp.record_once
def _work_out_version(state) -> None:
    """Hash the static files once, when the blueprint is registered (that is, at app start)."""
    app = state.app
    app.extensions[VERSION_KEY] = compute_version(Path(app.static_folder or ""), TRANSLATIONS)


def user_key(user_id: int) -> str:
    """The person's key for local caches and storage: an HMAC of the account id, never the email."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"capable-offline:{user_id}".encode(), hashlib.sha256).hexdigest()[:24]


def current_user_key() -> str:
    return user_key(current_user.id) if current_user.is_authenticated else ""


def messages_url(locale: str | None = None) -> str:
    """Where the offline scripts find their messages, for a locale (the request's by default).
    client.js works the same address out from the page's ``lang`` when it is not told it."""
    return url_for("offline.messages", locale=locale_tag(locale or get_locale() or SUPPORTED_LOCALES[0]))


def precache_urls() -> list[str]:
    """The offline page of the newest version of every questionnaire, for the device to keep."""
    return [
        url_for("offline.questionnaire", questionnaire_id=q.id, version=q.version)
        for q in get_catalogue().latest()
    ]


def offline_client() -> dict:
    """What the page's offline script is told (``layout.html``): where its pieces are, and whose
    device this is. Staff pages are never kept on a device: staff get no service worker and
    nothing to keep."""
    signed_in = current_user.is_authenticated and not current_user.is_staff
    return {
        "src": url_for("static", filename="app/offline/client.js"),
        "user": current_user_key() if signed_in else "",
        "sw": url_for("offline.service_worker") if signed_in else "",
        "precache": " ".join(precache_urls()) if signed_in else "",
        "outbox": url_for("offline.outbox"),
        "session": url_for("offline.session"),
        "manifest": url_for("offline.manifest"),
        "theme": THEME_COLOUR,
        "messages": messages_url(),
    }


@bp.app_context_processor
def offline_context() -> dict:
    # A function, not its result: only whole pages call it, never the fragments htmx swaps in
    # (most requests), which would otherwise work out seven addresses and a key for nothing.
    return {"offline_client": offline_client}


@bp.after_app_request
def mark_cacheable(response: Response) -> Response:
    """Say which responses a device may keep, and for whom (see the module's docstring)."""
    if (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and request.endpoint in CACHEABLE_ENDPOINTS
        and current_user.is_authenticated
        and request.headers.get("HX-Request") != "true"
    ):
        response.headers[CACHE_HEADER] = current_user_key()
        response.headers[BUILD_HEADER] = cache_version()
    return response


# --- Installing -------------------------------------------------------------------------------


@bp.get("/manifest.webmanifest")
def manifest():
    def icon(name: str, size: int, purpose: str = "any") -> dict:
        return {"src": url_for("static", filename=f"app/icons/{name}"), "sizes": f"{size}x{size}",
                "type": "image/png", "purpose": purpose}

    body = {
        "name": _("Capable"),
        "short_name": _("Capable"),
        "description": _("See how able you feel to manage your health, and set goals that fit."),
        "lang": "en-GB",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            icon("capable-192.png", 192),
            icon("capable-512.png", 512),
            icon("capable-maskable-512.png", 512, "maskable"),
        ],
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False, indent=2),
                                           mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, with this build's version and the files to keep put in front of it."""
    version = cache_version()
    static_files = [url_for("static", filename=name) for name in (*VENDOR_FILES, *app_files(_static_root()))
                    if not name.endswith(".js") or not name.startswith("app/offline/sw")]
    # The scripts' messages in every locale, kept with the static files of this build.
    static_files += [messages_url(locale) for locale in SUPPORTED_LOCALES]
    settings = {
        "version": version,
        "static": static_files,
        "staticPrefix": url_for("static", filename=""),
        "offlinePage": url_for("offline.offline_page"),
        "messages": url_for("offline.messages"),
        "never": ["/api/", "/sign-in", "/sign-up", "/sign-out", url_for("offline.session")],
        "cacheHeader": CACHE_HEADER,
        "aliasHeader": ALIAS_HEADER,
        "buildHeader": BUILD_HEADER,
    }
    source = (_static_root() / SW_SOURCE).read_text(encoding="utf-8")
    body = f"self.CAPABLE = {json.dumps(settings)};\n{source}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline/session")
def session():
    """Who is signed in here, with a fresh CSRF token: the outbox asks before it sends."""
    signed_in = current_user.is_authenticated
    response = jsonify({
        "signed_in": signed_in,
        "user": current_user_key(),
        "csrf_token": generate_csrf() if signed_in else None,
    })
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/offline/messages.json")
def messages():
    """Every string the offline scripts show, translated: ``?locale=en-GB`` picks a supported
    locale (else the request's). The service worker keeps it with this build's static files."""
    wanted = request.args.get("locale", "").replace("-", "_")
    locale = wanted if wanted in SUPPORTED_LOCALES else str(get_locale() or SUPPORTED_LOCALES[0])
    with force_locale(locale):
        body = {"locale": locale_tag(locale), "build": cache_version(), "messages": offline_messages()}
    response = current_app.response_class(json.dumps(body, ensure_ascii=False, sort_keys=True),
                                           mimetype="application/json")
    response.headers["Content-Language"] = locale_tag(locale)
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- Pages ------------------------------------------------------------------------------------


@bp.get("/offline")
def offline_page():
    return render_template("offline/offline.html", title=_("You are offline"))


@bp.get("/outbox")
@login_required
def outbox():
    return render_template("offline/outbox.html", title=_("Answers saved on this phone"))


def _messages(item: Item) -> dict[str, str]:
    """The server's own error messages for this item, for the page to show offline."""
    params = {"min": item.min, "max": item.max, "max_length": item.max_length or DEFAULT_MAX_LENGTH}
    return {code: error_message(item, AnswerError(code, item.link_id, params))
            for code in ("required", "not_an_option", "not_a_number", "out_of_range", "too_long")}


def _conditions(conditions: Sequence[EnableWhen]) -> list[dict]:
    return [{"question": c.question, "operator": c.operator, "answer": c.answer} for c in conditions]


def definition_for_script(questionnaire: Questionnaire) -> dict:
    """What the page's script needs: screens, enable-when rules, answer types and messages."""
    items = {}
    for question in questionnaire.answerable_items:
        items[question.link_id] = {
            "type": question.type,
            "text": question.text,
            "repeats": question.repeats,
            "required": question.required,
            "min": question.min,
            "max": question.max,
            "max_length": question.max_length or DEFAULT_MAX_LENGTH,
            "options": [{"code": o.code, "text": o.text, "value": o.value, "not_applicable": o.not_applicable}
                        for o in question.options],
            "messages": _messages(question),
        }
    pages = []
    for page in questionnaire.pages:
        pages.append({
            "linkId": page.link_id,
            "text": page.item.text,
            "group": page.is_group,
            "enable_when": _conditions(page.item.enable_when),
            "enable_behavior": page.item.enable_behavior,
            "children": [{"linkId": child.link_id, "enable_when": _conditions(child.enable_when),
                          "enable_behavior": child.enable_behavior} for child in page.item.items],
            "questions": [q.link_id for q in page.questions],
        })
    # Help to show with the answers once they are saved (the results page shows it online).
    signposts = [{"id": signpost.id, "enable_when": _conditions(signpost.enable_when),
                  "enable_behavior": signpost.enable_behavior} for signpost in questionnaire.signposts]
    return {"id": questionnaire.id, "version": questionnaire.version, "title": questionnaire.title,
            "pages": pages, "items": items, "signposts": signposts}


@bp.get("/offline/questionnaires/<questionnaire_id>/<version>")
@login_required
def questionnaire(questionnaire_id: str, version: str):
    questionnaire = get_questionnaire_or_404(questionnaire_id, version)
    latest = get_catalogue().get(questionnaire_id)
    total = len(questionnaire.pages)
    response = current_app.make_response(render_template(
        "offline/questionnaire.html",
        title=questionnaire.title,
        questionnaire=questionnaire,
        total=total,
        definition=definition_for_script(questionnaire),
        results_wording=_("See your results"),
    ))
    if latest is not None and latest.version == questionnaire.version:
        # The service worker keeps this page for /questionnaires/<id> too, for offline navigation.
        response.headers[ALIAS_HEADER] = url_for("assess.start", questionnaire_id=questionnaire.id)
    return response
