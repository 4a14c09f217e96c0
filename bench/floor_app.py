"""The floor for bench/answer_step.py: a minimal Flask app doing the least an answer step can do.

``GET /`` returns a small form; ``POST /answer/<n>`` reads the posted form and returns a small
HTML fragment with an ``HX-Push-Url`` header, as an htmx step does. No database, no sessions, no
templates, no CSRF. Served by the same gunicorn settings and driven by the same harness as the
real app, it shows how much of a step's time is Python + Flask + gunicorn + the client itself.

Run it alone with ``gunicorn --pythonpath bench floor_app:app``.
"""

from __future__ import annotations

from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)

FORM = """<!doctype html><html lang="en"><title>Floor</title>
<form method="post" action="/answer/0"><input type="hidden" name="csrf_token" value="floor">
<button>Start</button></form></html>"""


@app.get("/")
def form():
    return FORM


@app.post("/answer/<int:step>")
def answer(step: int):
    given = ", ".join(f"{escape(k)}={escape(v)}" for k, v in request.form.items(multi=True) if k != "csrf_token")
    body = (f'<div class="nhsuk-grid-row"><h1 tabindex="-1">Step {step + 1}</h1>'
            f"<p>You said {given or 'nothing'}.</p>"
            f'<form method="post" action="/answer/{step + 1}" hx-post="/answer/{step + 1}" hx-target="#app-content">'
            f'<button class="nhsuk-button">Continue</button></form></div>')
    return body, 200, {"HX-Push-Url": f"/answer/{step + 1}", "Vary": "HX-Request"}
