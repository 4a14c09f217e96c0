"""Shared pieces of the benchmarks in ``bench/``.

- ``Server``: start gunicorn on a free loopback port with N sync workers, wait until it answers,
  stop it (SIGTERM, then SIGKILL after a grace period). Its log goes to a file in a temp folder.
- Databases: a fresh SQLite file in a temp folder, or the local PostgreSQL database ``test``
  (wiped: schema ``public`` dropped and made again), migrated once before any worker starts.
- ``percentile``/``summary``: latency maths (linear interpolation between closest ranks).
- ``print_table``: tables printed as Markdown, so they can be pasted into README.md as they are.
- Walking a questionnaire as a browser with htmx would: CSRF token read from a form, the token
  in ``X-CSRFToken`` as ``hx-headers`` on ``<body>`` sends it, and synthetic answers made from the
  questionnaire definitions by ``webapp.services.demo``.

Nothing here asserts anything about speed: the benchmarks print figures, they are not tests.
"""

from __future__ import annotations

import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

POSTGRES_URL = os.environ.get("CAPABLE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench password, not secret"
HTMX_HEADERS = {"HX-Request": "true", "HX-Request-Type": "partial", "HX-Target": "app-content"}
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RESPONSE_UUID_FIELD = re.compile(r'name="response_uuid"[^>]*value="([0-9a-f-]{36})"')
QUESTION_URL = re.compile(r"/responses/([0-9a-f-]{36})/questions/([^/?]+)")
ACTIVATION = "capable-activation"
CAPABILITY = "capable-capability"


# --- servers -----------------------------------------------------------------------------------

def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving ``app_spec`` on 127.0.0.1 with ``workers`` sync workers, or gthread
    workers of ``threads`` threads each when ``threads`` is above 1.

    Use as a context manager. ``ready_path`` is polled (GET, any status below 500) until the
    server answers or ``start_timeout`` seconds pass.
    """

    def __init__(self, app_spec: str, *, workers: int = 2, threads: int = 1, env: dict[str, str] | None = None,
                 pythonpath: str | None = None, ready_path: str = "/", start_timeout: float = 60.0,
                 extra_args: Sequence[str] = ()):
        self.app_spec = app_spec
        self.workers = workers
        self.threads = threads
        self.env = {**os.environ, **(env or {})}
        self.pythonpath = pythonpath
        self.ready_path = ready_path
        self.start_timeout = start_timeout
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_dir = Path(tempfile.mkdtemp(prefix="capable-bench-gunicorn-"))
        self.log_path = self.log_dir / "gunicorn.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}",
                   *(["--worker-class", "gthread", "--threads", str(self.threads)] if self.threads > 1
                     else ["--worker-class", "sync"]),
                   "--timeout", "60", "--log-level", "warning", *self.extra_args]
        if self.pythonpath:
            command += ["--pythonpath", self.pythonpath]
        return [*command, self.app_spec]

    def start(self) -> Server:
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command(), cwd=REPO_ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as reply:
                    if reply.status < 500:
                        return self
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {self.start_timeout}s:\n{self.log_tail()}")

    def stop(self, grace: float = 15.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # only the gunicorn master we started, by its pid
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own process group (start_new_session)
            process.wait(timeout=10)

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time used so far by the gunicorn master and its workers."""
        import psutil

        if self.process is None:
            return 0.0
        master = psutil.Process(self.process.pid)
        return cpu_seconds([master, *master.children(recursive=True)])

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.log_dir, ignore_errors=True)


def app_environment(database_url: str) -> dict[str, str]:
    """The environment a production-like Capable server runs with, over plain HTTP on loopback."""
    return {
        "CAPABLE_SECRET_KEY": secrets.token_hex(32),
        "CAPABLE_DATABASE_URL": database_url,
        "CAPABLE_AUTO_MIGRATE": "1",
        "CAPABLE_DEMO_DATA": "0",
        # Cookies are secure-only outside debug; on http://127.0.0.1 a client would drop them.
        "CAPABLE_SECURE_COOKIES": "0",
        # Every simulated person comes from 127.0.0.1: per-address limits on sign-up and sign-in
        # would stop the benchmark after a handful of people (they are read if the app has them).
        "CAPABLE_SIGN_UP_RATE_LIMIT": "1000000 per hour",
        "CAPABLE_SIGN_IN_RATE_LIMIT": "1000000 per hour",
    }


# --- databases ---------------------------------------------------------------------------------

