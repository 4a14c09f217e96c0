"""GET of every page of the coach workspace, administration and sharing, fuzzed (issue #6): odd
and other teams' ids in the path, odd query strings (the caseload's filters, the audit log's
search), as each kind of user, plain and for htmx. Never a server error; a GET changes no row and
adds nothing to the audit log but a record view; another team's records are 404 exactly like ids
that do not exist.

Reports and exports (``webapp/staff/reports.py``, ``exports.py``) have their own tests.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from tests.fuzz.conftest import (
    VIEW_ACTIONS,
    Staffroom,
    audit_since,
    ON_POSTGRES,
    examples,
    last_audit_id,
    new_invite,
    new_note,
    world,
)
from tests.fuzz.strategies import HTMX, field_names, pg_safe, segment, texts
from webapp.services import audit
from webapp.services import caseload as caseload_service

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FUZZ = settings(max_examples=examples(60), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACEHOLDER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
BLUEPRINTS = ("staff", "admin", "sharing")
AUTH_PAGES = {"auth.sign_in_code", "auth.change_password", "auth.staff_account", "auth.two_factor_setup",
              "auth.two_factor_off", "auth.account"}
NOT_HERE = {"webapp.staff.reports", "webapp.staff.exports"}  # tested by their own files
MISSING_ID = 2**31 - 1


def staff_rules(app, exclude: tuple[str, ...] = ()) -> list:
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in exclude:
            continue
        if rule.endpoint.split(".")[0] not in BLUEPRINTS and rule.endpoint not in AUTH_PAGES:
            continue
        if app.view_functions[rule.endpoint].__module__ in NOT_HERE:
            continue
        rules.append(rule)
    return sorted(rules, key=lambda rule: rule.rule)


def get(app, client, path: str, query="", headers: dict | None = None):
    """GET, and check what every GET must do: no server error, no change, no audit but a view."""
    before, mark = world(app), last_audit_id(app)
    reply = client.get(path, query_string=query, headers=headers or {})
    after, events = world(app), audit_since(app, mark)
    if currently_in_test_context():
        event(f"status {reply.status_code}")
    assert reply.status_code < 500, f"GET {path}?{query} answered {reply.status_code}"
    assert after == before, f"GET {path}?{query} changed the database"
    assert all(action in VIEW_ACTIONS for action, *_ in events), f"GET {path} audited {events}"
    if reply.status_code >= 400 and reply.status_code != 422:  # a 422 page may show the record again
        assert events == [], f"GET {path} answered {reply.status_code} but audited {events}"
    return reply, events


@pytest.fixture(scope="module")
def known(fuzz_app, staffroom) -> dict[str, list[str]]:
    """Real ids and tokens of every kind, the signed-in coach's team's and the other team's."""
    app, room = fuzz_app, staffroom
    notes = [new_note(app, room.shares, room.team, room.coach.staff_id),
             new_note(app, room.shares, room.team, room.colleague.staff_id, hours_ago=30),
             new_note(app, room.shares_both, room.other_team, room.stranger.staff_id),
             new_note(app, room.shares_other, room.other_team, room.stranger.staff_id)]
    invites = [new_invite(app, room.coach.staff_id, state) for state in ("open", "claimed", "revoked", "expired")]
    invites.append(new_invite(app, room.stranger.staff_id))
    people = [room.shares, room.shares_both, room.shares_other, room.withdrew, room.never]
    staff = [room.coach.staff_id, room.stranger.staff_id, room.admin.staff_id]
    with app.app_context():
        from sqlalchemy import select

        from webapp.extensions import db
        from webapp.models import Consent

        consents = list(db.session.scalars(select(Consent.id)))
    return {
        "person_id": [str(p) for p in people],
        "note_id": [str(n) for n in notes],
        "invite_id": [str(i) for i, _token in invites],
        "staff_id": [str(s) for s in staff],
        "consent_id": [str(c) for c in consents],
        "token": [token for _id, token in invites],
    }


def visitors(fuzz_app, room: Staffroom, people) -> dict:
    client = fuzz_app.test_client()
    return {"coach": room.coach.client, "lead": room.lead.client, "stranger": room.stranger.client,
            "admin": room.admin.client, "person": people.get().client, "anonymous": client}


junk_ids = st.sampled_from([str(MISSING_ID), "0", str(2**31), "99999999999999999999", "-1", "x", "1.5", "%00",
                            "\u00b2"])
