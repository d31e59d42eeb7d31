"""Alembic environment: online migrations only, serialised by an advisory lock so that workers starting
together on an empty database do not race to create the same tables."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

LOCK_KEY = 0x63616E68  # "canh": one lock for every canhbao migration

cfg = context.config
url = cfg.get_main_option("sqlalchemy.url") or ""
dsn = context.get_x_argument(as_dictionary=True).get("dsn")
if dsn:  # `alembic -x dsn=postgresql://... upgrade head`
    from canhbao.migrations import sqlalchemy_url

    url = sqlalchemy_url(dsn)

engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        context.run_migrations()
engine.dispose()
