"""What every request costs beyond its own work."""

from __future__ import annotations

import threading

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User


def test_a_request_starts_no_thread_and_still_closes_its_database_session(app, signed_in, monkeypatch):
    started = []
    real_start = threading.Thread.start

    def counting_start(thread):
        started.append(thread.name)
        return real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    assert signed_in.get("/history").status_code == 200
    assert started == []

    with app.app_context():
        session = db.session
        session.execute(select(User.id)).all()
        assert session.in_transaction()
    assert not session.in_transaction()  # closed when the app context ended
