"""The loaded content: questionnaire definitions and the goal library, one of each per app.

Both are data files checked when the app starts; a broken file stops start-up with a message
naming the file, the item and the problem.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, current_app

from webapp.domain.goals import GoalLibrary, load_goal_library
from webapp.domain.questionnaires import Catalogue, Questionnaire, load_catalogue

CATALOGUE_KEY = "capable.catalogue"
GOALS_KEY = "capable.goal_library"
LOADERS = {"questionnaires": load_catalogue, "goals": load_goal_library}


def init_app(app: Flask) -> None:
    app.extensions[CATALOGUE_KEY] = _load_folders("questionnaires", app.config["QUESTIONNAIRE_DIRS"])
    app.extensions[GOALS_KEY] = _load_folders("goals", app.config["GOAL_DIRS"])


def _load_folders(kind: str, folders) -> Catalogue | GoalLibrary:
    names = tuple(str(folder) for folder in folders)
    return _load(kind, names, _fingerprint(names))


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


@lru_cache(maxsize=16)
def _load(kind: str, folders: tuple[str, ...], fingerprint: tuple):
    # Loaded content is immutable, so apps made in one process (tests, several app instances)
    # share it as long as the files have not changed.
    return LOADERS[kind](folders)


def get_catalogue() -> Catalogue:
    return current_app.extensions[CATALOGUE_KEY]


def get_goal_library() -> GoalLibrary:
    return current_app.extensions[GOALS_KEY]


def get_questionnaire_or_404(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    questionnaire = get_catalogue().get(questionnaire_id, version)
    if questionnaire is None:
        abort(404)
    return questionnaire
