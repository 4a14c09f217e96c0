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


def test_an_answer_step_takes_four_sql_statements_however_many_answers_came_before(app, signed_in):
    """Each statement is a round trip to PostgreSQL, and answer steps are most of the traffic: the
    person, the response with its answers (one join), the response's time and the new answer."""
    from sqlalchemy import event

    from tests.conftest import csrf_token
    from tests.web.journey import HTMX, QUESTION_URL, start

    token = csrf_token(signed_in, "/questionnaires/capable-activation")
    location = start(signed_in, "capable-activation", htmx=True).headers["HX-Push-Url"]
    with app.app_context():
        engine = db.engine
    counts = []
    statements: list[str] = []

    def counted(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", counted)
    try:
        for _ in range(3):
            response_uuid, link_id = QUESTION_URL.search(location).groups()
            statements.clear()
            reply = signed_in.post(f"/responses/{response_uuid}/questions/{link_id}", headers=HTMX,
                                   data={"csrf_token": token, link_id: "agree"})
            assert reply.status_code == 200
            counts.append(len(statements))
            location = reply.headers["HX-Push-Url"]
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert counts == [4, 4, 4], statements