path_texts = pg_safe(texts).filter(lambda t: 0 < len(t) < 300 and "/" not in t)
queries = st.one_of(
    st.just(""),
    st.lists(st.tuples(st.one_of(st.sampled_from(["scope", "flag", "q", "sort", "dir", "page", "next", "action", "who",
                                                  "person", "start", "end"]), field_names),
                       texts.filter(lambda t: len(t) < 3000)), max_size=4).map(urlencode),
    st.sampled_from(["%", "%zz", "a=%00", "page=-1", "page=99999999999999999999", "sort=name&sort=stage",
                     "q=" + "x" * 5000, "=", "&&&", "a[]=1&a[b]=2"]),
)


@FUZZ
@given(data=st.data(), who=st.sampled_from(["coach", "lead", "stranger", "admin", "person", "anonymous"]),
       query=queries, htmx=st.booleans())
def test_every_staff_page_with_odd_ids_and_queries(fuzz_app, staffroom, known, people, data, who, query, htmx):
    rule = data.draw(st.sampled_from(staff_rules(fuzz_app, exclude=("admin.audit_log",))), label="rule")
    values = {}
    for name, converter in rule._converters.items():
        real = known.get(name) or ["x"]
        if isinstance(converter, IntegerConverter):
            strategy = st.one_of(st.sampled_from(real), junk_ids, path_texts)
        else:
            strategy = st.one_of(st.sampled_from(real), path_texts)
        values[name] = data.draw(strategy, label=name)
    path = PLACEHOLDER.sub(lambda match: segment(values[match.group(1)]), rule.rule)
    client = visitors(fuzz_app, staffroom, people)[who]
    get(fuzz_app, client, path, query, HTMX if htmx else None)


def test_another_teams_records_are_404_like_missing_ones(fuzz_app, staffroom, known):
    """Not random: each person, note and invite page for each person kind, as the team A coach."""
    room = staffroom
    theirs = {room.shares: True, room.shares_both: True, room.shares_other: False, room.withdrew: False,
              room.never: False, MISSING_ID: False}
    for person_id, visible in theirs.items():
        for path in (f"/staff/people/{person_id}", f"/staff/people/{person_id}/plan"):
            for headers in ({}, HTMX):
                reply, events = get(fuzz_app, room.coach.client, path, headers=headers)
                assert reply.status_code == (200 if visible else 404), path
                assert [e[0] for e in events] == ([("plan" if path.endswith("plan") else "person") + ".view"]
                                                  if visible else [])
                assert all(e[2] == person_id and e[1] == room.coach.user_id for e in events)
    own_note, colleagues_old_note, other_team_note, other_person_note = (int(n) for n in known["note_id"])
    for person_id, note_id, edit, annotate in [
        (room.shares, own_note, 200, 200), (room.shares, colleagues_old_note, 403, 200),
        (room.shares_both, other_team_note, 404, 404), (room.shares_other, other_person_note, 404, 404),
        (room.shares_both, own_note, 404, 404), (room.shares, MISSING_ID, 404, 404),
    ]:
        for action, status in (("edit", edit), ("annotate", annotate)):
            reply, events = get(fuzz_app, room.coach.client, f"/staff/people/{person_id}/notes/{note_id}/{action}")
            assert reply.status_code == status, (person_id, note_id, action)
            assert events == ([("note.view", room.coach.user_id, person_id, room.team, {"note_id": note_id})]
                              if status == 200 else [])
    # Someone else's consent, asked for by a person, is 404 as well.
    for consent_id in known["consent_id"]:
        reply, _ = get(fuzz_app, room.admin.client, f"/account/sharing/{consent_id}/stop")
        assert reply.status_code == 403  # staff never see person pages


# ------------------------------------------------------------------------------------------
# The caseload's filters


caseload_values = {
    "scope": st.sampled_from(["mine", "team", "all", "", "MINE"]),
    "flag": st.sampled_from([*caseload_service.FLAGS, caseload_service.ANY_FLAG, "", "nope"]),
    "q": st.one_of(texts, st.integers(min_value=0, max_value=300).map(lambda n: "a " * n), st.just("Sharing")),
    "sort": st.sampled_from(["name", "stage", "last_activity", "", "id; drop table users", "-name"]),
    "dir": st.sampled_from(["desc", "asc", "", "DESC"]),
    "page": st.sampled_from(["1", "2", "0", "-1", "999999999999", "9" * 30, "\u0662", "1.5", ""]),
}


