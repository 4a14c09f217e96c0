"""The loaded questionnaire definitions, one catalogue per app."""

from __future__ import annotations

from flask import Flask, abort, current_app

from webapp.domain.questionnaires import Catalogue, Questionnaire, load_catalogue

EXTENSION_KEY = "capable.catalogue"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = load_catalogue(app.config["QUESTIONNAIRE_DIRS"])


def get_catalogue() -> Catalogue:
    return current_app.extensions[EXTENSION_KEY]


def get_questionnaire_or_404(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    questionnaire = get_catalogue().get(questionnaire_id, version)
    if questionnaire is None:
        abort(404)
    return questionnaire
