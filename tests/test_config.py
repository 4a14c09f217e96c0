"""Settings from the environment, start-up checks, and the first run on an empty database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp import create_app
from webapp.config import PROJECT_ROOT, ConfigError, database_url
from webapp.domain.questionnaires import DefinitionErrors
from webapp.extensions import db
from webapp.models import Response, User

EXAMPLE_LICENSED = PROJECT_ROOT / "questionnaires" / "examples" / "made-up-licensed"


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    for name in ("CAPABLE_SECRET_KEY", "SECRET_KEY", "CAPABLE_DATABASE_URL", "DATABASE_URL",
                 "CAPABLE_QUESTIONNAIRE_DIRS", "FLASK_DEBUG", "CAPABLE_DEMO_DATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAPABLE_DATABASE_URL", f"sqlite:///{tmp_path / 'config.sqlite3'}")
    return monkeypatch


def dispose(app):
    with app.app_context():
        db.engine.dispose()


def test_refuses_to_start_in_production_without_a_secret_key(clean_environment):
    with pytest.raises(ConfigError, match="CAPABLE_SECRET_KEY is not set"):
        create_app()


def test_starts_with_a_secret_key_and_secure_cookies_in_production(clean_environment):
    clean_environment.setenv("CAPABLE_SECRET_KEY", "a-long-random-value-for-this-test")
    app = create_app()
    assert app.config["SECRET_KEY"] == "a-long-random-value-for-this-test"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEMO_DATA"] is False
    dispose(app)


def test_debug_runs_without_a_secret_and_makes_a_demo_person_once(clean_environment, capsys):
    clean_environment.setenv("FLASK_DEBUG", "1")
    app = create_app()
    printed = capsys.readouterr().err
    assert "Sign in with demo@capable.example and password try-capable-demo" in printed
    assert "Demo staff: coach@capable.example (team lead) and admin@capable.example (admin)" in printed
    with app.app_context():
        people = 7  # Sam, four others on the demo caseload, the coach and the admin
        assert db.session.scalar(select(func.count(User.id))) == people
        completed = db.session.scalars(select(Response).where(Response.person_id == 1)).all()
        assert len(completed) >= 4 and all(r.completed for r in completed)
        span = max(r.received_at for r in completed) - min(r.received_at for r in completed)
        assert span.days >= 60  # a few months of history
    dispose(app)
    again = create_app()  # a second start finds the demo person and changes nothing
    assert "Demo person created" not in capsys.readouterr().err
    with again.app_context():
        assert db.session.scalar(select(func.count(User.id))) == people
    dispose(again)


def test_the_demo_coach_sees_the_demo_caseload_with_its_flags_and_sams_record(clean_environment):
    clean_environment.setenv("FLASK_DEBUG", "1")
    app = create_app()
    client = app.test_client()
    from tests.conftest import csrf_token

    client.post("/sign-in", data={"email": "coach@capable.example", "password": "try-capable-demo",
                                  "csrf_token": csrf_token(client, "/sign-in")})
    caseload = client.get("/staff/").get_data(as_text=True)
    for name in ("Sam", "Alex", "Jordan", "Priya", "Morgan"):
        assert name in caseload
    for flag in ("Stage dropped", "Reassessment due"):
        assert flag in caseload
    sam = client.get("/staff/people/1").get_data(as_text=True)
    assert "First meeting at the surgery" in sam  # the demo note
    plan = client.get("/staff/people/1/plan").get_data(as_text=True)
    assert "Walking group on Thursday mornings" in plan
    assert client.get("/staff/reports").status_code == 200
    dispose(app)


def test_the_demo_person_can_sign_in_and_see_history(clean_environment):
    clean_environment.setenv("FLASK_DEBUG", "1")
    app = create_app()
    client = app.test_client()
    from tests.conftest import csrf_token

    client.post("/sign-in", data={"email": "demo@capable.example", "password": "try-capable-demo",
                                  "csrf_token": csrf_token(client, "/sign-in")})
    history = client.get("/history").get_data(as_text=True)
    assert "since your first time" in history
    home = client.get("/").get_data(as_text=True)
    assert "How did it go?" in home  # the demo goal's check-in is due
    goals = client.get("/goals").get_data(as_text=True)
    assert "On the go" in goals
    with app.app_context():
        from webapp.models import Goal

        goal = db.session.scalar(select(Goal))
        assert len(goal.ratings) == 2 and len(goal.check_ins) == 2
    dispose(app)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@db:5432/capable", "postgresql+psycopg://u@db:5432/capable"),
        ("postgresql://u@db/capable", "postgresql+psycopg://u@db/capable"),
        ("postgresql+psycopg://u@db/capable", "postgresql+psycopg://u@db/capable"),
        ("sqlite:////srv/capable.sqlite3", "sqlite:////srv/capable.sqlite3"),
    ],
)
def test_database_urls_use_psycopg_3(given, used):
    assert database_url(given) == used


def test_default_database_is_sqlite_in_the_instance_folder(clean_environment):
    clean_environment.delenv("CAPABLE_DATABASE_URL")
    clean_environment.setenv("CAPABLE_SECRET_KEY", "x" * 32)
    clean_environment.setenv("CAPABLE_AUTO_MIGRATE", "0")
    app = create_app()
    url = app.config["SQLALCHEMY_ENGINES"]["default"]
    assert url.startswith("sqlite:///") and url.endswith("instance/capable.sqlite3")
    dispose(app)


def test_a_broken_questionnaire_stops_start_up_naming_file_item_and_problem(clean_environment, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text(
        "kind: questionnaire\nid: broken-one\nversion: '1'\ntitle: Broken\ndescription: x\nlicence: x\n"
        "items:\n  - linkId: q1\n    type: choice\n    text: Pick\n    options: no-such-set\n",
        encoding="utf-8",
    )
    clean_environment.setenv("CAPABLE_SECRET_KEY", "x" * 32)
    clean_environment.setenv("CAPABLE_QUESTIONNAIRE_DIRS", str(broken))
    with pytest.raises(DefinitionErrors) as raised:
        create_app()
    message = str(raised.value)
    assert "bad.yaml" in message
    assert "q1" in message
    assert "no-such-set" in message


def test_an_extra_folder_loads_a_licensed_instrument_scored_like_a_built_in(clean_environment):
    clean_environment.setenv("CAPABLE_SECRET_KEY", "x" * 32)
    clean_environment.setenv("CAPABLE_QUESTIONNAIRE_DIRS", str(EXAMPLE_LICENSED))
    app = create_app()
    from webapp.catalogue import get_catalogue

    with app.app_context():
        ids = {q.id for q in get_catalogue()}
        assert {"capable-activation", "capable-capability"} < ids
        example = next(q for q in get_catalogue() if q.id not in {"capable-activation", "capable-capability"})
        answers = {}
        for item in example.answerable_items:
            answers[item.link_id] = max((o for o in item.options if not o.not_applicable), key=lambda o: o.value).code
        result = example.score(answers)
        headline = result.scales[result.headline]
        assert headline.level == 4
        assert headline.score is not None
    dispose(app)


def test_a_service_folder_extends_and_replaces_goal_ideas(clean_environment, tmp_path):
    own = tmp_path / "our-goals"
    own.mkdir()
    (own / "local.yaml").write_text(
        "kind: goal-library\nid: our-service\nversion: '1'\ntitle: Local ideas\nlicence: Ours\npriority: 10\n"
        "goals:\n"
        "  - id: walking-group-thursday\n    kind: support\n    tier: 1\n"
        "    text: Join the Thursday walking group at the library.\n    domains: [community]\n    barriers: [confidence]\n"
        "  - id: walk-short\n    kind: behaviour\n    tier: 2\n    text: Walk to the park gate and back.\n"
        "    domains: [health]\n    blocks: [acting]\n",
        encoding="utf-8",
    )
    clean_environment.setenv("CAPABLE_SECRET_KEY", "x" * 32)
    clean_environment.setenv("CAPABLE_GOAL_DIRS", str(own))
    app = create_app()
    from webapp.catalogue import get_goal_library

    with app.app_context():
        library = get_goal_library()
        assert library.get("walking-group-thursday").text.startswith("Join the Thursday walking group")
        assert library.get("walk-short").text == "Walk to the park gate and back."  # replaced
        assert len(library) > 40  # the built-in ideas are still there
    dispose(app)
