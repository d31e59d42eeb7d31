"""Retention: purge raw captures, WARCs and media past their age, keeping what confirmed alerts need.

Evidence of a confirmed violation must outlive the retention window; everything else (most of what a
nightly crawl collects) is personal data we have no reason to keep.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from canhbao.core.errors import NotFound
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import CONFIRMED

log = logging.getLogger("canhbao.retention")


def protected_paths(home: Home, store: Any) -> set[Path]:
    """Files referenced by confirmed alerts: their media, raw HTML and WARC captures."""
    from canhbao.index.base import AlertQuery

    posts = PostStore(home.posts_db)
    keep: set[Path] = set()
    offset = 0
    while batch := store.search(AlertQuery(status=(CONFIRMED,), limit=500, offset=offset)):
        offset += len(batch)
        for alert in batch:
            try:
                post = posts.get(alert.post_key)
            except NotFound:
                continue
            keep |= {(home.root / m.path).resolve() for m in post.media if m.path}
            keep |= {(home.root / p).resolve() for p in (post.raw_html, post.warc) if p}
    return keep


def purge(home: Home, *, older_than_days: int, store: Any, dry_run: bool = False) -> dict[str, int]:
    cutoff = time.time() - older_than_days * 86400
    keep = protected_paths(home, store)
    counts = {"deleted": 0, "kept_for_alerts": 0, "bytes": 0}
    for base in (home.media, home.raw, home.warc):
        for path in base.rglob("*"):
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            if path.resolve() in keep:
                counts["kept_for_alerts"] += 1
                continue
            counts["bytes"] += path.stat().st_size
            counts["deleted"] += 1
            if not dry_run:
                path.unlink()
    log.info("retention: %s", counts)
    return counts
