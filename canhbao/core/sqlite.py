"""SQLite files in the data home: one way to open them.

WAL lets the scan read a store while a crawl or an analyst writes it; the busy timeout makes a second
writer wait instead of failing; synchronous=NORMAL in WAL mode keeps every committed transaction across
a process crash (only an OS crash can lose the last ones), which is the guarantee the stages rely on.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def connect(path: Path | str, *, timeout: float = 60.0, check_same_thread: bool = True) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=timeout, check_same_thread=check_same_thread)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


class SqliteFile:
    """Base for a store kept in one SQLite file with a fixed schema (created on first open)."""

    SCHEMA = ""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.executescript(self.SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)


def compact(path: Path | str) -> None:
    """Rewrite a SQLite file without its free pages and empty its WAL: after deleting personal data, the
    bytes must be gone from the files on disk, not only unreachable through SQL."""
    with closing(connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
