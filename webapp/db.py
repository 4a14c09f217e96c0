"""The declarative base shared by every model, and the column types they share."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Annotated

import psycopg
from sqlalchemy import DateTime, Engine, MetaData, String, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Constraint names are fixed so that Alembic (and SQLite batch mode) can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record) -> None:
    """Settings every new database connection gets.

    SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked, per connection. The
    write-ahead log lets readers and one writer work at once; with synchronous=NORMAL a commit
    survives the app crashing (not a power cut before the next checkpoint).

    PostgreSQL: no JIT compilation. Capable's queries are short, and once a table is big enough
    for a query's cost estimate to pass the JIT thresholds, compiling it takes longer than it
    saves (510 ms of the service-wide report over 100,000 people).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    elif isinstance(dbapi_connection, psycopg.Connection):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()  # a session setting, kept when the pool rolls back later work


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones and drops them; PostgreSQL keeps them. Either way the app sees an
    aware UTC datetime, so comparisons never mix naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


int_pk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(default=utcnow)]
short_text = Annotated[str, mapped_column(String(100))]
