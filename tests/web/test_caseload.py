"""The caseload a coach sees at /staff/: figures, flags, filters, sorting, pages and access."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from tests.conftest import add_assessment, make_person, make_staff, make_team, share_with, sign_in
from tests.web.journey import HTMX
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    CheckIn,
    CheckInOutcome,
    Consent,
    Goal,
    GoalRating,
    GoalStatus,
    Invite,
    NextStep,
    Response,
    Score,
    StaffMember,
    User,
)
from webapp.services.consent import withdraw

ROW = re.compile(r"<tr class=\"nhsuk-table__row\" role=\"row\">(.*?)</tr>", re.S)
HEADING = re.compile(r'<span class="nhsuk-table__heading" aria-hidden="true">[^<]*</span>')


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table(page: str) -> dict[str, str]:
    """Each person's row as text (without the mobile column headings), by name."""
    body = page[page.index("<tbody"):page.index("</tbody>")]
    rows = {}
    for match in ROW.finditer(body):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", HEADING.sub("", match.group(1)), re.S)
        rows[text(cells[0])] = " | ".join(text(cell) for cell in cells)
    return rows


def names(page: str) -> list[str]:
    return list(table(page))


def keep_headline(response: Response, value: float, level: int | None) -> None:
    """The headline figure the response keeps, as scoring on receipt sets it (without touching
    ``updated_at``, which the caseload reads as activity)."""
    db.session.execute(update(Response).where(Response.id == response.id).values(
        headline_score=value, headline_level=level, updated_at=Response.updated_at))


def set_headline(app, response_uuid: str, value: float, level: int) -> None:
    """Pin an activation result's headline score and stage, so the test knows the figures."""
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.uuid == uuid.UUID(response_uuid)))
        score = next(score for score in response.scores if score.scale_id == "overall")
        score.value, score.level = value, level
        keep_headline(response, value, level)
        db.session.commit()


def set_capability(app, response_uuid: str, index: float) -> None:
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.uuid == uuid.UUID(response_uuid)))
        next(score for score in response.scores if score.scale_id == "capability-index").value = index
        keep_headline(response, index, None)
        db.session.commit()


def assess(app, person_id, value, level, days_ago):
    set_headline(app, add_assessment(app, person_id, wellness=0.5, days_ago=days_ago), value, level)


def add_goal(app, person_id, *, check_in_confidence=None, rating_confidence=None, days_ago=1,
             status=GoalStatus.ACTIVE) -> None:
    with app.app_context():
        when = utcnow() - timedelta(days=days_ago)
        goal = Goal(person_id=person_id, what="Walk to the shop", status=status, created_at=when, updated_at=when)
        db.session.add(goal)
        db.session.flush()
        if rating_confidence is not None:
            db.session.add(GoalRating(goal_id=goal.id, importance=8, confidence=rating_confidence, rated_at=when))
        if check_in_confidence is not None:
            db.session.add(CheckIn(goal_id=goal.id, outcome=CheckInOutcome.PARTLY, confidence=check_in_confidence,
                                   next_step=NextStep.KEEP, created_at=when, authored_at=when))
        db.session.commit()


@pytest.fixture
def team(app) -> int:
    return make_team(app)


@pytest.fixture
def coach(app, team) -> int:
    return make_staff(app, "casey@example.org", team_id=team, name="Casey")


