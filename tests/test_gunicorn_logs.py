"""The service's access log (gunicorn with ``webapp/gunicorn_conf.py``) keeps no invite secrets
and no names: a real gunicorn on loopback answers real requests, and its log is read back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.test_durability import free_port
from webapp.config import PROJECT_ROOT

pytest.importorskip("gunicorn", reason="gunicorn is in the test and service extras")

from webapp.gunicorn_conf import private_address  # noqa: E402  (needs gunicorn)

TOKEN = "Zq8c0ff33Secr3tInv1teT0ken_abcdefghijkl"
NAME = "Featherstonehaugh"


@pytest.mark.parametrize(
    ("address", "logged"),
    [
        (f"/invite/{TOKEN}", "/invite/[token]"),
        (f"/invite/{TOKEN}?utm=x", "/invite/[token]?\u2026"),
        ("/invite", "/invite"),
        (f"/staff/?q={NAME}&sort=name", "/staff/?\u2026"),
        (f"https://capable.example/staff/?q={NAME}#top", "https://capable.example/staff/?\u2026"),
        (f"https://capable.example/invite/{TOKEN}", "https://capable.example/invite/[token]"),
        ("/history", "/history"),
        ("-", "-"),
        ("", ""),
        (None, None),
    ],
)
def test_an_address_is_logged_without_its_query_or_secret(address, logged):
    assert private_address(address) == logged


def test_the_access_log_of_a_real_server_shows_each_request_but_no_token_or_name(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "CAPABLE_SECRET_KEY": "gunicorn-log-test-secret", "CAPABLE_DEMO_DATA": "0",
           "CAPABLE_DATABASE_URL": f"sqlite:///{tmp_path / 'capable.sqlite3'}", "CAPABLE_SECURE_COOKIES": "0",
           "WEB_CONCURRENCY": "1", "CAPABLE_THREADS": "2"}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
               "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log), "webapp:create_app()"]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def get(path: str, **headers) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=5) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert get("/sign-in") == 200
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert get(f"/invite/{TOKEN}") == 404  # no such invite: the page says the link does not work
        assert get(f"/sign-in?next=/staff/%3Fq%3D{NAME}", Referer=f"{base}/staff/?q={NAME}") == 200
    finally:
        server.terminate()
        server.wait(timeout=30)

    lines = log.read_text().splitlines()
    assert any('"GET /invite/[token] HTTP/1.1" 404' in line for line in lines), lines
    assert any('"GET /sign-in?\u2026 HTTP/1.1" 200' in line and f'"{base}/staff/?\u2026"' in line
               for line in lines), lines
    whole = log.read_text()
    assert TOKEN not in whole
    assert NAME not in whole
