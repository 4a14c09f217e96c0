"""A load test: gunicorn (4 workers) on loopback, bench/locustfile.py driven headless by locust.

Makes a fresh database (SQLite in a temp folder, or ``--db postgres``: the local database
``test``, wiped), starts gunicorn (``--workers``, 4) serving ``webapp:create_app()`` as
bench/answer_step.py does, runs

    locust -f bench/locustfile.py --headless -u 200 -r 20 -t 60s --host http://127.0.0.1:PORT
           --csv <temp>/load --only-summary

as a subprocess (``--users``, ``--spawn-rate``, ``--duration`` change it), stops the server and
prints, from locust's CSV summary, requests, failures, p50/p95/p99 (locust rounds percentiles
to its response-time buckets) and requests per second for every route and in total, plus any
failures by kind. Every simulated person pauses 1 to 3 s between screens (see the locustfile),
so this is a load of people at a realistic pace, not a saturation test.

Coaches are part of it: before the server starts, a team with ``--caseload`` (300) people (two
activation assessments each, made by the real scoring engine) and ``--coaches`` (10) coach
accounts, one of them team lead, is written to the database; one simulated user in 20 is a coach
(see the locustfile) who signs in with one of those accounts and works through the caseload.

    python bench/load.py
    python bench/load.py --db postgres --users 200 --duration 60s
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def seed_caseload(database_url: str, people: int, coaches: int) -> None:
    """A team with its coaches (``coach-<n>@example.org``, coach 1 the team lead) and ``people``
    who share their record with it, each with two activation assessments 12 weeks apart."""
    import random
    import uuid as uuid_module
    from datetime import UTC, datetime, timedelta

    from webapp import create_app
    from webapp.config import database_url as normalise
    from webapp.extensions import db
    from webapp.models import Consent, StaffMember, StaffRole, User
    from webapp.services.accounts import hash_password
    from webapp.services.consent import CONSENT_WORDING_VERSION
    from webapp.services.demo import synthetic_answers
    from webapp.services.responses import receive_response
    from webapp.services.staff import create_team

    app = create_app({"SQLALCHEMY_ENGINES": {"default": normalise(database_url)}, "AUTO_MIGRATE": False,
                      "DEMO_DATA": False})
    rng, now, password = random.Random(2026), datetime.now(UTC), hash_password(common.PASSWORD)
    with app.app_context():
        team = create_team(db.session, "Load test link workers", actor=None)
        staff = []
        for number in range(1, coaches + 1):
            user = User(email=f"coach-{number}@example.org", password_hash=password, display_name=f"Coach {number}")
            staff.append(StaffMember(user=user, team=team, job_title="Social prescribing link worker",
                                     role=StaffRole.TEAM_LEAD if number == 1 else StaffRole.COACH))
        db.session.add_all(staff)
        questionnaire = common.catalogue().get(common.ACTIVATION)
        for number in range(1, people + 1):
            person = User(email=f"shared-{number}@example.org", password_hash=password, display_name=f"Person {number}")
            db.session.add(person)
            db.session.flush()
            db.session.add(Consent(person_id=person.id, team_id=team.id, coach_id=staff[number % coaches].id,
                                   wording_version=CONSENT_WORDING_VERSION))
            for weeks_ago, wellness in ((16, rng.uniform(0.1, 0.7)), (4, rng.uniform(0.2, 0.9))):
                when = now - timedelta(weeks=weeks_ago)
                response, _created = receive_response(
                    db.session, person, questionnaire, uuid_module.uuid4(),
                    synthetic_answers(questionnaire, wellness, rng), authored_at=when)
                response.received_at = response.updated_at = when
        db.session.commit()
        db.engine.dispose()
    print(f"seeded a team of {coaches} coaches with {people} people on its caseload", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--caseload", type=int, default=300, help="people on the coaches' team")
    parser.add_argument("--coaches", type=int, default=10)
    args = parser.parse_args()

    database = common.Database(args.db)
    out_dir = Path(tempfile.mkdtemp(prefix="capable-bench-load-"))
    try:
        database.reset_and_migrate()
        os.environ.update(common.app_environment(database.url))  # for seeding in this process
        seed_caseload(database.url, args.caseload, args.coaches)
        with common.Server("webapp:create_app()", workers=args.workers,
                           env=common.app_environment(database.url)) as server:
            command = [sys.executable, "-m", "locust", "-f", str(common.BENCH_DIR / "locustfile.py"),
                       "--headless", "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.duration,
                       "--host", server.url, "--csv", str(out_dir / "load"), "--only-summary",
                       "--stop-timeout", "10", "--loglevel", "WARNING"]
            print("$ " + " ".join(command).replace(sys.executable, "python"), flush=True)
            started = time.perf_counter()
            cpu_before = server.worker_cpu_seconds()
            locust = subprocess.run(command, cwd=common.REPO_ROOT, capture_output=True, text=True,
                                    timeout=3600)
            wall = time.perf_counter() - started
            server_cpu = server.worker_cpu_seconds() - cpu_before
            log = server.log_tail(15)
        stats = read_csv(out_dir / "load_stats.csv")
        failures = read_csv(out_dir / "load_failures.csv")
        if not stats:
            print(locust.stdout[-3000:], locust.stderr[-3000:], sep="\n")
            raise SystemExit("locust wrote no statistics")
        rows = []
        for row in stats:
            name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
            label = f"{row['Type']} {name}" if row["Type"] else name
            rows.append([label, int(number(row["Request Count"])), int(number(row["Failure Count"])),
                         number(row["50%"]), number(row["95%"]), number(row["99%"]), number(row["Max Response Time"]),
                         number(row["Requests/s"])])
        total = rows[-1]
        common.print_table(
            ["request", "count", "failures", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s"], rows,
            title=f"Load: {args.users} people (spawn {args.spawn_rate:g}/s) for {args.duration}, gunicorn "
                  f"{args.workers} sync workers, {args.db}; {total[1]:,} requests, {total[2]} failures, "
                  f"{total[7]:.1f} req/s; server CPU {1000 * server_cpu / max(1, total[1]):.1f} ms/request; "
                  f"locust ran {wall:.0f} s, exit code {locust.returncode}",
        )
        if failures:
            common.print_table(["method", "name", "error", "occurrences"],
                               [[f["Method"], f["Name"], f["Error"][:80], int(number(f["Occurrences"]))] for f in failures],
                               title="Failures")
        if "Traceback" in log or "Error" in log:
            print("\ngunicorn log (tail):\n" + log)
        if locust.returncode not in (0, 1):
            print(locust.stderr[-3000:])
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
        database.cleanup()


if __name__ == "__main__":
    main()
