"""A NUL character in a text field, on every form that stores text.

Browsers never send one from a text box, but anything can be POSTed. SQLite stores it; PostgreSQL
(what a service runs on, and CI's second leg) refuses text containing NUL, and the app lets the
database error through as a 500. Found by the fuzz tests in this folder; the app now refuses any
request carrying a NUL character with a 400, before anything is read or written."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import PASSWORD, csrf_token
from tests.fuzz.conftest import snapshot

CASES = [
    pytest.param("/sign-up", "display_name", {"email": "<unique>@example.org", "password": "x" * 12,
                                              "confirm": "x" * 12}, id="sign-up display_name"),
    pytest.param("/sign-up", "email", {"password": "x" * 12, "confirm": "x" * 12}, id="sign-up email"),
    pytest.param("/sign-in", "email", {"password": PASSWORD}, id="sign-in email"),
    pytest.param("/sign-in", "password", {"email": "<email>"}, id="sign-in password"),
    pytest.param("/goals/new", "own_words", {}, id="goals/new own_words"),
    *[pytest.param("/goals/<draft-own>/plan", field, {"what": "Walk", "starts_on": "2999-01-01"},
                   id=f"plan {field}") for field in ("what", "how_much", "when", "how_often")],
    pytest.param("/goals/<draft-mid>/smaller", "in_the_way", {}, id="smaller in_the_way"),
    *[pytest.param("/goals/<active>/check-in", field, {"outcome": "done", "confidence": "8", "next_step": "stop"},
                   id=f"check-in {field}") for field in ("helped", "got_in_the_way")],
    pytest.param("/goals/<draft-own>/ideas", "idea", {}, id="ideas idea"),
    pytest.param("/goals/<draft-own>/first-step", "idea", {}, id="first-step idea"),
    pytest.param("/responses/<draft:capable-capability>/questions/what-matters", "what-matters", {},
                 id="answer what-matters"),
]


@pytest.mark.parametrize(("path", "field", "rest"), CASES)
@pytest.mark.parametrize("value", ["a\x00b", "\x00"], ids=["inside", "alone"])
def test_a_nul_character_is_refused_whole(fuzz_app, people, path, field, rest, value):
    person = people.get()  # a fresh one whenever the last case changed anything
    anonymous = path in ("/sign-up", "/sign-in")
    client = fuzz_app.test_client() if anonymous else person.client
    token = csrf_token(client, path) if anonymous else person.token
    names = {**person.goals, **person.responses, "email": person.email, "unique": f"nul-{uuid.uuid4().hex}"}

    def fill(text: str) -> str:
        return re.sub(r"<([^>]+)>", lambda match: names[match.group(1)], text)

    url = fill(path)
    form = {name: fill(text) for name, text in rest.items()}
    before = snapshot(fuzz_app, person.id)
    reply = client.post(url, data={**form, field: value, "csrf_token": token})
    assert reply.status_code == 400
    assert snapshot(fuzz_app, person.id) == before