class Database:
    """A fresh database for one run: ``sqlite`` (a file in a temp folder) or ``postgres``."""

    def __init__(self, kind: str):
        if kind not in ("sqlite", "postgres"):
            raise ValueError(kind)
        self.kind = kind
        self.temp_dir: Path | None = None
        if kind == "sqlite":
            self.temp_dir = Path(tempfile.mkdtemp(prefix="capable-bench-db-"))
            self.url = f"sqlite:///{self.temp_dir / 'capable.sqlite3'}"
        else:
            self.url = POSTGRES_URL

    def reset_and_migrate(self) -> None:
        """Wipe (PostgreSQL) and migrate once, so that workers starting together find it done."""
        from sqlalchemy import create_engine, text

        from webapp import migrations
        from webapp.config import database_url

        engine = create_engine(database_url(self.url))
        if self.kind == "postgres":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        migrations.upgrade(engine)
        engine.dispose()

    def size_bytes(self) -> int:
        if self.kind == "sqlite":
            return sum(path.stat().st_size for path in self.temp_dir.iterdir() if path.is_file())
        from sqlalchemy import create_engine, text

        from webapp.config import database_url

        engine = create_engine(database_url(self.url))
        with engine.connect() as connection:
            size = connection.scalar(text("SELECT pg_database_size(current_database())"))
        engine.dispose()
        return int(size)

    def server_cpu_seconds(self) -> float | None:
        """CPU used so far by the local PostgreSQL server (every ``postgres`` process: the
        postmaster, its helpers and one backend per connection), or None for SQLite, which runs
        inside the app's own processes. A backend that has exited is no longer counted, so take
        the difference across a phase whose connections stay open (the app's pool keeps them)."""
        if self.kind == "sqlite":
            return None
        import psutil

        return cpu_seconds(p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres"))

    def cleanup(self) -> None:
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


# --- maths and tables --------------------------------------------------------------------------

def cpu_seconds(processes) -> float:
    """User + system CPU time used so far by these processes (psutil); any that ended meanwhile
    count as nothing."""
    import psutil

    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks; nan if empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """count, p50, p95, p99, max in milliseconds for a list of durations in seconds."""
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "max": max(ms) if ms else math.nan}


def fmt(value, digits: int = 1) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(headers: Sequence[str], rows: Iterable[Sequence], title: str | None = None) -> None:
    """A Markdown table: numbers right-aligned, text left-aligned."""
    rows = [[fmt(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    numeric = [all(re.fullmatch(r"[-+]?[\d,.]+%?|–", r[i] or "–") for r in rows) if rows else False
               for i in range(len(headers))]

    def line(cells):
        return "| " + " | ".join(c.rjust(w) if n else c.ljust(w)
                                 for c, w, n in zip(cells, widths, numeric)) + " |"

    if title:
        print(f"\n{title}\n")
    print(line([str(h) for h in headers]))
    print("|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric)) + "|")
    for row in rows:
        print(line(row))
    sys.stdout.flush()


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:.1f} GB"


# --- questionnaires ----------------------------------------------------------------------------

_CATALOGUE = None


def catalogue():
    """The built-in questionnaire definitions, loaded as the app loads them (no app needed)."""
    global _CATALOGUE
    if _CATALOGUE is None:
        from webapp.config import BUILTIN_QUESTIONNAIRES
        from webapp.domain.questionnaires import load_catalogue

        _CATALOGUE = load_catalogue([str(BUILTIN_QUESTIONNAIRES)])
    return _CATALOGUE


def synthetic_answers(questionnaire_id: str, rng: random.Random) -> dict:
    """A whole plausible set of answers (webapp.services.demo), at a random level of wellness."""
    from webapp.services.demo import synthetic_answers as make

    questionnaire = catalogue().get(questionnaire_id)
    return make(questionnaire, rng.uniform(0.1, 0.9), rng)


def form_value(value) -> str | list[str]:
    """A JSON answer value as the browser's form sends it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def page_form(questionnaire_id: str, link_id: str, answers: dict) -> dict:
    """The fields a person sends on the screen ``link_id`` (the answers for its questions)."""
    page = catalogue().get(questionnaire_id).page(link_id)
    if page is None:
        raise KeyError(link_id)
    return {q.link_id: form_value(answers[q.link_id]) for q in page.questions if q.link_id in answers}


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    if not match:
        raise ValueError("no CSRF token in the page")
    return match.group(1)
