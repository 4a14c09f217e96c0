"""Bytes on the wire for a person answering a questionnaire: the first load and each htmx step.

Uses the Flask test client (no server, a fresh SQLite file in a temp folder). It signs up,
starts the questionnaire (``--questionnaire``, activation by default; give it more than once) and
measures, compressed with gzip level 6 as a typical reverse proxy does:

- the first full load of a question page: the HTML, plus every stylesheet
  (``<link rel="stylesheet">``) and script (``<script src>``, classic or module) the page
  references, plus every module they import (``import ... from "x"``, ``import "x"``,
  ``export ... from "x"``, ``import("x")``, followed recursively, e.g. NHS.UK frontend imported by
  ``static/app/nhsuk-init.mjs``). Each file is fetched through the app, as a browser would.
  Icons, the web manifest and images named in CSS ``url()`` are listed separately (a browser
  fetches them later or lazily; they are not counted in the total);
- every htmx response while completing it (``HX-Request`` headers): the fragment that comes back
  from start and from each answered screen (kind "question", or "check" for check your
  answers) and from submit ("results"), with min / median / max per kind, and the total.

Targets shown next to the figures: first load under 80 KB gzip; every htmx step under 3 KB gzip.

    python bench/page_weight.py
    python bench/page_weight.py --questionnaire capable-activation --questionnaire capable-capability
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import tempfile
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import common
from common import HTMX_HEADERS, QUESTION_URL

FIRST_LOAD_TARGET = 80 * 1024
STEP_TARGET = 3 * 1024
MODULE_IMPORT = re.compile(
    r"""(?:\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?|\bexport\s*[\w*{}\s,$]*\s*from\s*|\bimport\s*\(\s*)["']([^"']+)["']""")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


class AssetParser(HTMLParser):
    """Collects what a page makes the browser fetch: stylesheets, scripts, icons, manifest."""

    def __init__(self):
        super().__init__()
        self.counted: list[tuple[str, str]] = []  # (kind, url)
        self.later: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower().split()
            if "stylesheet" in rel:
                self.counted.append(("stylesheet", attrs["href"]))
            elif rel:
                self.later.append((" ".join(rel), attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            kind = "module" if (attrs.get("type") or "").lower() == "module" else "script"
            self.counted.append((kind, attrs["src"]))


def fetch(client, url: str) -> bytes:
    reply = client.get(url)
    if reply.status_code != 200:
        raise RuntimeError(f"GET {url} answered {reply.status_code}")
    data = reply.get_data()
    reply.close()
    return data


def first_load(client, page_url: str) -> tuple[list[list], list[list]]:
    """Rows (kind, path, raw, gzip) for the page and everything it references; rows not counted."""
    html = fetch(client, page_url)
    parser = AssetParser()
    parser.feed(html.decode())
    rows = [["HTML", urlsplit(page_url).path, len(html), gz(html)]]
    seen = {page_url}
    queue = [(kind, urljoin(page_url, url)) for kind, url in parser.counted]
    for _ in range(100):  # bounded: a page references a handful of files
        if not queue:
            break
        kind, url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        data = fetch(client, url)
        rows.append([kind, urlsplit(url).path, len(data), gz(data)])
        if kind in ("module", "imported module"):
            for target in MODULE_IMPORT.findall(data.decode(errors="replace")):
                if target.startswith((".", "/")):
                    queue.append(("imported module", urljoin(url, target)))
    later = []
    css_urls = set()
    for kind, path, _raw, _gz in rows:
        if kind == "stylesheet":
            text = fetch(client, path).decode(errors="replace")
            css_urls.update(re.findall(r"""url\(["']?([^"')]+)["']?\)""", text))
    for kind, url in [*parser.later, *(("css url()", u) for u in sorted(css_urls))]:
        full = urljoin(page_url, url)
        if not urlsplit(full).path.startswith("/") or url.startswith("data:"):
            continue
        reply = client.get(full)
        data = reply.get_data() if reply.status_code == 200 else b""
        reply.close()
        later.append([kind, urlsplit(full).path, len(data), gz(data)])
    return rows, later


def sign_up(client) -> None:
    token = common.csrf_from(fetch(client, "/sign-up").decode())
    reply = client.post("/sign-up", data={"csrf_token": token, "display_name": "Weigh", "email":
                                          f"weigh-{uuid.uuid4().hex[:8]}@example.org",
                                          "password": common.PASSWORD, "confirm": common.PASSWORD})
    if reply.status_code != 302:
        raise RuntimeError(f"sign-up answered {reply.status_code}")


def htmx_walk(client, questionnaire_id: str, rng: random.Random, on_first_question=None) -> list[tuple[str, str, int, int]]:
    """Complete the questionnaire through htmx. Returns (kind, screen, raw bytes, gzip bytes) for
    every fragment. ``on_first_question(url)`` is called once the first question is shown."""
    answers = common.synthetic_answers(questionnaire_id, rng)
    token = common.csrf_from(fetch(client, f"/questionnaires/{questionnaire_id}").decode())
    headers = {**HTMX_HEADERS, "X-CSRFToken": token}
    steps = []

    def record(reply, screen):
        if reply.status_code != 200:
            raise RuntimeError(f"{screen} answered {reply.status_code}: {reply.get_data(as_text=True)[:500]}")
        body = reply.get_data()
        location = reply.headers.get("HX-Push-Url", "")
        kind = "question" if QUESTION_URL.search(location) else ("check" if location.endswith("/check")
                                                                  else "results" if "/results" in location else "other")
        steps.append((kind, screen, len(body), gz(body)))
        return location

    location = record(client.post(f"/questionnaires/{questionnaire_id}/start", headers=headers,
                                  data={"csrf_token": token, "response_uuid": str(uuid.uuid4())}), "start")
    if on_first_question is not None:
        on_first_question(location)
    for _ in range(100):
        match = QUESTION_URL.search(location)
        if not match:
            break
        response_uuid, link_id = match.groups()
        data = {**common.page_form(questionnaire_id, link_id, answers), "csrf_token": token}
        location = record(client.post(f"/responses/{response_uuid}/questions/{link_id}", data=data,
                                      headers=headers), link_id)
    response_uuid = location.split("/")[2]
    record(client.post(f"/responses/{response_uuid}/submit", data={"csrf_token": token}, headers=headers), "submit")
    return steps


def kb(value: float) -> str:
    return f"{value / 1024:,.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questionnaire", action="append", help="questionnaire id (default capable-activation)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    questionnaires = args.questionnaire or [common.ACTIVATION]

    temp_dir = Path(tempfile.mkdtemp(prefix="capable-bench-weight-"))
    try:
        env = common.app_environment(f"sqlite:///{temp_dir / 'capable.sqlite3'}")
        os.environ.update(env)
        from webapp import create_app
        from webapp.config import database_url

        app = create_app({"SQLALCHEMY_ENGINES": {"default": database_url(env["CAPABLE_DATABASE_URL"])},
                          "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
                          "DEMO_DATA": False, "AUTO_MIGRATE": True})
        client = app.test_client()
        sign_up(client)
        rng = random.Random(args.seed)
        for index, questionnaire_id in enumerate(questionnaires):
            loads = []
            steps = htmx_walk(client, questionnaire_id, rng,
                              on_first_question=(lambda url: loads.append(first_load(client, url))) if index == 0 else None)
            if loads:
                rows, later = loads[0]
                total_raw = sum(r[2] for r in rows)
                total_gz = sum(r[3] for r in rows)
                common.print_table(
                    ["what", "path", "bytes", "gzip bytes"],
                    [*rows, ["total", "", total_raw, total_gz]],
                    title=f"First full load of a question page ({questionnaire_id}): total {kb(total_gz)} gzip, "
                          f"target < 80 KB: {'met' if total_gz < FIRST_LOAD_TARGET else 'MISSED'}",
                )
                if later:
                    common.print_table(["what", "path", "bytes", "gzip bytes"], later,
                                       title="Fetched later or lazily by a browser (not counted above)")
            by_kind: dict[str, list[int]] = {}
            raw_by_kind: dict[str, list[int]] = {}
            for kind, _screen, raw, packed in steps:
                by_kind.setdefault(kind, []).append(packed)
                raw_by_kind.setdefault(kind, []).append(raw)
            table = []
            for kind in ("question", "check", "results", "other", "all steps"):
                chosen = steps if kind == "all steps" else [step for step in steps if step[0] == kind]
                if not chosen:
                    continue
                sizes = [step[3] for step in chosen]
                met = "" if kind == "all steps" else ("met" if max(sizes) < STEP_TARGET else "MISSED")
                table.append([kind, len(chosen), int(common.median([step[2] for step in chosen])), min(sizes),
                              int(common.median(sizes)), max(sizes), sum(sizes),
                              "" if kind == "all steps" else "< 3 KB", met])
            common.print_table(
                ["htmx step kind", "count", "median bytes", "min gzip", "median gzip", "max gzip", "total gzip",
                 "target", "met?"],
                table,
                title=f"htmx fragments while completing {questionnaire_id} (bytes of the body; gzip level 6)",
            )
            largest = sorted(steps, key=lambda s: -s[3])[:3]
            print("\nlargest fragments: " + ", ".join(f"{screen} ({kind}) {packed:,} B" for kind, screen, _r, packed in largest))
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