@settings(FUZZ, max_examples=examples(40))
@given(data=st.data(), who=st.sampled_from(["coach", "lead", "stranger"]), htmx=st.booleans())
def test_caseload_with_odd_filters(fuzz_app, staffroom, data, who, htmx):
    pairs = []
    for name, strategy in caseload_values.items():
        for _ in range(data.draw(st.integers(min_value=0, max_value=2), label=f"how many {name}")):
            pairs.append((name, data.draw(st.one_of(strategy, texts), label=name)))
    staff = getattr(staffroom, who)
    reply, events = get(fuzz_app, staff.client, "/staff/", urlencode(pairs), HTMX if htmx else None)
    search = " ".join(MultiDict(pairs).get("q", "").split())
    assert reply.status_code == (422 if len(search) > caseload_service.SEARCH_MAX_LENGTH else 200)
    assert events == [("caseload.view", staff.user_id, None, staff.team_id, None)]
    page = reply.get_data(as_text=True)
    outside = ([staffroom.shares, staffroom.withdrew, staffroom.never] if who == "stranger"
               else [staffroom.shares_other, staffroom.withdrew, staffroom.never])
    for person_id in outside:  # never a link to someone outside the team's caseload
        assert f'href="/staff/people/{person_id}"' not in page


# ------------------------------------------------------------------------------------------
# The audit log's search


def date_box(values: list[str]) -> tuple[str, object]:
    if not values or not values[0].strip():  # Optional() lets the field through, whatever follows
        return "empty", None
    try:
        return "ok", datetime.strptime(" ".join(values), "%Y-%m-%d").date()
    except ValueError:
        return "bad", None


audit_values = {
    "action": st.sampled_from([*audit.ACTIONS, "", "nope", "person.view "]),
    "who": st.one_of(st.just("staff"), st.just("@example.org"), st.just("%"), st.just("_"),
                     st.integers(min_value=0, max_value=300).map(lambda n: "a" * n)),
    "person": st.sampled_from(["1", "42", " 7 ", "999999999999", "9999999999999", "-1", "1.0", "x", "\u0661\u0662",
                               "\uff11", ""]),
    "start": st.sampled_from(["2026-01-01", "0001-01-01", "9999-12-30", "2026-02-30", "2026-1-1", "01/01/2026", ""]),
    "end": st.sampled_from(["2026-12-31", "0001-01-01", "9999-12-30", "2025-01-01", "2026-13-01", ""]),
    "page": st.sampled_from(["1", "2", "0", "-5", "99999999", "x", "\u0663", "\u00b9"]),
}


@settings(FUZZ, max_examples=examples(40))
@given(data=st.data(), htmx=st.booleans())
def test_audit_log_search_with_odd_queries(fuzz_app, staffroom, data, htmx):
    pairs = []
    for name, strategy in audit_values.items():
        for _ in range(data.draw(st.integers(min_value=0, max_value=2), label=f"how many {name}")):
            pairs.append((name, data.draw(st.one_of(strategy, strategy, texts), label=name)))
    args = MultiDict(pairs)
    reply, events = get(fuzz_app, staffroom.admin.client, "/admin/audit", urlencode(pairs), HTMX if htmx else None)
    assert events == []
    person = (args.get("person") or "").strip()
    start, end = date_box(args.getlist("start")), date_box(args.getlist("end"))
    action = args.get("action")
    bad = (
        (person and not (person.isascii() and person.isdigit() and len(person) <= 12))
        or len((args.get("who") or "").strip()) > 254
        or action not in (None, "", *audit.ACTIONS)
        or "bad" in (start[0], end[0])
        or (start[0] == end[0] == "ok" and end[1] < start[1])
    )
    assert reply.status_code == (422 if bad else 200)
    for other in ("coach", "lead"):  # not for coaches
        assert getattr(staffroom, other).client.get("/admin/audit", query_string=urlencode(pairs)).status_code == 403


def test_the_last_possible_to_date_is_searched_or_refused(fuzz_app, staffroom):
    reply = staffroom.admin.client.get("/admin/audit?end=9999-12-31")
    assert reply.status_code in (200, 422)


def test_a_superscript_digit_as_person_id_is_refused(fuzz_app, staffroom):
    reply = staffroom.admin.client.get("/admin/audit", query_string={"person": "\u00b2"})
    assert reply.status_code == 422


def test_a_superscript_digit_as_page_is_ignored(fuzz_app, staffroom):
    reply = staffroom.admin.client.get("/admin/audit", query_string={"page": "\u00b2"})
    assert reply.status_code == 200


def test_a_person_id_too_big_for_the_column_finds_nothing(fuzz_app, staffroom):
    reply = staffroom.admin.client.get("/admin/audit", query_string={"person": "2147483648"})
    assert reply.status_code in (200, 422)
