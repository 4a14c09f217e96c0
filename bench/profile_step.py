"""Where the time of an htmx answer step goes: cProfile over many steps through the test client.

A fresh SQLite file in a temp folder, one signed-up person completing the activation
questionnaire ``--walks`` times (20) through the htmx endpoints, after one warm-up walk. Only the
answer-step POSTs are profiled, and first ``--walks`` more walks are timed without the profiler
(cProfile itself slows Python code down). Prints the wall time per step unprofiled, the SQL
statements per step,
and two cProfile tables (by cumulative and by own time), plus a coarse split by package
(own time of functions in jinja2 / sqlalchemy / werkzeug / flask / webapp / ...).

    python bench/profile_step.py [--walks 20] [--top 25] [--db postgres]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import time
import uuid
from collections import defaultdict

import common
from common import HTMX_HEADERS, QUESTION_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--walks", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sql", action="store_true", help="print the SQL statements of the last answer step")
    parser.add_argument("--dump", metavar="FILE", help="also write the cProfile data to FILE (for pstats or snakeviz)")
    args = parser.parse_args()

    database = common.Database(args.db)
    try:
        database.reset_and_migrate()
        os.environ.update(common.app_environment(database.url))
        from sqlalchemy import event

        from webapp import create_app
        from webapp.config import database_url
        from webapp.extensions import db

        app = create_app({"SQLALCHEMY_ENGINES": {"default": database_url(database.url)},
                          "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
        statements = [0]
        texts: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            statements[0] += 1
            texts.append(statement)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        client = app.test_client()
        token = common.csrf_from(client.get("/sign-up").get_data(as_text=True))
        client.post("/sign-up", data={"csrf_token": token, "email": f"p-{uuid.uuid4().hex[:6]}@example.org",
                                      "password": common.PASSWORD, "confirm": common.PASSWORD})
        profiler = cProfile.Profile()
        rng = random.Random(1)
        step_times, step_statements, plain_times = [], [], []
        for walk in range(2 * args.walks + 1):
            profiled = walk > args.walks
            answers = common.synthetic_answers(common.ACTIVATION, rng)
            page = client.get(f"/questionnaires/{common.ACTIVATION}").get_data(as_text=True)
            token = common.csrf_from(page)
            headers = {**HTMX_HEADERS, "X-CSRFToken": token}
            reply = client.post(f"/questionnaires/{common.ACTIVATION}/start", headers=headers,
                                data={"csrf_token": token, "response_uuid": str(uuid.uuid4())})
            location = reply.headers["HX-Push-Url"]
            for _ in range(100):
                match = QUESTION_URL.search(location)
                if not match:
                    break
                response_uuid, link_id = match.groups()
                data = {**common.page_form(common.ACTIVATION, link_id, answers), "csrf_token": token}
                before, started = statements[0], time.perf_counter()
                texts.clear()
                if profiled:
                    profiler.enable()
                reply = client.post(f"/responses/{response_uuid}/questions/{link_id}", data=data, headers=headers)
                if profiled:
                    profiler.disable()
                    step_times.append(time.perf_counter() - started)
                    step_statements.append(statements[0] - before)
                elif walk:
                    plain_times.append(time.perf_counter() - started)
                location = reply.headers["HX-Push-Url"]
                step_texts = list(texts)
            client.post(f"{location.rsplit('/', 1)[0]}/submit", data={"csrf_token": token}, headers=headers)

        rows = []
        for name, times in (("without profiler", plain_times), ("under cProfile", step_times)):
            s = common.summary_ms(times)
            rows.append([name, s["n"], 1000 * sum(times) / len(times), s["p50"], s["p95"],
                         sum(step_statements) / len(step_statements)])
        common.print_table(["answer steps", "count", "mean ms", "p50 ms", "p95 ms", "SQL statements/step"], rows,
                           title=f"Answer steps through the test client, one at a time ({args.db})")
        if args.sql:
            print("\nSQL statements of the last answer step:\n")
            for number, statement in enumerate(step_texts, 1):
                print(f"{number}. " + " ".join(statement.split()))
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler)
        by_package: dict[str, float] = defaultdict(float)
        total = 0.0
        for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
            total += own
            path = filename.replace("\\", "/")
            for package in ("jinja2", "nhsuk_frontend_jinja", "sqlalchemy", "werkzeug", "flask_wtf", "wtforms",
                            "flask_babel", "babel", "flask_login", "flask_limiter", "limits", "flask", "psycopg",
                            "itsdangerous", "markupsafe", "json", "sqlite3", "webapp", "<template>"):
                if f"/{package}/" in path or path.endswith(f"/{package}.py") or (package == "<template>" and "templates/" in path):
                    by_package[package] += own
                    break
            else:
                by_package["other (stdlib, builtins)" if "site-packages" not in path else "other packages"] += own
        common.print_table(["where (own time)", "share"],
                           [[k, f"{100 * v / total:.0f}%"] for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])],
                           title="Own time by package (templates compiled by Jinja count as <template>)")
        for order in ("cumulative", "tottime"):
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(args.top)
            print(f"\ncProfile, top {args.top} by {order}:\n")
            print("\n".join(line for line in buffer.getvalue().splitlines() if line.strip())[:12000])
        with app.app_context():
            db.engine.dispose()
    finally:
        database.cleanup()


if __name__ == "__main__":
    main()
