"""Real-browser fixtures: a live server, Debian's Chromium driven by Playwright, strict pages.

Every test gets its own database, server and browser context; one Chromium is shared by every
test in this folder. A test fails when its pages log a console error or a page error, or try to reach any
host other than the live server on 127.0.0.1: the app must never use a CDN.

pytest-playwright's fixtures are deliberately not used: they would look for downloaded browsers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

T = TypeVar("T")
CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI") == "true"
MISSING_CHROMIUM = f"{CHROMIUM} is not installed: the browser tests need Debian's Chromium (apt-get install chromium)"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# The expected console line when a deliberate validation error answers 422. Nothing else is allowed.
EXPECTED_422 = "Failed to load resource: the server responded with a status of 422"
LOCAL_HOST = "127.0.0.1"


def _in_this_folder(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, skip this folder on a developer's machine; in CI it must fail instead."""
    if CHROMIUM.exists() or IN_CI:
        return
    skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if _in_this_folder(item):
            item.add_marker(skip)


# --- The live server -------------------------------------------------------------------------


def off_the_event_loop(function: Callable[..., T], /, *args, **kwargs) -> T:
    """Run ``function`` in a thread of its own and return its result.

    Playwright's sync API keeps an asyncio event loop running in the test's thread. Leaving an app
    context calls flask-sqlalchemy-lite's async teardown through asgiref, which refuses to run in a
    thread with a running loop. So anything that uses an app context (building the app, creating a
    person, disposing the engine) runs in a plain thread, like the server's own request threads.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="app-context") as pool:
        return pool.submit(function, *args, **kwargs).result()


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without a log line per request."""

    def log_request(self, code="-", size="-") -> None:  # noqa: ARG002
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    """The app on a real HTTP server at 127.0.0.1 on a free port, with a fresh database."""
    from webapp import create_app
    from webapp.config import database_url as normalise
    from webapp.extensions import db

    app = off_the_event_loop(create_app, {
        "TESTING": True,
        "SECRET_KEY": "browser-tests",
        "SQLALCHEMY_ENGINES": {"default": normalise(database_url)},
        "DEMO_DATA": False,
        "AUTO_MIGRATE": True,
    })
    server: BaseWSGIServer = make_server(LOCAL_HOST, 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://{LOCAL_HOST}:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

        def dispose() -> None:
            with app.app_context():
                db.engine.dispose()

        off_the_event_loop(dispose)


# --- The browser -----------------------------------------------------------------------------


# Package scope, not session: one browser for this whole folder, stopped as soon as its last test
# is done. Playwright's sync API keeps an asyncio loop running in the main thread while it is
# started, and the other test folders' app contexts fail in such a thread (see off_the_event_loop).
@pytest.fixture(scope="package")
def playwright_driver():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{MISSING_CHROMIUM}. CI=true, so this is a failure, not a skip.", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a busy 2-core machine can be slow to swap a screen in
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="package")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class PageMonitor:
    """What a browser context did that a test must not allow."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if text.startswith(EXPECTED_422):
            return
        location = message.location or {}
        self.console_errors.append(f"{text} (at {location.get('url', '?')}:{location.get('lineNumber', '?')})")

    def on_page_error(self, error) -> None:
        self.page_errors.append(f"{getattr(error, 'name', 'Error')}: {getattr(error, 'message', error)}\n{getattr(error, 'stack', '')}")

    def on_route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname == LOCAL_HOST:
            route.continue_()
        else:
            self.foreign_requests.append(url)
            route.abort()

    def problems(self) -> list[str]:
        found = []
        found += [f"console error: {line}" for line in self.console_errors]
        found += [f"page error: {line}" for line in self.page_errors]
        found += [f"request to a host other than {LOCAL_HOST} (aborted): {url}" for url in self.foreign_requests]
        return found


class Contexts:
    """Opens monitored phone-sized browser contexts for one test, and closes them all after it."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.opened: list = []
        self.monitors: list[PageMonitor] = []

    def new(self, **options):
        settings = {**PHONE, "base_url": self.base_url, "locale": "en-GB", **options}
        context = self.browser.new_context(**settings)
        context.set_default_timeout(10_000)
        monitor = PageMonitor()
        context.on("console", monitor.on_console)
        context.on("weberror", lambda web_error: monitor.on_page_error(web_error.error))
        context.route("**/*", monitor.on_route)
        self.opened.append(context)
        self.monitors.append(monitor)
        return context

    def flush(self) -> None:
        """Give events the pages have already sent a chance to arrive before they are checked."""
        for context in self.opened:
            for page in list(context.pages):
                if page.is_closed():
                    continue
                try:
                    page.evaluate("0")
                except Exception:  # noqa: BLE001 - a page in the middle of navigating; nothing to flush
                    pass

    def problems(self) -> list[str]:
        return [problem for monitor in self.monitors for problem in monitor.problems()]

    def close(self) -> None:
        for context in self.opened:
            context.close()
        self.opened.clear()


@pytest.fixture
def contexts(request: pytest.FixtureRequest, browser, live_server: LiveServer) -> Iterator[Contexts]:
    """A factory for further contexts (JavaScript off, a second device...), all monitored."""
    opened = Contexts(browser, live_server.url)
    request.node._browser_contexts = opened
    try:
        yield opened
    finally:
        opened.close()
    problems = opened.problems()
    if problems:
        pytest.fail("The browser reported problems while the context closed:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def context(contexts: Contexts):
    return contexts.new()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fail the test itself (not only its teardown) on console errors, page errors or foreign hosts."""
    result = yield
    opened: Contexts | None = getattr(item, "_browser_contexts", None)
    if opened is not None:
        opened.flush()
        problems = opened.problems()
        if problems:
            # Reported once, here; the fixture's check after closing must not report them again.
            for monitor in opened.monitors:
                monitor.console_errors.clear()
                monitor.page_errors.clear()
                monitor.foreign_requests.clear()
            pytest.fail("The browser reported problems:\n" + "\n".join(problems), pytrace=False)
    return result


# --- Shortcuts used by several tests ------------------------------------------------------------


@pytest.fixture
def make_account(live_server: LiveServer) -> Callable[..., tuple[str, str]]:
    """Create a person straight in the database; returns (email, password) to sign in with."""
    from tests.conftest import PASSWORD, make_person

    def make(email: str = "sam@example.org", name: str = "Sam") -> tuple[str, str]:
        off_the_event_loop(make_person, live_server.app, email=email, password=PASSWORD, name=name)
        return email, PASSWORD

    return make
