"""POST /api/responses, fuzzed.

Malformed bodies never cause a server error, are refused with a 4xx and change nothing. A random
but valid complete answer set is either stored whole (201, exactly those answers and their scores)
or refused whole; sending it again gives 200 and the same receipt; different answers under the
same uuid give 409 and change nothing; and the pages showing it afterwards still work.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from tests.conftest import csrf_token
from tests.fuzz.conftest import Person, answers_of, examples, snapshot
from tests.fuzz.strategies import HUGE, texts
from webapp.catalogue import get_catalogue
from webapp.extensions import db
from webapp.services import responses as response_service

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FUZZ = settings(max_examples=examples(30), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
URL = "/api/responses"


def questionnaires(app):
    with app.app_context():
        return get_catalogue().latest()


def send(app, person: Person, *, body=None, raw: bytes | None = None, content_type: str = "application/json",
         csrf: str = "valid", foreign_token: str = ""):
    headers = {}
    if csrf == "valid":
        headers["X-CSRFToken"] = person.token
    elif csrf == "forged":
        headers["X-CSRFToken"] = "forged." + uuid.uuid4().hex
    elif csrf == "other-session":
        headers["X-CSRFToken"] = foreign_token
    before = snapshot(app, person.id)
    if raw is None:
        reply = person.client.post(URL, json=body, headers=headers)
    else:
        reply = person.client.post(URL, data=raw, content_type=content_type, headers=headers)
    after = snapshot(app, person.id)
    status = reply.status_code
    if currently_in_test_context():
        event(f"status {status}")
    assert status < 500, f"POST {URL} answered {status}"
    if csrf != "valid":
        assert status == 400, f"POST {URL} with CSRF {csrf!r} answered {status}"
    if status >= 400:
        assert after == before, f"POST {URL} was refused ({status}) but changed the database"
        assert reply.is_json, "an API error should be JSON"
    return reply, before, after


# ------------------------------------------------------------------------------------------
# Malformed bodies

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), texts),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)),
    max_leaves=12,
)

odd_times = st.one_of(
    st.sampled_from([
        "2026-01-31T09:30:00", "2026-01-31", "yesterday", "", "2026-02-30T00:00:00Z", "2026-01-31T25:00:00Z",
        "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-14:00",
        "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59+14:00",
        "2026-01-31T09:30:00+99:00", "2026-01-31T09:30:00Z\x00", "1970-01-01T00:00:00Z",
    ]),
    json_values,
)


@st.composite
def bodies(draw, app, person_responses: list[str]) -> dict:
    """A valid body with one to three of its keys fuzzed or left out, and stray keys."""
    questionnaire = draw(st.sampled_from(questionnaires(app)))
    with app.app_context():
        sent, _ = draw(complete_answers(questionnaire))
    body = {"uuid": str(uuid.uuid4()), "questionnaire": questionnaire.id, "version": questionnaire.version,
            "answers": sent}
    link_ids = [item.link_id for q in questionnaires(app) for item in q.answerable_items]
    fuzzed = {
        "uuid": st.one_of(st.uuids().map(str), st.sampled_from(person_responses), texts, json_values,
                          st.sampled_from(["{%s}" % uuid.uuid4(), "urn:uuid:%s" % uuid.uuid4(), uuid.uuid4().hex])),
        "questionnaire": st.one_of(st.sampled_from([q.id for q in questionnaires(app)]), texts, json_values),
        "version": st.one_of(st.sampled_from(["1", "01", "1.0", " 1", "2"]), texts, json_values),
        "authored_at": odd_times,
        "answers": st.one_of(
            json_values,
            st.dictionaries(st.one_of(st.sampled_from(link_ids), texts), json_values, max_size=6),
            st.fixed_dictionaries({}, optional={link_id: st.one_of(texts, st.integers(), st.lists(texts, max_size=3),
                                                                   st.floats(), st.booleans(), st.none(), HUGE)
                                                for link_id in link_ids}),
            st.builds(lambda extra: {**sent, **extra},
                      st.dictionaries(st.sampled_from(link_ids), st.one_of(texts, json_values), min_size=1,
                                      max_size=3)),
        ),
    }
    for key in draw(st.lists(st.sampled_from(sorted(fuzzed)), min_size=1, max_size=3, unique=True)):
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            body.pop(key, None)
        else:
            body[key] = draw(fuzzed[key])
    body.update(draw(st.dictionaries(st.one_of(st.sampled_from(["id", "status", "person_id", "received_at"]), texts),
                                     json_values, max_size=2)))
    return body


@FUZZ
@given(data=st.data(), csrf=st.sampled_from(["valid"] * 6 + ["missing", "forged", "other-session"]))
def test_malformed_json_is_refused_whole(fuzz_app, people, foreign_token, data, csrf):
    person = people.get()
    skeleton = bodies(fuzz_app, list(person.responses.values()))
    body = data.draw(st.integers(min_value=0, max_value=4).flatmap(lambda n: json_values if n == 0 else skeleton),
                     label="body")
    reply, before, after = send(fuzz_app, person, body=body, csrf=csrf, foreign_token=foreign_token)
    if csrf != "valid":
        return
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        assert reply.status_code in (400, 404)
    elif not isinstance(body.get("questionnaire"), str) or not isinstance(body.get("version"), str):
        assert reply.status_code in (400, 404)
    if reply.status_code < 400:
        people.spoil()


@FUZZ
@given(
    raw=st.one_of(st.binary(max_size=200), texts.map(lambda t: t.encode("utf-8")),
                  st.sampled_from([b"", b"{", b"null", b"[]", b'{"uuid": NaN}', b"\xff\xfe{}", b'{"a":' * 500,
                                   b'"' + b"x" * 200_000 + b'"', b"[" * 200 + b"]" * 200])),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                  "multipart/form-data; boundary=x", "application/json; charset=latin-1", ""]),
)
def test_bodies_that_are_not_json_objects_are_refused(fuzz_app, people, raw, content_type):
    person = people.get()
    reply, *_ = send(fuzz_app, person, raw=raw, content_type=content_type)
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        assert 400 <= reply.status_code < 500


@pytest.mark.parametrize("raw", [
    pytest.param(b"[" * 5000 + b"]" * 5000, id="arrays"),
    pytest.param(b'{"a":' * 5000 + b"1" + b"}" * 5000, id="objects"),
    pytest.param(b'{"uuid": "x", "answers": ' + b"[" * 5000 + b"]" * 5000 + b"}", id="inside a body"),
])
def test_deeply_nested_json_is_refused(fuzz_app, people, raw):
    person = people.get()
    reply, *_ = send(fuzz_app, person, raw=raw)
    assert reply.status_code == 400


def test_signed_out_is_401_and_changes_nothing(fuzz_app):
    client = fuzz_app.test_client()
    anonymous = Person(0, "", client, csrf_token(client, "/sign-in"))
    reply, *_ = send(fuzz_app, anonymous, body={"uuid": str(uuid.uuid4())})
    assert reply.status_code == 401


# ------------------------------------------------------------------------------------------
# Valid, complete answer sets


@st.composite
def complete_answers(draw, questionnaire) -> tuple[dict, dict]:
    """(what is sent, what should be stored): every enabled required question answered, some
    optional ones too, in page order so enable_when sees the answers before it."""
    sent: dict = {}
    stored: dict = {}
    for page in questionnaire.pages:
        for item in page.questions:
            if not questionnaire.is_enabled(item, stored):
                continue
            if not item.required and draw(st.booleans()):
                continue
            codes = [option.code for option in item.options]
            if item.type == "choice" and item.repeats:
                chosen = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=len(codes)))
                sent[item.link_id] = chosen
                stored[item.link_id] = [code for code in codes if code in chosen]
            elif item.type == "choice":
                sent[item.link_id] = stored[item.link_id] = draw(st.sampled_from(codes))
            elif item.type == "text":
                text = draw(st.one_of(st.text(min_size=1, max_size=200), texts.filter(lambda t: len(t) <= 2000)))
                clean = text.replace("\r\n", "\n").replace("\r", "\n").strip()
                if not clean or len(clean) > (item.max_length or 2000):
                    continue
                sent[item.link_id], stored[item.link_id] = text, clean
            else:
                raise AssertionError(f"no generator for {item.type} items yet")
    return sent, stored


realistic_times = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2020, 1, 2), max_value=datetime(2025, 12, 31),
                 timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)),
                                            timezone(timedelta(hours=5, minutes=30))])).map(datetime.isoformat),
)


def stored_response(app, response_uuid: str):
    with app.app_context():
        response = response_service.get_response(db.session, uuid.UUID(response_uuid))
        if response is None:
            return None
        return {
            "person_id": response.person_id,
            "status": response.status.value,
            "result": response.result,
            "scores": sorted((s.scale_id, s.value, s.level, s.band) for s in response.scores),
        }


def expected_score_rows(questionnaire, answers: dict) -> tuple[dict, list]:
    result = questionnaire.score(answers)
    rows = response_service._score_rows(result)  # one row per scale, for staff views
    return result.to_dict(), sorted((s.scale_id, s.value, s.level, s.band) for s in rows)


@settings(FUZZ, max_examples=examples(15))
@given(data=st.data(), authored_at=realistic_times)
def test_a_valid_response_is_stored_once_exactly_and_resending_is_idempotent(fuzz_app, keeper, other, data,
                                                                              authored_at):
    person = keeper
    questionnaire = data.draw(st.sampled_from(questionnaires(fuzz_app)), label="questionnaire")
    with fuzz_app.app_context():
        sent, stored = data.draw(complete_answers(questionnaire), label="answers")
    response_uuid = str(uuid.uuid4())  # fresh each time: hypothesis would repeat its own
    body = {"uuid": response_uuid, "questionnaire": questionnaire.id, "version": questionnaire.version,
            "answers": sent}
    if authored_at is not None:
        body["authored_at"] = authored_at

    reply, before, after = send(fuzz_app, person, body=body)
    assert reply.status_code in (201, 422), reply.get_json()
    if reply.status_code == 422:
        return
    receipt = reply.get_json()
    assert receipt["uuid"] == response_uuid and receipt["status"] == "completed"
    assert (receipt["questionnaire"], receipt["version"]) == (questionnaire.id, questionnaire.version)
    assert receipt["results_url"] == f"/responses/{response_uuid}/results"
    row = stored_response(fuzz_app, response_uuid)
    result, score_rows = expected_score_rows(questionnaire, stored)
    assert row["person_id"] == person.id and row["status"] == "completed"
    assert answers_of(fuzz_app, response_uuid) == stored
    assert row["result"] == result
    assert row["scores"] == score_rows
    grew = {table: after[table] - before[table] for table in after if not table.startswith("person")}
    assert grew == {"users": 0, "responses": 1, "answers": len(stored), "scores": len(score_rows), "goals": 0,
                    "goal_ratings": 0, "check_ins": 0}

    # The same body again: the same receipt, nothing new.
    again, before_again, after_again = send(fuzz_app, person, body=body)
    assert again.status_code == 200 and again.get_json() == receipt
    assert after_again == before_again

    # Different answers under the same uuid: 409, nothing changed.
    changeable = [item for item in questionnaire.answerable_items
                  if item.link_id in stored and item.type == "choice" and not item.repeats]
    item = data.draw(st.sampled_from(changeable), label="changed question")
    other_code = data.draw(st.sampled_from([o.code for o in item.options if o.code != stored[item.link_id]]))
    changed = {**body, "answers": {**sent, item.link_id: other_code}}
    conflict, *_ = send(fuzz_app, person, body=changed)
    assert conflict.status_code == 409
    assert answers_of(fuzz_app, response_uuid) == stored

    # Someone else sending the very same body: 409, and they learn nothing about it.
    theirs, *_ = send(fuzz_app, other, body=body)
    assert theirs.status_code == 409
    assert other.client.get(receipt["results_url"]).status_code == 404

    # The pages showing it still work.
    for path in (receipt["results_url"], "/history", "/", f"/responses/{response_uuid}/check",
                 f"/questionnaires/{questionnaire.id}"):
        assert person.client.get(path).status_code < 500, path


@settings(FUZZ, max_examples=examples(20))
@given(data=st.data())
def test_a_valid_response_with_one_answer_spoiled_is_refused_whole(fuzz_app, people, data):
    person = people.get()
    questionnaire = data.draw(st.sampled_from(questionnaires(fuzz_app)), label="questionnaire")
    with fuzz_app.app_context():
        sent, _ = data.draw(complete_answers(questionnaire), label="answers")
    how = data.draw(st.sampled_from(["unknown question", "bad value", "missing required"]), label="how")
    link_ids = [item.link_id for item in questionnaire.answerable_items]
    if how == "unknown question":
        sent[data.draw(texts.filter(lambda t: t not in link_ids), label="unknown")] = "agree"
    elif how == "bad value":
        item = questionnaire.item(data.draw(st.sampled_from(sorted(sent)), label="spoiled question"))
        codes = [option.code for option in item.options]
        sent[item.link_id] = data.draw(st.one_of(
            texts.filter(lambda t: t.strip() not in codes and t.strip()) if item.type != "text" else HUGE.filter(
                lambda t: len(t.strip()) > (item.max_length or 2000)),
            st.integers(), st.floats(), st.booleans(), st.dictionaries(texts, texts, min_size=1),
            st.lists(st.integers(), min_size=1)), label="spoiled value")
    else:
        required = [item.link_id for item in questionnaire.answerable_items if item.required and item.link_id in sent]
        assume(required)
        del sent[data.draw(st.sampled_from(required), label="removed")]
    body = {"uuid": str(uuid.uuid4()), "questionnaire": questionnaire.id, "version": questionnaire.version,
            "answers": sent}
    reply, before, after = send(fuzz_app, person, body=body)
    assert reply.status_code == 422, (how, reply.get_json())
    assert after == before


def _send_with_authored_at(fuzz_app, person: Person, authored_at: str):
    with fuzz_app.app_context():
        questionnaire = get_catalogue().get("capable-activation")
    answers = {item.link_id: "agree" for item in questionnaire.answerable_items}
    body = {"uuid": str(uuid.uuid4()), "questionnaire": questionnaire.id, "version": questionnaire.version,
            "answers": answers, "authored_at": authored_at}
    reply, *_ = send(fuzz_app, person, body=body)
    assert reply.status_code in (201, 400, 422)
    if reply.status_code == 201:
        with fuzz_app.app_context():
            stored = response_service.get_response(db.session, uuid.UUID(body["uuid"])).authored_at
        assert stored == datetime.fromisoformat(authored_at)
    for path in ("/", "/history", f"/responses/{body['uuid']}/results"):
        assert person.client.get(path).status_code < 500, path


@settings(FUZZ, max_examples=examples(15))
@given(authored_at=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(2025, 12, 31),
                                timezones=st.integers(min_value=-14 * 60, max_value=14 * 60).map(
                                    lambda minutes: timezone(timedelta(minutes=minutes)))))
def test_any_past_authored_time_is_stored_as_sent_and_shown(fuzz_app, keeper, authored_at):
    """A device clock anywhere in the past, in any time zone: stored as sent (or refused as too
    long ago), and the pages that show the date still work."""
    _send_with_authored_at(fuzz_app, keeper, authored_at.isoformat())


@pytest.mark.parametrize("authored_at", [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00-14:00",
    # Found by this suite: these passed every check, then converting them to UTC overflowed at
    # flush (OverflowError, a 500). Fixed in webapp/api/views.py while it was being written.
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T09:59:59+10:00",
    "9999-12-31T23:59:59-14:00",
])
def test_year_one_and_year_9999_authored_times_never_fail(fuzz_app, keeper, authored_at):
    _send_with_authored_at(fuzz_app, keeper, authored_at)
