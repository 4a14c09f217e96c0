"""Offline use, through the Flask client: manifest, service worker, cache marks, offline pages."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from sqlalchemy import select

from tests.conftest import make_person, sign_in
from webapp.extensions import db

STATIC = Path(__file__).resolve().parents[2] / "static"
ACTIVATION = "capable-activation"


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Capable"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        path = STATIC / icon["src"].removeprefix("/static/")
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]
        served = client.get(icon["src"])
        assert served.status_code == 200
        served.close()


def test_every_page_links_the_manifest_and_theme_colour(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#005eb8">' in page


def test_the_service_worker_is_served_for_the_whole_site_and_never_cached(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    settings = json.loads(re.match(r"self\.CAPABLE = (\{.*\});\n", body).group(1))
    assert re.fullmatch(r"[0-9a-f]{12}", settings["version"])
    assert "/static/vendor/idb-8.0.4/idb.umd.js" in settings["static"]
    assert "/static/app/offline/pager.js" in settings["static"]
    assert "/api/" in settings["never"]


def test_the_cache_version_follows_the_static_files_and_can_be_set(app, tmp_path):
    from webapp.offline.views import compute_version

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.js").write_text("one")
    first = compute_version(tmp_path)
    (tmp_path / "app" / "a.js").write_text("two")
    assert compute_version(tmp_path) != first
    app.config["OFFLINE_CACHE_VERSION"] = "test-2"
    assert '"version": "test-2"' in app.test_client().get("/sw.js").get_data(as_text=True)


def test_nothing_is_marked_for_keeping_when_signed_out(client):
    for path in ("/", "/sign-in", "/sign-up", "/offline"):
        response = client.get(path)
        assert "X-Capable-Cache" not in response.headers, path
    page = client.get("/").get_data(as_text=True)
    assert 'data-user=""' in page and 'data-sw=""' in page


def test_only_the_persons_own_pages_are_marked_with_their_key(signed_in, app):
    home = signed_in.get("/")
    key = home.headers["X-Capable-Cache"]
    assert re.fullmatch(r"[0-9a-f]{24}", key)
    assert "alex" not in key
    assert f'data-user="{key}"' in home.get_data(as_text=True)
    assert signed_in.get("/history").headers["X-Capable-Cache"] == key
    assert "X-Capable-Cache" not in signed_in.get(f"/questionnaires/{ACTIVATION}").headers
    assert "X-Capable-Cache" not in signed_in.get("/", headers={"HX-Request": "true"}).headers
    session = signed_in.get("/offline/session")
    assert "X-Capable-Cache" not in session.headers
    assert session.get_json()["user"] == key and session.get_json()["csrf_token"]
    assert session.headers["Cache-Control"] == "no-store"


def test_keys_differ_between_people(app):
    make_person(app)
    make_person(app, email="kim@example.org")
    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second, email="kim@example.org")
    assert first.get("/").headers["X-Capable-Cache"] != second.get("/").headers["X-Capable-Cache"]


def test_the_offline_questionnaire_page_holds_every_item_with_the_same_markup(signed_in, app):
    from webapp.catalogue import get_catalogue

    response = signed_in.get(f"/offline/questionnaires/{ACTIVATION}/1")
    assert response.status_code == 200
    assert response.headers["X-Capable-Alias"] == f"/questionnaires/{ACTIVATION}"
    page = response.get_data(as_text=True)
    with app.app_context():
        questionnaire = get_catalogue().get(ACTIVATION, "1")
        for item in questionnaire.answerable_items:
            assert f'class="app-item" data-link-id="{item.link_id}"' in page
        assert page.count('data-screen="page"') == len(questionnaire.pages)
    assert "Question 1 of" in page
    assert signed_in.get(f"/offline/questionnaires/{ACTIVATION}/99").status_code == 404


def test_offline_pages_need_sign_in_except_the_offline_page(client):
    assert client.get(f"/offline/questionnaires/{ACTIVATION}/1").status_code == 302
    assert client.get("/outbox").status_code == 302
    offline = client.get("/offline")
    assert offline.status_code == 200
    assert "What you can still do" in offline.get_data(as_text=True)
    assert client.get("/offline/session").get_json() == {"signed_in": False, "user": "", "csrf_token": None}


def test_the_check_in_page_of_an_active_goal_is_kept_and_ready_for_the_outbox(signed_in, app):
    from tests.web.test_api_check_ins import active_goal
    from webapp.models import Goal, GoalStatus
    from webapp.services import goals as goal_service

    goal = active_goal(app)
    key = signed_in.get("/").headers["X-Capable-Cache"]
    reply = signed_in.get(f"/goals/{goal}/check-in")
    assert reply.headers["X-Capable-Cache"] == key
    page = reply.get_data(as_text=True)
    assert f'data-goal="{goal}"' in page and "data-offline-check-in" in page
    assert 'data-outbox-title="Check-in for: Walk to the shop"' in page
    assert "Saved on this phone. It will be sent when you are online." in page  # shown by check_in.js
    assert "X-Capable-Cache" not in signed_in.get(f"/goals/{goal}/check-in", headers={"HX-Request": "true"}).headers
    with app.app_context():
        found = db.session.scalar(select(Goal).where(Goal.uuid == uuid.UUID(goal)))
        goal_service.set_status(db.session, found, GoalStatus.ACHIEVED)
        db.session.commit()
    finished = signed_in.get(f"/goals/{goal}/check-in")
    assert finished.status_code == 409 and "X-Capable-Cache" not in finished.headers


def test_the_check_in_script_is_kept_with_the_other_static_files(client, app):
    assert "/static/app/offline/check_in.js" in client.get("/sw.js").get_data(as_text=True)
