"""How fast one questionnaire answer step is under concurrent people, against a hello-world floor.

What it does, in one run:

1. Makes a fresh database (a SQLite file in a temp folder, or with ``--db postgres`` the local
   PostgreSQL database ``test`` with schema ``public`` wiped), migrates it once, and starts
   gunicorn (``--workers``, 2 by default; sync workers, or gthread with ``--threads`` N) serving ``webapp:create_app()`` on a free
   loopback port, with ``CAPABLE_SECRET_KEY`` set, ``CAPABLE_AUTO_MIGRATE=1`` (already at head),
   demo data off and ``CAPABLE_SECURE_COOKIES=0`` (plain HTTP on loopback).
2. Creates ``--people`` people (50) through the real sign-up form over HTTP (Argon2 at its
   production cost, so this is slow on purpose and is not part of the figures).
3. Warms up: two more people complete the questionnaire once, untimed.
4. The measured phase: ``--people`` threads, each with its own ``requests`` session, all start
   together and each completes the activation questionnaire ``--rounds`` times, the way htmx in a
   browser does it: GET the start page (full page, CSRF token read from its form), POST start,
   POST every screen with ``HX-Request`` headers and the token in ``X-CSRFToken`` and the form,
   following ``HX-Push-Url``, then POST submit. Every request is timed; there is no think time
   unless ``--think-ms`` is given (then each person waits a random 0.5x-1.5x that between steps),
   so by default this measures throughput at saturation and latency includes queueing.
5. The same harness, concurrency and request count against ``bench/floor_app.py`` (a Flask
   hello-world form POST returning a small fragment) under the same gunicorn settings.

Prints latency (p50/p95/p99/max, ms) per kind of request, requests per second, CPU per request
(from psutil: gunicorn master + workers; the client threads of this process; with ``--db postgres``
PostgreSQL's own processes, which share the same cores), errors (anything but the expected status
and headers, or an exception), and the ratios ours/floor.

    python bench/answer_step.py                     # SQLite, 50 people, 2 workers
    python bench/answer_step.py --db postgres       # wipes the local database `test`
    python bench/answer_step.py --think-ms 2000     # people who read each question first
    python bench/answer_step.py --threads 4         # gthread workers (both servers), as the service runs

Every loop is bounded: at most ``--rounds`` questionnaires per person, 100 screens per
questionnaire, and ``--time-limit`` seconds per phase. This is a benchmark, not a test: it
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

import common
from common import HTMX_HEADERS, QUESTION_URL

TIMEOUT = 30  # seconds, per request


@dataclass
class Recorder:
    """Every timed request of one phase, by kind, and every error by reason."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.timings[kind].append(seconds)

    def error(self, reason: str) -> None:
        with self.lock:
            self.errors[reason] += 1

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.timings.values())


class StepFailed(Exception):
    pass


