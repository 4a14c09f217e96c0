"""Template set-up shared by every blueprint: locale, asset versions, filters."""

from __future__ import annotations

from flask import Flask, request

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
        return {"vendor": VENDOR}

    @app.template_filter("percent")
    def percent(value: float | None) -> str:
        return "" if value is None else f"{round(value * 100)}%"

    @app.template_filter("signed")
    def signed(value: float | None, decimals: int = 0) -> str:
        if value is None:
            return ""
        rounded = round(value, decimals) if decimals else round(value)
        if rounded == 0:
            return "0" if not decimals else f"{0:.{decimals}f}"
        text = f"{abs(rounded):.{decimals}f}" if decimals else f"{abs(int(rounded))}"
        return ("+" if rounded > 0 else "\u2212") + text
