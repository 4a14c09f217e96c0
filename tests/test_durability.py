"""Killing the server mid-stream loses nothing it said it had stored, and half-writes nothing.

A real server process on loopback receives a stream of complete responses; it is killed with
SIGKILL part-way and started again on the same SQLite file. Every response that got a 2xx receipt
must be in the database with all of its answers and scores; no response may be stored in part.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from webapp.config import PROJECT_ROOT

ITEMS = [f"{block}-{n}" for block in ("ownership", "knowhow", "acting", "sustaining") for n in (1, 2, 3)]
PASSWORD = "durable horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CAPABLE_SECRET_KEY": "durability-test-secret", "CAPABLE_DEMO_DATA": "0",
           "CAPABLE_DATABASE_URL": f"sqlite:///{database}", "CAPABLE_SECURE_COOKIES": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "run", "--port", str(port), "--no-reload"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


class Person:
    """A browser-like client: cookies, and the CSRF token read from a page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def token(self, path: str) -> str:
        page = self.opener.open(self.base + path, timeout=5).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def post_form(self, path: str, fields: dict) -> None:
        data = urllib.parse.urlencode(fields).encode()
        self.opener.open(urllib.request.Request(self.base + path, data=data), timeout=5).read()

    def send(self, token: str, response_uuid: str) -> int:
        body = json.dumps({"uuid": response_uuid, "questionnaire": "capable-activation", "version": "1",
                           "answers": {item: "agree" for item in ITEMS}}).encode()
        request = urllib.request.Request(self.base + "/api/responses", data=body, method="POST",
                                         headers={"Content-Type": "application/json", "X-CSRFToken": token})
        try:
            return self.opener.open(request, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0  # the connection died with the server: no receipt


def test_a_killed_server_keeps_every_receipted_response_whole(tmp_path):
    database = tmp_path / "durable.sqlite3"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(database, port)
    receipted: list[str] = []
    try:
        person = Person(base)
        person.post_form("/sign-up", {"csrf_token": person.token("/sign-up"), "email": "durable@example.org",
                                      "password": PASSWORD, "confirm": PASSWORD})
        token = person.token("/")
        stop = threading.Event()

        def stream():
            for _ in range(400):  # bounded: at most 400 sends
                if stop.is_set():
                    return
                response_uuid = str(uuid.uuid4())
                if person.send(token, response_uuid) in (200, 201):
                    receipted.append(response_uuid)

        sender = threading.Thread(target=stream)
        sender.start()
        deadline = time.monotonic() + 20
        while len(receipted) < 15 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(server.pid, signal.SIGKILL)  # mid-stream, no chance to clean up
        server.wait(timeout=10)
        stop.set()
        sender.join(timeout=30)
        assert len(receipted) >= 15

        server = start_server(database, port)  # the same file, as after a crash and restart
        assert Person(base).opener.open(base + "/sign-in", timeout=5).status == 200
    finally:
        server.kill()
        server.wait(timeout=10)

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT r.uuid, r.status, "
            "(SELECT count(*) FROM answers a WHERE a.response_id = r.id), "
            "(SELECT count(*) FROM scores s WHERE s.response_id = r.id) FROM responses r"
        )).all()
    engine.dispose()
    stored = {str(uuid.UUID(str(row[0]))): row[1:] for row in rows}
    for response_uuid in receipted:
        assert response_uuid in stored, "a response with a 2xx receipt was lost"
    for status, answers, scores in stored.values():
        assert (status, answers, scores) == ("completed", 12, 5), "a response was stored in part"
