"""Alembic environment.

Run through ``flask --app webapp db upgrade`` (or ``webapp.migrations.upgrade``), which hands an
engine over in ``config.attributes``. Run as plain ``alembic -c ...`` it builds the app to find
the configured database.
"""

from alembic import context

import webapp.models  # noqa: F401  (registers every table on Base.metadata)
from webapp.db import Base

config = context.config
target_metadata = Base.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"AUTO_MIGRATE": False, "DEMO_DATA": False})
    with app.app_context():
        return db.engine


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies tables to alter them, which foreign keys would refuse midway.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the transaction the PRAGMA began; Alembic starts its own
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