def timed(recorder: Recorder, kind: str, call, *args, expect=(200,), **kwargs) -> requests.Response:
    started = time.perf_counter()
    try:
        reply = call(*args, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except requests.RequestException as error:
        recorder.error(f"{kind}: {type(error).__name__}")
        raise StepFailed from error
    recorder.add(kind, time.perf_counter() - started)
    if reply.status_code not in expect:
        recorder.error(f"{kind}: HTTP {reply.status_code}")
        raise StepFailed(reply.status_code)
    return reply


def think(rng: random.Random, think_ms: float) -> None:
    if think_ms > 0:
        time.sleep(think_ms / 1000 * rng.uniform(0.5, 1.5))


# --- the real app ------------------------------------------------------------------------------

def sign_up(base: str, index: int, run_id: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/sign-up", timeout=TIMEOUT)
    page.raise_for_status()
    reply = session.post(f"{base}/sign-up", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf_token": common.csrf_from(page.text),
        "display_name": f"Bench {index}",
        "email": f"bench-{run_id}-{index}@example.org",
        "password": common.PASSWORD,
        "confirm": common.PASSWORD,
    })
    if reply.status_code != 302:
        raise RuntimeError(f"sign-up {index} answered {reply.status_code}")
    return session


def walk_questionnaire(session: requests.Session, base: str, recorder: Recorder, rng: random.Random,
                       think_ms: float = 0, questionnaire_id: str = common.ACTIVATION) -> None:
    """One person completes one questionnaire through the htmx endpoints."""
    answers = common.synthetic_answers(questionnaire_id, rng)
    page = timed(recorder, "start page (GET, full)", session.get, f"{base}/questionnaires/{questionnaire_id}")
    token = common.csrf_from(page.text)
    match = common.RESPONSE_UUID_FIELD.search(page.text)
    response_uuid = match.group(1) if match else str(uuid.uuid4())
    headers = {**HTMX_HEADERS, "X-CSRFToken": token}
    think(rng, think_ms)
    reply = timed(recorder, "start (POST, htmx)", session.post,
                  f"{base}/questionnaires/{questionnaire_id}/start",
                  data={"csrf_token": token, "response_uuid": response_uuid}, headers=headers)
    location = reply.headers.get("HX-Push-Url", "")
    for _ in range(100):
        match = QUESTION_URL.search(location)
        if not match:
            break
        response_uuid, link_id = match.groups()
        think(rng, think_ms)
        data = {**common.page_form(questionnaire_id, link_id, answers), "csrf_token": token}
        reply = timed(recorder, "answer step (POST, htmx)", session.post,
                      f"{base}/responses/{response_uuid}/questions/{link_id}", data=data, headers=headers)
        location = reply.headers.get("HX-Push-Url", "")
        if not location:
            recorder.error("answer step: no HX-Push-Url")
            raise StepFailed("no HX-Push-Url")
    if not location.endswith("/check"):
        recorder.error(f"walk did not reach check your answers: {location!r}")
        raise StepFailed(location)
    think(rng, think_ms)
    reply = timed(recorder, "submit (POST, htmx)", session.post,
                  f"{base}/responses/{response_uuid}/submit", data={"csrf_token": token}, headers=headers)
    if "/results" not in reply.headers.get("HX-Push-Url", ""):
        recorder.error("submit: no results URL")
        raise StepFailed("submit")


# --- the floor ---------------------------------------------------------------------------------

def walk_floor(session: requests.Session, base: str, recorder: Recorder, rng: random.Random,
               think_ms: float = 0, screens: int = 12) -> None:
    """The same shape of walk on the floor app: a GET, a start POST, one POST a screen, submit."""
    answers = common.synthetic_answers(common.ACTIVATION, rng)
    page = timed(recorder, "start page (GET, full)", session.get, f"{base}/")
    token = common.csrf_from(page.text)
    headers = {**HTMX_HEADERS, "X-CSRFToken": token}
    link_ids = [p.link_id for p in common.catalogue().get(common.ACTIVATION).pages][:screens]
    kinds = ["start (POST, htmx)", *["answer step (POST, htmx)"] * len(link_ids), "submit (POST, htmx)"]
    for step, kind in enumerate(kinds):
        think(rng, think_ms)
        link_id = link_ids[step - 1] if 0 < step <= len(link_ids) else None
        data = {**(common.page_form(common.ACTIVATION, link_id, answers) if link_id else {}), "csrf_token": token}
        reply = timed(recorder, kind, session.post, f"{base}/answer/{step}", data=data, headers=headers)
        if not reply.headers.get("HX-Push-Url"):
            recorder.error("floor: no HX-Push-Url")
            raise StepFailed("floor")


# --- phases ------------------------------------------------------------------------------------

def run_phase(sessions: list[requests.Session], base: str, walk, rounds: int, think_ms: float,
              time_limit: float, seed: int) -> tuple[Recorder, float]:
    """Every session walks ``rounds`` times at once. Returns the recorder and the wall time."""
    recorder = Recorder()
    barrier = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def person(index: int, session: requests.Session) -> None:
        rng = random.Random(seed * 1000 + index)
        barrier.wait()
        for _ in range(rounds):
            if time.monotonic() > deadline[0]:
                recorder.error("time limit reached before all rounds")
                return
            try:
                walk(session, base, recorder, rng, think_ms)
            except StepFailed:
                pass
            except Exception as error:  # a harness problem still counts, and is named
                recorder.error(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=person, args=(i, s), daemon=True) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + time_limit
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline[0] - time.monotonic()) + TIMEOUT + 5)
    return recorder, time.perf_counter() - started


@dataclass
class PhaseResult:
    name: str
    recorder: Recorder
    wall: float
    server_cpu: float
    client_cpu: float
    database_cpu: float | None = None  # PostgreSQL's own processes; None for SQLite or the floor

    @property
    def rps(self) -> float:
        return self.recorder.requests / self.wall

    def kind_rps(self, kind: str) -> float:
        return len(self.recorder.timings[kind]) / self.wall


def measured(server: common.Server, sessions, walk, args, seed: int, name: str,
             database: common.Database | None = None) -> PhaseResult:
    database_before = database.server_cpu_seconds() if database else None
    cpu_before, client_before = server.worker_cpu_seconds(), time.process_time()
    recorder, wall = run_phase(sessions, server.url, walk, args.rounds, args.think_ms, args.time_limit, seed)
    result = PhaseResult(name, recorder, wall, server.worker_cpu_seconds() - cpu_before,
                         time.process_time() - client_before)
    if database_before is not None:
        result.database_cpu = database.server_cpu_seconds() - database_before
    return result


def per_request_ms(result: PhaseResult, seconds: float | None) -> float | None:
    return None if seconds is None else 1000 * seconds / max(1, result.recorder.requests)