@pytest.fixture
def caseload(app, team, coach):
    """Casey's team: Pat (improving, low confidence), Sam (dropped a stage, gone quiet), Ann
    (joined by invite, nothing done yet), a person with no name, and people who must not show."""
    people = {}
    people["pat"] = pat = make_person(app, "pat@example.org", name="Pat Jones")
    share_with(app, pat, team, coach)
    assess(app, pat, 48, 2, days_ago=120)
    assess(app, pat, 60, 2, days_ago=20)
    set_capability(app, add_assessment(app, pat, "capable-capability", days_ago=19), 0.62)
    add_goal(app, pat, check_in_confidence=5, rating_confidence=9, days_ago=3)
    add_goal(app, pat, days_ago=4)
    add_goal(app, pat, status=GoalStatus.ACHIEVED, days_ago=30)

    people["sam"] = sam = make_person(app, "sam@example.org", name="Sam Lee")
    share_with(app, sam, team, coach)
    assess(app, sam, 50, 2, days_ago=160)
    assess(app, sam, 80, 4, days_ago=130)
    assess(app, sam, 58, 2, days_ago=100)
    add_goal(app, sam, rating_confidence=8, days_ago=90)

    people["ann"] = ann = make_person(app, "ann@example.org", name="Annie")
    consent_id = share_with(app, ann, team, coach)
    with app.app_context():
        invite = Invite(token_hash=uuid.uuid4().hex, team_id=team, person_label="Ann B (ref 12)",
                        expires_at=utcnow() + timedelta(days=14), claimed_at=utcnow(), claimed_by_id=ann)
        db.session.add(invite)
        db.session.flush()
        db.session.get(Consent, consent_id).invite_id = invite.id
        db.session.commit()

    people["nameless"] = nameless = make_person(app, "x@example.org", name=None)
    share_with(app, nameless, team, None)

    people["gone"] = gone = make_person(app, "gone@example.org", name="Gone Away")
    gone_consent = share_with(app, gone, team, coach)
    with app.app_context():
        withdraw(db.session, db.session.get(Consent, gone_consent), db.session.get(User, gone))
        db.session.commit()

    other_team = make_team(app, "South Vale care coordinators")
    other_coach = make_staff(app, "olu@example.org", team_id=other_team, name="Olu")
    people["elsewhere"] = elsewhere = make_person(app, "else@example.org", name="Elsewhere Person")
    share_with(app, elsewhere, other_team, other_coach)
    return people


def page_of(client, query: str = "", htmx: bool = False):
    return client.get("/staff/" + query, headers=HTMX if htmx else {})


def test_a_coach_sees_the_figures_they_would_check(app, client, caseload):
    sign_in(client, "casey@example.org")
    reply = page_of(client, "?scope=team")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    rows = table(page)

    assert sorted(rows) == sorted(["Pat Jones", "Sam Lee", "Ann B (ref 12)", f"Person {caseload['nameless']}"])
    pat = rows["Pat Jones"]
    assert "Stage 2: Building knowledge and confidence" in pat
    assert "Score 60" in pat
    assert "+12" in pat and "Same stage" in pat
    assert "62%" in pat
    assert "2 active" in pat
    assert "Confidence 5 out of 10" in pat  # the check-in, not the later rating of 9
    assert "You" in pat

    sam = rows["Sam Lee"]
    assert "Score 58" in sam and "+8" in sam
    assert "Confidence 8 out of 10" in sam  # no check-in: the latest rating
    assert "Only one assessment" not in sam

    ann = rows["Ann B (ref 12)"]
    assert "Not assessed yet" in ann and "None yet" in ann
    assert "No named coach" in rows[f"Person {caseload['nameless']}"]

    assert f'href="/staff/people/{caseload["pat"]}"' in page
    assert "Showing 1 to 4 of 4 people" in page
    assert "Showing 1 to 3 of 3 people" in page_of(client).get_data(as_text=True)  # Casey's own
    assert "Gone Away" not in page and "Elsewhere Person" not in page


def test_flags_are_words_for_the_right_people(app, client, caseload):
    sign_in(client, "casey@example.org")
    rows = table(page_of(client).get_data(as_text=True))

    def flags(name):
        return rows[name].rsplit(" | ", 1)[1]

    assert flags("Pat Jones") == "Confidence under 7"
    assert flags("Sam Lee") == "Stage dropped Reassessment due No activity for 4 weeks"
    # Ann joined today: nothing assessed yet, but not yet inactive.
    assert flags("Ann B (ref 12)") == "Reassessment due"


