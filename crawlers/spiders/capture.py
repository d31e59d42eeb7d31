"""One page an analyst asked for (`canhbao capture URL`), fetched the way the crawler fetches
(politeness, fetch policy, WARC and raw capture, media pipeline, html or Chromium) and read as a whole
page: one post per capture, with the page's own metadata (see `crawlers/pageinfo.py`).

Every capture is a post of its own (id = URL hash + capture time), so capturing the same URL twice
keeps both as evidence; the crawl state never hides a capture.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from canhbao.core.records import sha256_hex
from canhbao.crawlers.pageinfo import read_page
from canhbao.crawlers.spiders.base import Found, SourceSpider

# host suffix -> platform, so a captured post files under the platform it came from
PLATFORM_HOSTS = (
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("fb.watch", "facebook"),
    ("zalo.me", "zalo"),
    ("t.me", "telegram"),
    ("telegram.me", "telegram"),
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
)


def platform_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, platform in PLATFORM_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return platform
    return "web"


def capture_id(url: str, stamp: str) -> str:
    return f"{sha256_hex(url)[:16]}-{stamp}"


class CaptureSpider(SourceSpider):
    name = "capture"
    platform = "web"
    source_types = ("capture",)

    def page_request(self, url: str, callback, **meta):
        if self.source.fetch == "browser":
            meta.update(playwright=True)
        return super().page_request(url, callback, **meta)

    def parse(self, response):
        if not self.usable(response):
            return
        html = response.text if hasattr(response, "text") else ""
        page = read_page(html, response.url)
        post_id = capture_id(self.source.url, self.captured_at.strftime("%Y%m%dT%H%M%SZ"))
        found = Found(
            post_id=post_id,
            url=response.url,
            text=page.text,
            author=page.author,
            author_url=page.author_url,
            images=page.images,
        )
        self.page_done(response, 1, True)
        post = self.emit(response, found, published=page.published)
        if post is not None:
            yield replace(post, platform=platform_of(response.url))
