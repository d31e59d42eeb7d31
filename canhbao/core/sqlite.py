"""SQLite files in the data home: one way to open them.

WAL lets the scan read a store while a crawl or an analyst writes it; the busy timeout makes a second
writer wait instead of failing; synchronous=NORMAL in WAL mode keeps every committed transaction across
a process crash (only an OS crash can lose the last ones), which is the guarantee the stages rely on.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from canhbao.core.errors import StorageError


def connect(path: Path | str, *, timeout: float = 60.0, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open (creating) a SQLite file; a corrupt, unreadable or unwritable file is a one-line StorageError."""
    try:
        db = sqlite3.connect(path, timeout=timeout, check_same_thread=check_same_thread)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StorageError(path, database_problem(exc)) from None
    return db


def database_problem(exc: sqlite3.Error) -> str:
    """What to tell the user about a SQLite error (corrupt file, read-only or full disk)."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return "not a database (corrupt?); restore it from a backup or move it away"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "cannot write the database (read-only file system or no permission)"
    if "disk is full" in text or "disk i/o" in text:
        return "disk full or I/O error while writing the database; free space and run again"
    return f"database error: {exc}"


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
