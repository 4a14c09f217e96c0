"""One app per test module (building one migrates a database, too slow per example), and a fresh
signed-in person per example with goals and responses in every state, so examples never share
state that a valid request could have changed."""

from __future__ import annotations

import hashlib
import itertools
import os
import warnings
import uuid as uuid_module
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, _wipe_postgres, csrf_token, sign_in
from webapp import create_app
from webapp.catalogue import get_catalogue, get_goal_library
from webapp.clock import today
from webapp.extensions import db
from webapp.models import Answer, CheckIn, Goal, GoalRating, GoalStatus, Response, Score, User
from webapp.services import goals as goal_service
from webapp.services import responses as response_service
from webapp.services.accounts import register_person

TABLES = (User, Response, Answer, Score, Goal, GoalRating, CheckIn)
# What a person's account holds, without the count of wrong passwords (a refused sign-in is meant
# to count it).
USER_RECORD = User.__table__.select().with_only_columns(
    *(column for column in User.__table__.c if column.name not in {"failed_sign_ins", "locked_until"})
).subquery("users")  # named as the table: snapshots are keyed by table name
ON_POSTGRES = bool(os.environ.get("CAPABLE_TEST_DATABASE_URL"))
_numbers = itertools.count(1)


def examples(count: int) -> int:
    """Fewer examples on PostgreSQL, where every request costs several round trips."""
    return max(5, count // 3) if ON_POSTGRES else count


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory) -> Iterator[Flask]:
    from webapp.config import database_url as normalise

    url = os.environ.get("CAPABLE_TEST_DATABASE_URL")
    if url:
        _wipe_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'capable-fuzz.sqlite3'}"
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "tests-only",
        "SQLALCHEMY_ENGINES": {"default": normalise(url)},
        "DEMO_DATA": False,
        "AUTO_MIGRATE": True,
        # Hundreds of sign-ins from one address: the rate limits have their own tests.
        "RATELIMIT_ENABLED": False,
        # Wrong passwords are counted (and lock an account); thousands of fuzzed sign-ins must not.
        "LOCKOUT_AFTER_FAILURES": 10**9,
    })
    yield app
    with app.app_context():
        db.engine.dispose()


# ------------------------------------------------------------------------------------------
# What the database holds


def snapshot(app: Flask, person_id: int | None = None) -> dict:
    """Row counts of every table, and a digest of every stored column of one person's rows."""
    with app.app_context():
        session = db.session
        state: dict = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in TABLES
        }
        if person_id is not None:
            response_ids = select(Response.id).where(Response.person_id == person_id)
            goal_ids = select(Goal.id).where(Goal.person_id == person_id)
            tables = [
                (USER_RECORD, USER_RECORD.c.id == person_id),
                (Response.__table__, Response.__table__.c.person_id == person_id),
                (Answer.__table__, Answer.__table__.c.response_id.in_(response_ids)),
                (Score.__table__, Score.__table__.c.response_id.in_(response_ids)),
                (Goal.__table__, Goal.__table__.c.person_id == person_id),
                (GoalRating.__table__, GoalRating.__table__.c.goal_id.in_(goal_ids)),
                (CheckIn.__table__, CheckIn.__table__.c.goal_id.in_(goal_ids)),
            ]
            digest = hashlib.sha256()
            for table, where in tables:
                rows = session.execute(select(table).where(where).order_by(table.c.id)).all()
                state[f"person {table.name}"] = len(rows)
                for row in rows:
                    digest.update(repr((table.name, tuple(row))).encode("utf-8", "surrogatepass"))
            state["person"] = digest.hexdigest()
        return state


def answers_of(app: Flask, response_uuid: str | uuid_module.UUID) -> dict:
    with app.app_context():
        response = response_service.get_response(db.session, uuid_module.UUID(str(response_uuid)))
        return response.answer_map() if response is not None else {}


# ------------------------------------------------------------------------------------------
# A person with something in every state


@dataclass
class Person:
    id: int
    email: str
    client: FlaskClient
    token: str
    goals: dict[str, str] = field(default_factory=dict)       # state -> goal uuid
    responses: dict[str, str] = field(default_factory=dict)   # name -> response uuid


