"""The shared state backend: config validation, Alembic migrations on a real PostgreSQL, one-line errors."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from canhbao import migrations
from canhbao.cli import main
from canhbao.core.errors import ConfigError, InputError
from canhbao.core.posts import PostStore
from canhbao.core.state import StateSettings, load_settings, redact


def test_postgresql_backend_needs_a_dsn(config_dir):
    (config_dir / "state.yaml").write_text("backend: postgresql\n")
    with pytest.raises(ConfigError, match="state.yaml.*dsn"):
        load_settings()
    (config_dir / "state.yaml").write_text("backend: mysql\n")
    with pytest.raises(ConfigError, match="backend"):
        load_settings()


def test_db_upgrade_versions_the_schema(postgres_server, monkeypatch, capsys):
    dsn = postgres_server.create_database(f"m{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "postgresql")
    monkeypatch.setenv("CANHBAO_STATE__DSN", dsn)
    assert migrations.current(dsn) is None
    assert main(["db", "current"]) == 1  # an empty database is behind
    assert main(["db", "upgrade"]) == 0
    assert migrations.current(dsn) == migrations.head()
    assert main(["db", "current"]) == 0
    assert main(["db", "upgrade"]) == 0  # idempotent
    migrations.downgrade(dsn, "base")  # every revision can be undone ...
    assert migrations.current(dsn) is None
    migrations.upgrade(dsn)  # ... and applied again
    assert migrations.current(dsn) == migrations.head()
    capsys.readouterr()


def test_first_use_migrates_even_when_workers_start_together(postgres_server):
    """Four processes open the post store on an empty database at once: the advisory lock serialises them."""
    dsn = postgres_server.create_database(f"m{uuid.uuid4().hex[:10]}")
    code = (
        "import sys; from canhbao.core.posts import PostStore; from canhbao.core.state import StateSettings;"
        "print(PostStore('unused', state=StateSettings(backend='postgresql', dsn=sys.argv[1])).count())"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, dsn], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [e for _, e in outs]
    assert [o.strip() for o, _ in outs] == ["0"] * 4
    assert migrations.current(dsn) == migrations.head()


def test_unreachable_database_is_one_line_error(tmp_path, capsys, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dsn = f"postgresql://canhbao:secret@127.0.0.1:{port}/x"
    with pytest.raises(InputError, match="cannot connect") as err:
        PostStore(tmp_path / "p.sqlite", state=StateSettings(backend="postgresql", dsn=dsn, connect_timeout_s=2))
    assert "secret" not in str(err.value) and "\n" not in str(err.value)
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "postgresql")
    monkeypatch.setenv("CANHBAO_STATE__DSN", dsn)
    assert main(["--home", str(tmp_path / "h"), "claims", "list"]) == 2
    out = capsys.readouterr().err.strip()
    assert out.startswith("canhbao: error: state database") and "secret" not in out and "\n" not in out


def test_redact():
    assert redact("postgresql://u:pw@h:5/d") == "postgresql://u:***@h:5/d"
    assert redact("postgresql://u@h:5/d") == "postgresql://u@h:5/d"


def test_work_queue_needs_postgresql(home, config_dir, capsys):
    assert main(["--home", str(home.root), "work", "status", "detect"]) == 2
    assert "needs backend: postgresql" in capsys.readouterr().err


def test_migrations_cover_every_table_and_column_of_the_sqlite_stores(postgres_server):
    """What a store creates in its SQLite file must exist in PostgreSQL after `canhbao db upgrade`: a table
    added to a store without a migration would fail only on the shared backend, in production."""
    import sqlite3

    from canhbao.claims import ClaimBank
    from canhbao.console.store import ConsoleStore
    from canhbao.core.posts import PostStore
    from canhbao.notify.dispatch import State as NotifyState
    from canhbao.pipeline.ledger import Ledger
    from canhbao.pipeline.retro_hunt import RetroHuntMarks
    from canhbao.registry import store as registry_store

    wanted: dict[str, set[str]] = {}
    for schema in (
        PostStore.SCHEMA,
        Ledger.SCHEMA,
        ClaimBank.SCHEMA,
        ConsoleStore.SCHEMA,
        RetroHuntMarks.SCHEMA,
        NotifyState.SCHEMA,
        registry_store._SCHEMA,
    ):
        db = sqlite3.connect(":memory:")
        db.executescript(schema)
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            wanted.setdefault(table, set()).update(r[1] for r in db.execute(f"PRAGMA table_info({table})"))
        db.close()
    dsn = postgres_server.create_database(f"s{uuid.uuid4().hex[:10]}")
    migrations.upgrade(dsn)
    import psycopg

    with psycopg.connect(dsn) as pg:
        rows = pg.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall()
    have: dict[str, set[str]] = {}
    for table, column in rows:
        have.setdefault(table, set()).add(column)
    missing = {t: sorted(cols - have.get(t, set())) for t, cols in wanted.items() if cols - have.get(t, set())}
    assert missing == {}, f"tables/columns without a migration: {missing}"
    assert {"users", "cases", "case_alerts", "labels", "login_failures", "retro_hunted"} <= set(have)
