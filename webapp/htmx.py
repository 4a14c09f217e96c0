"""One place that decides between a whole page and an htmx fragment.

Every page template includes the fragment template that the same URL returns to htmx, so the
markup is written once. Responses that differ by ``HX-Request`` say so with ``Vary``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def is_htmx_request() -> bool:
    """True for htmx requests that swap part of the page (not history restores or full swaps)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") != "full"
    )


def render(
    page_template: str,
    fragment_template: str,
    /,
    *,
    status: int = 200,
    push_url: str | None = None,
    **context: Any,
) -> Response:
    """Render ``fragment_template`` for htmx, otherwise ``page_template`` (which includes it)."""
    htmx = is_htmx_request()
    body = render_template(
        fragment_template if htmx else page_template,
        fragment_template=fragment_template,
        htmx=htmx,
        **context,
    )
    response = make_response(body, status)
    response.vary.add("HX-Request")
    if htmx and push_url:
        response.headers["HX-Push-Url"] = push_url
    return response
