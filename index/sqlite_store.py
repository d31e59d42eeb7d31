"""The embedded default store: one SQLite file (`home.alerts_db`), no server needed.

Alerts are kept as their index document (JSON) beside the columns that filters and counts need, plus
an FTS5 table over the diacritics-folded masked text and summary, so "bo y te" finds "Bộ Y tế".
Writes run in `BEGIN IMMEDIATE` transactions, so concurrent writers (scan, CLI) serialise cleanly.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Callable, Collection, Iterable

from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.records import Alert, Post
from canhbao.core.sqlite import connect
from canhbao.core.text import fold, words
from canhbao.index import documents
from canhbao.index.base import AlertQuery, AlertStore, BulkResult
from canhbao.index.lifecycle import Lifecycle

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, score REAL NOT NULL,
    source TEXT NOT NULL, platform TEXT NOT NULL, assignee TEXT NOT NULL DEFAULT '',
    captured_at TEXT NOT NULL, updated_at TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts(status, type);
-- the saved searches: newest first per type (and status), by score per type; ties broken by id
CREATE INDEX IF NOT EXISTS alerts_newest ON alerts(captured_at DESC, id);
CREATE INDEX IF NOT EXISTS alerts_type_newest ON alerts(type, captured_at DESC, id);
CREATE INDEX IF NOT EXISTS alerts_type_status_newest ON alerts(type, status, captured_at DESC, id);
CREATE INDEX IF NOT EXISTS alerts_type_score ON alerts(type, score DESC, id);
CREATE VIRTUAL TABLE IF NOT EXISTS alerts_fts USING fts5(folded, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS posts (key TEXT PRIMARY KEY, captured_at TEXT NOT NULL, doc TEXT NOT NULL);
"""
COLUMNS = ("type", "status", "source", "platform", "assignee")  # count_by on a column
LISTS = ("document_number", "claim_ids", "pii_types", "media_sha256", "detector")  # count_by over JSON
SORTS = {
    "-captured_at": "captured_at DESC",
    "captured_at": "captured_at ASC",
    "-score": "score DESC",
    "score": "score ASC",
    "-updated_at": "updated_at DESC",
}
CHUNK = 500


def searchable(doc: dict[str, Any]) -> str:
    """What full text search sees: masked text, summary, subject and numbers, folded to ASCII."""
    parts = [doc["masked_text"], doc["summary"], doc["document_subject"], " ".join(doc["document_number"])]
    return fold(" ".join(p for p in parts if p)).lower()


