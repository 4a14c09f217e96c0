"""Setting goals pitched at confidence, and checking in, through the Flask test client."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_person, sign_in
from tests.web.journey import HTMX, complete, ordinal_pick
from webapp.extensions import db
from webapp.models import CheckIn, Goal, GoalRating, GoalStatus

GOAL_URL = re.compile(r"/goals/([0-9a-f-]{36})")


def post(client, url, htmx=False, **data):
    data.setdefault("csrf_token", csrf_token(client, "/"))
    return client.post(url, data=data, headers=HTMX if htmx else {})


def next_url(reply, htmx=False) -> str:
    if htmx:
        assert reply.status_code == 200, reply.get_data(as_text=True)[:1500]
        return re.search(r'"path": "([^"]+)"', reply.headers["HX-Location"]).group(1)
    assert reply.status_code == 303, reply.get_data(as_text=True)[:1500]
    return reply.headers["Location"]


def goals(app) -> list[Goal]:
    with app.app_context():
        return db.session.scalars(select(Goal).order_by(Goal.id)).all()


def first_idea(page: str) -> str:
    return re.search(r'name="idea" type="radio"\s+value="([^"]+)"', page).group(1)


def start_goal(client, words="Get out of the house more", source=None, htmx=False) -> str:
    data = {"own_words": words}
    if source:
        data["from"] = source
    return next_url(post(client, "/goals/new", htmx=htmx, **data), htmx)


def plan(client, goal_path, htmx=False, **fields):
    data = {"what": "Walk to the shop", "how_much": "10 minutes", "when": "After lunch",
            "how_often": "3 days this week", "starts_on": date.today().isoformat()}
    data.update(fields)
    return post(client, goal_path + "/plan", htmx=htmx, **data)


@pytest.fixture
def assessed(signed_in, app):
    """A person who has done both questionnaires: low activation, some priorities."""
    complete(signed_in, app, "capable-activation", ordinal_pick(0.25))
    complete(signed_in, app, "capable-capability", ordinal_pick(0.25))
    return signed_in


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_own_words_come_before_any_suggestion(assessed, app, htmx):
    page = assessed.get("/goals/new").get_data(as_text=True)
    assert "What would you like to work on?" in page
    assert 'name="idea"' not in page  # no suggestions yet
    ideas_url = start_goal(assessed, htmx=htmx)
    assert ideas_url.endswith("/ideas")
    ideas = assessed.get(ideas_url, headers=HTMX if htmx else {}).get_data(as_text=True)
    assert "Get out of the house more" in ideas
    options = re.findall(r'name="idea" type="radio"\s+value="([^"]+)"', ideas)
    assert 3 <= len(options) - 1 <= 5  # the suggestions, plus "make my own plan"
    assert options[-1] == "own"
    assert "You said" in ideas or "builds on" in ideas or "fits where you are" in ideas
    [goal] = goals(app)
    assert goal.status == GoalStatus.DRAFT and goal.own_words == "Get out of the house more"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_the_whole_flow_from_results_to_a_committed_goal(assessed, app, htmx):
    with app.app_context():
        from webapp.models import Response
        source = str(db.session.scalars(select(Response.uuid)).first())
    results = assessed.get(f"/responses/{source}/results").get_data(as_text=True)
    assert f"/goals/new?from={source}" in results
    ideas_url = start_goal(assessed, source=source, htmx=htmx)
    idea = first_idea(assessed.get(ideas_url).get_data(as_text=True))
    goal_path = ideas_url.rsplit("/", 1)[0]
    plan_url = next_url(post(assessed, ideas_url, htmx=htmx, idea=idea), htmx)
    assert plan_url == goal_path + "/plan"
    plan_page = assessed.get(plan_url).get_data(as_text=True)
    assert 'name="what"' in plan_page and 'type="date"' in plan_page
    rate_url = next_url(plan(assessed, goal_path, htmx=htmx), htmx)
    assert rate_url == goal_path + "/rate"
    # Confidence 5: make it smaller or name what is in the way, then rate again.
    smaller_url = next_url(post(assessed, rate_url, htmx=htmx, importance="8", confidence="5"), htmx)
    assert smaller_url == goal_path + "/smaller"
    smaller_page = assessed.get(smaller_url).get_data(as_text=True)
    assert "Why 5 and not lower?" in smaller_page
    assert next_url(post(assessed, smaller_url, htmx=htmx, choice="in_the_way", in_the_way="Rainy days"), htmx) == rate_url
    commit_url = next_url(post(assessed, rate_url, htmx=htmx, importance="8", confidence="8"), htmx)
    assert commit_url == goal_path + "/commit"
    check_in_day = (date.today() + timedelta(days=7)).isoformat()
    show_url = next_url(post(assessed, commit_url, htmx=htmx, check_in_on=check_in_day), htmx)
    assert show_url == goal_path
    [goal] = goals(app)
    assert goal.status == GoalStatus.ACTIVE
    assert (goal.importance, goal.confidence, goal.in_the_way) == (8, 8, "Rainy days")
    assert goal.check_in_on.isoformat() == check_in_day
    assert goal.idea_id == idea and goal.source_response_id is not None
    with app.app_context():
        assert [(r.importance, r.confidence) for r in db.session.scalars(select(GoalRating).order_by(GoalRating.id))] == [(8, 5), (8, 8)]
    shown = assessed.get(show_url, headers=HTMX if htmx else {})
    page = shown.get_data(as_text=True)
    assert ("<!DOCTYPE html>" in page) is (not htmx) and "HX-Request" in shown.headers["Vary"]
    assert "Walk to the shop" in page and "On the go" in page
    assert "sure 5 out of 10" in page and "sure 8 out of 10" in page


def test_confidence_0_to_3_keeps_it_as_thinking_and_offers_a_first_step(assessed, app):
    ideas_url = start_goal(assessed)
    goal_path = ideas_url.rsplit("/", 1)[0]
    post(assessed, ideas_url, idea=first_idea(assessed.get(ideas_url).get_data(as_text=True)))
    plan(assessed, goal_path)
    not_yet_url = next_url(post(assessed, goal_path + "/rate", importance="6", confidence="2"))
    assert not_yet_url == goal_path + "/not-yet"
    assert goals(app)[0].status == GoalStatus.THINKING
    page = assessed.get(not_yet_url).get_data(as_text=True)
    assert "thinking about" in page
    step = re.search(r'name="idea" value="([^"]+)"', page)
    if step:  # the library has a first step from the tier below for this idea
        new_plan = next_url(post(assessed, goal_path + "/first-step", idea=step.group(1)))
        first, second = goals(app)
        assert second.previous_goal_id == first.id and second.status == GoalStatus.DRAFT
        assert new_plan.endswith("/plan")


def test_writing_your_own_goal(assessed, app):
    ideas_url = start_goal(assessed, words="Phone my sister every Sunday")
    plan_url = next_url(post(assessed, ideas_url, idea="own"))
    page = assessed.get(plan_url).get_data(as_text=True)
    assert 'value="Phone my sister every Sunday"' in page
    goal = goals(app)[0]
    assert goal.idea_id is None and goal.what == "Phone my sister every Sunday"


def test_the_confidence_5_then_smaller_variant_path(assessed, app):
    from webapp.catalogue import get_goal_library

    with app.app_context():
        library = get_goal_library()
        idea = next(i for i in library if i.smaller and i.kind == "behaviour")
        smaller = library.smaller_of(idea)
    ideas_url = start_goal(assessed)
    goal_path = ideas_url.rsplit("/", 1)[0]
    with app.app_context():  # choose that idea directly, as if it had been suggested
        goal = db.session.scalar(select(Goal))
        from webapp.services.goals import choose_idea
        choose_idea(db.session, goal, idea, library, None)
        db.session.commit()
    plan(assessed, goal_path, what=idea.plan.what if idea.plan else idea.text)
    next_url(post(assessed, goal_path + "/rate", importance="7", confidence="5"))
    page = assessed.get(goal_path + "/smaller").get_data(as_text=True)
    assert smaller.text in page
    assert next_url(post(assessed, goal_path + "/smaller", choice="smaller")) == goal_path + "/plan"
    goal = goals(app)[0]
    assert goal.idea_id == smaller.id


@pytest.fixture
def active_goal(assessed, app) -> str:
    ideas_url = start_goal(assessed)
    goal_path = ideas_url.rsplit("/", 1)[0]
    post(assessed, ideas_url, idea="own")
    plan(assessed, goal_path)
    post(assessed, goal_path + "/rate", importance="9", confidence="9")
    post(assessed, goal_path + "/commit", check_in_on=date.today().isoformat())
    return goal_path


def check_in(client, goal_path, outcome="done", confidence="8", next_step="keep", htmx=False, **extra):
    data = {"outcome": outcome, "confidence": confidence, "next_step": next_step,
            "next_check_in_on": (date.today() + timedelta(days=7)).isoformat(), **extra}
    return post(client, goal_path + "/check-in", htmx=htmx, **data)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-forms", "htmx"])
def test_home_asks_how_it_went_from_the_check_in_date(active_goal, assessed, app, htmx):
    home = assessed.get("/").get_data(as_text=True)
    assert "How did it go?" in home and "Walk to the shop" in home
    form = assessed.get(active_goal + "/check-in", headers=HTMX if htmx else {}).get_data(as_text=True)
    assert ("<!DOCTYPE html>" in form) is (not htmx) and "How did it go?" in form
    invalid = check_in(assessed, active_goal, outcome="", htmx=htmx)
    assert invalid.status_code == 422 and "Say how it went" in invalid.get_data(as_text=True)
    reply = check_in(assessed, active_goal, helped="My neighbour came too", got_in_the_way="Rain", htmx=htmx)
    assert next_url(reply, htmx) == active_goal
    with app.app_context():
        stored = db.session.scalar(select(CheckIn))
        assert (stored.outcome.value, stored.confidence, stored.helped) == ("done", 8, "My neighbour came too")
    assert "How did it go?" not in assessed.get("/").get_data(as_text=True)
    page = assessed.get(active_goal).get_data(as_text=True)
    assert "My neighbour came too" in page and "Rain" in page


def test_two_good_check_ins_offer_a_bigger_step_and_two_hard_ones_a_smaller(active_goal, assessed, app):
    check_in(assessed, active_goal)
    check_in(assessed, active_goal)
    assert "Ready for a bigger step?" in assessed.get(active_goal).get_data(as_text=True)
    check_in(assessed, active_goal, outcome="not_yet", confidence="3")
    check_in(assessed, active_goal, outcome="not_yet", confidence="2")
    page = assessed.get(active_goal).get_data(as_text=True)
    assert "How about a smaller step?" in page
    assert "fail" not in page.lower()


def test_choosing_bigger_at_check_in_starts_the_next_goal(active_goal, assessed, app):
    reply = check_in(assessed, active_goal, next_step="bigger")
    new_plan = next_url(reply)
    assert new_plan.endswith("/plan") and not new_plan.startswith(active_goal)
    first, second = goals(app)
    assert first.status == GoalStatus.ACHIEVED
    assert second.previous_goal_id == first.id and second.status == GoalStatus.DRAFT


def test_pause_resume_done_and_stop(active_goal, assessed, app):
    assert next_url(post(assessed, active_goal + "/status", action="pause")) == active_goal
    assert goals(app)[0].status == GoalStatus.PAUSED
    post(assessed, active_goal + "/status", action="resume")
    assert goals(app)[0].status == GoalStatus.ACTIVE
    post(assessed, active_goal + "/status", action="achieved")
    assert goals(app)[0].status == GoalStatus.ACHIEVED
    assert post(assessed, active_goal + "/status", action="resume").status_code == 409
    assert post(assessed, active_goal + "/status", action="explode").status_code == 400


def test_with_three_active_goals_the_app_suggests_finishing_one_but_never_blocks(assessed, app):
    for _ in range(3):
        ideas_url = start_goal(assessed)
        goal_path = ideas_url.rsplit("/", 1)[0]
        post(assessed, ideas_url, idea="own")
        plan(assessed, goal_path)
        post(assessed, goal_path + "/rate", importance="9", confidence="9")
        post(assessed, goal_path + "/commit", check_in_on=date.today().isoformat())
    page = assessed.get("/goals/new").get_data(as_text=True)
    assert "You already have 3 goals on the go" in page
    assert next_url(post(assessed, "/goals/new", own_words="A fourth thing")).endswith("/ideas")


@pytest.mark.parametrize(
    ("url_step", "data", "message"),
    [
        ("rate", {"importance": "11", "confidence": "5"}, "Choose a number from 0 to 10"),
        ("rate", {"importance": "-1", "confidence": "5"}, "Choose a number from 0 to 10"),
        ("rate", {"importance": "five", "confidence": "5"}, "Choose a number from 0 to 10"),
        ("rate", {"confidence": "5"}, "Choose a number from 0 to 10"),
        ("plan", {"what": "", "starts_on": "2030-01-01"}, "Say what you will do"),
        ("plan", {"what": "x" * 301, "starts_on": "2030-01-01"}, "Keep it to 300 characters or fewer"),
        ("plan", {"what": "Walk", "starts_on": "2020-01-01"}, "Choose today or a date in the future"),
        ("plan", {"what": "Walk", "starts_on": "31/31/2031"}, "Enter a real date"),
    ],
)
def test_bad_plans_and_rulers_get_a_clear_message_and_store_nothing(assessed, app, url_step, data, message):
    ideas_url = start_goal(assessed)
    goal_path = ideas_url.rsplit("/", 1)[0]
    post(assessed, ideas_url, idea="own")
    before = goals(app)[0]
    reply = post(assessed, f"{goal_path}/{url_step}", **data)
    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    after = goals(app)[0]
    assert (after.what, after.starts_on, after.importance, after.confidence) == (
        before.what, before.starts_on, before.importance, before.confidence)
    with app.app_context():
        assert db.session.scalar(select(func.count(GoalRating.id))) == 0


def test_empty_or_huge_own_words_are_refused(assessed, app):
    for words, message in (("", "Say what you would like to work on"), ("   ", "Say what you would like to work on"),
                           ("x" * 501, "Keep it to 500 characters or fewer")):
        reply = post(assessed, "/goals/new", own_words=words)
        assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    assert goals(app) == []


def test_a_check_in_date_in_the_past_is_refused(assessed, app):
    ideas_url = start_goal(assessed)
    goal_path = ideas_url.rsplit("/", 1)[0]
    post(assessed, ideas_url, idea="own")
    plan(assessed, goal_path)
    post(assessed, goal_path + "/rate", importance="9", confidence="9")
    reply = post(assessed, goal_path + "/commit", check_in_on=(date.today() - timedelta(days=1)).isoformat())
    assert reply.status_code == 422
    assert "Choose today or a date in the future" in reply.get_data(as_text=True)
    assert goals(app)[0].status == GoalStatus.DRAFT


def test_a_check_in_that_keeps_going_needs_a_future_date(active_goal, assessed, app):
    reply = check_in(assessed, active_goal, next_check_in_on="")
    assert reply.status_code == 422 and "Enter a date to check in again" in reply.get_data(as_text=True)
    reply = check_in(assessed, active_goal, confidence="12")
    assert reply.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(CheckIn.id))) == 0


def test_an_unknown_idea_is_refused(assessed, app):
    ideas_url = start_goal(assessed)
    reply = post(assessed, ideas_url, idea="no-such-idea")
    assert reply.status_code == 422
    assert "Choose one of the ideas, or write your own" in reply.get_data(as_text=True)
    assert goals(app)[0].idea_id is None


def test_someone_elses_goal_and_unknown_goals_are_not_found(active_goal, assessed, app):
    make_person(app, email="other@example.org")
    other = app.test_client()
    sign_in(other, email="other@example.org")
    for path in (active_goal, active_goal + "/plan", active_goal + "/check-in"):
        assert other.get(path).status_code == 404
    assert post(other, active_goal + "/status", action="stop").status_code == 404
    assert check_in(other, active_goal).status_code == 404
    assert other.get(f"/goals/{uuid.uuid4()}").status_code == 404
    assert other.get("/goals/not-a-uuid").status_code == 404
    assert goals(app)[0].status == GoalStatus.ACTIVE


def test_goal_pages_need_sign_in(client):
    assert client.get("/goals").status_code == 302
    assert client.get("/goals/new").status_code == 302


def test_an_active_goal_can_be_changed_and_is_rated_again(active_goal, assessed, app):
    page = assessed.get(active_goal).get_data(as_text=True)
    assert f'href="{active_goal}/plan"' in page and "Change the plan" in page
    rate_url = next_url(plan(assessed, active_goal, what="Walk to the park"))
    assert rate_url == active_goal + "/rate"
    commit_url = next_url(post(assessed, rate_url, importance="9", confidence="8"))
    next_week = (date.today() + timedelta(days=7)).isoformat()
    assert next_url(post(assessed, commit_url, check_in_on=next_week)) == active_goal
    [goal] = goals(app)
    assert (goal.what, goal.status, goal.check_in_on.isoformat()) == ("Walk to the park", GoalStatus.ACTIVE, next_week)
    page = assessed.get(active_goal).get_data(as_text=True)
    assert "plan then: Walk to the shop" in page  # the history keeps what the plan said before
