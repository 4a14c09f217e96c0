"""Template set-up shared by every blueprint: locale, asset versions, filters."""

from __future__ import annotations

from flask import Flask, request

from webapp.domain.results import score_maximum

VENDOR = {
    "htmx": "vendor/htmx-4.0.1/htmx.min.js",
    "nhsuk_css": "vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.css",
    "nhsuk_js": "vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js",
    "nhsuk_images": "vendor/nhsuk-frontend-10.6.1/images",
}
SUPPORTED_LOCALES = ["en_GB"]


def select_locale() -> str | None:
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or SUPPORTED_LOCALES[0]


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_assets() -> dict:
        return {"vendor": VENDOR, "score_maximum": score_maximum}

    @app.template_filter("percent")
    def percent(value: float | None) -> str:
        return "" if value is None else f"{round(value * 100)}%"

    @app.template_filter("score")
    def score(value: float | None) -> str:
        """A score as people read it: 75, not 75.0; 55.1 stays 55.1."""
        if value is None:
            return ""
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    @app.template_filter("signed")
    def signed(value: float | None) -> str:
        """A change with its sign: +12, −3.5, 0."""
        if value is None:
            return ""
        rounded = round(value, 1)
        if rounded == 0:
            return "0"
        return ("+" if rounded > 0 else "\u2212") + score(abs(rounded))
