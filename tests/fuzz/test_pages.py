"""GET of every page, with odd ids in the path and odd query strings, signed in or not, as a
plain page or for htmx: never a server error, and a GET never changes the database."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.routing import UUIDConverter

from tests.fuzz.conftest import examples, snapshot
from tests.fuzz.strategies import HTMX, field_names, segment, texts, uuids_and_junk
from webapp.catalogue import get_catalogue

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FUZZ = settings(max_examples=examples(80), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACEHOLDER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
path_texts = texts.filter(lambda t: 0 < len(t) < 300 and "/" not in t)


def get_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
                  key=lambda rule: rule.rule)


def known_strings(app) -> dict[str, list[str]]:
    with app.app_context():
        catalogue = get_catalogue()
        return {
            "questionnaire_id": [q.id for q in catalogue],
            "version": sorted({q.version for q in catalogue}),
            "link_id": sorted({item.link_id for q in catalogue for item in (*q.items, *q.answerable_items)}),
            "filename": ["app/capable.js", "../README.md", "..", "vendor", "app/../../pyproject.toml"],
        }


def fill(rule, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: segment(values[match.group(1)]), rule.rule)


def check_get(app, person, client, path: str, query: str = "", headers: dict | None = None):
    before = snapshot(app, person.id)
    reply = client.get(path, query_string=query, headers=headers or {})
    reply.close()  # static files are streamed from an open file
    after = snapshot(app, person.id)
    assert reply.status_code < 500, f"GET {path}?{query} answered {reply.status_code}"
    assert after == before, f"GET {path}?{query} changed the database"
    return reply


queries = st.one_of(
    st.just(""),
    st.lists(st.tuples(st.one_of(st.sampled_from(["change", "next", "from", "page", "uuid", "q"]), field_names),
                       texts.filter(lambda t: len(t) < 5000)), max_size=4).map(urlencode),
    st.text(max_size=60),
    st.sampled_from(["%", "%zz", "a=%00", "next=//evil.example", "next=/\\evil.example", "change=1&change=0",
                     "from=" + "f" * 5000, "=", "&&&", "a[]=1&a[b]=2"]),
)


@FUZZ
@given(data=st.data(), query=queries, htmx=st.booleans(), signed_in=st.booleans())
def test_every_page_with_odd_paths_and_queries(fuzz_app, people, other, data, query, htmx, signed_in):
    person = people.get()
    client = person.client if signed_in else fuzz_app.test_client()
    rule = data.draw(st.sampled_from(get_rules(fuzz_app)), label="rule")
    known = known_strings(fuzz_app)
    own = [*person.goals.values(), *person.responses.values()]
    theirs = [*other.goals.values(), *other.responses.values()]
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, UUIDConverter):
            values[name] = data.draw(st.one_of(st.sampled_from(own), st.sampled_from(theirs), uuids_and_junk()),
                                     label=name)
        else:
            values[name] = data.draw(st.one_of(st.sampled_from(known.get(name) or ["x"]), path_texts), label=name)
    path = fill(rule, values)
    reply = check_get(fuzz_app, person, client, path, query, HTMX if htmx else None)
    event(f"status {reply.status_code}")


@settings(FUZZ, max_examples=examples(30))
@given(segments=st.lists(st.one_of(path_texts, st.sampled_from(["goals", "responses", "questions", "api", ".."])),
                         min_size=1, max_size=5))
def test_made_up_paths(fuzz_app, people, segments):
    person = people.get()
    check_get(fuzz_app, person, person.client, "/" + "/".join(segment(s) for s in segments))


def test_every_page_for_everything_in_every_state(fuzz_app, people, other):
    """Not random: every page about a goal or response, for each of the person's goals and
    responses in every state (and someone else's), and every question of the person's responses."""
    person = people.get()
    known = known_strings(fuzz_app)
    before = snapshot(fuzz_app, person.id)
    for rule in get_rules(fuzz_app):
        converters = rule._converters
        uuid_names = [name for name, c in converters.items() if isinstance(c, UUIDConverter)]
        if not uuid_names:
            continue
        kind = "goals" if rule.rule.startswith("/goals") else "responses"
        targets = [(True, target) for target in getattr(person, kind).values()]
        targets += [(False, target) for target in getattr(other, kind).values()]
        for own, target in targets:
            link_ids = (known["link_id"] if own else known["link_id"][:1]) if "link_id" in converters else [None]
            for link_id in link_ids:
                path = fill(rule, {uuid_names[0]: target, "link_id": link_id})
                for headers in ({}, HTMX) if link_id is None else ({},):
                    reply = person.client.get(path, query_string="change=1" if link_id else "", headers=headers)
                    reply.close()
                    assert reply.status_code < 500, f"GET {path} answered {reply.status_code}"
                    if not own:
                        assert reply.status_code == 404, f"GET {path} of someone else's answered {reply.status_code}"
    assert snapshot(fuzz_app, person.id) == before
