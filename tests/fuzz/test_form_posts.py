"""Every form POST, fuzzed: odd text, repeated and missing fields, stray fields, odd ids in the URL,
with and without a good CSRF token, as a plain form and as htmx.

For each request: never a server error; a bad CSRF token is always 400; a refused request (4xx)
changes nothing in the database (row counts of every table, and every stored column of the
person's rows); input that is certainly bad is refused with a 4xx, and input that is certainly
good is accepted and stored as sent.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.urls import _urlencode

from tests.conftest import PASSWORD, csrf_token
from tests.fuzz.conftest import TABLES, Person, answers_of, examples, snapshot
from tests.fuzz.strategies import (
    CSRF_MODES,
    HTMX,
    HUGE,
    csrf_passes,
    pg_safe,
    random_form,
    segment,
    texts,
    uuids_and_junk,
    with_csrf,
)
from webapp.catalogue import get_catalogue, get_goal_library
from webapp.clock import today
from webapp.extensions import db
from webapp.services import goals as goal_service

# Examples with 100k-character strings are meant; their repr is only shown for a failure.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FUZZ = settings(max_examples=examples(25), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GOAL_STATES = ["draft-new", "draft-own", "draft-idea", "draft-mid", "draft-high", "thinking", "active",
               "active-idea", "paused", "achieved", "stopped"]
CLOSED = {"achieved", "stopped"}
TABLE_NAMES = {model.__tablename__ for model in TABLES}
OPEN_STATES = [state for state in GOAL_STATES if state not in CLOSED]
SUCCESS = (200, 302, 303)


@dataclass
class Sent:
    reply: object
    before: dict
    after: dict
    early: bool  # refused before the view ran: no such route, too big to read, or a bad CSRF token


def routable(app, url: str) -> bool:
    try:
        app.url_map.bind("localhost").match(unquote(url), method="POST")
    except (NotFound, MethodNotAllowed):  # no rule, or only a GET rule, matches
        return False
    return True


def send(app, person: Person, url: str, form: MultiDict, csrf: str, foreign_token: str, htmx: bool = False) -> Sent:
    """POST the form and check what every request must do:

    - never a server error (the test client raises the view's exception, with its traceback);
    - a body too big to read is 413, a bad CSRF token 400;
    - a refused request (4xx) changes nothing in the database.
    """
    data, headers = with_csrf(form, csrf, person.token, foreign_token)
    if htmx:
        headers.update(HTMX)
    oversized = len(_urlencode(data)) > (app.config.get("MAX_FORM_MEMORY_SIZE") or 500_000)
    before = snapshot(app, person.id)
    reply = person.client.post(url, data=data, headers=headers)
    after = snapshot(app, person.id)
    status = reply.status_code
    event(f"status {status}")
    assert status < 500, f"POST {url!r} answered {status}"
    if oversized and status == 413:
        pass  # refused before it was read (or routed); the estimate above is of the encoded size, and
        # near the limit Werkzeug may count differently, so a form it still reads is judged as any other
    elif not routable(app, url):
        assert status in (404, 405), f"POST {url!r} matches no POST route but answered {status}"
    elif not csrf_passes(csrf):
        assert status == 400, f"POST {url!r} with CSRF {csrf!r} answered {status}"
    if status >= 400:
        assert after == before, f"POST {url!r} was refused ({status}) but changed the database"
    return Sent(reply, before, after, early=status == 413 or not csrf_passes(csrf) or not routable(app, url))


def first(form: MultiDict, name: str) -> str | None:
    values = form.getlist(name)
    return values[0] if values else None


def stripped_length_ok(value: str | None, limit: int, required: bool) -> bool:
    """A WTForms text field with strip_spaces, (DataRequired or Optional) and Length(max)."""
    text = (value or "").strip()
    if not text:
        return not required
    return len(text) <= limit


def app_today(app) -> date:
    with app.app_context():
        return today()


def date_field(app, form: MultiDict, name: str) -> tuple[str, date | None]:
    """("empty" | "bad" | "ok", date) for a date box, as a browser's date input would send it."""
    values = form.getlist(name)
    if not values or not values[0].strip():
        return "empty", None
    try:
        day = datetime.strptime(" ".join(values), "%Y-%m-%d").date()
    except ValueError:
        return "bad", None
    return ("ok", day) if day >= app_today(app) else ("bad", None)


def goal_row(app, goal_uuid: str):
    with app.app_context():
        goal = goal_service.get_goal(db.session, uuid.UUID(goal_uuid))
        return None if goal is None else {c: getattr(goal, c) for c in (
            "what", "how_much", "when", "how_often", "starts_on", "importance", "confidence", "status",
            "check_in_on", "in_the_way", "own_words")}


csrf_modes = st.sampled_from(CSRF_MODES)
# A path segment of any text but "/" (which would make it a different route).
path_texts = texts.filter(lambda t: 0 < len(t) < 200 and "/" not in t)
ruler = st.sampled_from([str(n) for n in range(11)])
# Days from a little before today to a year ahead; drawn inside an app context (the app's time zone).
near_dates = st.integers(min_value=-2, max_value=400).map(
    lambda days: date.fromordinal(today().toordinal() + days).isoformat())
words = pg_safe(st.text(min_size=1, max_size=120))
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.integers(min_value=0, max_value=400).map(lambda days: date.fromordinal(today().toordinal() + days).isoformat()),
    texts,
)


