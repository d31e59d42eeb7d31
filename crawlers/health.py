"""Source health: what one crawl run saw for each source, and the run's report.

A run is judged per source: `blocked` (login wall, checkpoint, rate limit, 403), `markup_changed`
(a 200 page from which nothing could be parsed: the site changed and the selectors must follow),
`error` (nothing fetched at all), `ok`. Blocks and markup changes are never silently "0 posts".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from canhbao.core.records import from_dict, to_dict

OK, BLOCKED, MARKUP_CHANGED, ERROR = "ok", "blocked", "markup_changed", "error"
MAX_MESSAGES = 50  # per source; the counts stay exact


@dataclass
class HealthCounter:
    """Mutable tally kept by one spider while it runs; frozen into `SourceHealth` at the end."""

    source: str
    platform: str
    pages_fetched: int = 0
    posts_parsed: int = 0  # posts found on pages (new or already known)
    posts_new: int = 0  # posts not seen before, sent to the store
    posts_stored: int = 0
    parse_errors: int = 0
    empty_pages: list[str] = field(default_factory=list)  # 200 pages with no post: markup changed?
    blocks: list[str] = field(default_factory=list)  # "login_wall https://...", "rate_limited ..."
    errors: list[str] = field(default_factory=list)  # one line each: URL/item and the problem
    media_stored: int = 0
    media_reused: int = 0
    media_failed: int = 0
    media_bytes: int = 0

    def error(self, line: str) -> None:
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(line)

    def block(self, kind: str, url: str) -> None:
        if len(self.blocks) < MAX_MESSAGES:
            self.blocks.append(f"{kind} {url}")

    def freeze(self, started_at: datetime, finished_at: datetime, finish_reason: str) -> "SourceHealth":
        if self.blocks:
            status = BLOCKED
        elif self.empty_pages:
            status = MARKUP_CHANGED
        elif self.pages_fetched == 0:
            status = ERROR
        else:
            status = OK
        return SourceHealth(
            source=self.source,
            platform=self.platform,
            status=status,
            pages_fetched=self.pages_fetched,
            posts_parsed=self.posts_parsed,
            posts_new=self.posts_new,
            posts_stored=self.posts_stored,
            parse_errors=self.parse_errors,
            blocks=tuple(self.blocks),
            empty_pages=tuple(self.empty_pages),
            errors=tuple(self.errors),
            media_stored=self.media_stored,
            media_reused=self.media_reused,
            media_failed=self.media_failed,
            media_bytes=self.media_bytes,
            started_at=started_at,
            finished_at=finished_at,
            finish_reason=finish_reason,
        )


@dataclass(frozen=True)
class SourceHealth:
    source: str
    platform: str
    status: str
    pages_fetched: int = 0
    posts_parsed: int = 0
    posts_new: int = 0
    posts_stored: int = 0
    parse_errors: int = 0
    blocks: tuple[str, ...] = ()
    empty_pages: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    media_stored: int = 0
    media_reused: int = 0
    media_failed: int = 0
    media_bytes: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    finish_reason: str = ""
    post_keys: tuple[str, ...] = ()  # posts stored in this run (new or updated)

    def line(self) -> str:
        """One line for the terminal; problems are shouted, not hidden in a count."""
        flag = {OK: "ok", BLOCKED: "BLOCKED", MARKUP_CHANGED: "MARKUP CHANGED?", ERROR: "ERROR"}[self.status]
        out = (
            f"{self.source:<20} {flag:<16} pages={self.pages_fetched} parsed={self.posts_parsed} "
            f"new={self.posts_new} stored={self.posts_stored} parse_errors={self.parse_errors} "
            f"media={self.media_stored}+{self.media_reused} reused, {self.media_failed} failed"
        )
        details = [f"  ! {b}" for b in self.blocks[:5]]
        details += [f"  ! 0 posts parsed from HTTP 200 page {u}" for u in self.empty_pages[:5]]
        details += [f"  - {e}" for e in self.errors[:10]]
        return "\n".join([out, *details])


@dataclass(frozen=True)
class CrawlReport:
    run_id: str
    started_at: datetime
    finished_at: datetime
    sources: tuple[SourceHealth, ...] = ()
    exit_code: int = 0  # of the crawl process; non-zero: it crashed (what it stored is kept)
    error: str = ""
    log: str = ""  # Scrapy's log of the run, relative to the data home

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and all(s.status == OK for s in self.sources)

    @property
    def post_keys(self) -> tuple[str, ...]:
        return tuple(k for s in self.sources for k in s.post_keys)

    def summary(self) -> str:
        head = (
            f"crawl {self.run_id}: {len(self.sources)} source(s), {sum(s.posts_new for s in self.sources)} new post(s)"
        )
        lines = [head, *(s.line() for s in self.sources)]
        if self.error:
            lines.append(f"  ! crawl process: {self.error}")
        if not self.ok and self.log:
            lines.append(f"  log: {self.log}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "CrawlReport":
        return from_dict(cls, data)

    def write(self, path: Path) -> None:
        from canhbao.core.atomic import write_json

        write_json(path, self.to_json())

    def with_exit(self, code: int, error: str = "") -> "CrawlReport":
        return replace(self, exit_code=code, error=error)


def read_health(path: Path) -> SourceHealth:
    return from_dict(SourceHealth, json.loads(path.read_text(encoding="utf-8")))
