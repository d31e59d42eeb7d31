"""Alembic migrations of the PostgreSQL state database (the SQLite backend creates its tables on open).

`upgrade(dsn)` is what `canhbao db upgrade` and the stores' first use run; `alembic` itself also works
with `-x dsn=postgresql://...` and `script_location` pointing here. Add a schema change as a new file in
`versions/` with `down_revision` set to the newest one; never edit a released revision.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def sqlalchemy_url(dsn: str) -> str:
    """libpq URI -> SQLAlchemy URL with the psycopg 3 driver."""
    scheme, rest = dsn.split("://", 1)
    return f"postgresql+psycopg://{rest}"


def _config(dsn: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(dsn).replace("%", "%%"))
    return cfg


def upgrade(dsn: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_config(dsn), revision)


def downgrade(dsn: str, revision: str) -> None:
    from alembic import command

    command.downgrade(_config(dsn), revision)


def current(dsn: str) -> str | None:
    """The revision the database is at (None before the first upgrade)."""
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(sqlalchemy_url(dsn), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config("postgresql://x/y")).get_current_head() or ""