# ------------------------------------------------------------------------------------------
# Signing up, in and out


@st.composite
def sign_up_forms(draw) -> MultiDict:
    """Anything at all, or a fitting sign-up (new address, matching passwords) with one field fuzzed."""
    form = draw(random_form(["display_name", "email", "password", "confirm"]))
    if draw(st.booleans()):
        password = draw(pg_safe(st.text(min_size=10, max_size=60)).filter(lambda p: p.strip()))
        fitting = {"display_name": draw(pg_safe(st.text(max_size=80))), "email": f"new-{uuid.uuid4().hex}@example.org",
                   "password": password, "confirm": password}
        fuzzed = draw(st.sampled_from([None, *fitting]))
        form = MultiDict(fitting)
        if fuzzed:
            form.setlist(fuzzed, draw(st.lists(texts, max_size=2)))
    return form


@FUZZ
@given(form=sign_up_forms(), csrf=csrf_modes, htmx=st.booleans())
def test_sign_up_never_fails_and_refuses_bad_input_whole(fuzz_app, foreign_token, form, csrf, htmx):
    client = fuzz_app.test_client()
    person = Person(0, "", client, csrf_token(client, "/sign-up"))
    sent = send(fuzz_app, person, "/sign-up", form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    password, confirm = first(form, "password"), first(form, "confirm")
    certainly_bad = (
        not (first(form, "email") or "").strip()
        or not (password or "").strip() or len(password) < 10 or len(password) > 200
        or confirm != password
        or len((first(form, "display_name") or "").strip()) > 80
    )
    if certainly_bad and not sent.early:
        assert reply.status_code == 422
    if reply.status_code in SUCCESS:
        assert after["users"] == before["users"] + 1


REDIRECTS = ["/", "/history", "/goals?x=1", "//evil.example", "/\\evil.example", "\\evil.example",
             "/\t/evil.example", "/\n/evil.example", "https://evil.example/", "http:evil.example", "javascript:alert(1)",
             "/%2F/evil.example", "/%5Cevil.example", " //evil.example", "///evil.example",
             "/.//evil.example", "evil.example", "", "/\u3000/evil.example", "/\x7f/evil.example"]


def same_site(location: str) -> bool:
    """Whether a browser would stay on this site following the Location header. Browsers drop
    tabs and newlines and read a backslash as a slash."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").lstrip("\x00\x20")
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return parts.netloc == "localhost"
    return cleaned.startswith("/") and not cleaned.startswith("//")


@FUZZ
@given(
    email=st.one_of(texts, st.just("{own}"), st.just(" {OWN} ")),
    password=st.one_of(texts, st.just(PASSWORD)),
    extra=random_form(["next", "remember"], good={"next": st.sampled_from(REDIRECTS)}),
    csrf=csrf_modes,
    htmx=st.booleans(),
)
def test_sign_in_never_fails_and_says_nothing_for_bad_input(fuzz_app, unseeded, foreign_token, email, password,
                                                             extra, csrf, htmx):
    owner = unseeded.get()
    client = fuzz_app.test_client()
    anonymous = Person(owner.id, owner.email, client, csrf_token(client, "/sign-in"))
    email = email.replace("{own}", owner.email).replace("{OWN}", owner.email.upper())
    form = MultiDict(extra)
    form.add("email", email)
    form.add("password", password)
    sent = send(fuzz_app, anonymous, "/sign-in", form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    right = email.strip().lower() == owner.email and password == PASSWORD
    if not sent.early:
        assert (reply.status_code in SUCCESS) if right else (reply.status_code == 422)
    if reply.status_code in SUCCESS:
        unseeded.spoil()
        assert same_site(reply.headers["Location"]), reply.headers["Location"]
    else:
        assert after == before


@FUZZ
@given(form=random_form(["next"]), csrf=csrf_modes, htmx=st.booleans())
def test_sign_out_never_fails(fuzz_app, unseeded, foreign_token, form, csrf, htmx):
    person = unseeded.get()
    sent = send(fuzz_app, person, "/sign-out", form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    assert after == before
    signed_in = person.client.get("/history").status_code == 200
    assert signed_in is sent.early
    if not signed_in:
        unseeded.spoil()


@settings(FUZZ, max_examples=examples(15))
@given(form=random_form(["password", "understood"], good={"password": st.just(PASSWORD),
                                                          "understood": st.sampled_from(["y", "on", "1"])}),
       csrf=csrf_modes, htmx=st.booleans())
def test_deleting_an_account_deletes_all_of_it_or_nothing(fuzz_app, people, other, foreign_token, form, csrf, htmx):
    person = people.get()
    theirs = snapshot(fuzz_app, other.id)["person"]
    sent = send(fuzz_app, person, "/account/delete", form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    assert snapshot(fuzz_app, other.id)["person"] == theirs
    if sent.early:
        return
    good = first(form, "password") == PASSWORD and first(form, "understood") not in (None, "", "false")
    if not good:
        assert reply.status_code == 422
        return
    assert reply.status_code in SUCCESS
    people.spoil()
    tables = [name for name in before if name in TABLE_NAMES]
    assert all(after[f"person {name}"] == 0 for name in tables), after
    assert {name: before[name] - after[name] for name in tables} == {
        name: before[f"person {name}"] for name in tables}
    assert person.client.get("/history").status_code != 200


# ------------------------------------------------------------------------------------------
# Questionnaires


def questionnaires(app):
    with app.app_context():
        return get_catalogue().latest()


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_starting_a_questionnaire_never_fails(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    ids = [q.id for q in questionnaires(fuzz_app)]
    questionnaire_id = data.draw(st.one_of(st.sampled_from(ids), path_texts))
    own = list(person.responses.values())
    theirs = list(other.responses.values())
    form = data.draw(random_form(["response_uuid"], values=uuids_and_junk(own + theirs)))
    url = f"/questionnaires/{segment(questionnaire_id)}/start"
    sent = send(fuzz_app, person, url, form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early:
        return
    if questionnaire_id not in ids:
        assert reply.status_code == 404
    elif first(form, "response_uuid") in theirs:
        assert reply.status_code == 409
    if reply.status_code < 400:
        people.spoil()


def _raw_answer(item):
    """Form values for one question: good ones, bad ones, blanks, repeats and huge ones."""
    codes = [option.code for option in item.options]
    good = st.sampled_from(codes) if codes else st.text(min_size=1, max_size=50)
    padded = st.tuples(st.sampled_from(["", " ", "\t", "\n "]), good, st.sampled_from(["", " ", "\r\n"])).map("".join)
    fitting = st.lists(padded, min_size=1, max_size=4 if item.repeats else 1)
    odd = st.one_of(
        st.just([]),
        st.lists(padded, min_size=1, max_size=4),
        st.lists(st.one_of(padded, texts), min_size=1, max_size=3),
        st.lists(HUGE, min_size=1, max_size=1),
    )
    return st.integers(min_value=0, max_value=9).flatmap(lambda n: fitting if n < 7 else odd)


def expected_answer(item, raw: list[str]):
    """What the README says a screen's answer means: ("ok", value) or ("bad", None)."""
    if item.type == "text":
        text = next((v for v in raw if v.strip()), "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            return ("bad", None) if item.required else ("ok", None)
        return ("ok", text) if len(text) <= (item.max_length or 2000) else ("bad", None)
    values = [v.strip() for v in raw if v.strip()]
    if not values:
        return ("bad", None) if item.required else ("ok", None)
    codes = [option.code for option in item.options]
    if item.type == "choice" and item.repeats:
        if any(v not in codes for v in values):
            return "bad", None
        return "ok", [code for code in codes if code in values]
    if item.type == "choice":
        if len(values) > 1 or values[0] not in codes:
            return "bad", None
        return "ok", values[0]
    raise AssertionError(f"no oracle for {item.type} items yet")


@settings(FUZZ, max_examples=examples(60))
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans(), change=st.sampled_from([None, "1", "", "yes"]))
def test_answering_a_screen_stores_exactly_the_answers_or_nothing(fuzz_app, people, other, foreign_token, data,
                                                                   csrf, htmx, change):
    person = people.get()
    questionnaire = data.draw(st.sampled_from(questionnaires(fuzz_app)), label="questionnaire")
    which = data.draw(st.sampled_from(["draft", "draft", "draft", "completed", "theirs", "random"]), label="which")
    if which == "theirs":
        response_uuid = other.responses[f"draft:{questionnaire.id}"]
    elif which == "random":
        response_uuid = data.draw(uuids_and_junk(), label="response uuid")
    else:
        response_uuid = person.responses[f"{which}:{questionnaire.id}"]
    page_ids = [page.link_id for page in questionnaire.pages]
    all_ids = [item.link_id for item in questionnaire.answerable_items]
    link_id = data.draw(st.one_of(st.sampled_from(page_ids), st.sampled_from(page_ids), st.sampled_from(all_ids),
                                  path_texts), label="link id")
    page = questionnaire.page(link_id)
    form = data.draw(random_form([]), label="extra fields")
    outcomes = {}
    for item in (page.questions if page else []):
        raw = data.draw(_raw_answer(item), label=item.link_id)
        for value in raw:
            form.add(item.link_id, value)
        outcomes[item.link_id] = expected_answer(item, raw)
    if change is not None:
        form.add("change", change)
    stored_before = answers_of(fuzz_app, response_uuid) if which == "draft" else {}

    url = f"/responses/{segment(response_uuid)}/questions/{segment(link_id)}"
    sent = send(fuzz_app, person, url, form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early:
        return
    status = reply.status_code
    if which in ("theirs", "random"):
        assert status == 404
        return
    if which == "completed":
        assert status == 409
        return
    if page is None:
        assert status == 404
        return
    enabled = {p.link_id for p in questionnaire.enabled_pages(stored_before)}
    if link_id not in enabled:
        assert status == 404
        return
    if any(outcome == "bad" for outcome, _ in outcomes.values()):
        assert status == 422
        return
    assert status == (200 if htmx else 303)
    people.spoil()
    expected = dict(stored_before)
    for question_id, (_, value) in outcomes.items():
        if value is None:
            expected.pop(question_id, None)
        else:
            expected[question_id] = value
    assert answers_of(fuzz_app, response_uuid) == expected


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_submitting_never_fails_and_an_incomplete_draft_stays_a_draft(fuzz_app, people, other, foreign_token, data,
                                                                      csrf, htmx):
    person = people.get()
    known = {**{f"own {k}": v for k, v in person.responses.items()},
             **{f"their {k}": v for k, v in other.responses.items()}}
    name = data.draw(st.sampled_from([*known, "random"]))
    response_uuid = known.get(name) or data.draw(uuids_and_junk())
    form = data.draw(random_form(["response_uuid", "authored_at"]))
    sent = send(fuzz_app, person, f"/responses/{segment(response_uuid)}/submit", form, csrf,
                                foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early:
        return
    if name.startswith("own draft"):  # the seeded drafts answer only the first screen
        assert reply.status_code == 422
    elif name.startswith("own completed"):
        assert reply.status_code in SUCCESS and after == before
    else:
        assert reply.status_code == 404


# ------------------------------------------------------------------------------------------
# Goals


def goal_target(data, person: Person, other: Person, favour: list[str] | None = None) -> tuple[str, str]:
    """(state, uuid): one of the person's goals (more often one in a ``favour``ed state, where the
    step can go ahead), someone else's, or a made-up id."""
    anything = st.sampled_from([*GOAL_STATES, "theirs", "random"])
    favoured = favour and data.draw(st.integers(min_value=0, max_value=2)) > 0
    state = data.draw(st.sampled_from(favour) if favoured else anything, label="goal")
    if state == "theirs":
        return state, other.goals[data.draw(st.sampled_from(GOAL_STATES))]
    if state == "random":
        return state, data.draw(uuids_and_junk(), label="goal uuid")
    return state, person.goals[state]


def expect_goal_status(reply, state: str, closed_status: int | None = 409) -> bool:
    """Checks that hold for any goal step; returns True when the step's own rules apply."""
    if state in ("theirs", "random"):
        assert reply.status_code == 404
        return False
    if state in CLOSED and closed_status is not None:
        assert reply.status_code == closed_status
        return False
    return True


@FUZZ
@given(form=random_form(["own_words", "from"], good={"own_words": st.one_of(words, HUGE)}), csrf=csrf_modes, htmx=st.booleans(), data=st.data())
def test_new_goal(fuzz_app, people, other, foreign_token, form, csrf, htmx, data):
    person = people.get()
    if data.draw(st.booleans()):
        form.setlist("from", [data.draw(uuids_and_junk([*person.responses.values(), *other.responses.values()]))])
    sent = send(fuzz_app, person, "/goals/new", form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early:
        return
    if stripped_length_ok(first(form, "own_words"), 500, required=True):
        assert reply.status_code in SUCCESS
        assert after["goals"] == before["goals"] + 1
        people.spoil()
    else:
        assert reply.status_code == 422


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_choose_an_idea(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=OPEN_STATES)
    with fuzz_app.app_context():
        ids = [idea.id for idea in get_goal_library()]
    form = data.draw(random_form(["idea"], good={"idea": st.sampled_from(["own", *ids])}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/ideas", form, csrf, foreign_token, htmx)
    reply = sent.reply
    if sent.early or not expect_goal_status(reply, state):
        return
    idea = first(form, "idea")
    if idea == "own":
        assert reply.status_code in SUCCESS
    elif idea not in ids:
        assert reply.status_code == 422
    if reply.status_code < 400:
        people.spoil()


@settings(FUZZ, max_examples=examples(35))
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_plan(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=OPEN_STATES)
    with fuzz_app.app_context():  # dates near today are drawn in the app's time zone
        form = data.draw(random_form(["what", "how_much", "when", "how_often", "starts_on"], good={
            "what": words, "how_much": words, "when": words, "how_often": words,
            "starts_on": st.one_of(near_dates, dates)}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/plan", form, csrf, foreign_token, htmx)
    reply = sent.reply
    if sent.early or not expect_goal_status(reply, state):
        return
    starts, starts_on = date_field(fuzz_app, form, "starts_on")
    good = (
        stripped_length_ok(first(form, "what"), 300, required=True)
        and all(stripped_length_ok(first(form, name), 200, required=False) for name in ("how_much", "when", "how_often"))
        and starts == "ok"
    )
    if not good:
        assert reply.status_code == 422
        return
    assert reply.status_code in SUCCESS
    people.spoil()
    row = goal_row(fuzz_app, goal_uuid)
    assert row["what"] == first(form, "what").strip()
    assert row["starts_on"] == starts_on
    for name in ("how_much", "when", "how_often"):
        assert row[name] == ((first(form, name) or "").strip() or None)


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_rate(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=OPEN_STATES)
    form = data.draw(random_form(["importance", "confidence"], good={"importance": ruler, "confidence": ruler}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/rate", form, csrf, foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early or not expect_goal_status(reply, state):
        return
    rulers = {str(n) for n in range(11)}
    good = first(form, "importance") in rulers and first(form, "confidence") in rulers and state != "draft-new"
    if good:
        assert reply.status_code in SUCCESS
        assert after["goal_ratings"] == before["goal_ratings"] + 1
        people.spoil()
    else:
        assert reply.status_code == 422


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_smaller(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=["draft-idea", "active-idea", "draft-mid"])
    form = data.draw(random_form(["choice", "in_the_way"], good={"choice": st.sampled_from(["smaller", "", "no"]),
                                                                 "in_the_way": words}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/smaller", form, csrf, foreign_token, htmx)
    reply = sent.reply
    if sent.early or not expect_goal_status(reply, state):
        return
    if first(form, "choice") == "smaller":
        assert reply.status_code == (400 if state not in ("draft-idea", "active-idea") else 303 if not htmx else 200)
    elif stripped_length_ok(first(form, "in_the_way"), 500, required=True):
        assert reply.status_code in SUCCESS
    else:
        assert reply.status_code == 422
    if reply.status_code < 400:
        people.spoil()


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_first_step(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=OPEN_STATES)
    with fuzz_app.app_context():
        ids = [idea.id for idea in get_goal_library()]
    form = data.draw(random_form(["idea"], good={"idea": st.sampled_from(ids)}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/first-step", form, csrf,
                                foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early or not expect_goal_status(reply, state):
        return
    if first(form, "idea") in ids:
        assert reply.status_code in SUCCESS
        assert after["goals"] == before["goals"] + 1
        people.spoil()
    else:
        assert reply.status_code == 400


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_commit(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=["draft-high", "active", "paused"])
    with fuzz_app.app_context():  # dates near today are drawn in the app's time zone
        form = data.draw(random_form(["check_in_on"], good={"check_in_on": st.one_of(near_dates, dates)}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/commit", form, csrf,
                                foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early or not expect_goal_status(reply, state):
        return
    if state in ("draft-new", "draft-own", "draft-idea", "draft-mid", "thinking"):  # not sure enough yet
        assert reply.status_code in SUCCESS and after == before
        return
    outcome, day = date_field(fuzz_app, form, "check_in_on")
    if outcome != "ok":
        assert reply.status_code == 422
        return
    assert reply.status_code in SUCCESS
    people.spoil()
    row = goal_row(fuzz_app, goal_uuid)
    assert row["check_in_on"] == day and row["status"].value == "active"


@settings(FUZZ, max_examples=examples(40))
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_check_in(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    state, goal_uuid = goal_target(data, person, other, favour=["active", "active-idea", "paused"])
    with fuzz_app.app_context():  # dates near today are drawn in the app's time zone
        form = data.draw(random_form(
            ["outcome", "helped", "got_in_the_way", "confidence", "next_step", "next_check_in_on"],
            good={"outcome": st.sampled_from(["done", "partly", "not_yet"]), "helped": words,
                  "got_in_the_way": words, "confidence": ruler,
                  "next_step": st.sampled_from(["keep", "smaller", "bigger", "stop"]),
                  "next_check_in_on": st.one_of(near_dates, dates)}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/check-in", form, csrf,
                                foreign_token, htmx)
    reply, before, after = sent.reply, sent.before, sent.after
    if sent.early or not expect_goal_status(reply, state, closed_status=None):
        return
    if state not in ("active", "active-idea", "paused"):
        assert reply.status_code == 409
        return
    next_date, _ = date_field(fuzz_app, form, "next_check_in_on")
    good = (
        first(form, "outcome") in ("done", "partly", "not_yet")
        and first(form, "confidence") in {str(n) for n in range(11)}
        and first(form, "next_step") in ("keep", "smaller", "bigger", "stop")
        and stripped_length_ok(first(form, "helped"), 1000, required=False)
        and stripped_length_ok(first(form, "got_in_the_way"), 1000, required=False)
        and next_date != "bad"
        and not (first(form, "next_step") == "keep" and next_date == "empty")
    )
    if good:
        assert reply.status_code in SUCCESS
        assert after["check_ins"] == before["check_ins"] + 1
        people.spoil()
    else:
        assert reply.status_code == 422


@FUZZ
@given(data=st.data(), csrf=csrf_modes, htmx=st.booleans())
def test_change_status(fuzz_app, people, other, foreign_token, data, csrf, htmx):
    person = people.get()
    actions = ["pause", "resume", "achieved", "stop"]
    allowed = {"pause": {"active", "active-idea"}, "resume": {"paused"},
               "achieved": {"active", "active-idea", "paused"},
               "stop": {"thinking", "active", "active-idea", "paused"}}
    action = data.draw(st.sampled_from(actions), label="action")
    state, goal_uuid = goal_target(data, person, other, favour=sorted(allowed[action]))
    form = data.draw(random_form(["action"], good={"action": st.just(action)}))
    sent = send(fuzz_app, person, f"/goals/{segment(goal_uuid)}/status", form, csrf, foreign_token, htmx)
    reply = sent.reply
    if sent.early or not expect_goal_status(reply, state, closed_status=None):
        return
    action = first(form, "action")
    if action not in allowed:
        assert reply.status_code == 400
    elif state in allowed[action]:
        assert reply.status_code in SUCCESS
        people.spoil()
    else:
        assert reply.status_code == 409
