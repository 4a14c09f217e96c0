"""Every route, for every kind of user: who gets in, who is sent to sign in, who is refused.

The world: team A with a coach, a team lead and a person who shares their record with team A;
team B with a coach; an admin who is not a coach; someone signed out. Each route is classified
below (a new route fails this test until it is classified), then requested by each of them with
the ids of team A's person. CSRF is off here so that a POST's access check is what answers, not
its missing token; rate limits are off so hundreds of requests can run.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from dataclasses import dataclass

import pytest
from flask import Flask

from tests.conftest import add_assessment, make_person, make_staff, make_team, share_with
from webapp import create_app
from webapp.auth.views import INVITE_TOKEN_KEY
from webapp.config import database_url as normalise
from webapp.extensions import db

ANONYMOUS, PERSON, COACH, LEAD, OTHER_COACH, ADMIN = "anonymous", "person", "coach", "lead", "other-team coach", "admin"
ROLES = (ANONYMOUS, PERSON, COACH, LEAD, OTHER_COACH, ADMIN)

IN = "in"            # gets the page or the form's own answer (2xx, 3xx other than to sign in, 400, 409, 410, 422)
SIGN_IN = "sign in"  # sent to the sign-in page (or 401 from the JSON API)
FORBIDDEN = 403
NOT_FOUND = 404

# Who may use each kind of route.
KINDS: dict[str, dict[str, object]] = {
    "public": dict.fromkeys(ROLES, IN),
    # A signed-in person's own record: staff accounts are work accounts and are refused.
    "person": {ANONYMOUS: SIGN_IN, PERSON: IN, COACH: FORBIDDEN, LEAD: FORBIDDEN, OTHER_COACH: FORBIDDEN, ADMIN: FORBIDDEN},
    # Anyone signed in.
    "account": {ANONYMOUS: SIGN_IN, PERSON: IN, COACH: IN, LEAD: IN, OTHER_COACH: IN, ADMIN: IN},
    # Any staff member's own settings.
    "staff": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: IN, LEAD: IN, OTHER_COACH: IN, ADMIN: IN},
    # The caseload and invites: coaches and team leads, for their own team.
    "records": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: IN, LEAD: IN, OTHER_COACH: IN, ADMIN: FORBIDDEN},
    # One person's record: their team's coaches only; another team's coach cannot tell it exists.
    "record": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: IN, LEAD: IN, OTHER_COACH: NOT_FOUND, ADMIN: FORBIDDEN},
    # Something of one team's (an invite): the same as a record.
    "team item": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: IN, LEAD: IN, OTHER_COACH: NOT_FOUND, ADMIN: FORBIDDEN},
    # Correcting a note: its author only (the note in the world is the coach's).
    "author": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: IN, LEAD: FORBIDDEN, OTHER_COACH: NOT_FOUND, ADMIN: FORBIDDEN},
    # A team's reports: its team lead, and admins (figures only, no one's record).
    "report": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: FORBIDDEN, LEAD: IN, OTHER_COACH: FORBIDDEN, ADMIN: IN},
    # A team's records in bulk: its team lead only.
    "team records": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: FORBIDDEN, LEAD: IN, OTHER_COACH: FORBIDDEN, ADMIN: FORBIDDEN},
    # An invite link: for whoever it was given to, signed in or not; never a staff account.
    "invite": {ANONYMOUS: IN, PERSON: IN, COACH: FORBIDDEN, LEAD: FORBIDDEN, OTHER_COACH: FORBIDDEN, ADMIN: FORBIDDEN},
    # The code step of two-step sign-in, before anyone is signed in.
    "second step": dict.fromkeys(ROLES, SIGN_IN),
    # Administration: admins only.
    "admin": {ANONYMOUS: SIGN_IN, PERSON: FORBIDDEN, COACH: FORBIDDEN, LEAD: FORBIDDEN, OTHER_COACH: FORBIDDEN, ADMIN: IN},
}

ROUTES: dict[str, str] = {
    "static": "public",
    "main.home": "public",
    "auth.sign_in": "public",
    "auth.sign_in_post": "public",
    "auth.sign_up": "public",
    "auth.sign_up_post": "public",
    "auth.sign_out": "public",
    "offline.manifest": "public",
    "offline.service_worker": "public",
    "offline.offline_page": "public",
    "offline.session": "public",
    "auth.account": "account",
    "auth.delete_account": "person",
    "auth.download_data": "account",
    "main.history": "person",
    "offline.outbox": "person",
    "offline.questionnaire": "person",
    "api.receive_response": "person",
    **{f"assess.{name}": "person" for name in ("start", "start_post", "question", "answer", "check", "submit", "results")},
    **{f"goals.{name}": "person" for name in (
        "index", "new", "new_post", "ideas", "ideas_post", "plan", "plan_post", "rate", "rate_post", "smaller",
        "smaller_post", "not_yet", "first_step_post", "commit", "commit_post", "show", "check_in", "check_in_post",
        "change_status")},
    "plan.show": "person",
    "api.receive_check_in": "person",
    "api.save_draft": "person",
    "api.get_draft": "person",
    "api.latest_draft": "person",
    "offline.messages": "public",
    "auth.change_password": "account",
    "auth.change_password_post": "account",
    # The second step of sign-in: only after a right password; without one it goes back to sign-in.
    "auth.sign_in_code": "second step",
    "auth.sign_in_code_post": "second step",
    **{f"auth.{name}": "staff" for name in (
        "staff_account", "two_factor_off", "two_factor_off_post", "two_factor_setup", "two_factor_setup_post")},
    **{f"admin.{name}": "admin" for name in (
        "index", "audit_log", "new_team", "new_team_post", "new_staff", "new_staff_post", "edit_staff",
        "edit_staff_post", "deactivate_staff", "reactivate_staff", "reset_two_factor", "unlock_staff")},
    "staff.person_export_csv": "record",
    "staff.person_export_fhir": "record",
    "staff.report": "report",
    "staff.report_csv": "report",
    "staff.team_export_csv": "team records",
    "staff.team_export_fhir": "team records",
    "sharing.index": "person",
    "sharing.stop": "person",
    "sharing.stop_post": "person",
    "sharing.invite": "invite",
    "sharing.invite_page": "invite",
    "sharing.invite_post": "invite",
    "staff.invites": "records",
    "staff.create_invite": "records",
    "staff.cancel_invite": "team item",
    "staff.note_edit": "author",
    "staff.note_edit_post": "author",
    "staff.caseload": "records",
    **{f"staff.{name}": "record" for name in (
        "person", "note_add", "note_annotate", "note_annotate_post",
        "care_plan", "care_plan_post")},
}


@dataclass
class World:
    app: Flask
    users: dict[str, int]
    values: dict[str, str]
    stamps: dict[str, str]  # what each user's session remembers (``User.get_id``)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    import os

    from tests.conftest import _postgres_url, _wipe_postgres

    url = _postgres_url()
    if url:
        _wipe_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'matrix.sqlite3'}"
    app = create_app({
        "TESTING": True, "SECRET_KEY": "matrix", "SQLALCHEMY_ENGINES": {"default": normalise(url)},
        "DEMO_DATA": False, "AUTO_MIGRATE": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
    })
    team_a, team_b = make_team(app, "Team A"), make_team(app, "Team B")
    users = {
        PERSON: make_person(app, "pat@example.org", name="Pat"),
        COACH: make_staff(app, "coach-a@example.org", team_id=team_a),
        LEAD: make_staff(app, "lead-a@example.org", team_id=team_a, role="team_lead", job_title="Team lead"),
        OTHER_COACH: make_staff(app, "coach-b@example.org", team_id=team_b),
        ADMIN: make_staff(app, "admin@example.org", role=None, is_admin=True, job_title=None),
    }
    share_with(app, users[PERSON], team_a, users[COACH])
    # Someone who shares with team B only, and someone who shares with nobody.
    users["team B person"] = make_person(app, "bo@example.org", name="Bo")
    share_with(app, users["team B person"], team_b, users[OTHER_COACH])
    users["nobody's person"] = make_person(app, "noor@example.org", name="Noor")
    # The person once shared with team C and stopped: the consent their sharing pages are tried
    # with (stopping team A's by a bare POST would change the world for the next requests).
    stopped = share_with(app, users[PERSON], make_team(app, "Team C"))
    with app.app_context():
        from webapp.models import Consent, User
        from webapp.services.consent import withdraw

        withdraw(db.session, db.session.get(Consent, stopped), db.session.get(User, users[PERSON]))
        db.session.commit()
    response_uuid = add_assessment(app, users[PERSON], days_ago=30)
    add_assessment(app, users[PERSON], "capable-capability", days_ago=29)
    values = _ids(app, users, response_uuid)
    values["consent_id"] = str(stopped)
    with app.app_context():
        from webapp.models import User

        stamps = {role: db.session.get(User, user_id).get_id() for role, user_id in users.items()}
    yield World(app, users, values, stamps)
    with app.app_context():
        db.engine.dispose()
    del os


def _ids(app: Flask, users: dict[str, int], response_uuid: str) -> dict[str, str]:
    """A real value for every kind of URL argument, all belonging to team A's person."""
    from webapp.catalogue import get_catalogue
    from sqlalchemy import select

    from webapp.models import CoachNote, Goal, GoalStatus, StaffMember, User
    from webapp.services.invites import create_invite
    from webapp.services.responses import start_response

    with app.app_context():
        person = db.session.get(User, users[PERSON])
        goal = Goal(person_id=person.id, own_words="Walk more", what="Walk to the shop",
                    status=GoalStatus.ACTIVE, importance=8, confidence=7)
        db.session.add(goal)
        coach = db.session.scalar(select(StaffMember).where(StaffMember.user_id == users[COACH]))
        note = CoachNote(person_id=person.id, team_id=coach.team_id, author=coach, body="Met at the library.")
        db.session.add(note)
        invite, token = create_invite(db.session, coach, "Pat's neighbour", valid_days=14)
        draft = start_response(db.session, person, get_catalogue().get("capable-capability"), uuid_module.uuid4())
        db.session.commit()
        questionnaire = get_catalogue().get("capable-activation")
        return {
            "person_id": str(users[PERSON]),
            "response_uuid": response_uuid,
            "goal_uuid": str(goal.uuid),
            "questionnaire_id": questionnaire.id,
            "version": questionnaire.version,
            "link_id": questionnaire.pages[0].questions[0].link_id,
            "filename": "app/capable.js",
            "note_id": str(note.id),
            # The admin's own staff row: deactivating, unlocking or resetting oneself changes
            # nobody else's access for the requests that follow.
            "staff_id": str(db.session.scalar(select(StaffMember.id).where(StaffMember.user_id == users[ADMIN]))),
            "invite_id": str(invite.id),
            "draft_uuid": str(draft.uuid),
            "token": token,
        }


