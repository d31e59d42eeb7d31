"""Retention: purge raw captures, WARCs, media and the raw text of posts past their age, keeping what
confirmed alerts need.

Evidence of a confirmed violation must outlive the retention window; everything else (most of what a
nightly crawl collects) is personal data we have no reason to keep. An expired post keeps its identity,
URL, media hashes and the SHA-256 of its text (post store); its text, author and OCR text leave every store
(post store, pipeline ledger, Scrapy's HTTP cache, crawl logs), and the SQLite files are compacted so the
bytes leave the disk. Alerts keep their masked text; the poster's display name on the alerts of expired posts
(alert store, its posts index, the ledger's outbox) becomes a keyed hash, "[AUTHOR·4f1c2a]".
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from canhbao.core.errors import NotFound
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import CONFIRMED

log = logging.getLogger("canhbao.retention")


def protected_paths(home: Home, store: Any) -> set[Path]:
    """Files referenced by confirmed alerts: their media, raw HTML and WARC captures."""
    return _protected(home, store)[0]


def _protected(home: Home, store: Any) -> tuple[set[Path], set[str]]:
    """Files and post keys that confirmed alerts need."""
    from canhbao.index.base import AlertQuery

    posts = PostStore(home.posts_db)
    keep: set[Path] = set()
    keys: set[str] = set()
    offset = 0
    while batch := store.search(AlertQuery(status=(CONFIRMED,), limit=500, offset=offset)):
        offset += len(batch)
        for alert in batch:
            try:
                post = posts.get(alert.post_key)
            except NotFound:
                continue
            keys.add(post.key)
            keep |= {(home.root / m.path).resolve() for m in post.media if m.path}
            keep |= {(home.root / p).resolve() for p in (post.raw_html, post.warc) if p}
    return keep, keys


def purge(home: Home, *, older_than_days: int, store: Any, dry_run: bool = False) -> dict[str, int]:
    cutoff = time.time() - older_than_days * 86400
    keep, keep_keys = _protected(home, store)
    counts = {"deleted": 0, "kept_for_alerts": 0, "bytes": 0}
    # Scrapy's HTTP cache and the crawl logs hold whole pages and scraped items: as personal as the captures
    for base in (home.media, home.raw, home.warc, home.cache / "http", home.crawl_state / "runs"):
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
    counts.update(_strip_posts(home, datetime.fromtimestamp(cutoff, timezone.utc), keep_keys, dry_run, store))
    log.info("retention: %s", counts)
    return counts


def _strip_posts(home: Home, before: datetime, keep_keys: set[str], dry_run: bool, store: Any) -> dict[str, int]:
    """Drop the raw text of posts first stored before `before` (not those confirmed alerts need) from the post
    store, the OCR text of media that only such posts show from the pipeline ledger, and the poster's name
    from their alerts (ledger outbox and alert store)."""
    from canhbao.pipeline.stages import ledger_for

    posts = PostStore(home.posts_db)
    expired = [p for p in posts.expired(before) if p.key not in keep_keys]
    live = {m.sha256 for p in posts.iter(since=before) for m in p.media}
    live |= {m.sha256 for k in keep_keys for m in posts.get(k).media}
    orphaned = {m.sha256 for p in expired for m in p.media if m.sha256} - live
    if dry_run:
        return {"posts_stripped": len(expired), "media_texts_dropped": len(orphaned)}
    stripped = posts.strip(expired)
    ledger = ledger_for(home)
    dropped = ledger.drop_media(orphaned)
    # The poster is a person too: alerts of expired posts keep a keyed hash of the display name, not the name
    label = _author_label(home)
    keys = {p.key for p in expired}
    forgotten = ledger.forget_authors(keys, label) + store.forget_authors(keys, label)
    return {"posts_stripped": stripped, "media_texts_dropped": dropped, "authors_forgotten": forgotten}


def _author_label(home: Home) -> Any:
    from canhbao.detectors.pii.masking import load_or_create_key, placeholder

    key = load_or_create_key(home.keys / "mask.key")
    return lambda name: placeholder(name, "author", key)
