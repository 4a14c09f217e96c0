"""The Alembic revisions build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from webapp import migrations
from webapp.config import database_url
from webapp.db import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    else:
        url = os.environ.get("CAPABLE_TEST_DATABASE_URL")
        if not url:
            pytest.skip("set CAPABLE_TEST_DATABASE_URL to a PostgreSQL database to check migrations there")
        engine = create_engine(database_url(url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()


def schema_differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrading_an_empty_database_yields_the_models_schema(empty_engine):
    migrations.upgrade(empty_engine)
    assert migrations.is_up_to_date(empty_engine)
    assert schema_differences(empty_engine) == []
    tables = set(inspect(empty_engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_downgrading_to_base_removes_every_table(empty_engine):
    migrations.upgrade(empty_engine)
    migrations.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    assert migrations.current_revision(empty_engine) is None
    migrations.upgrade(empty_engine)  # and up again, as a redeploy would
    assert schema_differences(empty_engine) == []


def test_every_revision_has_a_downgrade():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    for revision in scripts.walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        body = source.split("def downgrade() -> None:", 1)[1]
        assert "op." in body, f"{revision.revision} has an empty downgrade"


def test_migration_0005_fills_in_the_headline_of_every_response_completed_before_it(app):
    """Responses sent before revision 0005 get the headline figure the app now stores on receipt."""
    from sqlalchemy import select

    from tests.conftest import add_assessment, make_person
    from webapp.extensions import db
    from webapp.models import Response, Score

    person = make_person(app)
    add_assessment(app, person, "capable-activation", wellness=0.7)
    add_assessment(app, person, "capable-capability", wellness=0.3)
    with app.app_context():
        stored = {r.questionnaire_id: (r.headline_score, r.headline_level)
                  for r in db.session.scalars(select(Response))}
        overall = db.session.scalar(select(Score).where(Score.scale_id == "overall"))
        index = db.session.scalar(select(Score).where(Score.scale_id == "capability-index"))
        assert stored == {"capable-activation": (overall.value, overall.level),
                          "capable-capability": (index.value, None)}
        db.session.close()
        migrations.downgrade(db.engine, "0004")
        migrations.upgrade(db.engine)
        filled = {r.questionnaire_id: (r.headline_score, r.headline_level)
                  for r in db.session.scalars(select(Response))}
    assert filled == stored
