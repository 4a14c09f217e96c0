"""Getting the database ready when the app starts."""

from __future__ import annotations

import sys

from flask import Flask

from webapp import migrations
from webapp.extensions import db


def prepare_database(app: Flask) -> None:
    with app.app_context():
        if app.config["AUTO_MIGRATE"]:
            migrations.upgrade(db.engine)
        if app.config["DEMO_DATA"]:
            from webapp.services import demo
            from webapp.catalogue import get_catalogue, get_goal_library

            sign_in = demo.create_demo_person_if_empty(db.session, get_catalogue(), get_goal_library())
            db.session.commit()
            if sign_in is not None:
                # Printed once, for the developer at the terminal; a made-up person, not a log line.
                print(f" * Demo person created. Sign in with {sign_in[0]} and password {sign_in[1]}", file=sys.stderr)
                print(f" * Demo staff: {demo.DEMO_COACH_EMAIL} (team lead) and {demo.DEMO_ADMIN_EMAIL} (admin),"
                      f" same password", file=sys.stderr)
