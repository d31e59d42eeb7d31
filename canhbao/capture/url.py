"""`canhbao capture URL`: fetch one page through the crawler (a one-off `capture` source, read with its
platform's parser: see crawlers/spiders/capture.py), then analyse its post(s) and raise alerts like a
scan, including the analyst's own `manual_capture` alert for each."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from canhbao.capture.ingest import Ingested, ingest
from canhbao.capture.provenance import Provenance, provenance
from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Post

SOURCE: Final = "capture"  # Final: its literal type is a SourceConfig type


@dataclass(frozen=True)
class Captured:
    posts: tuple[Post, ...]  # what the platform's parser found on the page (the post a URL names: only it)
    provenance: Provenance
    result: Ingested
    crawl_log: str = ""

    @property
    def post(self) -> Post:
        return self.posts[0]


def capture_url(
    home: Home,
    url: str,
    *,
    fetch: Literal["html", "browser"] = "html",
    note: str = "",
    actor: str | None = None,
    timeout_s: float | None = 120.0,
    store: Any = None,
    analyzer: Any = None,
) -> Captured:
    """Capture `url`; raise InputError (one line) when nothing could be captured."""
    from canhbao.crawlers import settings as crawl_settings
    from canhbao.crawlers.runner import run_crawl
    from canhbao.crawlers.settings import SourceConfig
    from canhbao.net.policy import check, load

    check(url, load())  # a refused URL (file:, internal address) is refused before any crawl starts
    base = crawl_settings.load()
    source = SourceConfig(type=SOURCE, url=url, fetch=fetch, max_pages=1, follow_articles=False)
    source.validate()
    cfg = replace(base, sources={SOURCE: source})
    prov = provenance(f"capture:{fetch}", note=note, source=url, actor=actor)
    report = run_crawl(home, [SOURCE], settings=cfg, timeout_s=timeout_s)
    keys = report.post_keys
    if not keys:
        health = report.sources[0] if report.sources else None
        why = (
            health.errors[0]
            if health and health.errors
            else f"{health.status}"
            if health
            else report.error or "nothing captured"
        )
        raise InputError(url, f"capture failed ({why}); crawl log: {home.root / report.log}")
    store_ = PostStore(home.posts_db)
    posts = tuple(p for p in (store_.get(k) for k in keys) if p is not None)
    result = ingest(home, posts, prov, manual=True, store=store, analyzer=analyzer)
    return Captured(posts, prov, result, report.log)