class SqliteStore(Lifecycle, AlertStore):
    def __init__(self, path: Path | str, *, audit: AuditLog | None = None):
        self.path = Path(path)
        self.audit = audit
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = connect(self.path)
        except sqlite3.DatabaseError as exc:
            raise CanhbaoError(f"{self.path}: cannot open the alert store ({exc})") from None
        self.db.isolation_level = None  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
        self.setup()

    def setup(self) -> None:
        self.db.executescript(SCHEMA)

    # --- writes -----------------------------------------------------------------------------------

    def upsert(self, alerts: Iterable[Alert]) -> BulkResult:
        indexed, failed = 0, []
        batch: list[Alert] = []
        for alert in alerts:
            try:
                documents.check_alert(alert)
            except CanhbaoError as exc:
                failed.append(f"{alert.id}: {str(exc).split(': ', 1)[-1]}")
                continue
            batch.append(alert)
            if len(batch) >= CHUNK:
                indexed += self._upsert_chunk(batch)
                batch = []
        if batch:
            indexed += self._upsert_chunk(batch)
        return BulkResult(indexed=indexed, failed=tuple(failed))

    def _upsert_chunk(self, alerts: list[Alert]) -> int:
        with self._write():
            ids = [a.id for a in alerts]
            marks = ",".join("?" * len(ids))
            old = {
                row[0]: documents.alert_from_doc(json.loads(row[1]))
                for row in self.db.execute(f"SELECT id, doc FROM alerts WHERE id IN ({marks})", ids)
            }
            latest: dict[str, Alert] = {}
            for alert in alerts:  # the same id twice in one batch: the later one wins, state still kept
                latest[alert.id] = documents.merge(alert, latest.get(alert.id) or old.get(alert.id))
            for alert in latest.values():
                self._save(alert)
        return len(alerts)

    def _save(self, alert: Alert) -> None:
        doc = documents.alert_doc(alert)
        row = self.db.execute(
            "INSERT INTO alerts(id, type, status, score, source, platform, assignee, captured_at, "
            "updated_at, doc) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET type=excluded.type, "
            "status=excluded.status, score=excluded.score, source=excluded.source, "
            "platform=excluded.platform, assignee=excluded.assignee, captured_at=excluded.captured_at, "
            "updated_at=excluded.updated_at, "
            "doc=excluded.doc RETURNING rowid",
            (
                alert.id,
                alert.type,
                alert.status,
                alert.score,
                alert.source,
                alert.platform,
                alert.assignee,
                doc["captured_at"],
                doc["updated_at"],
                json.dumps(doc, ensure_ascii=False),
            ),
        ).fetchone()
        self.db.execute("DELETE FROM alerts_fts WHERE rowid = ?", (row[0],))
        self.db.execute("INSERT INTO alerts_fts(rowid, folded) VALUES (?, ?)", (row[0], searchable(doc)))

    def _modify(self, alert_id: str, change: Callable[[Alert], Alert]) -> Alert:
        with self._write():
            alert = change(self._get(alert_id))
            self._save(alert)
        return alert

    def upsert_posts(self, posts: Iterable[tuple[Post, str]]) -> BulkResult:
        """Posts as indexed: (post, masked text) pairs; the unmasked text is not stored."""
        n = 0
        with self._write():
            for post, masked in posts:
                doc = documents.post_doc(post, masked)
                self.db.execute(
                    "INSERT INTO posts(key, captured_at, doc) VALUES (?,?,?) ON CONFLICT(key) "
                    "DO UPDATE SET captured_at=excluded.captured_at, doc=excluded.doc",
                    (doc["key"], doc["captured_at"], json.dumps(doc, ensure_ascii=False)),
                )
                n += 1
        return BulkResult(indexed=n)

    def forget_authors(self, post_keys: Collection[str], label: Callable[[str], str]) -> int:
        """As `AlertStore.forget_authors`, then the file rewritten so the old names leave the disk."""
        self.db.execute("PRAGMA secure_delete=ON")
        n = super().forget_authors(post_keys, label)
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n

    def _forget_post_authors(self, post_keys: set[str]) -> None:
        with self._write():
            for key in post_keys:
                row = self.db.execute("SELECT doc FROM posts WHERE key=?", (key,)).fetchone()
                if row:
                    doc = json.loads(row[0]) | {"author": ""}
                    self.db.execute("UPDATE posts SET doc=? WHERE key=?", (json.dumps(doc, ensure_ascii=False), key))

    def _write(self):
        return _Transaction(self.db)

    # --- reads ------------------------------------------------------------------------------------

    def get(self, alert_id: str) -> Alert:
        return self._get(alert_id)

    def _get(self, alert_id: str) -> Alert:
        row = self.db.execute("SELECT doc FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        if row is None:
            raise NotFound(f"alert {alert_id}: not found in {self.path}")
        return documents.alert_from_doc(json.loads(row[0]))

    def search(self, query: AlertQuery) -> list[Alert]:
        where, params = _where(query)
        order = SORTS.get(getattr(query, "sort", "-captured_at"))
        if order is None:
            raise CanhbaoError(f"sort {query.sort!r}: expected one of {', '.join(SORTS)}")
        rows = self.db.execute(
            f"SELECT doc FROM alerts WHERE {where} ORDER BY {order}, id LIMIT ? OFFSET ?",
            (*params, query.limit, query.offset),
        )
        return [documents.alert_from_doc(json.loads(r[0])) for r in rows]

    def count_by(self, field_name: str, query: AlertQuery | None = None) -> dict[str, int]:
        where, params = _where(query or AlertQuery())
        if field_name in COLUMNS:
            sql = f"SELECT {field_name}, count(*) FROM alerts WHERE {where} GROUP BY 1"
        elif field_name in LISTS:
            sql = (
                f"SELECT j.value, count(*) FROM alerts, json_each(alerts.doc, '$.{field_name}') AS j "
                f"WHERE {where} GROUP BY 1"
            )
        else:
            raise CanhbaoError(f"count_by {field_name!r}: expected one of {', '.join(COLUMNS + LISTS)}")
        counts = {str(k): n for k, n in self.db.execute(sql, params)}
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def close(self) -> None:
        self.db.close()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_exc) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _where(q: AlertQuery) -> tuple[str, list[Any]]:
    clauses, params = ["1=1"], []
    for column in ("status", "type", "source", "platform"):
        values = list(getattr(q, column))
        if values:
            clauses.append(f"alerts.{column} IN ({','.join('?' * len(values))})")
            params += values
    if q.since is not None:
        clauses.append("alerts.captured_at >= ?")
        params.append(documents.iso(q.since))
    if q.until is not None:
        clauses.append("alerts.captured_at < ?")
        params.append(documents.iso(q.until))
    if q.min_score:
        clauses.append("alerts.score >= ?")
        params.append(q.min_score)
    if q.document_number:
        clauses.append("EXISTS (SELECT 1 FROM json_each(alerts.doc, '$.document_number') WHERE value = ?)")
        params.append(q.document_number)
    if q.claim_id:
        clauses.append("EXISTS (SELECT 1 FROM json_each(alerts.doc, '$.claim_ids') WHERE value = ?)")
        params.append(q.claim_id)
    if q.id_prefix:
        clauses.append("alerts.id >= ? AND alerts.id < ?")  # a range on the primary key, not a LIKE scan
        params += [q.id_prefix, q.id_prefix + "\uffff"]
    if getattr(q, "assignee", ""):
        clauses.append("alerts.assignee = ?")
        params.append(q.assignee)
    terms = words(q.text, diacritics=False)
    if terms:
        clauses.append("alerts.rowid IN (SELECT rowid FROM alerts_fts WHERE alerts_fts MATCH ?)")
        params.append(" ".join(f'"{t}"' for t in terms))
    return " AND ".join(clauses), params
