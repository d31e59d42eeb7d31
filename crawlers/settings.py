"""Settings of the crawl area: `config/sources.yml` (+ env `CANHBAO_SOURCES__<KEY>`), validated on load.

One entry per watched source under `sources:`; politeness defaults at the top level apply to every
source unless the source overrides them. Base URLs always come from here, so tests point them at
127.0.0.1 and nothing in the code knows a real host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

from canhbao.core import config

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Selectors:
    """Where things are on a page. CSS by default; prefix `xpath:` for XPath. `::attr(x)` / `::text` work.

    `item` selects one post on a list page; the other fields are relative to it (or to the article page
    when `link` is set and the post is read from the page it links to).
    """

    item: str = ""
    link: str = ""  # per item: link to the full post/article (followed when set)
    id: str = ""  # per item: stable id (default: the link, else a hash of the text)
    text: str = ""
    title: str = ""
    author: str = ""
    author_url: str = ""
    time: str = ""  # text or attribute holding the publication time (absolute or Vietnamese relative)
    images: str = ""  # elements (img) or attribute values (::attr(src))
    next_page: str = ""  # on the list page: link to the next (older) page


@dataclass(frozen=True)
class SourceConfig:
    # capture: one page an analyst asked for (`canhbao capture URL`), read as a whole; not for sources.yml
    type: str  # a source type some spider declares (crawlers/spiders/: facebook_page, news, ...)
    url: str  # start page: feed page, t.me/s/<channel>, RSS/Atom/sitemap URL, list page
    urls: tuple[str, ...] = ()  # more start URLs (further feeds or sitemaps)
    enabled: bool = True
    # facebook: html = plain HTTP fetch of server-rendered markup; browser = Chromium renders the feed
    # (scrapy-playwright); graph = Graph API. Other types ignore it except `browser`, which any type may use.
    fetch: Literal["html", "browser", "graph"] = "html"
    graph_url: str = "https://graph.facebook.com/v19.0"
    graph_id: str = ""  # page or group id for the Graph API
    token_env: str = ""  # name of the environment variable holding the Graph API token
    cookies_file: Path | None = None  # JSON list of cookies {name, value, domain, path} for browser mode
    obey_robots: bool | None = None  # None: the global default
    allow_private: bool = False  # fetch from loopback/private addresses (a local mirror, the sample site)
    concurrency: int = 0  # requests per domain; 0: the global default
    download_delay: float | None = None
    # the interface language asked for: it decides the language of the times pages print (both are read)
    accept_language: str = "vi-VN,vi;q=0.9,en-US;q=0.6,en;q=0.5"
    # the zone the source prints local times in ("": the global `timezone`); logged-out Facebook prints UTC
    timezone: str = ""
    scrolls: int = 0  # browser mode: scroll to the bottom up to this many times to load more (endless feeds)
    max_pages: int = 20  # list pages followed per run (older pages are reached on the first runs)
    follow_articles: bool = True  # news/zalo: open each new article for its full text and images
    selectors: Selectors = field(default_factory=Selectors)

    @property
    def platform(self) -> str:
        from canhbao.crawlers.spiders import spider_class

        return spider_class(self.type).platform

    def validate(self) -> None:
        from canhbao.crawlers.spiders import spider_classes

        if self.type not in spider_classes():
            raise ValueError(f"type: unknown source type {self.type!r}; known: {', '.join(sorted(spider_classes()))}")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must be an http(s) URL, got {self.url!r}")
        if self.max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if self.timezone:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from None
        if self.fetch == "graph" and not (self.graph_id and self.token_env):
            raise ValueError("fetch: graph needs graph_id and token_env")
        if self.fetch == "graph" and self.type not in ("facebook_page", "facebook_group"):
            raise ValueError("fetch: graph is only for facebook_page/facebook_group")
        if self.type == "generic_html" and not (self.selectors.item and (self.selectors.text or self.selectors.link)):
            raise ValueError("generic_html needs selectors.item and selectors.text (or selectors.link)")


@dataclass(frozen=True)
class CrawlSettings:
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    user_agent: str = "canhbao-crawler/0.1 (+public content monitoring)"
    obey_robots: bool = True
    concurrency_per_domain: int = 2
    download_delay: float = 0.5
    autothrottle: bool = True
    autothrottle_target: float = 1.0  # concurrent requests per remote site AutoThrottle aims at
    retry_times: int = 3
    backoff_base_s: float = 2.0  # retry n waits base * 2**(n-1) s (or Retry-After), capped
    backoff_max_s: float = 60.0
    http_cache: bool = False  # development only: replays earlier responses from <home>/cache/http
    timeout_s: float = 30.0
    max_run_s: int = 0  # stop a source after this many seconds (0: no limit)
    download_media: bool = True
    store_batch: int = 20  # posts per post-store transaction (and state write)
    media_max_bytes: int = 20 * 1024 * 1024
    media_max_pixels: int = 50_000_000  # a larger image (by its header) is refused before decoding
    media_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp")
    timezone: str = "Asia/Ho_Chi_Minh"  # how local times on Vietnamese pages are read
    browser_path: str = "/usr/bin/chromium"
    browser_timeout_s: float = 30.0
    browser_wait_s: float = 15.0  # how long a rendered page may take to show its feed (or a wall)

    def validate(self) -> None:
        for name in self.sources:
            if not _NAME.match(name):
                raise ValueError(f"source name {name!r}: use lower-case letters, digits, . _ -")
        if self.concurrency_per_domain < 1:
            raise ValueError("concurrency_per_domain must be at least 1")
        if self.media_max_bytes < 1024:
            raise ValueError("media_max_bytes must be at least 1024")
        if self.retry_times < 0 or self.backoff_base_s < 0:
            raise ValueError("retry_times and backoff_base_s must not be negative")

    def select(self, names: tuple[str, ...] | list[str]) -> dict[str, SourceConfig]:
        unknown = [n for n in names if n not in self.sources]
        if unknown:
            from canhbao.core.errors import ConfigError

            raise ConfigError(
                str(config.config_path("sources")),
                "sources",
                f"unknown source {unknown[0]!r} (configured: {', '.join(sorted(self.sources)) or 'none'})",
            )
        return {n: self.sources[n] for n in names}


def load(path: Path | None = None) -> CrawlSettings:
    return config.load("sources", CrawlSettings, path=path)


def from_mapping(data: Mapping, where: str = "<settings>") -> CrawlSettings:
    return config.build(CrawlSettings, data, where=where)
