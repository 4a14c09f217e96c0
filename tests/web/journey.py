"""Walking a questionnaire through the Flask test client, as a browser without JavaScript would."""

from __future__ import annotations

import re
import uuid

from flask.testing import FlaskClient

from tests.conftest import csrf_token
from webapp.catalogue import get_catalogue

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
QUESTION_URL = re.compile(r"/responses/([0-9a-f-]{36})/questions/([^/?]+)")


def definition(app, questionnaire_id: str):
    with app.app_context():
        return get_catalogue().get(questionnaire_id)


def start(client: FlaskClient, questionnaire_id: str, htmx: bool = False):
    token = csrf_token(client, f"/questionnaires/{questionnaire_id}")
    return client.post(
        f"/questionnaires/{questionnaire_id}/start",
        data={"csrf_token": token, "response_uuid": str(uuid.uuid4())},
        headers=HTMX if htmx else {},
    )


def form_for(page, pick) -> dict[str, list[str] | str]:
    """The form a person would send for one screen; ``pick(item)`` chooses each answer."""
    data: dict[str, list[str] | str] = {}
    for item in page.questions:
        value = pick(item)
        if value is not None:
            data[item.link_id] = value
    return data


def ordinal_pick(position: float):
    """Choose the option at ``position`` (0 lowest, 1 highest) of every ordered question."""

    def pick(item):
        if item.type == "choice" and item.repeats:
            return None
        if item.type == "choice":
            options = sorted((o for o in item.options if not o.not_applicable), key=lambda o: o.value)
            return options[round(position * (len(options) - 1))].code
        if item.type == "scale":
            return str(round(item.min + position * (item.max - item.min)))
        if item.type == "text":
            return "Seeing my grandchildren"
        if item.type == "boolean":
            return "yes"
        if item.type == "integer":
            return str(item.min or 0)
        return None

    return pick


def complete(client: FlaskClient, app, questionnaire_id: str, pick, htmx: bool = False) -> str:
    """Answer every screen shown, check, send; returns the response uuid."""
    questionnaire = definition(app, questionnaire_id)
    reply = start(client, questionnaire_id, htmx=htmx)
    location = reply.headers.get("HX-Push-Url") if htmx else reply.headers["Location"]
    token = csrf_token(client, "/")
    for _ in range(200):
        match = QUESTION_URL.search(location)
        if not match:
            break
        response_uuid, link_id = match.groups()
        page = questionnaire.page(link_id)
        data = form_for(page, pick)
        data["csrf_token"] = token
        reply = client.post(f"/responses/{response_uuid}/questions/{link_id}", data=data,
                            headers=HTMX if htmx else {})
        assert reply.status_code in (200, 303), reply.get_data(as_text=True)[:2000]
        location = reply.headers.get("HX-Push-Url") if htmx else reply.headers["Location"]
    assert location.endswith("/check"), location
    response_uuid = location.split("/")[2]
    reply = client.post(f"/responses/{response_uuid}/submit", data={"csrf_token": token},
                        headers=HTMX if htmx else {})
    assert reply.status_code in (200, 303), reply.get_data(as_text=True)[:2000]
    return response_uuid