def test_a_person_with_no_activity_since_joining_long_ago_is_flagged(app, client, team, coach):
    person = make_person(app, "quiet@example.org", name="Quiet")
    consent_id = share_with(app, person, team, coach)
    with app.app_context():
        db.session.get(Consent, consent_id).granted_at = utcnow() - timedelta(weeks=5)
        db.session.commit()
    sign_in(client, "casey@example.org")
    assert "No activity for 4 weeks" in table(page_of(client).get_data(as_text=True))["Quiet"]


def test_filters_by_flag_and_name(app, client, caseload):
    sign_in(client, "casey@example.org")
    assert names(page_of(client, "?flag=low_confidence").get_data(as_text=True)) == ["Pat Jones"]
    assert names(page_of(client, "?flag=stage_dropped").get_data(as_text=True)) == ["Sam Lee"]
    assert sorted(names(page_of(client, "?flag=any&scope=team").get_data(as_text=True))) == sorted(
        ["Ann B (ref 12)", "Pat Jones", "Sam Lee", f"Person {caseload['nameless']}"])
    assert names(page_of(client, "?q=ann+b").get_data(as_text=True)) == ["Ann B (ref 12)"]
    page = page_of(client, "?q=nobody-like-this").get_data(as_text=True)
    assert "No one matches what you chose." in page and "<tbody" not in page
    # An unknown flag shows everyone rather than failing.
    reply = page_of(client, "?flag=purple&scope=team")
    assert reply.status_code == 200 and len(names(reply.get_data(as_text=True))) == 4


def test_a_coach_sees_their_own_people_first_and_can_see_the_team(app, client, caseload, team):
    other = make_staff(app, "dee@example.org", team_id=team, name="Dee")
    theirs = make_person(app, "theirs@example.org", name="Theo")
    share_with(app, theirs, team, other)

    sign_in(client, "casey@example.org")
    page = page_of(client).get_data(as_text=True)
    assert "Theo" not in names(page) and "Pat Jones" in names(page)
    assert re.search(r'value="mine"\s+checked', page)
    page = page_of(client, "?scope=team").get_data(as_text=True)
    assert "Theo" in names(page)
    assert "Dee" in table(page)["Theo"]


def test_a_coach_with_no_people_of_their_own_sees_the_team(app, client, caseload, team):
    make_staff(app, "new@example.org", team_id=team, name="New")
    sign_in(client, "new@example.org")
    page = page_of(client).get_data(as_text=True)
    assert len(names(page)) == 4
    assert re.search(r'value="team"\s+checked', page)


def test_a_team_lead_sees_the_whole_team_by_default(app, client, caseload, team):
    lead = make_staff(app, "lee@example.org", team_id=team, role="team_lead", name="Lee")
    mine = make_person(app, "mine@example.org", name="Mo")
    share_with(app, mine, team, lead)
    sign_in(client, "lee@example.org")
    page = page_of(client).get_data(as_text=True)
    assert len(names(page)) == 5
    assert names(page_of(client, "?scope=mine").get_data(as_text=True)) == ["Mo"]


