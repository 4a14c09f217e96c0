"""Coach notes: staff only, newest first, corrected by their author within 24 hours, annotated
after that; other teams' notes are not found; every change is audited without its words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, make_staff, sign_in
from tests.web.journey import HTMX
from webapp.extensions import db
from webapp.models import AuditEvent, CoachNote


@pytest.fixture
def coach(client, caseload):
    assert sign_in(client, "casey@example.org").status_code == 302
    return client


def post(client, url, htmx=False, **data):
    data.setdefault("csrf_token", csrf_token(client, "/staff/people/" + url.split("/")[3]))
    return client.post(url, data=data, headers=HTMX if htmx else {})


def notes(app) -> list[CoachNote]:
    with app.app_context():
        return db.session.scalars(select(CoachNote).order_by(CoachNote.id)).all()


def audit_actions(app) -> list[tuple[str, dict | None]]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("note.%")).order_by(AuditEvent.id))
        return [(event.action, event.detail) for event in events]


def add(client, caseload, text, htmx=False):
    return post(client, f"/staff/people/{caseload.person_id}/notes", htmx=htmx, note=text)


def age(app, note_id: int, hours: float) -> None:
    with app.app_context():
        note = db.session.get(CoachNote, note_id)
        note.created_at = note.created_at - timedelta(hours=hours)
        db.session.commit()


def test_a_note_is_added_and_listed_newest_first_with_author_and_time(app, coach, caseload):
    reply = add(coach, caseload, "Talked about the walking group.\nWill ring on Friday.")
    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"/staff/people/{caseload.person_id}#notes")
    age(app, notes(app)[0].id, 1)
    add(coach, caseload, "Rang: the group meets on Thursdays.")
    page = coach.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    notes_section = page[page.index('id="notes"'):]
    assert notes_section.index("Rang: the group meets") < notes_section.index("Talked about the walking group.")
    assert "Talked about the walking group.<br>Will ring on Friday." in notes_section
    assert "Casey, Social prescribing link worker" in notes_section
    note = notes(app)[0]
    # Shown in UK time: an hour ahead of UTC in summer, the same in winter.
    from zoneinfo import ZoneInfo

    local = note.created_at.astimezone(ZoneInfo("Europe/London"))
    assert local.strftime("%H:%M") in notes_section
    assert [n.author_id is not None and n.team_id == caseload.team_id for n in notes(app)] == [True, True]
    assert audit_actions(app) == [("note.add", {"note_id": n.id}) for n in notes(app)]


def test_htmx_swaps_the_notes_section(app, coach, caseload):
    reply = add(coach, caseload, "Seen at home today.", htmx=True)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert page.lstrip().startswith('<section id="notes"') and "<h1" not in page
    assert "Seen at home today." in page
    textarea = re.search(r'<textarea[^>]*name="note"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert textarea.strip() == ""  # emptied, ready for the next note


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
@pytest.mark.parametrize("text, message", [("   ", "Write the note"),
                                           ("x" * 5001, "Keep the note to 5000 characters or fewer")])
def test_an_empty_or_too_long_note_is_refused(app, coach, caseload, htmx, text, message):
    reply = add(coach, caseload, text, htmx=htmx)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "There is a problem" in page and message in page
    assert notes(app) == [] and audit_actions(app) == []


def test_the_author_can_correct_a_note_within_24_hours(app, coach, caseload):
    add(coach, caseload, "Ring on Fridya")
    note_id = notes(app)[0].id
    age(app, note_id, 23)
    edit_url = f"/staff/people/{caseload.person_id}/notes/{note_id}/edit"
    assert "Ring on Fridya" in coach.get(edit_url).get_data(as_text=True)
    reply = post(coach, edit_url, note="Ring on Friday")
    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"#note-{note_id}")
    [note] = notes(app)
    assert note.body == "Ring on Friday" and note.edited_at is not None
    page = coach.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert "Ring on Friday" in page and ">edited<" in page and "Fridya" not in page
    assert audit_actions(app)[-1] == ("note.edit", {"note_id": note_id})


def test_after_24_hours_a_note_cannot_be_corrected_only_annotated(app, coach, caseload):
    add(coach, caseload, "Ring on Fridya")
    note_id = notes(app)[0].id
    age(app, note_id, 24.1)
    person_page = coach.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert "Correct this note" not in person_page and "Add a note under this one" in person_page
    edit_url = f"/staff/people/{caseload.person_id}/notes/{note_id}/edit"
    assert coach.get(edit_url).status_code == 403
    reply = post(coach, edit_url, note="Ring on Friday")
    assert reply.status_code == 403
    assert "This note can no longer be changed" in reply.get_data(as_text=True)
    [note] = notes(app)
    assert note.body == "Ring on Fridya" and note.edited_at is None
    assert [action for action, _ in audit_actions(app)] == ["note.add"]

    reply = post(coach, f"/staff/people/{caseload.person_id}/notes/{note_id}/annotate", note="I meant Friday.")
    assert reply.status_code == 303
    original, annotation = notes(app)
    assert annotation.annotates_id == original.id and annotation.body == "I meant Friday."
    page = coach.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    item = re.search(rf'<li class="nhsuk-card app-note" id="note-{note_id}">.*?</li>\s*</ul>', page, re.S).group(0)
    assert item.index("Ring on Fridya") < item.index("Added later") < item.index("I meant Friday.")
    assert audit_actions(app)[-1] == ("note.annotate", {"note_id": annotation.id, "annotates_id": note_id})


def test_a_colleague_cannot_correct_anothers_note_but_can_annotate_it(app, client, caseload):
    make_staff(app, "sam@example.org", team_id=caseload.team_id, name="Sam", job_title="Health and wellbeing coach")
    assert sign_in(client, "casey@example.org").status_code == 302
    add(client, caseload, "First meeting went well.")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/staff/people/%d" % caseload.person_id)})
    assert sign_in(client, "sam@example.org").status_code == 302
    note_id = notes(app)[0].id
    page = client.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert "First meeting went well." in page and "Correct this note" not in page
    assert post(client, f"/staff/people/{caseload.person_id}/notes/{note_id}/edit", note="Changed").status_code == 403
    assert notes(app)[0].body == "First meeting went well."
    post(client, f"/staff/people/{caseload.person_id}/notes/{note_id}/annotate", note="Agreed.")
    page = client.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert "Sam, Health and wellbeing coach" in page and "Agreed." in page


def test_an_empty_annotation_is_refused(app, coach, caseload):
    add(coach, caseload, "A note")
    note_id = notes(app)[0].id
    reply = post(coach, f"/staff/people/{caseload.person_id}/notes/{note_id}/annotate", note="")
    assert reply.status_code == 422 and "Write the note" in reply.get_data(as_text=True)
    assert len(notes(app)) == 1


def test_notes_of_other_teams_and_other_people_are_not_found(app, client, caseload):
    from tests.conftest import make_person, share_with

    assert sign_in(client, "casey@example.org").status_code == 302
    add(client, caseload, "Private to North Hill")
    note_id = notes(app)[0].id
    # Another person on the same caseload: the note is not theirs.
    other_person = make_person(app, "bo@example.org", name="Bo")
    share_with(app, other_person, caseload.team_id)
    token = csrf_token(client, f"/staff/people/{caseload.person_id}")
    for url in (f"/staff/people/{other_person}/notes/{note_id}/edit", f"/staff/people/{other_person}/notes/{note_id}/annotate",
                f"/staff/people/{caseload.person_id}/notes/99999/edit"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"note": "x", "csrf_token": token}).status_code == 404
    client.post("/sign-out", data={"csrf_token": token})

    # Another team's coach, even for a person who shares with both teams.
    share_with(app, caseload.person_id, caseload.other_team_id)
    assert sign_in(client, "drew@example.org").status_code == 302
    token = csrf_token(client, f"/staff/people/{caseload.person_id}")
    page = client.get(f"/staff/people/{caseload.person_id}").get_data(as_text=True)
    assert "Private to North Hill" not in page
    for url in (f"/staff/people/{caseload.person_id}/notes/{note_id}/edit",
                f"/staff/people/{caseload.person_id}/notes/{note_id}/annotate"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"note": "x", "csrf_token": token}).status_code == 404
    assert [n.body for n in notes(app)] == ["Private to North Hill"]


def test_another_teams_coach_cannot_add_a_note(app, client, caseload):
    assert sign_in(client, "drew@example.org").status_code == 302
    token = csrf_token(client, "/staff/people/1")  # any page carries the session's token
    reply = client.post(f"/staff/people/{caseload.person_id}/notes", data={"note": "x", "csrf_token": token})
    assert reply.status_code == 404 and notes(app) == []


def test_the_person_never_sees_coach_notes(app, client, caseload):
    assert sign_in(client, "casey@example.org").status_code == 302
    add(client, caseload, "Seems low today; check in next week.")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, f"/staff/people/{caseload.person_id}")})
    assert sign_in(client, "alex@example.org").status_code == 302
    for url in ("/my-plan", "/goals", "/history", "/"):
        reply = client.get(url, follow_redirects=True)
        assert reply.status_code == 200, url
        assert "Seems low today" not in reply.get_data(as_text=True)
    assert client.get(f"/staff/people/{caseload.person_id}").status_code == 403


def test_opening_a_note_to_correct_or_annotate_it_is_audited_without_its_words(app, coach, caseload):
    add(coach, caseload, "Worried about money this month.")
    note_id = notes(app)[0].id
    base = f"/staff/people/{caseload.person_id}/notes/{note_id}"
    for path in ("/edit", "/annotate"):
        reply = coach.get(base + path)
        assert reply.status_code == 200 and "Worried about money" in reply.get_data(as_text=True)
    assert post(coach, base + "/annotate", note="").status_code == 422  # shows the note again
    with app.app_context():
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "note.view")).all()
        assert [(e.person_id, e.team_id, e.detail) for e in views] == [
            (caseload.person_id, caseload.team_id, {"note_id": note_id})] * 3
    age(app, note_id, 25)
    assert coach.get(base + "/edit").status_code == 403  # says no, shows nothing: not a view
    assert [action for action, _ in audit_actions(app)].count("note.view") == 3


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_a_refused_note_shows_the_notes_again_and_that_is_audited(app, coach, caseload, htmx):
    add(coach, caseload, "Worried about money this month.")
    token = csrf_token(coach, f"/staff/people/{caseload.person_id}")  # a view of the record

    def views() -> list[int]:
        with app.app_context():
            return db.session.scalars(select(AuditEvent.person_id).where(AuditEvent.action == "person.view")).all()

    before = views()
    reply = coach.post(f"/staff/people/{caseload.person_id}/notes", data={"note": "", "csrf_token": token},
                       headers=HTMX if htmx else {})
    assert reply.status_code == 422 and "Worried about money" in reply.get_data(as_text=True)
    assert views() == before + [caseload.person_id]
