"""What every source spider shares: block detection, health tallies, incremental skipping, Post building.

A subclass parses its platform's pages into `Found` posts and calls `self.emit(...)`, which drops posts
the state already knows, and `self.page_done(...)`, which decides whether to follow the next (older)
page. A broken item is a parse error logged with its page and position; the rest of the page goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Awaitable, Iterable, Iterator

import scrapy
from scrapy.exceptions import IgnoreRequest

from canhbao.core.records import Media, Post, sha256_hex
from canhbao.core.text import fold, squash
from canhbao.crawlers.capture import CAPTURE_KEY, redact
from canhbao.crawlers.health import HealthCounter
from canhbao.crawlers.reltime import parse_time
from canhbao.crawlers.settings import CrawlSettings, SourceConfig
from canhbao.crawlers.state import CrawlState
from canhbao.net.guard_proxy import PROXY_ERROR_HEADER, REFUSED_HEADER

log = logging.getLogger(__name__)

# Folded, lower-case phrases of a page's *visible* text that mean it is a wall, not content (Vietnamese and
# English UIs). Scripts are never searched: Facebook's inline configuration names "checkpoint" on every page.
BLOCK_MARKERS = {
    "login_wall": (
        "ban phai dang nhap",
        "dang nhap de tiep tuc",
        "you must log in",
        "log in to continue",
        "log into facebook",
        "dang nhap facebook",
    ),
    "checkpoint": (
        "xac nhan danh tinh",
        "confirm your identity",
        "tai khoan cua ban tam thoi bi khoa",
        "your account has been locked",
        "security check",
    ),
    "rate_limited": (
        "ban tam thoi bi chan",
        "you're temporarily blocked",
        "you are temporarily blocked",
        "too many requests",
        "rate limit",
    ),
}
URL_MARKERS = {"login_wall": ("/login", "/accounts/login"), "checkpoint": ("/checkpoint",)}
LOGIN_FORM = "form#login_form, form[action*='/login'] input[type='password']"
STATUS_BLOCKS = {401: "login_wall", 403: "forbidden", 429: "rate_limited"}


@dataclass(frozen=True)
class Found:
    """One post as parsed from a page, before the crawl-level fields are filled in."""

    post_id: str
    url: str
    text: str = ""
    author: str = ""
    author_url: str = ""
    time_text: str = ""
    images: tuple[str, ...] = ()
    engagement: dict[str, int] = field(default_factory=dict)


class SourceSpider(scrapy.Spider):
    platform: str = ""  # what its posts' `Post.platform` says: facebook, zalo, telegram, news, web
    source_types: tuple[str, ...] = ()
    handle_httpstatus_list = [401, 403, 404, 410, 429, 500, 502, 503, 504]
    block_markers = BLOCK_MARKERS
    content_css = ""  # what a content page has (posts); a page with it is never judged a wall
    incremental = True  # skip posts an earlier run stored (False: every post found is emitted)

    def __init__(self, *, source_name: str, source: SourceConfig, settings_obj: CrawlSettings, home, **kw):
        # keyword-only: a positional argument would collide with Spider's `name` (it did raise before too)
        super().__init__(name=f"{self.name}:{source_name}", **kw)
        self.source_name, self.source, self.cfg, self.home = source_name, source, settings_obj, home
        self.started_at = datetime.now(timezone.utc)
        self.captured_at = self.started_at.replace(microsecond=0)
        from zoneinfo import ZoneInfo

        self.tz = ZoneInfo(source.timezone or settings_obj.timezone)
        self.state = CrawlState.for_source(home.crawl_state, source_name)
        self.health = HealthCounter(source_name, source.platform)
        self.stored_keys: list[str] = []
        self.pages_followed = 0
        self._emitted: set[str] = set()

    # --- requests -----------------------------------------------------------------------------------

    def start_urls_of(self) -> list[str]:
        return [self.source.url, *self.source.urls]

    async def start(self):
        for url in self.start_urls_of():
            yield self.page_request(url, self.parse)

    def page_request(self, url: str, callback, **meta) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.failed, meta=meta, dont_filter=False, headers=self.request_headers()
        )

    def request_headers(self) -> dict[str, str]:
        """Per-source `Accept-Language`: the interface language (and so the time format) pages are served in."""
        return {"Accept-Language": self.source.accept_language} if self.source.accept_language else {}

    def failed(self, failure) -> Awaitable[None] | None:  # a subclass's errback may be async (Scrapy awaits it)
        url = redact(failure.request.url)
        if failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            self.health.error(f"{url}: forbidden by robots.txt (obey_robots: false overrides it)")
            return None
        from scrapy import exceptions
        from twisted.internet.error import DNSLookupError

        from canhbao.crawlers.fetch_guard import proxy_turned_down, refused_at_connect

        turned_down = proxy_turned_down(failure)
        if turned_down:  # the configured proxy's 407: its own clear line, not Scrapy's tunnel error
            self.health.error(f"{url}: {turned_down}")
            log.warning("%s: %s: %s", self.source_name, url, turned_down)
            return None
        dns_failed = failure.check(DNSLookupError, getattr(exceptions, "CannotResolveHostError", DNSLookupError))
        why = refused_at_connect(failure.request.url) if dns_failed else ""
        if why:  # the resolver refused the address the name had at connection time (DNS rebinding)
            self.health.error(f"{url}: refused by the fetch policy at connection ({why})")
            return None
        self.health.error(f"{url}: {failure.getErrorMessage() or failure.type.__name__}")
        log.warning("%s: %s: %s", self.source_name, url, failure.getErrorMessage())
        return None

    # --- pages --------------------------------------------------------------------------------------

    def usable(self, response) -> bool:
        """Count the page and say whether it holds content; blocks and HTTP errors become health."""
        self.health.pages_fetched += 1
        refused = response.headers.get(REFUSED_HEADER) if response.status == 403 else None
        if refused:  # browser mode: the guard proxy refused the address the name had at connection time
            self.health.error(f"{redact(response.url)}: refused by the fetch policy at connection ({refused.decode()})")
            return False
        turned_down = response.headers.get(PROXY_ERROR_HEADER) if response.status == 502 else None
        if turned_down:  # browser mode: the configured proxy answered the guard proxy 407
            self.health.error(f"{redact(response.url)}: {turned_down.decode()}")
            return False
        kind = STATUS_BLOCKS.get(response.status)
        if kind is None and response.status == 200:
            kind = self.detect_block(response)
        if kind:
            self.health.block(kind, response.url)
            log.error("%s: %s at %s", self.source_name, kind.replace("_", " "), response.url)
            return False
        if response.status != 200:
            self.health.error(f"{response.url}: HTTP {response.status}")
            return False
        return True

    def detect_block(self, response) -> str:
        return wall_of(response, self.content_selector(), self.block_markers)

    def content_selector(self) -> str:
        """CSS of what a content page holds (its posts): a page with it is never judged a wall."""
        return self.content_css

    def page_done(self, response, parsed: int, reached_known: bool) -> bool:
        """Tally the page; True when the spider should go on to the next (older) page."""
        self.health.posts_parsed += parsed
        if parsed == 0:
            self.health.empty_pages.append(response.url)
            log.error(
                "%s: 0 posts parsed from HTTP 200 page %s: has the markup changed?", self.source_name, response.url
            )
        self.pages_followed += 1
        return not reached_known and parsed > 0 and self.pages_followed < self.source.max_pages

    def items(self, response, nodes: Iterable, parse_one) -> Iterator[tuple[int, Found]]:
        """Run `parse_one(node)` over the nodes of a page; a failing node is a parse error, not a crash."""
        for i, node in enumerate(nodes, 1):
            try:
                found = parse_one(node)
            except Exception as exc:  # noqa: BLE001 - malformed markup shows up as any exception
                self.parse_error(f"{response.url} item {i}: {type(exc).__name__}: {exc}")
                continue
            if found is not None:
                yield i, found

    def parse_error(self, line: str) -> None:
        self.health.parse_errors += 1
        self.health.error(line)
        log.warning("%s: parse error: %s", self.source_name, line)

    # --- posts --------------------------------------------------------------------------------------

    def emit(self, response, found: Found, published: datetime | None = None) -> Post | None:
        """The Post for `found`, or None when the state already has it (incremental crawl)."""
        if (self.incremental and self.state.known(found.post_id)) or found.post_id in self._emitted:
            return None  # known from an earlier run, or shown twice in this one (the feed moved on)
        self._emitted.add(found.post_id)
        shown = ""
        if published is None and found.time_text:
            published = parse_time(found.time_text, self.captured_at, self.tz)
            shown = found.time_text if published is not None else ""
            if published is None:
                self.health.error(f"{found.url}: unreadable time {found.time_text!r} (post kept, time unknown)")
        capture = response.meta.get(CAPTURE_KEY, {})
        self.health.posts_new += 1
        return Post(
            source=self.source_name,
            platform=self.source.platform,
            post_id=found.post_id,
            url=found.url,
            captured_at=self.captured_at,
            text=found.text,
            author=found.author,
            author_url=found.author_url,
            published_at=published,
            media=tuple(Media(u) for u in dict.fromkeys(found.images) if u),
            engagement=dict(found.engagement),
            raw_html=capture.get("raw", ""),
            warc=capture.get("warc", ""),
            published_text=shown,
        )

    def closed(self, reason: str) -> None:
        if reason == "finished" and not self.health.blocks:
            self.state.finish()
        self.state.save()
        health = self.health.freeze(self.started_at, datetime.now(timezone.utc), reason)
        from dataclasses import replace

        self.report = replace(health, post_keys=tuple(dict.fromkeys(self.stored_keys)))
        out = self.settings.get("CANHBAO_HEALTH_OUT")
        if out:
            from canhbao.core.atomic import write_json
            from canhbao.core.records import to_dict

            write_json(out, to_dict(self.report))


# --- small parsing helpers shared by the spiders ----------------------------------------------------


_BLOCK = {
    "p",
    "div",
    "li",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
    "figure",
    "ul",
    "ol",
    "table",
    "pre",
}
_SKIP = {"script", "style", "noscript", "template"}


def wall_of(response, content_css: str = "", markers=BLOCK_MARKERS) -> str:
    """The kind of wall an HTTP 200 page is ("" for none), recognised from the final URL's path, then (only
    on a page without content) from its visible text or a login form; never from scripts, styles or
    attributes (Facebook's inline configuration names "checkpoint" and "login" on every page)."""
    from urllib.parse import urlsplit

    path = urlsplit(response.url).path.lower().rstrip("/")
    for kind, parts in URL_MARKERS.items():
        if any(path == p or path.startswith(p + "/") or path.startswith(p + ".") for p in parts):
            return kind
    if not hasattr(response, "text"):
        return ""
    if content_css and response.css(content_css):
        return ""  # posts are on the page: a login bar or a word in a post is not a wall
    seen = fold(visible_text(response)[:200_000]).lower()
    for kind, words in markers.items():
        if any(m in seen for m in words):
            return kind
    if response.css(LOGIN_FORM):
        return "login_wall"
    return ""


def visible_text(response) -> str:
    """What a reader sees of an HTML page: the body's text without scripts, styles or templates."""
    body = response.xpath("//body")
    return text_of(body) if body else text_of(response.xpath("/*"))


def text_of(sel) -> str:
    """Visible text of a selection, with block elements and <br> as line breaks (walks the lxml tree)."""
    if sel is None:
        return ""
    out: list[str] = []
    for node in sel if isinstance(sel, (list, scrapy.selector.SelectorList)) else [sel]:
        root = getattr(node, "root", node)
        if isinstance(root, str):
            out.append(root)
        else:
            _walk(root, out)
            out.append("\n")
    lines = (squash(line) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(el, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag or tag in _SKIP:  # comments, processing instructions, scripts
        return
    if el.text:
        out.append(el.text.replace("\n", " "))  # a newline in the source is a space on screen
    for child in el:
        _walk(child, out)
        if child.tail:
            out.append(child.tail.replace("\n", " "))
    if tag in _BLOCK:
        out.append("\n")


def count(text: str | None) -> int | None:
    """'1.2K' / '3 bình luận' / '1,5 N' -> int; None when there is no number."""
    import re

    if not text:
        return None
    m = re.search(r"(\d+(?:[.,]\d+)?)\s*([KkMmNn]|tr)?", text)
    if not m:
        return None
    value = float(m.group(1).replace(",", "."))
    mult = {"k": 1_000, "n": 1_000, "m": 1_000_000, "tr": 1_000_000}.get((m.group(2) or "").lower(), 1)
    if mult == 1 and re.fullmatch(r"\d+[.,]\d{3}", m.group(1)):  # 1.234 = thousands separator
        value = float(m.group(1).replace(".", "").replace(",", ""))
    return int(value * mult)


def fallback_id(*parts: str) -> str:
    return "h" + sha256_hex("|".join(parts))[:16]
