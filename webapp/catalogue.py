"""The loaded questionnaire definitions, one catalogue per app."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, current_app

from webapp.domain.questionnaires import Catalogue, Questionnaire, load_catalogue

EXTENSION_KEY = "capable.catalogue"


def init_app(app: Flask) -> None:
    folders = tuple(str(folder) for folder in app.config["QUESTIONNAIRE_DIRS"])
    app.extensions[EXTENSION_KEY] = _load(folders, _fingerprint(folders))


def _fingerprint(folders: tuple[str, ...]) -> tuple:
    """What the folders hold now: a changed, added or removed file means loading again."""
    files = []
    for folder in folders:
        root = Path(folder)
        if root.is_dir():
            for path in sorted(root.rglob("*.y*ml")):
                stat = path.stat()
                files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(files)


@lru_cache(maxsize=8)
def _load(folders: tuple[str, ...], fingerprint: tuple) -> Catalogue:
    # Definitions are immutable, so apps made in one process (tests, several app instances)
    # can share one loaded catalogue as long as the files have not changed.
    return load_catalogue(folders)


def get_catalogue() -> Catalogue:
    return current_app.extensions[EXTENSION_KEY]


def get_questionnaire_or_404(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    questionnaire = get_catalogue().get(questionnaire_id, version)
    if questionnaire is None:
        abort(404)
    return questionnaire
