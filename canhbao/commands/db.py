"""`canhbao db upgrade|current`: the schema of the shared PostgreSQL state database (Alembic)."""

from __future__ import annotations

import argparse

from canhbao.core.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="shared state database: schema migrations (backend postgresql)")
    cmds = p.add_subparsers(dest="db_command", metavar="ACTION")
    cmds.required = True
    up = cmds.add_parser("upgrade", help="apply every migration up to REVISION (default: head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=run_upgrade)
    cur = cmds.add_parser("current", help="print the database's revision and the newest one")
    cur.set_defaults(func=run_current)


def _dsn() -> str:
    from canhbao.core.state import load_settings

    settings = load_settings()
    if settings.backend != "postgresql":
        raise InputError("config/state.yaml", "backend is sqlite: SQLite stores create their tables on open")
    return settings.dsn


def run_upgrade(args: argparse.Namespace) -> int:
    from canhbao import migrations

    dsn = _dsn()
    migrations.upgrade(dsn, args.revision)
    print(f"state database at revision {migrations.current(dsn)}")
    return 0


def run_current(args: argparse.Namespace) -> int:
    from canhbao import migrations

    rev = migrations.current(_dsn())
    print(f"current {rev or '(empty)'}  head {migrations.head()}")
    return 0 if rev == migrations.head() else 1
