"""The documented SQLite backup and restore, as an operator would run them."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import make_person
from webapp import create_app
from webapp.extensions import db
from webapp.models import User


def test_backup_then_restore_brings_the_data_back(tmp_path):
    live = tmp_path / "live.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DEMO_DATA": False,
                      "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{live}"}})
    runner = app.test_cli_runner()
    make_person(app, email="kept@example.org")
    backup = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["db", "backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert runner.invoke(args=["db", "backup", str(backup)]).exit_code != 0  # never overwrites

    make_person(app, email="later@example.org")  # written after the backup
    with app.app_context():
        db.session.query(User).filter(User.email == "kept@example.org").delete()
        db.session.commit()

    result = runner.invoke(args=["db", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
        assert emails == {"kept@example.org"}
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DEMO_DATA": False,
                      "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp_path / 'live.sqlite3'}"}})
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = app.test_cli_runner().invoke(args=["db", "restore", str(junk), "--yes"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
        db.engine.dispose()
