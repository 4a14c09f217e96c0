"""Hypothesis strategies for hostile input: odd text, odd forms, odd paths."""

from __future__ import annotations

import os
import uuid as uuid_module
from urllib.parse import quote

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

ON_POSTGRES = bool(os.environ.get("CAPABLE_TEST_DATABASE_URL"))


def pg_safe(strategy):
    """The app refuses any request with a NUL character in a field, whole (test_nul_bytes.py
    proves it); elsewhere NUL is replaced, so that the other properties are tested past that."""
    return strategy.map(lambda text: text.replace("\x00", "\ufffd"))


# Text a person, a broken device or an attacker might send. Surrogates cannot be sent as UTF-8,
# so they are left out; NUL, right-to-left marks, joiners and emoji are in.
NASTY = [
    "", " ", "   \t\n", "\x00", "a\x00b", "\x00" * 10, "\u202eevil\u202c", "\u200f\u0645\u0631\u062d\u0628\u0627",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd", "\U0001f600", "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\ufeff", "\u200b", "\uffff", "\U0010ffff", "%00", "%", "%zz", "../../etc/passwd", "<script>alert(1)</script>",
    "' OR '1'='1", "null", "None", "true", "false", "[]", "{}", "-1", "11", "1e9", "1.5", " 7 ", "+7", "07",
    "99999999999999999999999999", "NaN", "inf", "0x10", "\uff17", "\u0667", "\u00b2", "2026-02-30", "0001-01-01",
    "9999-12-31", "2026-13-01", "10000-01-01", "2026-1-1", "\r\n", "yes", "YES", "no", "own", "smaller",
]

HUGE = pg_safe(st.builds(
    lambda piece, size: piece * (size // len(piece)),
    st.sampled_from(["x", "\u00e9", "\U0001f600", "\x00", "ab "]),
    st.sampled_from([256, 2001, 100_000]),
))

@st.composite
def _texts(draw) -> str:
    """Odd text, now and then a huge one (so that not every form is too big to read)."""
    kind = draw(st.integers(min_value=0, max_value=19))
    if kind == 0:
        return draw(HUGE)
    if kind <= 7:
        return draw(st.sampled_from(NASTY))
    if kind <= 13:
        return draw(st.text(max_size=40))
    if kind <= 16:
        return draw(st.text(alphabet=st.characters(codec="utf-8", min_codepoint=0x590, max_codepoint=0x6ff),
                            max_size=20))
    return str(draw(st.integers(min_value=-(10**30), max_value=10**30)))


texts = pg_safe(_texts())

field_names = st.one_of(
    st.sampled_from(["", "csrf_token", "next", "from", "change", "idea", "choice", "action", "\x00", "a[]",
                     "own_words[]", "answers", "uuid"]),
    st.text(min_size=1, max_size=20),
)


def uuids_and_junk(known: list[str] | None = None):
    """A path segment that should name a response or goal: real ones, random ones, junk."""
    options = [
        st.uuids().map(str),
        st.uuids().map(lambda u: str(u).upper()),
        st.uuids().map(lambda u: u.hex),
        st.sampled_from(["not-a-uuid", "00000000-0000-0000-0000-000000000000", "0" * 36, "%00",
                         "{12345678-1234-5678-1234-567812345678}", "12345678-1234-5678-1234-56781234567g"]),
        texts.filter(lambda t: len(t) < 300),
    ]
    if known:
        options.insert(0, st.sampled_from(known))
    return st.one_of(*options)


def segment(value: str) -> str:
    """A path segment that arrives as written (slashes, ? and # too)."""
    return quote(value, safe="")


@st.composite
def random_form(draw, fields: list[str], values=texts, good: dict | None = None) -> MultiDict:
    """A form with each known field missing, given once or given several times, and stray fields.

    ``good`` maps field names to strategies for values that fit; those fields get a fitting value
    three times in four, so that requests also get past validation, not only fail it.
    """
    form = MultiDict()

    def value(name: str) -> str:
        fitting = (good or {}).get(name)
        if fitting is not None and draw(st.integers(min_value=0, max_value=3)) > 0:
            return draw(fitting)
        return draw(values)

    # Half the time every field with fitting values gets exactly one; otherwise anything goes.
    tidy = bool(good) and draw(st.booleans())
    for name in fields:
        if tidy and name in good:
            form.add(name, draw(good[name]))
            continue
        how = draw(st.integers(min_value=0, max_value=9))
        if how in (1, 2, 3, 4, 5, 6, 7):
            form.add(name, value(name))
        elif how in (8, 9):
            for _ in range(draw(st.integers(min_value=2, max_value=4))):
                form.add(name, value(name))
    for name, value in draw(st.lists(st.tuples(field_names, texts), max_size=3)):
        if name != "csrf_token":
            form.add(name, value)
    return form


CSRF_MODES = ["valid"] * 6 + ["header"] * 2 + ["missing", "forged", "other-session"]


def with_csrf(form: MultiDict, mode: str, token: str, other_token: str) -> tuple[MultiDict, dict]:
    """Put a CSRF token in the form (or a header) the way ``mode`` says; returns (form, headers)."""
    form = MultiDict(form)
    form.poplist("csrf_token")
    headers = {}
    if mode == "valid":
        form.add("csrf_token", token)
    elif mode == "header":
        headers["X-CSRFToken"] = token
    elif mode == "forged":
        form.add("csrf_token", "forged." + uuid_module.uuid4().hex)
    elif mode == "other-session":
        form.add("csrf_token", other_token)
    return form, headers


def csrf_passes(mode: str) -> bool:
    return mode in ("valid", "header")


HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
