"""Which registered documents still need a retro-hunt: a durable mark kept beside the registry's rows (the
registry's SQLite file, or the shared PostgreSQL database with the postgresql state backend).

Registry sync registers new documents, then re-matches the last N days of posts against them. The list
of documents to hunt for used to travel in XCom from one task to the next, so when the retro-hunt failed
after the documents were registered, the next run saw nothing new and they were never hunted for. Now
a document is "pending" until a retro-hunt that started after it was registered has finished; the mark is
written only then, so any failure leaves it pending for the next run (documents registered by
`canhbao registry add` are picked up too).
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta
from typing import Any, Sequence

from canhbao.core.home import Home
from canhbao.core.records import utcnow
from canhbao.core.state import SharedState


class RetroHuntMarks(SharedState):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS retro_hunted (doc_id TEXT PRIMARY KEY, hunted_at TEXT NOT NULL, since TEXT NOT NULL);
    """

    @classmethod
    def for_home(cls, home: Home) -> "RetroHuntMarks":
        from canhbao.registry import Registry

        Registry.open(home).close()  # the documents table exists before it is queried
        return cls(home.registry_db)

    def pending(self) -> list[str]:
        with closing(self._connect()) as db:
            return [
                r[0]
                for r in db.execute(
                    "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM retro_hunted) ORDER BY added_at, id"
                )
            ]

    def mark_hunted(self, doc_ids: Sequence[str], since: datetime) -> None:
        now = utcnow().isoformat()
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT INTO retro_hunted(doc_id, hunted_at, since) VALUES (?,?,?) "
                "ON CONFLICT(doc_id) DO UPDATE SET hunted_at=excluded.hunted_at, since=excluded.since",
                [(d, now, since.isoformat()) for d in doc_ids],
            )


def run_pending(
    home: Home, run_time: datetime, days: int, *, wait_s: float = 0.0, progress: bool = False
) -> dict[str, Any]:
    """Retro-hunt the last `days` before `run_time` if any document is pending; mark them done after."""
    from canhbao.pipeline.scan import rescan

    marks = RetroHuntMarks.for_home(home)
    pending = marks.pending()
    if not pending:
        return {"posts": 0, "documents": [], "skipped": "no document waits for a retro-hunt"}
    since = run_time - timedelta(days=days)
    result = rescan(home, since, progress=progress, wait_s=wait_s)
    marks.mark_hunted(pending, since)
    return {**result, "documents": pending}
