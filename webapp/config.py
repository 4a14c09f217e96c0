"""Settings, read from the environment.

Every setting has a ``CAPABLE_`` environment variable; README.md lists them all. The app refuses to
start outside debug and testing without a secret key, so a forgotten setting can never ship a
guessable one.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_QUESTIONNAIRES = PROJECT_ROOT / "questionnaires" / "builtin"
BUILTIN_GOALS = PROJECT_ROOT / "questionnaires" / "coaching"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _paths(value: str | None) -> list[Path]:
    if not value:
        return []
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def database_url(url: str) -> str:
    """Accept the usual ``postgres://`` and ``postgresql://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(instance_path: str, debug: bool, testing: bool = False) -> dict:
    """Build the Flask config mapping from ``os.environ``."""
    env = os.environ
    secret_key = env.get("CAPABLE_SECRET_KEY") or env.get("SECRET_KEY")
    if not secret_key:
        if not (debug or testing):
            raise ConfigError(
                "CAPABLE_SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or run with --debug for local development."
            )
        secret_key = "development-only-not-secret"

    default_db = "sqlite:///" + str(Path(instance_path) / "capable.sqlite3")
    url = database_url(env.get("CAPABLE_DATABASE_URL") or env.get("DATABASE_URL") or default_db)
    production = not (debug or testing)
    return {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_ENGINES": {"default": url},
        "QUESTIONNAIRE_DIRS": [BUILTIN_QUESTIONNAIRES, *_paths(env.get("CAPABLE_QUESTIONNAIRE_DIRS"))],
        "GOAL_DIRS": [BUILTIN_GOALS, *_paths(env.get("CAPABLE_GOAL_DIRS"))],
        # Which questionnaire gives the activation stage and block scores that goals are pitched
        # at, and which gives the capability profile (a licensed measure can take their place).
        "ACTIVATION_QUESTIONNAIRE": env.get("CAPABLE_ACTIVATION_QUESTIONNAIRE", "capable-activation"),
        "CAPABILITY_QUESTIONNAIRE": env.get("CAPABLE_CAPABILITY_QUESTIONNAIRE", "capable-capability"),
        # A person with this many active goals is asked whether to finish or pause one first.
        "ACTIVE_GOALS_SUGGESTED_MAX": 3,
        # Apply Alembic migrations when the app starts. Convenient for one process; a service with
        # several workers runs `flask --app webapp db-upgrade` once per deploy and turns this off.
        "AUTO_MIGRATE": _flag(env.get("CAPABLE_AUTO_MIGRATE"), default=True),
        # Create a demo person with synthetic history when the database has nobody in it.
        "DEMO_DATA": _flag(env.get("CAPABLE_DEMO_DATA"), default=debug),
        # The largest request body accepted (a whole questionnaire is a few kilobytes; forms are
        # further held to Flask's 500 KB): anything bigger is refused before it is read.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("CAPABLE_SECURE_COOKIES"), default=production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env.get("CAPABLE_SECURE_COOKIES"), default=production),
        "WTF_CSRF_TIME_LIMIT": None,  # a question can stay open on a phone for hours
        "BABEL_DEFAULT_LOCALE": "en_GB",
        "BABEL_DEFAULT_TIMEZONE": env.get("CAPABLE_TIMEZONE", "Europe/London"),
        # Set for every app: Flask-Limiter keeps an unset value from the last app it saw.
        "RATELIMIT_ENABLED": _flag(env.get("CAPABLE_RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env.get("CAPABLE_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Count over the last minute or hour, not per clock minute: no burst at the boundary.
        "RATELIMIT_STRATEGY": "moving-window",
        "SIGN_IN_RATE_LIMIT": env.get("CAPABLE_SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour"),
        "SIGN_UP_RATE_LIMIT": env.get("CAPABLE_SIGN_UP_RATE_LIMIT", "5 per minute;30 per hour"),
        # How many proxies in front of the app set X-Forwarded-For (0: none). Needed for rate
        # limits to count real clients behind a TLS proxy or load balancer.
        "PROXY_COUNT": int(env.get("CAPABLE_PROXY_COUNT", "0")),
        "REASSESS_AFTER_DAYS": int(env.get("CAPABLE_REASSESS_AFTER_DAYS", "84")),
        # Staff: a session ends after this long without a request.
        "STAFF_IDLE_MINUTES": int(env.get("CAPABLE_STAFF_IDLE_MINUTES", "30")),
        # Sign-in is refused for LOCKOUT_MINUTES after this many wrong passwords in a row.
        "LOCKOUT_AFTER_FAILURES": int(env.get("CAPABLE_LOCKOUT_AFTER_FAILURES", "5")),
        "LOCKOUT_MINUTES": int(env.get("CAPABLE_LOCKOUT_MINUTES", "15")),
        # An invite link works once, for this many days.
        "INVITE_VALID_DAYS": int(env.get("CAPABLE_INVITE_VALID_DAYS", "14")),
        "INVITE_CLAIM_RATE_LIMIT": env.get("CAPABLE_INVITE_CLAIM_RATE_LIMIT", "10 per minute;60 per hour"),
        # The caseload flags someone with no activity (answers, goals, check-ins) for this long.
        "INACTIVE_AFTER_WEEKS": int(env.get("CAPABLE_INACTIVE_AFTER_WEEKS", "4")),
        # Where the FHIR export's canonical URLs and code systems live (default: this service's own
        # address + /fhir). Set it so the URLs stay the same if the service moves.
        "FHIR_BASE_URL": env.get("CAPABLE_FHIR_BASE_URL") or None,
    }
