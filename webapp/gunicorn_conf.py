"""gunicorn settings for running Capable as a service.

    gunicorn -c python:webapp.gunicorn_conf 'webapp:create_app()'

Every setting can still be changed on the command line or through gunicorn's own environment
variables (``WEB_CONCURRENCY`` for the number of workers, ``GUNICORN_CMD_ARGS`` for anything).

The access log is the reason this file exists: a plain access log would keep secrets and names
that have no place in a log. Query strings can hold a name (the caseload's search), the path of
an invite link is its secret, and the Referer header repeats both. ``PrivateAccessLogger`` writes
the usual combined-format line with those parts replaced, so the log still shows who asked for
which page, when, and how it went.
"""

from __future__ import annotations

import os
import re

from gunicorn import glogging

bind = os.environ.get("CAPABLE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Sync workers by default: an answer step is CPU-bound, and threads measured no faster on
# PostgreSQL and slower on SQLite, whose writes wait for each other (README, Performance).
# CAPABLE_THREADS above 1 switches to gthread workers with that many threads each.
threads = int(os.environ.get("CAPABLE_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Paths whose last part is a secret, with what the log shows instead.
_SECRET_PATHS = (
    (re.compile(r"^/invite/[^/?#]+"), "/invite/[token]"),
)
# Atoms (see gunicorn's access_log_format) that may hold a request's address or its headers' secrets.
_ADDRESS_ATOMS = ("U", "f", "{referer}i", "{raw_uri}e", "{path_info}e", "{request_uri}e")
_DROPPED_ATOMS = ("q", "{query_string}e", "{cookie}i", "{authorization}i", "{x-csrftoken}i")


def private_address(address: str | None) -> str | None:
    """An address fit for a log: no query string (it may hold a name) and no secret path part.
    A query string that was there shows as ``?…``, so the log still says one was sent."""
    if not address or address == "-":
        return address
    scheme_and_host = ""
    match = re.match(r"^[a-z][a-z0-9+.-]*://[^/]*", address, re.IGNORECASE)
    if match:  # a Referer is a whole URL
        scheme_and_host, address = match.group(0), address[match.end():]
    path, query_mark, _query = address.partition("?")
    path = path.split("#", 1)[0]
    for pattern, replacement in _SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return scheme_and_host + path + ("?\u2026" if query_mark else "")


class PrivateAccessLogger(glogging.Logger):
    """gunicorn's logger, with addresses made private before the access line is written."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in _ADDRESS_ATOMS:
            if name in atoms:
                atoms[name] = private_address(atoms[name])
        for name in _DROPPED_ATOMS:
            if name in atoms:
                atoms[name] = "-"
        atoms["r"] = "%s %s %s" % (
            environ.get("REQUEST_METHOD"),
            private_address(environ.get("RAW_URI") or environ.get("PATH_INFO")),
            environ.get("SERVER_PROTOCOL"),
        )
        return atoms


logger_class = PrivateAccessLogger