def print_phase(result: PhaseResult) -> None:
    rows = []
    for kind, values in result.recorder.timings.items():
        s = common.summary_ms(values)
        rows.append([kind, s["n"], s["p50"], s["p95"], s["p99"], s["max"], result.kind_rps(kind)])
    common.print_table(["request", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s"], rows,
                       title=f"{result.name}: {result.recorder.requests} requests in "
                             f"{result.wall:.1f} s = {result.rps:.1f} req/s; server CPU "
                             f"{1000 * result.server_cpu / max(1, result.recorder.requests):.2f} ms/request; "
                             f"client CPU {1000 * result.client_cpu / max(1, result.recorder.requests):.2f} ms/request; "
                             + (f"PostgreSQL CPU {per_request_ms(result, result.database_cpu):.2f} ms/request; "
                                if result.database_cpu is not None else "") +
                             f"errors {sum(result.recorder.errors.values())}")
    if result.recorder.errors:
        common.print_table(["error", "count"], sorted(result.recorder.errors.items()), title=f"{result.name}: errors")


def worker_kind(threads: int) -> str:
    return f"gthread x{threads}" if threads > 1 else "sync"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=50, help="concurrent simulated people (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="questionnaires each person completes (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker: above 1, gthread workers for both servers (default 1: sync)")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause between a person's steps (default 0)")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds per measured phase at most")
    parser.add_argument("--no-floor", action="store_true", help="skip the hello-world floor")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    database = common.Database(args.db)
    run_id = uuid.uuid4().hex[:8]
    print(f"answer_step: {args.people} people x {args.rounds} activation questionnaires, "
          f"{args.workers} gunicorn {worker_kind(args.threads)} workers, database {args.db}, think time {args.think_ms:g} ms")
    try:
        database.reset_and_migrate()
        with common.Server("webapp:create_app()", workers=args.workers, threads=args.threads,
                           env=common.app_environment(database.url)) as server:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                sessions = list(pool.map(lambda i: sign_up(server.url, i, run_id), range(args.people + 2)))
            print(f"signed up {len(sessions)} people over HTTP in {time.perf_counter() - started:.1f} s")
            warm = Recorder()
            for session in sessions[-2:]:
                walk_questionnaire(session, server.url, warm, random.Random(0))
            ours = measured(server, sessions[:args.people], walk_questionnaire, args, args.seed, "Capable", database)
            print_phase(ours)
            if "Traceback" in server.log_tail(200):
                print("\ngunicorn log (tail):\n" + server.log_tail())
        if args.no_floor:
            return
        with common.Server("floor_app:app", workers=args.workers, threads=args.threads,
                           pythonpath=str(common.BENCH_DIR)) as floor_server:
            floor_sessions = [requests.Session() for _ in range(args.people + 2)]
            warm = Recorder()
            for session in floor_sessions[-2:]:
                walk_floor(session, floor_server.url, warm, random.Random(0))
            floor = measured(floor_server, floor_sessions[:args.people], walk_floor, args, args.seed, "Floor (hello world)")
            print_phase(floor)
        step = "answer step (POST, htmx)"
        ours_p95 = common.summary_ms(ours.recorder.timings[step])["p95"]
        floor_p95 = common.summary_ms(floor.recorder.timings[step])["p95"]
        common.print_table(
            ["measure", "Capable", "floor", "ours/floor", "target"],
            [
                ["answer step p95 (ms)", ours_p95, floor_p95, f"{ours_p95 / floor_p95:.2f}x", "< 25 ms"],
                ["answer steps/s", ours.kind_rps(step), floor.kind_rps(step),
                 f"{100 * ours.kind_rps(step) / floor.kind_rps(step):.0f}%", ""],
                ["requests/s (all kinds)", ours.rps, floor.rps, f"{100 * ours.rps / floor.rps:.0f}%", ">= 40% of floor"],
                ["server CPU ms/request", 1000 * ours.server_cpu / max(1, ours.recorder.requests),
                 1000 * floor.server_cpu / max(1, floor.recorder.requests),
                 f"{(ours.server_cpu / max(1, ours.recorder.requests)) / max(1e-9, floor.server_cpu / max(1, floor.recorder.requests)):.1f}x", ""],
                *([["PostgreSQL CPU ms/request", per_request_ms(ours, ours.database_cpu), "", "", ""]]
                  if ours.database_cpu is not None else []),
                ["client CPU ms/request", per_request_ms(ours, ours.client_cpu), per_request_ms(floor, floor.client_cpu), "", ""],
                ["errors", sum(ours.recorder.errors.values()), sum(floor.recorder.errors.values()), "", "0"],
            ],
            title=f"Summary ({args.people} concurrent people, {args.workers} {worker_kind(args.threads)} workers, {args.db}, "
                  f"think {args.think_ms:g} ms)",
        )
    finally:
        database.cleanup()


if __name__ == "__main__":
    main()
