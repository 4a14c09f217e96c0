"""Capable: self-assessment of activation and capability, with coaching goals pitched at confidence."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader
from werkzeug.routing import IntegerConverter

from webapp import config as settings


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to what an SQL integer column holds."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (Werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(settings.PROJECT_ROOT / "static"),
    )
    testing = bool(test_config and test_config.get("TESTING"))
    app.config.from_mapping(settings.from_environment(app.instance_path, app.debug, testing))
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    # NHS.UK frontend's macros need ChainableUndefined; our templates come first.
    app.jinja_options = {
        **app.jinja_options,
        "undefined": ChainableUndefined,
        "extensions": ["jinja2.ext.do"],
        "loader": ChoiceLoader([app.create_global_jinja_loader(), PackageLoader("nhsuk_frontend_jinja")]),
    }

    from webapp import catalogue, errors, navigation, security, templating
    from webapp.staff import access
    from webapp.extensions import babel, csrf, db, limiter, login_manager

    catalogue.init_app(app)  # a broken questionnaire file stops start-up here
    db.init_app(app)
    if not app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
        # flask-sqlalchemy-lite also closes async sessions at the end of every app context, through
        # asgiref, which starts a thread each time: a fifth of an answer step's time. Capable has
        # no async engine, so there is never an async session to close.
        app.teardown_appcontext_funcs[:] = [
            function for function in app.teardown_appcontext_funcs
            if getattr(function, "__name__", "") != "_close_async_sessions"
        ]
    csrf.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    templating.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    access.init_app(app)

    # Ids in URLs are database integers: one larger than the column holds is simply not found
    # (PostgreSQL would refuse to compare it), for every route at once.
    app.url_map.converters["int"] = DatabaseIdConverter

    from webapp.admin.views import bp as admin_bp
    from webapp.api.views import bp as api_bp
    from webapp.assess.views import bp as assess_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.cli import db_cli, staff_cli
    from webapp.goals.views import bp as goals_bp
    from webapp.main.views import bp as main_bp
    from webapp.offline.views import bp as offline_bp
    from webapp.plan.views import bp as plan_bp
    from webapp.sharing.views import bp as sharing_bp
    from webapp.staff.views import bp as staff_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(assess_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(offline_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(plan_bp)
    app.cli.add_command(db_cli)
    app.cli.add_command(staff_cli)

    from webapp.startup import prepare_database

    prepare_database(app)
    return app

