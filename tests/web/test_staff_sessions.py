"""Staff sessions: where staff land, how long a session lasts, and what a staff account is for."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_staff, make_team, sign_in
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import StaffMember
from webapp.staff.access import LAST_SEEN_KEY


def header_links(page: str) -> list[str]:
    return re.findall(r'class="nhsuk-header__account-link" href="[^"]*">\s*([^<]+?)\s*<', page)


def test_staff_land_on_the_caseload_and_the_header_shows_the_workspace(app, client):
    make_staff(app, team_id=make_team(app))
    assert sign_in(client, "casey@example.org").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    # A coach, not a team lead or an admin: no reports, no administration, no person pages.
    assert header_links(page) == ["Caseload", "Invite someone", "Account"]
    assert "Sign out</button>" in page


def test_a_team_lead_and_an_admin_see_their_links(app):
    team = make_team(app)
    make_staff(app, "lead@example.org", team_id=team, role="team_lead")
    make_staff(app, "admin@example.org", role=None, is_admin=True)
    lead, admin = app.test_client(), app.test_client()
    sign_in(lead, "lead@example.org")
    sign_in(admin, "admin@example.org")
    assert header_links(lead.get("/staff/").get_data(as_text=True)) == [
        "Caseload", "Invite someone", "Reports", "Account"]
    assert lead.get("/").headers["Location"] == "/staff/"
    assert admin.get("/").headers["Location"] == "/admin/"  # an admin who is not a coach has no caseload
    assert header_links(admin.get("/admin/").get_data(as_text=True)) == ["Reports", "Admin", "Account"]


def test_a_person_sees_their_own_pages_in_the_header(app, client, person):
    sign_in(client)
    assert header_links(client.get("/").get_data(as_text=True)) == ["My results", "My goals", "My plan", "Account"]


def test_a_staff_session_ends_after_the_idle_time_and_sign_in_brings_them_back(app, client):
    make_staff(app, team_id=make_team(app))
    sign_in(client, "casey@example.org")
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        idle = app.config["STAFF_IDLE_MINUTES"]
        session[LAST_SEEN_KEY] = (utcnow() - timedelta(minutes=idle + 1)).isoformat()
    reply = client.get("/staff/invites")
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/sign-in?next=/staff/invites")
    assert client.get("/staff/").headers["Location"].startswith("/sign-in")  # signed out for real
    page = client.get("/sign-in").get_data(as_text=True)
    assert "You were signed out because you had not used the service for a while." in page


def test_a_staff_session_used_within_the_idle_time_carries_on(app, client):
    make_staff(app, team_id=make_team(app))
    sign_in(client, "casey@example.org")
    with client.session_transaction() as session:
        idle = app.config["STAFF_IDLE_MINUTES"]
        session[LAST_SEEN_KEY] = (utcnow() - timedelta(minutes=idle - 1)).isoformat()
    assert client.get("/staff/").status_code == 200


def test_a_person_has_no_idle_limit(app, client, person):
    sign_in(client)
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = (utcnow() - timedelta(days=3)).isoformat()
    assert client.get("/history").status_code == 200


def test_deactivating_a_staff_member_signs_them_out_at_their_next_request(app, client):
    user_id = make_staff(app, team_id=make_team(app))
    sign_in(client, "casey@example.org")
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        staff = db.session.scalar(select(StaffMember).where(StaffMember.user_id == user_id))
        staff.deactivated_at = utcnow()
        db.session.commit()
    reply = client.get("/staff/")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/sign-in")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_staff_pages_are_never_kept_by_browsers_or_the_service_worker(app, client):
    make_staff(app, team_id=make_team(app))
    sign_in(client, "casey@example.org")
    reply = client.get("/staff/")
    assert reply.headers["Cache-Control"] == "no-store"
    assert "X-Capable-Cache" not in reply.headers
    page = reply.get_data(as_text=True)
    assert 'data-sw=""' in page and 'data-user=""' in page  # no service worker, no local storage