def test_sorting_by_columns(app, client, caseload):
    sign_in(client, "casey@example.org")
    nameless = f"Person {caseload['nameless']}"
    page = page_of(client, "?scope=team").get_data(as_text=True)
    assert names(page) == ["Ann B (ref 12)", "Pat Jones", nameless, "Sam Lee"]
    assert re.search(r'aria-sort="ascending">\s*<a[^>]*>Name</a>', page)
    assert page.count("aria-sort=") == 1

    page = page_of(client, "?scope=team&sort=name&dir=desc").get_data(as_text=True)
    assert names(page) == ["Sam Lee", nameless, "Pat Jones", "Ann B (ref 12)"]
    assert re.search(r'aria-sort="descending">\s*<a[^>]*>Name</a>', page)

    # People with no value come last both ways; ties keep name order.
    page = page_of(client, "?scope=team&sort=change&dir=desc").get_data(as_text=True)
    assert names(page) == ["Pat Jones", "Sam Lee", "Ann B (ref 12)", nameless]
    assert re.search(r'aria-sort="descending">\s*<a[^>]*>Change</a>', page)
    assert names(page_of(client, "?scope=team&sort=flags&dir=desc").get_data(as_text=True)) == [
        "Sam Lee", "Ann B (ref 12)", "Pat Jones", nameless]
    assert names(page_of(client, "?scope=team&sort=stage").get_data(as_text=True))[:2] == ["Pat Jones", "Sam Lee"]
    assert names(page_of(client, "?scope=team&sort=capability").get_data(as_text=True))[0] == "Pat Jones"
    assert names(page_of(client, "?scope=team&sort=activity&dir=desc").get_data(as_text=True)) == [
        "Pat Jones", "Sam Lee", "Ann B (ref 12)", nameless]

    # The sorted column's link turns it round; filters are kept.
    page = page_of(client, "?scope=team&sort=stage&flag=any").get_data(as_text=True)
    assert 'href="/staff/?scope=team&amp;flag=any&amp;sort=stage&amp;dir=desc"' in page

    reply = page_of(client, "?scope=team&sort=shoe-size&dir=sideways")
    assert reply.status_code == 200
    assert names(reply.get_data(as_text=True)) == ["Ann B (ref 12)", "Pat Jones", nameless, "Sam Lee"]


def add_people(app, team_id: int, coach_user_id: int | None, count: int, start: int = 0) -> None:
    """``count`` people with a record in every figure the caseload shows, written directly."""
    with app.app_context():
        coach = db.session.scalar(select(StaffMember).where(StaffMember.user_id == coach_user_id))
        now = utcnow()
        for number in range(start, start + count):
            person = User(email=f"person{number}@example.org", password_hash="-", display_name=f"Person {number:03}")
            db.session.add(person)
            db.session.flush()
            db.session.add(Consent(person_id=person.id, team_id=team_id, coach_id=coach.id if coach else None,
                                   wording_version="1"))
            for days_ago, questionnaire, scale, value, level in (
                (100, "capable-activation", "overall", 40 + number % 30, 1 + number % 4),
                (10, "capable-activation", "overall", 50 + number % 30, 1 + (number + 1) % 4),
                (10, "capable-capability", "capability-index", (number % 10) / 10, None),
            ):
                when = now - timedelta(days=days_ago)
                response = Response(uuid=uuid.uuid4(), person_id=person.id, questionnaire_id=questionnaire,
                                    questionnaire_version="1", status="completed", started_at=when,
                                    updated_at=when, authored_at=when, received_at=when,
                                    headline_score=value, headline_level=level)
                response.scores.append(Score(scale_id=scale, value=value, level=level))
                db.session.add(response)
            goal = Goal(person_id=person.id, what="Walk", status=GoalStatus.ACTIVE)
            goal.ratings.append(GoalRating(importance=7, confidence=6))
            goal.check_ins.append(CheckIn(outcome=CheckInOutcome.DONE, confidence=number % 11, next_step=NextStep.KEEP))
            db.session.add(goal)
        db.session.commit()


def test_pages_of_25(app, client, team, coach):
    add_people(app, team, coach, 60)
    sign_in(client, "casey@example.org")
    page = page_of(client).get_data(as_text=True)
    assert "Showing 1 to 25 of 60 people" in page
    assert names(page)[0] == "Person 000" and len(names(page)) == 25
    assert 'aria-current="page"' in page and 'rel="next"' in page and 'rel="prev"' not in page

    page = page_of(client, "?page=2").get_data(as_text=True)
    assert "Showing 26 to 50 of 60 people" in page
    assert names(page)[0] == "Person 025"
    assert 'href="/staff/?page=3"' in page and 'href="/staff/"' in page

    page = page_of(client, "?page=3&sort=name&dir=desc").get_data(as_text=True)
    assert "Showing 51 to 60 of 60 people" in page
    assert names(page)[-1] == "Person 000"
    assert 'rel="next"' not in page


