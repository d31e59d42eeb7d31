"""The pipeline ledger (SQLite in the data home): what has been analysed, and alerts waiting to be indexed.

- `media`: one MediaText per SHA-256 — an image shared by 500 posts is read (OCR) once.
- `analysed`: post key -> hash of the content analysed, so a post is analysed again only if it changed.
- `outbox`: alerts produced by detection, keyed by their deterministic id; `indexed_at` is set once the
  store has accepted them. A batch of posts and its alerts are committed in one transaction, so a kill
  between batches loses nothing and a re-run duplicates nothing.
"""

from __future__ import annotations

import json
from contextlib import closing
from typing import Iterable, Iterator, Sequence

from canhbao.core.records import Alert, MediaText, Post, from_dict, sha256_hex, to_dict, utcnow
from canhbao.core.sqlite import SqliteFile, compact

SCHEMA = """
CREATE TABLE IF NOT EXISTS media (sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS analysed (post_key TEXT PRIMARY KEY, content TEXT NOT NULL, analysed_at TEXT NOT NULL,
                                     alerts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (alert_id TEXT PRIMARY KEY, type TEXT NOT NULL, post_key TEXT NOT NULL,
                                   body TEXT NOT NULL, created_at TEXT NOT NULL, indexed_at TEXT);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(indexed_at);
"""


def content_hash(post: Post) -> str:
    """What detection depends on: the text and the media bytes (not engagement counts or capture time)."""
    return sha256_hex(post.text + "|" + ",".join(sorted(m.sha256 for m in post.media if m.sha256)))


class Ledger(SqliteFile):
    SCHEMA = SCHEMA

    # --- media ---
    def media_texts(self, shas: Iterable[str]) -> dict[str, MediaText]:
        shas = list(set(shas))
        out: dict[str, MediaText] = {}
        with closing(self._connect()) as db:
            for i in range(0, len(shas), 500):
                chunk = shas[i:i + 500]
                rows = db.execute(f"SELECT body FROM media WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk)
                for (body,) in rows:
                    mt = from_dict(MediaText, json.loads(body))
                    out[mt.sha256] = mt
        return out

    def put_media(self, texts: Sequence[MediaText]) -> None:
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO media(sha256, kind, body) VALUES (?,?,?)",
                           [(t.sha256, t.kind, json.dumps(to_dict(t), ensure_ascii=False)) for t in texts])

    def drop_media(self, shas: Iterable[str]) -> int:
        """Forget the OCR text of these media (retention); a later post showing the same image reads it again."""
        shas = list(set(shas))
        with closing(self._connect()) as db:
            db.execute("PRAGMA secure_delete=ON")
            with db:
                n = sum(db.execute("DELETE FROM media WHERE sha256=?", (s,)).rowcount for s in shas)
        compact(self.path)
        return n

    # --- analysis ---
    def unanalysed(self, posts: Iterable[Post]) -> Iterator[Post]:
        with closing(self._connect()) as db:
            for post in posts:
                row = db.execute("SELECT content FROM analysed WHERE post_key=?", (post.key,)).fetchone()
                if row is None or row[0] != content_hash(post):
                    yield post

    def commit_batch(self, posts: Sequence[Post], alerts: Sequence[Alert]) -> int:
        """Record a batch as analysed together with its alerts, atomically. Returns how many alerts were new."""
        now = utcnow().isoformat()
        per_post: dict[str, int] = {}
        for a in alerts:
            per_post[a.post_key] = per_post.get(a.post_key, 0) + 1
        with closing(self._connect()) as db, db:
            before = db.total_changes
            db.executemany(
                "INSERT INTO outbox(alert_id, type, post_key, body, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(alert_id) DO NOTHING",
                [(a.id, a.type, a.post_key, json.dumps(to_dict(a), ensure_ascii=False), now) for a in alerts])
            new = db.total_changes - before
            db.executemany(
                "INSERT OR REPLACE INTO analysed(post_key, content, analysed_at, alerts) VALUES (?,?,?,?)",
                [(p.key, content_hash(p), now, per_post.get(p.key, 0)) for p in posts])
        return new

    def upsert_alerts(self, alerts: Sequence[Alert]) -> int:
        """For re-scans: replace alert bodies (new score/signals) and queue them for indexing again."""
        now = utcnow().isoformat()
        with closing(self._connect()) as db, db:
            existing = {r[0] for r in db.execute(
                f"SELECT alert_id FROM outbox WHERE alert_id IN ({','.join('?' * len(alerts))})",
                [a.id for a in alerts])} if alerts else set()
            db.executemany(
                "INSERT INTO outbox(alert_id, type, post_key, body, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(alert_id) DO UPDATE SET body=excluded.body, indexed_at=NULL",
                [(a.id, a.type, a.post_key, json.dumps(to_dict(a), ensure_ascii=False), now) for a in alerts])
        return len({a.id for a in alerts} - existing)

    # --- outbox ---
    def pending(self, limit: int = 500) -> list[Alert]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT body FROM outbox WHERE indexed_at IS NULL ORDER BY created_at, alert_id LIMIT ?",
                              (limit,)).fetchall()
        return [from_dict(Alert, json.loads(b)) for (b,) in rows]

    def mark_indexed(self, alert_ids: Sequence[str]) -> None:
        now = utcnow().isoformat()
        with closing(self._connect()) as db, db:
            db.executemany("UPDATE outbox SET indexed_at=? WHERE alert_id=?", [(now, i) for i in alert_ids])

    def alert_ids(self) -> set[str]:
        with closing(self._connect()) as db:
            return {r[0] for r in db.execute("SELECT alert_id FROM outbox")}

    def counts(self) -> dict[str, int]:
        with closing(self._connect()) as db:
            return {
                "media": db.execute("SELECT COUNT(*) FROM media").fetchone()[0],
                "analysed": db.execute("SELECT COUNT(*) FROM analysed").fetchone()[0],
                "alerts": db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0],
                "pending": db.execute("SELECT COUNT(*) FROM outbox WHERE indexed_at IS NULL").fetchone()[0],
            }
