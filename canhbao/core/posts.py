"""The post store: where crawlers put `Post` records and later stages read them.

SQLite in the data home or the shared PostgreSQL database (`config/state.yaml`), keyed by `Post.key` (source:post_id), so writing the same post twice updates
it instead of duplicating it. Each row records when it was first stored, which is what a scan uses to
pick up "new since the last run" and what a retro-hunt uses for "posts of the last N days".
"""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import replace
from datetime import datetime
from typing import Iterable, Iterator

from canhbao.core.errors import NotFound
from canhbao.core.records import Post, from_dict, sha256_hex, to_dict, utcnow
from canhbao.core.sqlite import compact
from canhbao.core.state import SharedState

SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    platform TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS posts_stored ON posts(stored_at);
CREATE INDEX IF NOT EXISTS posts_source ON posts(source, stored_at);
CREATE TABLE IF NOT EXISTS purged (key TEXT PRIMARY KEY, text_sha256 TEXT NOT NULL, author_sha256 TEXT NOT NULL,
                                   purged_at TEXT NOT NULL);
"""


class PostStore(SharedState):
    SCHEMA = SCHEMA

    def put_many(self, posts: Iterable[Post]) -> int:
        """Insert or update posts in one transaction; returns how many were new."""
        now = utcnow().isoformat()
        new = 0
        with closing(self._connect()) as db, db:
            for post in posts:
                cur = db.execute(
                    "INSERT INTO posts(key, source, platform, stored_at, captured_at, body) VALUES (?,?,?,?,?,?) "
                    "ON CONFLICT(key) DO UPDATE SET captured_at=excluded.captured_at, body=excluded.body "
                    "RETURNING stored_at",
                    (
                        post.key,
                        post.source,
                        post.platform,
                        now,
                        post.captured_at.isoformat(),
                        json.dumps(to_dict(post), ensure_ascii=False),
                    ),
                )
                new += cur.fetchone()[0] == now
        return new

    def put(self, post: Post) -> bool:
        return self.put_many([post]) == 1

    def get(self, key: str) -> Post:
        with closing(self._connect()) as db:
            row = db.execute("SELECT body FROM posts WHERE key=?", (key,)).fetchone()
        if row is None:
            raise NotFound(f"post {key} not found")
        return from_dict(Post, json.loads(row[0]))

    def get_many(self, keys: Iterable[str]) -> list[Post]:
        """The posts with these keys that exist, in the order given."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, Post] = {}
        with closing(self._connect()) as db:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                for (body,) in db.execute(f"SELECT body FROM posts WHERE key IN ({','.join('?' * len(chunk))})", chunk):
                    post = from_dict(Post, json.loads(body))
                    found[post.key] = post
        return [found[k] for k in keys if k in found]

    def iter(
        self, *, since: datetime | None = None, until: datetime | None = None, source: str | None = None
    ) -> Iterator[Post]:
        """Posts first stored in [since, until), oldest first."""
        sql = "SELECT body FROM posts WHERE 1=1"
        args: list[str] = []
        if since is not None:
            sql += " AND stored_at >= ?"
            args.append(_utc(since))
        if until is not None:
            sql += " AND stored_at < ?"
            args.append(_utc(until))
        if source is not None:
            sql += " AND source = ?"
            args.append(source)
        with closing(self._connect()) as db:
            for (body,) in db.rows(sql + " ORDER BY stored_at, key", args):
                yield from_dict(Post, json.loads(body))

    def expired(self, before: datetime) -> list[Post]:
        """Posts first stored before `before` whose raw text is still kept."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT body FROM posts WHERE stored_at < ? AND key NOT IN (SELECT key FROM purged) "
                "ORDER BY stored_at, key",
                (_utc(before),),
            ).fetchall()
        return [from_dict(Post, json.loads(body)) for (body,) in rows]

    def strip(self, posts: Iterable[Post]) -> int:
        """Retention: keep each post's identity, URL and media hashes, drop its text, author and capture paths
        (their SHA-256 stays in `purged`). Freed pages are overwritten and the file compacted, so the text is
        gone from the file itself, not only from the table."""
        now, n = utcnow().isoformat(), 0
        with closing(self._connect()) as db:
            if self.dialect == "sqlite":
                db.execute("PRAGMA secure_delete=ON")
            with db:
                for post in posts:
                    stripped = replace(
                        post,
                        text="",
                        author="",
                        author_url="",
                        raw_html="",
                        warc="",
                        media=tuple(replace(m, path="") for m in post.media),
                    )
                    db.execute(
                        "UPDATE posts SET body=? WHERE key=?",
                        (json.dumps(to_dict(stripped), ensure_ascii=False), post.key),
                    )
                    db.execute(
                        "INSERT INTO purged(key, text_sha256, author_sha256, purged_at) VALUES (?,?,?,?) "
                        "ON CONFLICT(key) DO UPDATE SET text_sha256=excluded.text_sha256, "
                        "author_sha256=excluded.author_sha256, purged_at=excluded.purged_at",
                        (post.key, sha256_hex(post.text), sha256_hex(post.author), now),
                    )
                    n += 1
        if self.dialect == "sqlite":  # PostgreSQL keeps old row versions until (auto)vacuum reclaims them
            compact(self.path)
        return n

    def count(self) -> int:
        with closing(self._connect()) as db:
            n: int = db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        return n


def _utc(t: datetime) -> str:
    """Stored times are UTC ISO strings, so comparisons are string comparisons in UTC."""
    from datetime import timezone

    return t.astimezone(timezone.utc).isoformat()
