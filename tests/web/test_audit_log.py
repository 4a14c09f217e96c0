"""The audit log page: newest first, 50 a page, searchable; and nobody can change the log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import csrf_token, make_person, make_staff, make_team, sign_in
from tests.web.journey import HTMX
from webapp.extensions import db
from webapp.models import AuditEvent, User
from webapp.services import audit

ADMIN = "ada@example.org"
ROW = re.compile(r'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell"><time')


@pytest.fixture
def team(app) -> int:
    return make_team(app)


@pytest.fixture
def admin(app, client, team):
    make_staff(app, ADMIN, role=None, is_admin=True, name="Ada")
    assert sign_in(client, ADMIN).status_code == 302
    return client


def add_event(app, action, *, actor_id=None, person_id=None, team_id=None, at=None, detail=None) -> int:
    with app.app_context():
        actor = db.session.get(User, actor_id) if actor_id is not None else None
        event = audit.record(db.session, action, actor=actor, person_id=person_id, team_id=team_id, detail=detail)
        if actor is None and actor_id is not None:
            event.actor_user_id = actor_id  # an account since deleted
        if at is not None:
            event.at = at
        db.session.commit()
        return event.id


def rows(page: str) -> int:
    return len(ROW.findall(page))


def test_only_admins_read_the_log(app, client, team, person):
    make_staff(app, "casey@example.org", team_id=team, role="team_lead")
    coach = app.test_client()
    sign_in(coach, "casey@example.org")
    assert coach.get("/admin/audit").status_code == 403
    sign_in(client)
    assert client.get("/admin/audit").status_code == 403


def test_entries_say_who_did_what_to_whom_in_uk_time(app, admin, team):
    casey = make_staff(app, "casey@example.org", team_id=team, role="coach", name="Casey")
    person = make_person(app, "pat@example.org", name="Pat")
    add_event(app, "person.view", actor_id=casey, person_id=person, team_id=team,
              at=datetime(2024, 7, 1, 12, 30, tzinfo=UTC))
    add_event(app, "account.delete", actor_id=4242, person_id=4242, at=datetime(2024, 12, 1, 9, 5, tzinfo=UTC))
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Viewed a person&#39;s record" in page or "Viewed a person's record" in page
    assert "1 Jul 2024, 13:30:00" in page  # British Summer Time
    assert "1 Dec 2024, 09:05:00" in page  # Greenwich Mean Time
    assert "Casey" in page and "casey@example.org" in page
    assert "deleted account #4242" in page and "Deleted their account" in page
    assert "North Hill link workers" in page
    assert page.index("1 Dec 2024") < page.index("1 Jul 2024")  # newest first
    assert 'aria-sort="descending"' in page and "<caption" in page
    assert "pat@example.org" not in page  # people are named by id only


def test_fifty_a_page_with_pagination(app, admin):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with app.app_context():
        for n in range(120):
            event = audit.record(db.session, "caseload.view", actor=None, person_id=n)
            event.at = start + timedelta(minutes=n)
        db.session.commit()
    total = 120 + 2  # and the set-up's team.create and staff.create
    first = admin.get("/admin/audit").get_data(as_text=True)
    assert rows(first) == 50 and "Page 1 of 3" in first and f"{total} entries" in first
    assert "nhsuk-pagination" in first and 'href="/admin/audit?page=2"' in first
    last = admin.get("/admin/audit?page=3").get_data(as_text=True)
    assert rows(last) == total - 100 and "Page 3 of 3" in last
    # Odd page numbers are the nearest real page, never an error.
    assert rows(admin.get("/admin/audit?page=99").get_data(as_text=True)) == total - 100
    assert rows(admin.get("/admin/audit?page=-1").get_data(as_text=True)) == 50
    # Filters are kept in the page links.
    filtered = admin.get("/admin/audit?action=caseload.view").get_data(as_text=True)
    assert "120 entries" in filtered and re.search(r'href="/admin/audit\?action=caseload.view&(amp;)?page=2"', filtered)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_searching_by_action_who_person_and_dates(app, admin, team, htmx):
    casey = make_staff(app, "casey@example.org", team_id=team, role="coach", name="Casey")
    sam = make_staff(app, "sam@example.org", team_id=team, role="coach", name="Sam")
    add_event(app, "person.view", actor_id=casey, person_id=7, at=datetime(2024, 3, 10, 10, tzinfo=UTC))
    add_event(app, "note.add", actor_id=casey, person_id=8, at=datetime(2024, 3, 12, 23, 30, tzinfo=UTC))
    add_event(app, "person.view", actor_id=sam, person_id=7, at=datetime(2024, 3, 20, 10, tzinfo=UTC))
    headers = HTMX if htmx else {}

    def search(**query):
        reply = admin.get("/admin/audit", query_string=query, headers=headers)
        assert reply.status_code == 200, reply.get_data(as_text=True)[:2000]
        return reply

    assert rows(search(action="person.view").get_data(as_text=True)) == 2
    # Two, and adding their own account (done by nobody signed in, so in their name).
    assert rows(search(who="CASEY@example").get_data(as_text=True)) == 3
    assert rows(search(who="casey@example.org", action="note.add").get_data(as_text=True)) == 1
    assert rows(search(person="7").get_data(as_text=True)) == 2
    assert rows(search(start="2024-03-11", end="2024-03-19").get_data(as_text=True)) == 1
    assert rows(search(start="2024-03-12", end="2024-03-12").get_data(as_text=True)) == 1
    assert rows(search(end="2024-03-12").get_data(as_text=True)) == 2
    # 23:30 UTC on 31 March 2024 is already 1 April in the UK (BST began that morning).
    add_event(app, "note.add", actor_id=sam, person_id=9, at=datetime(2024, 3, 31, 23, 30, tzinfo=UTC))
    assert rows(search(start="2024-04-01", end="2024-04-01").get_data(as_text=True)) == 1
    assert "No entries match this search" in search(who="nobody@example.org").get_data(as_text=True)

    reply = search(action="person.view")
    if htmx:
        assert "<html" not in reply.get_data(as_text=True)
        assert reply.headers["HX-Push-Url"] == "/admin/audit?action=person.view"
    else:
        assert "<html" in reply.get_data(as_text=True)


def test_the_search_form_works_with_and_without_javascript(app, admin):
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert 'method="get" action="/admin/audit"' in page
    assert 'hx-get="/admin/audit"' in page and 'hx-push-url="true"' in page
    for name in ("action", "who", "person", "start", "end"):
        assert f'name="{name}"' in page
    assert 'value="two_factor.recovery_code_used"' in page  # every action can be chosen


@pytest.mark.parametrize(("query", "message"), [
    ({"action": "nothing.real"}, "Choose one of the actions shown"),
    ({"person": "abc"}, "Enter a person id as a number"),
    ({"person": "9" * 40}, "Enter a person id as a number"),
    ({"start": "31/02/2024"}, "Enter a real date"),
    ({"end": "2024-02-30"}, "Enter a real date"),
    ({"start": "2024-03-02", "end": "2024-03-01"}, "same as or after"),
    ({"who": "x" * 300}, "254 characters or fewer"),
])
def test_bad_searches_are_explained(app, admin, query, message):
    reply = admin.get("/admin/audit", query_string=query)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and message in page and "There is a problem" in page


def test_no_route_changes_the_log(app, admin):
    event_id = add_event(app, "caseload.view")
    token = csrf_token(admin, "/admin/audit")
    for method in ("post", "put", "patch", "delete"):
        reply = getattr(admin, method)("/admin/audit", data={"csrf_token": token})
        assert reply.status_code in (400, 405)
        reply = getattr(admin, method)(f"/admin/audit/{event_id}", data={"csrf_token": token})
        assert reply.status_code in (400, 404, 405)
    writable = [rule.rule for rule in app.url_map.iter_rules()
                if "audit" in rule.rule and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert writable == []


def test_the_database_refuses_to_change_or_remove_an_event(app):
    event_id = add_event(app, "caseload.view", person_id=1)
    with app.app_context():
        for statement in (
            update(AuditEvent).where(AuditEvent.id == event_id).values(action="person.view"),
            delete(AuditEvent).where(AuditEvent.id == event_id),
            text("UPDATE audit_events SET person_id = 2"),
            text("DELETE FROM audit_events"),
        ):
            with pytest.raises(DBAPIError, match="the audit log cannot be changed"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
        event = db.session.get(AuditEvent, event_id)
        event.person_id = 5
        with pytest.raises(DBAPIError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 1
        assert db.session.get(AuditEvent, event_id).person_id == 1
