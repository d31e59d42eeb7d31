"""Incremental crawl state of one source, written atomically after every stored batch.

`posts` maps post id -> 1 when a run that walked the feed to its end (or to known posts) has finished
with it, 0 when it was stored by a run that did not finish (crash, block, stop). Spiders skip every
known post (no duplicate, no re-download of its media) but stop paginating only at a *finished* one: a
crashed run's posts were stored, yet the older pages behind them may not have been reached.
Posts are stored before the state names them, so a crash between the two re-fetches and upserts a
post (same key), never loses one.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from canhbao.core.atomic import write_json
from canhbao.core.records import utcnow

KEEP = 20_000  # ids remembered per source; older ones drop off (feeds never reach that deep)


class CrawlState:
    def __init__(self, path: Path):
        self.path = Path(path)
        data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        # A list of [id, finished] in the order first stored (JSON objects get their keys sorted on write).
        self.posts: dict[str, int] = {str(k): int(v) for k, v in data.get("posts", [])}
        self.last_published: str = data.get("last_published", "")
        self.runs: int = int(data.get("runs", 0))
        self._dirty = False

    @classmethod
    def for_source(cls, state_dir: Path, source: str) -> "CrawlState":
        return cls(Path(state_dir) / f"{source}.json")

    def known(self, post_id: str) -> bool:
        return post_id in self.posts

    def finished(self, post_id: str) -> bool:
        return self.posts.get(post_id) == 1

    def stored(self, post_id: str, published_at: datetime | None) -> None:
        self.posts.setdefault(post_id, 0)
        if published_at is not None:
            self.last_published = max(self.last_published, published_at.isoformat())
        self._dirty = True

    def finish(self) -> None:
        """The run reached the end of what it had to read: every stored post becomes a stop mark."""
        self.posts = {k: 1 for k in self.posts}
        self.runs += 1
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        if len(self.posts) > KEEP:  # the oldest drop off
            self.posts = dict(list(self.posts.items())[-KEEP:])
        write_json(
            self.path,
            {
                "posts": [[k, v] for k, v in self.posts.items()],
                "last_published": self.last_published,
                "runs": self.runs,
                "updated_at": utcnow().isoformat(),
            },
        )
        self._dirty = False