def _smaller_capable_idea(library):
    return next(idea for idea in library if idea.smaller and library.get(idea.smaller) is not None
                and not idea.is_support)


def _seed(session, person: User) -> tuple[dict[str, str], dict[str, str]]:
    library = get_goal_library()
    catalogue = get_catalogue()
    goals: dict[str, Goal] = {}

    def own(words: str) -> Goal:
        goal = goal_service.start_goal(session, person, words)
        goal_service.choose_idea(session, goal, None, library, None)
        return goal

    goals["draft-new"] = goal_service.start_goal(session, person, "Sleep better")
    goals["draft-own"] = own("Walk more")
    idea = _smaller_capable_idea(library)
    goals["draft-idea"] = goal_service.start_goal(session, person, "Move about")
    goal_service.choose_idea(session, goals["draft-idea"], idea, library, None)
    goals["draft-mid"] = own("See friends")
    goal_service.rate(session, goals["draft-mid"], 8, 5)
    goals["draft-high"] = own("Cook")
    goal_service.rate(session, goals["draft-high"], 9, 8)
    goals["thinking"] = own("Garden")
    goal_service.rate(session, goals["thinking"], 6, 2)
    goal_service.keep_thinking(session, goals["thinking"])
    for state in ("active", "active-idea", "paused", "achieved", "stopped"):
        goal = goal_service.start_goal(session, person, f"Something {state}")
        goal_service.choose_idea(session, goal, idea if state == "active-idea" else None, library, None)
        goal_service.rate(session, goal, 9, 9)
        goal_service.commit(session, goal, today(), today())
        if state == "paused":
            goal_service.set_status(session, goal, GoalStatus.PAUSED)
        elif state in ("achieved", "stopped"):
            goal_service.set_status(session, goal, GoalStatus[state.upper()])
        goals[state] = goal

    seeded: dict[str, Response] = {}
    for questionnaire in catalogue.latest():
        draft = response_service.start_response(session, person, questionnaire)
        first = questionnaire.pages[0]
        values = {}
        for question in first.questions:
            if question.type == "choice" and not question.repeats:
                values[question.link_id] = question.options[0].code
        sheet = response_service.load_answer_sheet(session, draft.uuid)
        response_service.save_page_answers(session, sheet, first, values)
        seeded[f"draft:{questionnaire.id}"] = draft
        answers = {}
        for question in questionnaire.answerable_items:
            if question.type == "choice" and not question.repeats:
                answers[question.link_id] = next(o.code for o in question.options if not o.not_applicable)
        done, _ = response_service.receive_response(session, person, questionnaire, uuid_module.uuid4(), answers)
        seeded[f"completed:{questionnaire.id}"] = done
    session.flush()
    return ({state: str(goal.uuid) for state, goal in goals.items()},
            {name: str(response.uuid) for name, response in seeded.items()})


def new_person(app: Flask, seed: bool = True) -> Person:
    email = f"fuzz{next(_numbers)}-{uuid_module.uuid4().hex[:8]}@example.org"
    with app.app_context():
        person = register_person(db.session, email, PASSWORD, "Fuzz")
        goals, responses = _seed(db.session, person) if seed else ({}, {})
        db.session.commit()
        person_id = person.id
    client = app.test_client()
    reply = sign_in(client, email=email)
    assert reply.status_code == 302, reply.status_code
    return Person(person_id, email, client, csrf_token(client, "/"), goals, responses)


class People:
    """Hands out a seeded, signed-in person, reusing the last one while nothing of theirs has
    changed (most fuzzed requests are refused), and making a fresh one once something has."""

    def __init__(self, app: Flask, seed: bool = True) -> None:
        self.app = app
        self.seed = seed
        self._person: Person | None = None
        self._pristine: dict | None = None

    def get(self) -> Person:
        if self._person is None or snapshot(self.app, self._person.id)["person"] != self._pristine:
            self._person = new_person(self.app, seed=self.seed)
            self._pristine = snapshot(self.app, self._person.id)["person"]
        return self._person

    def spoil(self) -> None:
        """The last person's session or data changed: use a fresh one next time."""
        self._person = None


@pytest.fixture(scope="module")
def people(fuzz_app) -> People:
    return People(fuzz_app)


@pytest.fixture(scope="module")
def unseeded(fuzz_app) -> People:
    """People with nothing stored yet, for signing in and out."""
    return People(fuzz_app, seed=False)