def _url(rule, values: dict[str, str]) -> str:
    """The rule with each ``<converter:name>`` replaced by the world's value for ``name``."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda match: values[match.group(1)], rule.rule)


def _client(world: World, role: str):
    client = world.app.test_client()
    with client.session_transaction() as session:
        session[INVITE_TOKEN_KEY] = world.values["token"]  # the invite link was opened (``/invite`` reads it)
        if role != ANONYMOUS:
            session["_user_id"] = world.stamps[role]
            session["_fresh"] = True
    return client


def _outcome(response, sign_in_path: str = "/sign-in") -> object:
    status = response.status_code
    if status == 401 or (status in (301, 302, 303) and response.headers.get("Location", "").startswith(sign_in_path)):
        return SIGN_IN
    if status in (403, 404):
        return status
    assert status < 500, f"{status} from the server"
    return IN


def _requests(app: Flask):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_classified(world: World):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()}
    assert sorted(endpoints - ROUTES.keys()) == [], "classify these routes in ROUTES"
    assert sorted(ROUTES.keys() - endpoints) == [], "these classified routes no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_kind_says(world: World, role: str):
    wrong = []
    for rule, method in _requests(world.app):
        expected = KINDS[ROUTES[rule.endpoint]][role]
        url = _url(rule, world.values)
        client = _client(world, role)  # a fresh session each time: a POST may sign out
        response = client.open(url, method=method, data={} if method == "POST" else None)
        outcome = _outcome(response)
        if outcome != expected:
            wrong.append(f"{method} {url} ({rule.endpoint}): expected {expected}, got {outcome} ({response.status_code})")
    assert wrong == []


@pytest.mark.parametrize("other", ["team B person", "nobody's person", "an id that does not exist"])
def test_a_coach_gets_404_for_every_record_route_of_anyone_not_sharing_with_their_team(world: World, other: str):
    person_id = str(world.users.get(other, 999_999))
    answers = []
    for rule, method in _requests(world.app):
        if ROUTES[rule.endpoint] != "record":
            continue
        url = _url(rule, {**world.values, "person_id": person_id})
        for role in (COACH, LEAD):
            response = _client(world, role).open(url, method=method, data={} if method == "POST" else None)
            answers.append((role, method, url, response.status_code))
    assert answers, "there are record routes to try"
    assert [answer for answer in answers if answer[3] != 404] == []
