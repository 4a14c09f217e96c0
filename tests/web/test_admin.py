"""Administration: teams and staff accounts, for admins only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import add_assessment, csrf_token, make_person, make_staff, make_team, sign_in
from tests.web.journey import HTMX
from webapp.extensions import db
from webapp.models import AuditEvent, StaffMember, StaffRole, Team, User

ADMIN = "ada@example.org"
PASSWORD_SHOWN = re.compile(r"<code>([A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4})</code>")


@pytest.fixture
def app(app):
    app.config.update(RATELIMIT_ENABLED=False)
    return app


@pytest.fixture
def team(app) -> int:
    return make_team(app)


@pytest.fixture
def admin(app, client, team):
    make_staff(app, ADMIN, role=None, is_admin=True, name="Ada", job_title="Service manager")
    assert sign_in(client, ADMIN).status_code == 302
    return client


def post(client, url, htmx=False, **data):
    data.setdefault("csrf_token", csrf_token(client, "/admin/"))
    return client.post(url, data=data, headers=HTMX if htmx else {})


def done(reply, htmx):
    if htmx:
        assert reply.status_code == 200 and "HX-Location" in reply.headers, reply.get_data(as_text=True)[:2000]
    else:
        assert reply.status_code == 303, reply.get_data(as_text=True)[:2000]


def staff_by_email(app, email) -> StaffMember | None:
    with app.app_context():
        staff = db.session.scalar(select(StaffMember).join(StaffMember.user).where(User.email == email))
        if staff is not None:
            db.session.expunge(staff)
        return staff


def events(app, action) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (User, StaffMember, Team, AuditEvent))


def test_only_admins_get_in(app, client, team, person):
    make_staff(app, "casey@example.org", team_id=team, role="team_lead")
    assert client.get("/admin/").status_code == 302  # sign in first
    sign_in(client)
    assert client.get("/admin/").status_code == 403
    coach = app.test_client()
    sign_in(coach, "casey@example.org")
    for path in ("/admin/", "/admin/staff/new", "/admin/teams/new", "/admin/audit", "/admin/staff/1"):
        assert coach.get(path).status_code == 403
    reply = coach.post("/admin/teams/new", data={"csrf_token": csrf_token(coach, "/staff/account"), "name": "Mine"})
    assert reply.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Team.id))) == 1


def test_the_admin_page_lists_staff_and_teams_and_no_health_content(app, admin, team):
    person = make_person(app, "pat@example.org", name="Pat")
    add_assessment(app, person, wellness=0.2)
    make_staff(app, "casey@example.org", team_id=team, role="team_lead", name="Casey")
    page = admin.get("/admin/").get_data(as_text=True)
    for text in ("Staff and teams", "Ada", ADMIN, "Casey", "casey@example.org", "North Hill link workers",
                 "Team lead", "Social prescribing link worker", "Active", "Off", "Add a staff member", "Add a team"):
        assert text in page
    assert "pat@example.org" not in page and "Pat" not in page
    assert "<caption" in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_adding_a_team(app, admin, htmx):
    for name, message in (("", "Enter the team's name"), ("x" * 121, "120 characters or fewer"),
                          ("  north hill LINK workers ", "There is already a team with this name")):
        before = counts(app)
        reply = post(admin, "/admin/teams/new", htmx, name=name)
        assert reply.status_code == 422 and message in reply.get_data(as_text=True)
        assert counts(app) == before
    done(post(admin, "/admin/teams/new", htmx, name="  Riverside   coaches "), htmx)
    with app.app_context():
        assert db.session.scalar(select(Team.name).order_by(Team.id.desc())) == "Riverside coaches"
    [event] = [e for e in events(app, "team.create") if e.actor_user_id is not None]
    assert "Riverside coaches" in admin.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_adding_a_staff_member_shows_a_starting_password_once(app, admin, team, htmx):
    page = admin.get("/admin/staff/new").get_data(as_text=True)
    assert "Add a staff member" in page and "None (admin only)" in page
    reply = post(admin, "/admin/staff/new", htmx, display_name="Casey Jones", email="Casey@Example.org",
                 team=str(team), role="coach", job_title="Health and wellbeing coach")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "You will not see this password again" in page
    password = PASSWORD_SHOWN.search(page).group(1)
    staff = staff_by_email(app, "casey@example.org")
    assert staff.role == StaffRole.COACH and staff.team_id == team and not staff.is_admin
    assert staff.job_title == "Health and wellbeing coach"
    [event] = [e for e in events(app, "staff.create") if e.detail["staff_id"] == staff.id]
    with app.app_context():
        assert event.actor_user_id == db.session.scalar(select(User.id).where(User.email == ADMIN))
    assert password not in str(event.detail)

    # The new member signs in with it and changes it.
    newcomer = app.test_client()
    assert sign_in(newcomer, "casey@example.org", password).status_code == 302
    reply = newcomer.post("/account/password", data={
        "csrf_token": csrf_token(newcomer, "/account/password"), "current": password,
        "password": "a new long password of mine", "confirm": "a new long password of mine"})
    assert reply.status_code == 303 and reply.headers["Location"] == "/staff/account"
    assert sign_in(app.test_client(), "casey@example.org", "a new long password of mine").status_code == 302
    # The admin list never shows the password again.
    assert password not in admin.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
@pytest.mark.parametrize(("fields", "message"), [
    ({"team": "", "role": "coach"}, "Choose a team"),
    ({"team": "", "role": "team_lead"}, "Choose a team"),
    ({"team": "", "role": "none"}, "someone with no role must be an admin"),
    ({"team": "999", "role": "coach"}, "Choose one of the teams shown"),
    ({"team": "abc", "role": "coach"}, "Choose one of the teams shown"),
    ({"role": "boss"}, "Choose one of the roles shown"),
    ({"role": ""}, "Choose a role"),
    ({"email": "not an email"}, "right format"),
    ({"email": ADMIN}, "There is already an account with this email address"),
    ({"display_name": ""}, "Enter their name"),
    ({"job_title": "x" * 121}, "120 characters or fewer"),
], ids=["coach-no-team", "lead-no-team", "no-role-not-admin", "unknown-team", "junk-team", "unknown-role",
        "no-role", "bad-email", "taken-email", "no-name", "long-title"])
def test_bad_staff_details_change_nothing(app, admin, team, fields, message, htmx):
    data = {"display_name": "Sam", "email": "sam@example.org", "team": str(team), "role": "coach", "job_title": ""}
    data.update(fields)
    before = counts(app)
    reply = post(admin, "/admin/staff/new", htmx, **data)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and message in page and "There is a problem" in page
    assert counts(app) == before


def test_an_admin_with_no_role_needs_no_team(app, admin):
    reply = post(admin, "/admin/staff/new", display_name="Bo", email="bo@example.org", team="", role="none",
                 is_admin="y")
    assert reply.status_code == 200
    staff = staff_by_email(app, "bo@example.org")
    assert staff.role is None and staff.team_id is None and staff.is_admin


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_changing_a_staff_member(app, admin, team, htmx):
    other_team = make_team(app, "Riverside coaches")
    make_staff(app, "casey@example.org", team_id=team, role="coach")
    staff = staff_by_email(app, "casey@example.org")
    page = admin.get(f"/admin/staff/{staff.id}").get_data(as_text=True)
    assert "Change a staff member" in page and "casey@example.org" in page
    before = counts(app)
    bad = post(admin, f"/admin/staff/{staff.id}", htmx, team="", role="team_lead")
    assert bad.status_code == 422 and "Choose a team" in bad.get_data(as_text=True)
    assert counts(app) == before and staff_by_email(app, "casey@example.org").role == StaffRole.COACH

    done(post(admin, f"/admin/staff/{staff.id}", htmx, team=str(other_team), role="team_lead",
              job_title="Care coordinator", is_admin="y"), htmx)
    changed = staff_by_email(app, "casey@example.org")
    assert (changed.team_id, changed.role, changed.job_title, changed.is_admin) == (
        other_team, StaffRole.TEAM_LEAD, "Care coordinator", True)
    [event] = events(app, "staff.update")
    assert event.detail == {"staff_id": staff.id, "changed": ["team", "role", "job_title", "admin"]}
    assert event.team_id == other_team


def test_unknown_staff_ids_are_not_found(app, admin):
    assert admin.get("/admin/staff/999").status_code == 404
    assert post(admin, "/admin/staff/999", role="none", is_admin="y").status_code == 404
    assert post(admin, "/admin/staff/999/deactivate").status_code == 404


def test_the_last_admin_stays_an_admin(app, admin):
    me = staff_by_email(app, ADMIN)
    before = counts(app)
    reply = post(admin, f"/admin/staff/{me.id}", team="", role="none")
    assert reply.status_code == 422  # no role and no admin
    reply = post(admin, f"/admin/staff/{me.id}", team="1", role="coach")
    assert reply.status_code == 422 and "only active admin" in reply.get_data(as_text=True)
    assert counts(app) == before and staff_by_email(app, ADMIN).is_admin


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_deactivating_signs_them_out_at_once_and_reactivating_lets_them_back(app, admin, team, htmx):
    make_staff(app, "casey@example.org", team_id=team, role="coach")
    staff = staff_by_email(app, "casey@example.org")
    casey = app.test_client()
    sign_in(casey, "casey@example.org")
    assert casey.get("/staff/account").status_code == 200

    done(post(admin, f"/admin/staff/{staff.id}/deactivate", htmx), htmx)
    assert not staff_by_email(app, "casey@example.org").active
    assert casey.get("/staff/account").headers["Location"].startswith("/sign-in")
    assert sign_in(app.test_client(), "casey@example.org").status_code == 422
    assert "Deactivated" in admin.get("/admin/").get_data(as_text=True)
    assert len(events(app, "staff.deactivate")) == 1

    done(post(admin, f"/admin/staff/{staff.id}/reactivate", htmx), htmx)
    assert staff_by_email(app, "casey@example.org").active
    assert sign_in(app.test_client(), "casey@example.org").status_code == 302
    assert len(events(app, "staff.reactivate")) == 1


def test_an_admin_cannot_deactivate_themselves(app, admin):
    me = staff_by_email(app, ADMIN)
    assert "You cannot deactivate your own account" in admin.get(f"/admin/staff/{me.id}").get_data(as_text=True)
    reply = post(admin, f"/admin/staff/{me.id}/deactivate")
    assert reply.status_code == 422 and "You cannot deactivate your own account" in reply.get_data(as_text=True)
    assert staff_by_email(app, ADMIN).active and events(app, "staff.deactivate") == []


def test_the_last_active_admin_cannot_be_deactivated(app, admin):
    """A second admin, deactivated, cannot then deactivate the first (the service checks too)."""
    from webapp.services import staff as staff_service

    make_staff(app, "bo@example.org", role=None, is_admin=True, name="Bo")
    bo = staff_by_email(app, "bo@example.org")
    done(post(admin, f"/admin/staff/{bo.id}/deactivate"), False)
    with app.app_context():
        me = db.session.scalar(select(StaffMember).join(StaffMember.user).where(User.email == ADMIN))
        actor = db.session.scalar(select(User).where(User.email == "bo@example.org"))
        with pytest.raises(staff_service.LastAdmin):
            staff_service.deactivate(db.session, me, actor=actor)


def test_an_admin_can_let_a_locked_out_member_sign_in_again(app, admin, team):
    app.config.update(LOCKOUT_AFTER_FAILURES=2)
    make_staff(app, "casey@example.org", team_id=team, role="coach")
    for _ in range(2):
        sign_in(app.test_client(), "casey@example.org", "not the password")
    staff = staff_by_email(app, "casey@example.org")
    page = admin.get(f"/admin/staff/{staff.id}").get_data(as_text=True)
    assert "Sign-in paused after wrong passwords" in page
    done(post(admin, f"/admin/staff/{staff.id}/unlock"), False)
    assert sign_in(app.test_client(), "casey@example.org").status_code == 302
    assert events(app, "staff.update")[-1].detail["changed"] == ["sign_in_unlocked"]


def test_an_admin_can_turn_off_two_step_sign_in_for_someone_who_lost_their_phone(app, admin, team):
    from webapp.models import RecoveryCode
    from webapp.services import two_factor

    casey_id = make_staff(app, "casey@example.org", team_id=team, role="coach")
    with app.app_context():
        staff = db.session.scalar(select(StaffMember).where(StaffMember.user_id == casey_id))
        two_factor.enable(db.session, staff, two_factor.new_secret(), 0)
        db.session.commit()
        staff_id = staff.id
    casey = app.test_client()
    assert sign_in(casey, "casey@example.org").headers["Location"] == "/sign-in/code"
    assert "Turn off their two-step sign-in" in admin.get(f"/admin/staff/{staff_id}").get_data(as_text=True)
    done(post(admin, f"/admin/staff/{staff_id}/two-step-off"), False)
    assert staff_by_email(app, "casey@example.org").totp_secret is None
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    [event] = events(app, "two_factor.disable")
    assert event.detail == {"staff_id": staff_id} and event.actor_user_id != casey_id
    assert sign_in(app.test_client(), "casey@example.org").headers["Location"] == "/"
