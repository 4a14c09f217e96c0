"""One place that decides between a whole page and an htmx fragment.

Every page template includes the fragment template that the same URL returns to htmx, so the
markup is written once. Responses that differ by ``HX-Request`` say so with ``Vary``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, redirect, render_template, request

# Where htmx swaps a step's fragment: the page's content area (see templates/layout.html).
CONTENT_TARGET = "#app-content"


def is_htmx_request() -> bool:
    """True for htmx requests that swap part of the page (not history restores or full swaps)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") != "full"
    )


def render(
    fragment_template: str,
    /,
    *,
    page_template: str = "layout.html",
    status: int = 200,
    push_url: str | None = None,
    **context: Any,
) -> Response:
    """Render ``fragment_template`` for htmx, otherwise the whole page around it.

    ``page_template`` (the layout unless a page needs more) includes the fragment, so both are
    the same markup. Either way ``_fragment.html`` puts any flashed message above the fragment,
    so a message said before an htmx redirect (``redirect_after_post``) shows where it lands.
    """
    htmx = is_htmx_request()
    body = render_template(
        "_fragment.html" if htmx else page_template,
        fragment_template=fragment_template,
        htmx=htmx,
        **context,
    )
    response = make_response(body, status)
    response.vary.add("HX-Request")
    if htmx and push_url:
        response.headers["HX-Push-Url"] = push_url
    return response


def redirect_after_post(url: str) -> Response:
    """Post/redirect/get: a 303 for a plain form; for htmx, ``HX-Location`` makes htmx fetch
    ``url`` into the content area and push it to the history, as a redirect would."""
    if is_htmx_request():
        response = make_response("", 200)
        response.headers["HX-Location"] = json.dumps({"path": url, "target": CONTENT_TARGET})
        response.vary.add("HX-Request")
        return response
    return redirect(url, code=303)
