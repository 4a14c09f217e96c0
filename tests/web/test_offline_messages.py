"""The words the offline scripts show come from the translation catalogue (GET /offline/messages.json).

The keys are read from the scripts themselves: a string added to the JavaScript without adding it
to webapp/offline/messages.py fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.util import pathmatch

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "static" / "app" / "offline"
FALLBACK = SCRIPTS / "messages_en.js"
MESSAGES_MODULE = ROOT / "webapp" / "offline" / "messages.py"
CALL = re.compile(r"\bmsg(Plural)?\(\s*\"([^\"]+)\"")


def keys_used() -> dict[str, set[str]]:
    """{"plain": keys passed to msg(...), "plural": keys passed to msgPlural(...)} in every script."""
    used: dict[str, set[str]] = {"plain": set(), "plural": set()}
    for script in sorted(SCRIPTS.glob("*.js")):
        if script == FALLBACK:
            continue
        for plural, key in CALL.findall(script.read_text(encoding="utf-8")):
            used["plural" if plural else "plain"].add(key)
    return used


def served(client, query: str = "?locale=en-GB") -> dict:
    response = client.get("/offline/messages.json" + query)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_every_message_the_scripts_use_is_in_the_catalogue(client):
    used = keys_used()
    assert len(used["plain"]) > 20 and len(used["plural"]) >= 4  # the scan really found the calls
    messages = served(client)["messages"]
    missing = sorted((used["plain"] | used["plural"]) - set(messages))
    assert not missing, f"add these to webapp/offline/messages.py: {missing}"
    for key in used["plain"]:
        assert isinstance(messages[key], str) and messages[key].strip(), key
    for key in used["plural"]:
        forms = messages[key]
        assert isinstance(forms, dict) and {"one", "other"} <= set(forms), key
        assert all("{count}" in text for text in forms.values()), key


def test_no_message_is_left_that_no_script_uses(client):
    used = keys_used()
    unused = sorted(set(served(client)["messages"]) - used["plain"] - used["plural"])
    assert not unused, f"no script uses these: {unused}"


def test_the_english_messages_read_as_before(client):
    body = served(client)
    assert body["locale"] == "en-GB"
    messages = body["messages"]
    assert messages["banner.unsent"] == {
        "one": "{count} set of answers is saved on this phone and not sent yet.",
        "other": "{count} sets of answers are saved on this phone and not sent yet.",
    }
    assert messages["outbox.nothing"] == "Nothing is waiting to be sent."
    assert messages["outbox.results_sent"] == "Results sent {date}"
    assert messages["sign_out.title"] == "Your answers have not been sent"


def test_the_messages_are_marked_with_their_language_and_build_and_revalidated(client, app):
    response = client.get("/offline/messages.json?locale=en-GB")
    assert response.headers["Content-Language"] == "en-GB"
    assert response.headers["Cache-Control"] == "no-cache"
    app.config["OFFLINE_CACHE_VERSION"] = "test-build-7"
    assert served(client)["build"] == "test-build-7"
    # A language Capable does not have yet gets the default one, never an error.
    assert served(client, "?locale=xx-YY")["locale"] == "en-GB"
    assert served(client, "")["locale"] == "en-GB"


def test_the_service_worker_keeps_the_messages_with_the_static_files(client):
    body = client.get("/sw.js").get_data(as_text=True)
    settings = json.loads(re.match(r"self\.CAPABLE = (\{.*\});\n", body).group(1))
    assert settings["messages"] == "/offline/messages.json"
    # client.js asks for /offline/messages.json?locale=<the page's lang>: that address is kept.
    assert "/offline/messages.json?locale=en-GB" in settings["static"]
    assert "/static/app/offline/messages_en.js" in settings["static"]
    assert "/static/app/offline/drafts.js" in settings["static"]
    assert "url.pathname === C.messages" in body


def test_the_english_fallback_is_the_catalogue_as_it_is_now(app):
    from flask_babel import force_locale

    from webapp.offline.messages import english_fallback_source

    with app.test_request_context(), force_locale("en_GB"):
        expected = english_fallback_source()
    assert FALLBACK.read_text(encoding="utf-8") == expected, (
        "static/app/offline/messages_en.js is out of date: run "
        "`python -m webapp.offline.messages > static/app/offline/messages_en.js`"
    )


def test_pybabel_extract_finds_the_offline_messages():
    with (ROOT / "webapp" / "babel.cfg").open(encoding="utf-8") as config:
        method_map, _options = parse_mapping_cfg(config)
    relative = MESSAGES_MODULE.relative_to(ROOT).as_posix()
    method = next(method for pattern, method in method_map if pathmatch(pattern, relative))
    assert method == "python"
    found = {message for _line, message, _comments, _context in extract_from_file(method, MESSAGES_MODULE)}
    assert "Sign in again to send them." in found
    assert ("%(count)s set of answers is saved on this phone and not sent yet.",
            "%(count)s sets of answers are saved on this phone and not sent yet.") in found
    assert "Results sent %(date)s" in found
