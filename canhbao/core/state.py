"""Where shared state lives: the post store, the pipeline ledger, the claim bank and the registry's rows.

`config/state.yaml` chooses the backend. `sqlite` (the default, and the demo's) keeps one file per store in
the data home: right for one machine, wrong for several (SQLite warns against concurrent writers over
network filesystems). `postgresql` puts every store's tables in one database at `dsn`, so any number of
workers on any number of machines share them; its schema is versioned with Alembic (`canhbao db upgrade`,
also run on first use). The stores keep one SQL text with `?` placeholders and `ON CONFLICT` upserts that
both engines accept; the connection wrappers below hide the remaining differences.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Sequence

from canhbao.core import config
from canhbao.core.errors import InputError
from canhbao.core.sqlite import connect as sqlite_connect


@dataclass(frozen=True)
class StateSettings:
    backend: Literal["sqlite", "postgresql"] = "sqlite"
    dsn: str = ""  # postgresql://user[:password]@host:port/database (libpq URI)
    connect_timeout_s: int = 10

    def validate(self) -> None:
        if self.backend == "postgresql" and not self.dsn.startswith(("postgresql://", "postgres://")):
            raise ValueError("backend postgresql needs dsn: postgresql://user@host:port/database")
        if self.connect_timeout_s < 1:
            raise ValueError("connect_timeout_s must be >= 1")


def load_settings() -> StateSettings:
    return config.load("state", StateSettings)


# --- connections -------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _pg_sql(sql: str) -> str:
    """`?` placeholders -> psycopg's `%s` (no store query contains a literal `?` or `%`)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """The part of a DB-API connection the stores use. `with conn:` commits (or rolls back) like sqlite3;
    `close()` closes. `rows` streams a large result without loading it whole."""

    dialect = ""
    raw: Any  # the driver's connection

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    def rows(self, sql: str, args: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


class SqliteConnection(Connection):
    dialect = "sqlite"

    def __init__(self, db: sqlite3.Connection):
        self.raw = db

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.raw.execute(sql, args)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return int(self.raw.executemany(sql, rows).rowcount)  # sqlite3 sums the rows changed

    def rows(self, sql: str, args: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        yield from self.raw.execute(sql, args)


class PgConnection(Connection):
    dialect = "postgresql"

    def __init__(self, dsn: str, timeout: int = 10):
        import psycopg

        try:
            self.raw = psycopg.connect(dsn, connect_timeout=timeout)
        except psycopg.OperationalError as exc:
            raise _unreachable(dsn, exc) from None

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.raw.execute(_pg_sql(sql), args or None)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        with self.raw.cursor() as cur:
            cur.executemany(_pg_sql(sql), rows)
            return int(cur.rowcount)  # psycopg >= 3.1 sums the rows changed by every statement

    def rows(self, sql: str, args: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        with self.raw.cursor(name=f"c{threading.get_ident()}_{id(self)}") as cur:  # server-side: bounded memory
            cur.itersize = 500
            cur.execute(_pg_sql(sql), args or None)
            yield from cur


# --- the base of every shared store --------------------------------------------------------------------


class SharedState:
    """A store that lives in its own SQLite file (`path`, schema `SCHEMA` created on open) or, with the
    postgresql backend, in the shared database (schema from the Alembic migrations; `path` unused)."""

    SCHEMA = ""

    def __init__(self, path: Path | str, *, state: StateSettings | None = None):
        self.state = state or load_settings()
        self.path = Path(path)
        if self.state.backend == "postgresql":
            ensure_schema(self.state.dsn)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db:
                db.raw.executescript(self.SCHEMA)

    @property
    def dialect(self) -> str:
        return self.state.backend

    def _connect(self) -> Connection:
        if self.state.backend == "postgresql":
            return PgConnection(self.state.dsn, self.state.connect_timeout_s)
        return SqliteConnection(sqlite_connect(self.path))


def registry_connection(path: Path, schema: str) -> Connection:
    """The registry keeps one connection open while in use (the leak detector reads every page)."""
    state = load_settings()
    if state.backend == "postgresql":
        ensure_schema(state.dsn)
        return PgConnection(state.dsn, state.connect_timeout_s)
    db = sqlite_connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.executescript(schema)
    return SqliteConnection(db)


_UPGRADED: set[str] = set()
_UPGRADE_LOCK = threading.Lock()


def ensure_schema(dsn: str) -> None:
    """Bring the database to the newest schema once per process (first use); concurrent callers in other
    processes serialise on an advisory lock inside the migration environment."""
    with _UPGRADE_LOCK:
        if dsn in _UPGRADED:
            return
        from sqlalchemy.exc import OperationalError

        from canhbao.migrations import upgrade

        try:
            upgrade(dsn)
        except OperationalError as exc:
            raise _unreachable(dsn, exc.orig or exc) from None
        _UPGRADED.add(dsn)


def redact(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", dsn)


def _unreachable(dsn: str, exc: BaseException) -> InputError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(f"state database {redact(dsn)}", f"cannot connect ({first})")
