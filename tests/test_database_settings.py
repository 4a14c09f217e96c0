"""Settings every database connection gets (``webapp.db``), on whichever database the suite runs."""

from __future__ import annotations

from sqlalchemy import text

from webapp.extensions import db


def test_every_connection_gets_its_databases_settings_and_keeps_them_after_a_rollback(app):
    with app.app_context():
        session = db.session
        if session.get_bind().dialect.name == "postgresql":
            assert session.scalar(text("SHOW jit")) == "off"
            session.rollback()
            assert session.scalar(text("SHOW jit")) == "off"
        else:
            assert session.scalar(text("PRAGMA foreign_keys")) == 1
            assert session.scalar(text("PRAGMA journal_mode")) == "wal"
            assert session.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
