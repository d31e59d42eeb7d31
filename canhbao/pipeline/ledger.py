"""The pipeline ledger (SQLite in the data home, or the shared PostgreSQL database): what has been analysed, and alerts waiting to be indexed.

- `media`: one MediaText per SHA-256 — an image shared by 500 posts is read (OCR) once.
- `analysed`: post key -> hash of the content analysed, so a post is analysed again only if it changed.
- `outbox`: alerts produced by detection, keyed by their deterministic id; `indexed_at` is set once the
  store has accepted them. A batch of posts and its alerts are committed in one transaction, so a kill
  between batches loses nothing and a re-run duplicates nothing.
"""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import replace
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence

from canhbao.core.records import Alert, MediaText, Post, from_dict, sha256_hex, to_dict, utcnow
from canhbao.core.sqlite import compact
from canhbao.core.state import Connection, SharedState

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


class Ledger(SharedState):
    SCHEMA = SCHEMA

    # --- media ---
    def media_texts(self, shas: Iterable[str]) -> dict[str, MediaText]:
        shas = list(set(shas))
        out: dict[str, MediaText] = {}
        with closing(self._connect()) as db:
            for i in range(0, len(shas), 500):
                chunk = shas[i : i + 500]
                rows = db.execute(f"SELECT body FROM media WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk)
                for (body,) in rows:
                    mt = from_dict(MediaText, json.loads(body))
                    out[mt.sha256] = mt
        return out

    def media_read(self, shas: Iterable[str]) -> set[str]:
        """Which of these SHA-256s have been read (no bodies loaded: cheap over a large backlog)."""
        shas = list(set(shas))
        out: set[str] = set()
        with closing(self._connect()) as db:
            for i in range(0, len(shas), 500):
                chunk = shas[i : i + 500]
                out |= {
                    r[0]
                    for r in db.execute(
                        f"SELECT sha256 FROM media WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk
                    )
                }
        return out

    def put_media(self, texts: Sequence[MediaText]) -> None:
        with closing(self._connect()) as db, db:
            self._put_media(db, texts)

    def _put_media(self, db: Connection, texts: Sequence[MediaText]) -> None:
        db.executemany(
            "INSERT INTO media(sha256, kind, body) VALUES (?,?,?) "
            "ON CONFLICT(sha256) DO UPDATE SET kind=excluded.kind, body=excluded.body",
            [(t.sha256, t.kind, json.dumps(to_dict(t), ensure_ascii=False)) for t in texts],
        )

    def drop_media(self, shas: Iterable[str]) -> int:
        """Forget the OCR text of these media (retention); a later post showing the same image reads it again."""
        shas = list(set(shas))
        with closing(self._connect()) as db:
            if self.dialect == "sqlite":
                db.execute("PRAGMA secure_delete=ON")
            with db:
                n = sum(db.execute("DELETE FROM media WHERE sha256=?", (s,)).rowcount for s in shas)
        if self.dialect == "sqlite":
            compact(self.path)
        return n

    def forget_authors(self, post_keys: Iterable[str], label: Callable[[str], str]) -> int:
        """Retention: the poster's display name in the outbox alerts of these posts becomes `label(name)`."""
        keys, n = list(set(post_keys)), 0
        with closing(self._connect()) as db:
            if self.dialect == "sqlite":
                db.execute("PRAGMA secure_delete=ON")
            with db:
                for i in range(0, len(keys), 500):
                    chunk = keys[i : i + 500]
                    rows = db.execute(
                        f"SELECT alert_id, body FROM outbox WHERE post_key IN ({','.join('?' * len(chunk))})", chunk
                    ).fetchall()
                    for alert_id, body in rows:
                        alert = from_dict(Alert, json.loads(body))
                        if alert.author and not alert.author.startswith("[AUTHOR"):
                            forgotten = json.dumps(
                                to_dict(replace(alert, author=label(alert.author))), ensure_ascii=False
                            )
                            db.execute("UPDATE outbox SET body=? WHERE alert_id=?", (forgotten, alert_id))
                            n += 1
        if self.dialect == "sqlite":
            compact(self.path)
        return n

    # --- analysis ---
    def unanalysed(self, posts: Iterable[Post], chunk: int = 500) -> Iterator[Post]:
        """Posts never analysed, or changed since (looked up `chunk` at a time: one round trip each)."""
        it = iter(posts)
        with closing(self._connect()) as db:
            while batch := list(islice(it, chunk)):
                keys = list({p.key for p in batch})
                seen = dict(
                    db.execute(
                        f"SELECT post_key, content FROM analysed WHERE post_key IN ({','.join('?' * len(keys))})", keys
                    ).fetchall()
                )
                yield from (p for p in batch if seen.get(p.key) != content_hash(p))

    def commit_batch(self, posts: Sequence[Post], alerts: Sequence[Alert]) -> int:
        """Record a batch as analysed together with its alerts, atomically. Returns how many alerts were new."""
        with closing(self._connect()) as db, db:
            return self._commit_batch(db, posts, alerts)

    def _commit_batch(self, db: Connection, posts: Sequence[Post], alerts: Sequence[Alert]) -> int:
        """The statements of `commit_batch`, inside the caller's transaction (a work claim adds its own)."""
        now = utcnow().isoformat()
        per_post: dict[str, int] = {}
        for a in alerts:
            per_post[a.post_key] = per_post.get(a.post_key, 0) + 1
        new = db.executemany(
            "INSERT INTO outbox(alert_id, type, post_key, body, created_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(alert_id) DO NOTHING",
            [(a.id, a.type, a.post_key, json.dumps(to_dict(a), ensure_ascii=False), now) for a in alerts],
        )
        db.executemany(
            "INSERT INTO analysed(post_key, content, analysed_at, alerts) VALUES (?,?,?,?) ON CONFLICT(post_key) "
            "DO UPDATE SET content=excluded.content, analysed_at=excluded.analysed_at, alerts=excluded.alerts",
            [(p.key, content_hash(p), now, per_post.get(p.key, 0)) for p in posts],
        )
        return new

    def upsert_alerts(self, alerts: Sequence[Alert]) -> int:
        """For re-scans: replace alert bodies (new score/signals) and queue them for indexing again."""
        now = utcnow().isoformat()
        with closing(self._connect()) as db, db:
            existing = (
                {
                    r[0]
                    for r in db.execute(
                        f"SELECT alert_id FROM outbox WHERE alert_id IN ({','.join('?' * len(alerts))})",
                        [a.id for a in alerts],
                    )
                }
                if alerts
                else set()
            )
            db.executemany(
                "INSERT INTO outbox(alert_id, type, post_key, body, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(alert_id) DO UPDATE SET body=excluded.body, indexed_at=NULL",
                [(a.id, a.type, a.post_key, json.dumps(to_dict(a), ensure_ascii=False), now) for a in alerts],
            )
        return len({a.id for a in alerts} - existing)

    # --- outbox ---
    def pending(self, limit: int = 500) -> list[Alert]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT body FROM outbox WHERE indexed_at IS NULL ORDER BY created_at, alert_id LIMIT ?", (limit,)
            ).fetchall()
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
