"""How the person's pages hold up with a big database: synthetic data, then page timings.

1. Schema: a fresh SQLite file in a temp folder, or with ``--db postgres`` the local PostgreSQL
   database ``test`` (schema ``public`` wiped), migrated with ``webapp.migrations.upgrade``.
2. Data, written straight through SQLAlchemy Core bulk inserts (``executemany`` in batches of
   ``--batch`` rows, explicit primary keys, one transaction per chunk of people):
   ``--people`` people (100,000; ``--quick`` means 2,000), each with ``--assessments-per-person``
   completed questionnaires (10), alternating activation and capability, 6 weeks apart going back
   in time. Answers are realistic: ``--answer-sets`` (300) distinct sets per questionnaire made by
   ``webapp.services.demo.synthetic_answers`` and scored by the real ``Questionnaire.score()``
   engine (result JSON, score rows, digest), then reused. About ``--goal-share`` (20%) of people
   have a goal with two ratings and a few check-ins. Person 1 has a long history:
   ``--long-history`` (100) questionnaires and 10 goals with 10 check-ins each, plus a draft
   in progress. All share one password hash (Argon2 once).
3. Staff: people are shared with teams of ``--caseload`` (500) in order (everyone is on some
   team's caseload, so the service-wide report covers every person); team 1's coach, a team lead
   and an admin get accounts.
4. ``ANALYZE`` (on PostgreSQL ``VACUUM (ANALYZE)``, as autovacuum would in time), then through
   the Flask test client signed in as person 1 (and as a typical person for comparison): one
   warm-up, then the median (and min, max) of ``--runs`` (5) timed GETs of each person page:
   home, /history, /goals; then as staff: the caseload of 500 (first page, and sorted by last
   activity), the staff view of person 1 and of a typical person, and the team report for one
   team and for the whole service.

Prints rows per table, generation time and rate, database size, and the page timings with the
SQL statements each page ran.

    python bench/scale.py --quick                 # 2,000 people, SQLite, about a minute
    python bench/scale.py --db postgres           # 100,000 people: wipes the database `test`
    python bench/scale.py --db postgres --people 20000
    python bench/scale.py --db postgres --reuse   # the last run's data again: timings only

Every loop is bounded by the counts given; ``--time-limit`` (seconds) stops generation early
(the figures then say how many people were written).
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import common



def answer_sets(questionnaire, count: int, rng: random.Random) -> list[dict]:
    """``count`` distinct scored answer sets: answers, result JSON, digest, score rows."""
    from webapp.domain.results import headline
    from webapp.services.demo import synthetic_answers
    from webapp.services.responses import _score_rows, answers_digest

    sets = []
    for index in range(count):
        wellness = 0.1 + 0.8 * index / max(1, count - 1)
        answers = synthetic_answers(questionnaire, wellness, rng)
        result = questionnaire.score(answers)
        summary = headline(result, questionnaire.scoring)
        sets.append({
            "headline_score": summary.value if summary else None,
            "headline_level": summary.level if summary else None,
            "answers": list(answers.items()),
            "result": result.to_dict(),
            "digest": answers_digest(questionnaire, answers),
            "scoring_version": result.scoring_version,
            "scores": [{"scale_id": s.scale_id, "value": s.value, "level": s.level, "band": s.band}
                       for s in _score_rows(result)],
        })
    return sets


class Generator:
    def __init__(self, engine, args, rng: random.Random):
        from webapp.models import Answer, CheckIn, Goal, GoalRating, Response, Score, User
        from webapp.services.accounts import hash_password

        self.engine, self.args, self.rng = engine, args, rng
        self.tables = {"users": User.__table__, "responses": Response.__table__, "answers": Answer.__table__,
                       "scores": Score.__table__, "goals": Goal.__table__, "goal_ratings": GoalRating.__table__,
                       "check_ins": CheckIn.__table__}
        self.counts = dict.fromkeys(self.tables, 0)
        self.ids = dict.fromkeys(self.tables, 0)
        self.password_hash = hash_password(common.PASSWORD)
        catalogue = common.catalogue()
        self.questionnaires = [catalogue.get(common.ACTIVATION), catalogue.get(common.CAPABILITY)]
        self.sets = [answer_sets(q, args.answer_sets, rng) for q in self.questionnaires]
        self.now = datetime.now(UTC)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def flush(self, connection, rows: dict[str, list[dict]]) -> None:
        for name in ("users", "responses", "answers", "scores", "goals", "goal_ratings", "check_ins"):
            batch = rows[name]
            # A plain executemany: sqlite3's C loop, or psycopg 3's pipelined executemany. (Adding
            # RETURNING to get SQLAlchemy's multi-row "insertmanyvalues" was slower here.)
            statement = self.tables[name].insert()
            for start in range(0, len(batch), self.args.batch):
                connection.execute(statement, batch[start:start + self.args.batch])
            self.counts[name] += len(batch)
            batch.clear()

    def person(self, rows, person_id: int, assessments: int, goals: int, check_ins: int, draft: bool) -> None:
        from webapp.models import CheckInOutcome, GoalKind, GoalStatus, NextStep, ResponseStatus

        rng, now = self.rng, self.now
        joined = now - timedelta(weeks=6 * assessments + rng.randint(1, 30))
        rows["users"].append({"id": person_id, "email": f"person-{person_id}@example.org",
                              "password_hash": self.password_hash, "display_name": f"Person {person_id}",
                              "active": True, "created_at": joined, "last_sign_in_at": now - timedelta(days=rng.randint(0, 60))})
        for index in range(assessments):
            which = index % 2
            questionnaire, chosen = self.questionnaires[which], rng.choice(self.sets[which])
            when = now - timedelta(weeks=6 * (assessments - index), hours=rng.randint(0, 48))
            response_id = self.next_id("responses")
            rows["responses"].append({
                "id": response_id, "uuid": uuid.UUID(int=rng.getrandbits(128), version=4), "person_id": person_id,
                "questionnaire_id": questionnaire.id, "questionnaire_version": questionnaire.version,
                "status": ResponseStatus.COMPLETED, "started_at": when - timedelta(minutes=6), "updated_at": when,
                "authored_at": when, "received_at": when, "answers_digest": chosen["digest"],
                "scoring_version": chosen["scoring_version"], "result": chosen["result"],
                "headline_score": chosen["headline_score"], "headline_level": chosen["headline_level"]})
            for link_id, value in chosen["answers"]:
                rows["answers"].append({"id": self.next_id("answers"), "response_id": response_id,
                                        "link_id": link_id, "value": value, "answered_at": when})
            for score in chosen["scores"]:
                rows["scores"].append({"id": self.next_id("scores"), "response_id": response_id, **score})
        if draft:
            questionnaire, chosen = self.questionnaires[0], rng.choice(self.sets[0])
            response_id = self.next_id("responses")
            rows["responses"].append({
                "id": response_id, "uuid": uuid.uuid4(), "person_id": person_id,
                "questionnaire_id": questionnaire.id, "questionnaire_version": questionnaire.version,
                "status": ResponseStatus.IN_PROGRESS, "started_at": now - timedelta(days=1),
                "updated_at": now - timedelta(days=1), "authored_at": None, "received_at": None,
                "answers_digest": None, "scoring_version": None, "result": None,
                "headline_score": None, "headline_level": None})
            for link_id, value in chosen["answers"][:5]:
                rows["answers"].append({"id": self.next_id("answers"), "response_id": response_id,
                                        "link_id": link_id, "value": value, "answered_at": now - timedelta(days=1)})
        for goal_index in range(goals):
            goal_id = self.next_id("goals")
            set_on = now - timedelta(weeks=2 * check_ins + 4 * goal_index + 2)
            active = goal_index < 3
            rows["goals"].append({
                "id": goal_id, "uuid": uuid.uuid4(), "person_id": person_id,
                "own_words": "Get out of the house more, without wearing myself out",
                "idea_id": None, "idea_library": None, "idea_version": None, "kind": GoalKind.BEHAVIOUR,
                "tier": 2, "domain": "getting-around", "what": "Walk to the end of the road and back",
                "how_much": "10 minutes", "when": "after lunch", "how_often": "3 days a week",
                "starts_on": set_on.date(), "importance": 8, "confidence": 7, "in_the_way": None,
                "status": GoalStatus.ACTIVE if active else GoalStatus.ACHIEVED,
                "check_in_on": (now + timedelta(days=rng.randint(-3, 14))).date() if active else None,
                "source_response_id": None, "previous_goal_id": None, "created_at": set_on, "updated_at": set_on})
            for rating_index, confidence in enumerate((5, 7)):
                rows["goal_ratings"].append({"id": self.next_id("goal_ratings"), "goal_id": goal_id,
                                             "importance": 8, "confidence": confidence,
                                             "what": "Walk to the end of the road and back",
                                             "rated_at": set_on + timedelta(minutes=rating_index)})
            for check_index in range(check_ins):
                day = set_on + timedelta(weeks=2 * (check_index + 1))
                rows["check_ins"].append({
                    "id": self.next_id("check_ins"), "uuid": uuid.uuid4(), "goal_id": goal_id,
                    "outcome": rng.choice(list(CheckInOutcome)), "helped": "Going with my neighbour",
                    "got_in_the_way": None, "confidence": rng.randint(4, 9), "next_step": NextStep.KEEP,
                    "authored_at": day, "created_at": day})

    def run(self, deadline: float) -> int:
        args, rng = self.args, self.rng
        rows = {name: [] for name in self.tables}
        written = 0
        report_every = max(1, args.people // 10)
        started = time.perf_counter()
        for chunk_start in range(1, args.people + 1, args.chunk):
            if time.monotonic() > deadline:
                print(f"  time limit reached: stopping at {written:,} people")
                break
            chunk_end = min(args.people, chunk_start + args.chunk - 1)
            with self.engine.begin() as connection:
                for person_id in range(chunk_start, chunk_end + 1):
                    if person_id == 1:
                        self.person(rows, 1, args.long_history, goals=10, check_ins=10, draft=True)
                    else:
                        has_goal = rng.random() < args.goal_share
                        self.person(rows, person_id, args.assessments_per_person,
                                    goals=1 if has_goal else 0, check_ins=rng.randint(1, 4), draft=rng.random() < 0.05)
                self.flush(connection, rows)
            before, written = written, chunk_end
            if written // report_every != before // report_every or written == args.people:
                elapsed = time.perf_counter() - started
                print(f"  {written:,} people, {sum(self.counts.values()):,} rows, {elapsed:.0f} s "
                      f"({sum(self.counts.values()) / elapsed:,.0f} rows/s)", flush=True)
        return written


STAFF_EMAILS = {"coach": "coach@example.org", "lead": "lead@example.org", "admin": "admin@example.org"}


def sync_sequences(engine) -> None:
    """Rows were written with explicit ids: move PostgreSQL's id sequences past them, so the app's
    own inserts (staff, audit events) get fresh ids."""
    from sqlalchemy import text

    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("users", "responses", "answers", "scores", "goals", "goal_ratings", "check_ins", "teams"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"
            ))


def add_staff(engine, people: int, caseload: int) -> dict[str, str]:
    """Teams of ``caseload`` people each (consents bulk-inserted), with a coach, a team lead and an
    admin for team 1. Returns the staff sign-in emails."""
    from sqlalchemy import insert

    from webapp import create_app
    from webapp.config import database_url as normalise
    from webapp.extensions import db
    from webapp.models import Consent, StaffRole, Team
    from webapp.services.consent import CONSENT_WORDING_VERSION
    from webapp.services.staff import create_staff

    emails = STAFF_EMAILS
    now = datetime.now(UTC)
    app = create_app({"SQLALCHEMY_ENGINES": {"default": normalise(str(engine.url.render_as_string(hide_password=False)))},
                      "AUTO_MIGRATE": False, "DEMO_DATA": False})
    teams = (people + caseload - 1) // caseload
    sync_sequences(engine)
    with app.app_context():
        db.session.execute(insert(Team), [{"id": t, "name": f"Team {t}", "created_at": now} for t in range(1, teams + 1)])
        team = db.session.get(Team, 1)
        coach = create_staff(db.session, email=emails["coach"], password=common.PASSWORD, display_name="Coach",
                             team=team, role=StaffRole.COACH, job_title="Health and wellbeing coach", actor=None)
        create_staff(db.session, email=emails["lead"], password=common.PASSWORD, display_name="Lead",
                     team=team, role=StaffRole.TEAM_LEAD, job_title="Team lead", actor=None)
        create_staff(db.session, email=emails["admin"], password=common.PASSWORD, display_name="Admin",
                     team=None, role=None, is_admin=True, actor=None)
        rows = [{"person_id": p, "team_id": (p - 1) // caseload + 1, "coach_id": coach.id if p <= caseload else None,
                 "wording_version": CONSENT_WORDING_VERSION, "granted_at": now - timedelta(days=400)}
                for p in range(1, people + 1)]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Consent), rows[start:start + 5000])
        db.session.commit()
        db.engine.dispose()
    sync_sequences(engine)
    return emails


def time_pages(database_url: str, email: str, runs: int, pages=None) -> list[list]:
    """GET each page ``runs`` times after a warm-up, signed in as ``email``."""
    from sqlalchemy import event

    from webapp import create_app
    from webapp.config import database_url as normalise
    from webapp.extensions import db

    app = create_app({"SQLALCHEMY_ENGINES": {"default": normalise(database_url)},
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
                      "AUTO_MIGRATE": False, "DEMO_DATA": False})
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
    client = app.test_client()
    token = common.csrf_from(client.get("/sign-in").get_data(as_text=True))
    reply = client.post("/sign-in", data={"csrf_token": token, "email": email, "password": common.PASSWORD})
    if reply.status_code != 302:
        raise RuntimeError(f"sign-in answered {reply.status_code}")
    rows = []
    for name, path in pages or (("home", "/"), ("history", "/history"), ("goals", "/goals")):
        client.get(path)  # warm-up: templates compiled, statement cache filled
        times, sizes, counts = [], [], []
        for _ in range(runs):
            before, started = statements[0], time.perf_counter()
            reply = client.get(path)
            body = reply.get_data()
            times.append(time.perf_counter() - started)
            counts.append(statements[0] - before)
            sizes.append(len(body))
            if reply.status_code != 200:
                raise RuntimeError(f"GET {path} answered {reply.status_code}")
        ms = [t * 1000 for t in times]
        rows.append([f"{name} ({path})", common.median(ms), min(ms), max(ms), counts[-1], sizes[-1]])
    with app.app_context():
        db.engine.dispose()
    return rows


def table_counts(engine) -> list[list]:
    from sqlalchemy import text

    rows = []
    with engine.connect() as connection:
        for name in ("users", "responses", "answers", "scores", "goals", "goal_ratings", "check_ins"):
            rows.append([name, connection.scalar(text(f"SELECT count(*) FROM {name}"))])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 people (overrides --people)")
    parser.add_argument("--assessments-per-person", type=int, default=10)
    parser.add_argument("--long-history", type=int, default=100, help="questionnaires of person 1 (default 100)")
    parser.add_argument("--answer-sets", type=int, default=300, help="distinct answer sets per questionnaire")
    parser.add_argument("--goal-share", type=float, default=0.2)
    parser.add_argument("--batch", type=int, default=5000, help="rows per executemany")
    parser.add_argument("--chunk", type=int, default=500, help="people per transaction")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--caseload", type=int, default=500, help="people per team (team 1 is timed)")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: keep the data of the last run and only time the pages again")
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds of generation at most")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.quick:
        args.people = 2000
    if args.reuse and args.db != "postgres":
        parser.error("--reuse needs --db postgres (an SQLite run's file is removed when it ends)")

    from sqlalchemy import create_engine, text

    from webapp.config import database_url

    database = common.Database(args.db)
    os.environ.update(common.app_environment(database.url))
    print(f"scale: {args.people:,} people x {args.assessments_per_person} questionnaires on {args.db} "
          f"(person 1: {args.long_history}); {args.answer_sets} answer sets per questionnaire")
    try:
        if args.reuse:
            # The data of an earlier run (PostgreSQL keeps it): time the pages again, for example
            # after adding an index, without 15 minutes of generation.
            engine = create_engine(database_url(database.url))
            with engine.connect() as connection:
                written = connection.scalar(text("SELECT count(*) FROM users WHERE email LIKE 'person-%'"))
                has_staff = connection.scalar(text("SELECT count(*) FROM staff_members")) > 0
            prepared = generation = 0.0
            started = time.perf_counter()
            staff = STAFF_EMAILS if has_staff else add_staff(engine, written, args.caseload)
            staffing = time.perf_counter() - started
        else:
            started = time.perf_counter()
            database.reset_and_migrate()
            engine = create_engine(database_url(database.url))
            print(f"schema migrated in {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            generator = Generator(engine, args, random.Random(args.seed))
            prepared = time.perf_counter() - started
            print(f"{2 * args.answer_sets} answer sets generated and scored in {prepared:.1f} s")
            started = time.perf_counter()
            written = generator.run(time.monotonic() + args.time_limit)
            generation = time.perf_counter() - started
            started = time.perf_counter()
            staff = add_staff(engine, written, args.caseload)
            staffing = time.perf_counter() - started
        started = time.perf_counter()
        # After a bulk load PostgreSQL also needs VACUUM: until it has run, no page is marked
        # all-visible and every "index-only" scan (the reports') still reads the table. A service's
        # autovacuum gets there on its own; a benchmark timing pages a minute later must ask.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)" if args.db == "postgres" else "ANALYZE"))
        analyze = time.perf_counter() - started
        counts = table_counts(engine)
        total_rows = sum(c for _n, c in counts)
        engine.dispose()
        size = database.size_bytes()
        common.print_table(["table", "rows"], [*counts, ["total", total_rows]],
                           title=f"Generated data ({written:,} people, {args.db})")
        common.print_table(
            ["step", "value"],
            [["answer sets made and scored", f"{prepared:.1f} s"],
             ["bulk inserts", f"{generation:.1f} s ({total_rows / generation:,.0f} rows/s)" if generation else "reused"],
             ["teams, staff and consents", f"{staffing:.1f} s"],
             ["VACUUM (ANALYZE)" if args.db == "postgres" else "ANALYZE", f"{analyze:.1f} s"],
             ["database size", common.human_bytes(size)]],
            title="Generation",
        )

        typical = 2 if written >= 2 else 1
        headers = ["page", "median ms", "min ms", "max ms", "SQL statements", "bytes"]
        long_rows = time_pages(database.url, "person-1@example.org", args.runs)
        common.print_table(headers, long_rows, title=f"Person 1 ({args.long_history} questionnaires, 10 goals x 10 check-ins), "
                 f"median of {args.runs} after a warm-up, Flask test client, {args.db}, {written:,} people")
        common.print_table(headers, time_pages(database.url, f"person-{typical}@example.org", args.runs),
                           title=f"A typical person ({args.assessments_per_person} questionnaires) for comparison")
        caseload = min(args.caseload, written)
        common.print_table(headers, [
            *time_pages(database.url, staff["coach"], args.runs, (
                (f"caseload of {caseload}, first page", "/staff/?scope=team"),
                (f"caseload of {caseload}, by last activity", "/staff/?scope=team&sort=activity"),
                ("staff view of person 1", "/staff/people/1"),
                ("staff view of a typical person", f"/staff/people/{typical}"),
            )),
            *time_pages(database.url, staff["lead"], args.runs, (
                (f"team report ({caseload} people)", "/staff/reports"),
            )),
            *time_pages(database.url, staff["admin"], args.runs, (
                (f"service-wide report ({written:,} people)", "/staff/reports?team=service"),
            )),
        ], title=f"Staff pages, median of {args.runs} after a warm-up, Flask test client, {args.db}, {written:,} people")
    finally:
        database.cleanup()


if __name__ == "__main__":
    main()