@pytest.mark.parametrize("value, shown", [
    ("0", "Showing 1 to 25"), ("-3", "Showing 1 to 25"), ("abc", "Showing 1 to 25"), ("2.5", "Showing 1 to 25"),
    ("99999", "Showing 26 to 30"), ("9" * 50, "Showing 26 to 30"), ("", "Showing 1 to 25"),
])
def test_bad_page_numbers_fall_back(app, client, team, coach, value, shown):
    add_people(app, team, coach, 30)
    sign_in(client, "casey@example.org")
    reply = page_of(client, f"?page={value}")
    assert reply.status_code == 200
    assert shown in reply.get_data(as_text=True)


def test_a_search_too_long_is_explained(app, client, caseload):
    sign_in(client, "casey@example.org")
    reply = page_of(client, "?q=" + "a" * 101)
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "There is a problem" in page and "Search for a name of 100 characters or fewer" in page
    assert 'href="#q"' in page


def test_htmx_gets_the_fragment_and_plain_requests_the_page(app, client, caseload):
    sign_in(client, "casey@example.org")
    whole = page_of(client, "?flag=any")
    assert "<html" in whole.get_data(as_text=True)
    assert "HX-Request" in whole.headers["Vary"]

    part = page_of(client, "?flag=any&page=7", htmx=True)
    body = part.get_data(as_text=True)
    assert part.status_code == 200
    assert "<html" not in body and "<title>Caseload – Capable</title>" in body
    assert body.count("<h1") == 1
    assert part.headers["HX-Push-Url"] == "/staff/?flag=any"  # the page it really showed
    assert 'hx-get="/staff/"' in body and 'hx-target="#app-content"' in body and 'hx-push-url="true"' in body
    assert 'method="get" action="/staff/"' in body


def test_an_empty_caseload_says_how_to_add_people(app, client, team, coach):
    sign_in(client, "casey@example.org")
    page = page_of(client).get_data(as_text=True)
    assert "No one shares their record with your team yet." in page
    assert 'href="/staff/invites"' in page
    assert "<table" not in page


def test_people_and_admins_without_a_role_cannot_see_it(app, client, team):
    make_person(app, "alex@example.org")
    sign_in(client, "alex@example.org")
    assert page_of(client).status_code == 403

    other = app.test_client()
    make_staff(app, "admin@example.org", role=None, is_admin=True, name="Ada")
    sign_in(other, "admin@example.org")
    assert other.get("/staff/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    reply = client.get("/staff/")
    assert reply.status_code == 302 and "/sign-in" in reply.headers["Location"]


def test_each_view_is_audited_once_without_a_person(app, client, caseload, team, coach):
    sign_in(client, "casey@example.org")
    page_of(client, "?flag=any")
    page_of(client, "?page=2", htmx=True)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "caseload.view")).all()
        assert [(event.actor_user_id, event.team_id, event.person_id, event.detail) for event in events] == [
            (coach, team, None, None), (coach, team, None, None)]


def count_queries(app, client) -> int:
    with app.app_context():
        engine = db.engine
    statements = []

    def counted(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", counted)
    try:
        reply = client.get("/staff/?scope=team&sort=flags")
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert reply.status_code == 200
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_caseload(app, client, team, coach):
    add_people(app, team, coach, 3)
    sign_in(client, "casey@example.org")
    client.get("/staff/")  # the first request of a session may load things once
    small = count_queries(app, client)
    add_people(app, team, coach, 37, start=3)
    large = count_queries(app, client)
    assert "Showing 1 to 25 of 40 people" in page_of(client, "?scope=team").get_data(as_text=True)
    assert small == large
    assert small < 20