@pytest.fixture(scope="module")
def keeper(fuzz_app) -> Person:
    """One person for the whole module, for properties that only add (each example its own uuid)."""
    return new_person(fuzz_app)


@pytest.fixture(scope="module")
def other(fuzz_app) -> Person:
    """Someone else, whose goals and responses must stay out of reach."""
    return new_person(fuzz_app)


@pytest.fixture(scope="module")
def foreign_token(fuzz_app) -> str:
    """A real CSRF token, but of another browser's session."""
    return csrf_token(fuzz_app.test_client(), "/sign-in")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """When a hypothesis test fails, its plugin's report touches mypy_extensions.TypedDict, whose
    DeprecationWarning (an error here, by filterwarnings) would hide the falsifying example
    behind an INTERNALERROR."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="mypy_extensions.TypedDict is deprecated",
                                category=DeprecationWarning)
        return (yield)


# ------------------------------------------------------------------------------------------
# Staff, teams, invites and consent (issue #6: the coach workspace, fuzzed)

from datetime import timedelta  # noqa: E402

from webapp.db import utcnow  # noqa: E402
from webapp.models import (  # noqa: E402
    AuditEvent,
    CarePlan,
    CoachNote,
    Consent,
    Invite,
    RecoveryCode,
    StaffMember,
    StaffRole,
    Team,
)
from webapp.services import consent as consent_service  # noqa: E402
from webapp.services import invites as invite_service  # noqa: E402
from webapp.services import notes as note_service  # noqa: E402
from webapp.services import staff as staff_service  # noqa: E402
from webapp.services import two_factor  # noqa: E402

# Small tables, digested whole: a refused request must leave every row of them as it was.
STAFF_TABLES = (Team, StaffMember, RecoveryCode, Invite, Consent, CoachNote, CarePlan)
# What a refused request may still add to the audit log: it showed a record again (an error page
# with the whole record on it is a view of it).
VIEW_ACTIONS = frozenset({"caseload.view", "person.view", "plan.view", "note.view"})


def world(app: Flask, person_id: int | None = None) -> dict:
    """``snapshot`` plus every row of the staff tables and every account (without the count of
    wrong passwords), so a change anywhere shows; the audit log is checked by ``audit_since``."""
    state = snapshot(app, person_id)
    with app.app_context():
        session = db.session
        for table in (USER_RECORD, *(model.__table__ for model in STAFF_TABLES)):
            rows = session.execute(select(table).order_by(table.c.id)).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
            state[f"all {table.name}"] = (len(rows), digest.hexdigest())
    return state


def last_audit_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(app: Flask, after_id: int) -> list[tuple]:
    """(action, actor user id, person id, team id, detail) of each event after ``after_id``."""
    with app.app_context():
        return [(e.action, e.actor_user_id, e.person_id, e.team_id, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id))]


@dataclass
class Staff:
    """A signed-in staff member: their user id, staff row id, team and browser."""

    user_id: int
    staff_id: int
    team_id: int | None
    email: str
    client: FlaskClient
    token: str

    @property
    def id(self) -> int:  # what ``send`` snapshots as "the person": the staff account itself
        return self.user_id


def new_team(app: Flask, prefix: str = "Team") -> int:
    with app.app_context():
        team = staff_service.create_team(db.session, f"{prefix} {next(_numbers)} {uuid_module.uuid4().hex[:6]}",
                                         actor=None)
        db.session.commit()
        return team.id


def new_staff(app: Flask, team_id: int | None, role: str | None = "coach", is_admin: bool = False,
              sign_in_to: str | None = None) -> Staff:
    """A staff account; signed in (and its CSRF token read from ``sign_in_to``) when that is given."""
    email = f"staff{next(_numbers)}-{uuid_module.uuid4().hex[:8]}@example.org"
    with app.app_context():
        team = db.session.get(Team, team_id) if team_id is not None else None
        staff = staff_service.create_staff(
            db.session, email=email, password=PASSWORD, display_name="Fuzz Staff", team=team,
            role=StaffRole(role) if role else None, job_title="Coach", is_admin=is_admin, actor=None)
        db.session.commit()
        user_id, staff_id = staff.user_id, staff.id
    client = app.test_client()
    token = ""
    if sign_in_to is not None:
        reply = sign_in(client, email=email)
        assert reply.status_code == 302, reply.status_code
        token = csrf_token(client, sign_in_to)
    return Staff(user_id, staff_id, team_id, email, client, token)


def consenting_person(app: Flask, *team_ids: int, coach_staff_id: int | None = None, withdrawn: bool = False,
                      seed: bool = False) -> int:
    """A person (not signed in) who shares their record with each team; ``withdrawn`` stops it."""
    email = f"shares{next(_numbers)}-{uuid_module.uuid4().hex[:8]}@example.org"
    with app.app_context():
        person = register_person(db.session, email, PASSWORD, "Sharing Person")
        if seed:
            _seed(db.session, person)
        coach = db.session.get(StaffMember, coach_staff_id) if coach_staff_id else None
        for team_id in team_ids:
            consent = consent_service.grant(db.session, person, db.session.get(Team, team_id), coach=coach)
            if withdrawn:
                consent_service.withdraw(db.session, consent, person)
        db.session.commit()
        return person.id


def new_note(app: Flask, person_id: int, team_id: int, author_staff_id: int | None, hours_ago: float = 0,
             annotates_id: int | None = None) -> int:
    with app.app_context():
        note = CoachNote(person_id=person_id, team_id=team_id, author_id=author_staff_id, annotates_id=annotates_id,
                         body="A note", created_at=utcnow() - timedelta(hours=hours_ago))
        db.session.add(note)
        db.session.commit()
        return note.id


def new_invite(app: Flask, staff_id: int, state: str = "open") -> tuple[int, str]:
    """(invite id, token) of an invite in ``state``: open, claimed, revoked or expired."""
    with app.app_context():
        staff = db.session.get(StaffMember, staff_id)
        invite, token = invite_service.create_invite(db.session, staff, "Someone", valid_days=14)
        if state == "claimed":
            invite.claimed_at = utcnow()
        elif state == "revoked":
            invite.revoked_at = utcnow()
        elif state == "expired":
            invite.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
        return invite.id, token


def turn_on_two_step(app: Flask, staff_id: int) -> tuple[str, list[str]]:
    """Two-step sign-in on for the staff member (as if set up long ago): (secret, recovery codes)."""
    with app.app_context():
        staff = db.session.get(StaffMember, staff_id)
        secret = two_factor.new_secret()
        codes = two_factor.enable(db.session, staff, secret, step=0)
        db.session.commit()
        return secret, codes


@dataclass
class Staffroom:
    """Two teams, each with coaches, and people who share their record with one team, both or
    neither (or did and stopped): what every staff test reaches for, and what it must not reach."""

    team: int
    other_team: int
    coach: Staff           # signed in, team A
    lead: Staff            # signed in, team lead of team A
    colleague: Staff       # not signed in, another coach in team A
    stranger: Staff        # signed in, coach in team B
    admin: Staff           # signed in, admin with no role
    shares: int            # a person sharing with team A (the coach's own)
    shares_both: int       # sharing with A and B
    shares_other: int      # sharing with B only
    withdrew: int          # shared with A, then stopped
    never: int             # shares with no one


@pytest.fixture(scope="module")
def staffroom(fuzz_app) -> Staffroom:
    app = fuzz_app
    team, other_team = new_team(app, "North"), new_team(app, "South")
    coach = new_staff(app, team, "coach", sign_in_to="/staff/invites")
    lead = new_staff(app, team, "team_lead", sign_in_to="/staff/invites")
    colleague = new_staff(app, team, "coach")
    stranger = new_staff(app, other_team, "coach", sign_in_to="/staff/invites")
    admin = new_staff(app, None, None, is_admin=True, sign_in_to="/admin/teams/new")
    return Staffroom(
        team=team, other_team=other_team, coach=coach, lead=lead, colleague=colleague, stranger=stranger,
        admin=admin,
        shares=consenting_person(app, team, coach_staff_id=coach.staff_id, seed=True),
        shares_both=consenting_person(app, team, other_team),
        shares_other=consenting_person(app, other_team, seed=True),
        withdrew=consenting_person(app, team, withdrawn=True),
        never=consenting_person(app),
    )
