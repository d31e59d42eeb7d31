"""One page an analyst asked for (`canhbao capture URL`), fetched the way the crawler fetches (politeness,
fetch policy, WARC and raw capture, media pipeline, html or Chromium) and read with the parser of the
platform it comes from, as the crawler would store its posts:

- a Facebook page or story (`data-ft` story markup, or a facebook.com URL): the Facebook spider's stories
  (in browser mode the GraphQL JSON the page loaded first, then the DOM);
- a Telegram preview (`t.me/s/…`, a message widget): the Telegram spider's messages;
- a news feed (RSS/Atom): the news spider's items; a page that declares itself an article: the news
  spider's article reading;
- anything else, or a page where the platform's parser finds nothing: the whole page (`pageinfo`).

A URL naming one post (a story permalink, `t.me/s/<channel>/<id>`) keeps that post when the page shows it
among others. Every capture is a post of its own (id = hash of the platform post, or of the URL, plus the
capture time), so capturing the same URL twice keeps both as evidence; the crawl state never hides one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from canhbao.core.records import sha256_hex
from canhbao.crawlers.pageinfo import read_page
from canhbao.crawlers.settings import Selectors
from canhbao.crawlers.spiders.base import Found, SourceSpider
from canhbao.crawlers.spiders.facebook import GraphQLRecorder

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
_FEED = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]")
_ARTICLE = (
    "meta[property='og:type'][content='article'], meta[property='article:published_time'], "
    "meta[itemprop='datePublished'], script[type='application/ld+json']:contains('NewsArticle')"
)


def platform_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, platform in PLATFORM_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return platform
    return "web"


def capture_id(url: str, stamp: str) -> str:
    return f"{sha256_hex(url)[:16]}-{stamp}"


@dataclass(frozen=True)
class PlatformPosts:
    platform: str  # "" when no platform parser applies (the page is then read as a whole)
    posts: tuple[Found, ...] = ()
    published: dict[str, datetime | None] | None = None  # post id -> exact time, where the parser knows it
    errors: tuple[str, ...] = ()


def platform_posts(response, graphql_bodies: tuple[str, ...] = ()) -> PlatformPosts:
    """The posts the captured page's own platform parser finds (pure: the response in, posts out)."""
    from canhbao.crawlers.spiders import fb_markup, news, telegram_channel

    url = response.url
    if _FEED.search(response.body.lstrip()[:2000].lower()):
        return PlatformPosts("news", tuple(news.feed_entries(response)))
    if not hasattr(response, "text"):
        return PlatformPosts("")
    if response.css("div.tgme_widget_message[data-post]"):
        found = telegram_channel.read_page(response.text, url)
        return PlatformPosts("telegram", _only_asked(found, _telegram_id(url)))
    if platform_of(url) == "facebook" or response.xpath("//*[@data-ft]") or graphql_bodies:
        page = fb_markup.read_rendered(response.text, url, graphql_bodies)
        if page.posts:
            asked = fb_markup.post_id_in(url)
            return PlatformPosts("facebook", _only_asked(list(page.posts), asked), page.published, page.errors)
    if response.css(_ARTICLE):
        article = news.read_article(response, Selectors())
        if article is not None:
            return PlatformPosts("news", (article,))
    return PlatformPosts("")


def _only_asked(found: list[Found], asked: str) -> tuple[Found, ...]:
    """The post the URL names when the page shows it among others; else every post on the page."""
    hit = [f for f in found if asked and f.post_id == asked]
    return tuple(hit or found)


def _telegram_id(url: str) -> str:
    """`t.me/s/<channel>/<id>` or `t.me/<channel>/<id>` -> id ("" for a channel page)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and parts[0] == "s":
        parts = parts[1:]
    return parts[1] if len(parts) == 2 and parts[1].isdigit() else ""


class CaptureSpider(GraphQLRecorder, SourceSpider):
    name = "capture"
    platform = "web"
    source_types = ("capture",)
    # An analyst's capture is an explicit request: what an earlier capture stored never suppresses it.
    incremental = False

    def page_request(self, url: str, callback, **meta):
        if self.source.fetch == "browser":
            from scrapy_playwright.page import PageMethod

            # any page may load a feed from GraphQL (Facebook's web client does): keep those answers
            meta.update(self.graphql_meta([PageMethod("wait_for_load_state", "networkidle")]))
        return super().page_request(url, callback, **meta)

    async def parse(self, response):
        bodies = tuple(await self._graphql_bodies(response))
        if not self.usable(response):
            return
        stamp = self.captured_at.strftime("%Y%m%dT%H%M%SZ")
        found = platform_posts(response, bodies)
        for line in found.errors:
            self.parse_error(line)
        if not found.posts:  # no platform parser applies, or it found nothing: the page as a whole
            page = read_page(response.text if hasattr(response, "text") else "", response.url)
            whole = Found(
                post_id=capture_id(self.source.url, stamp),
                url=response.url,
                text=page.text,
                author=page.author,
                author_url=page.author_url,
                images=page.images,
            )
            self.page_done(response, 1, True)
            post = self.emit(response, whole, published=page.published)
            if post is not None:
                yield replace(post, platform=platform_of(response.url))
            return
        self.page_done(response, len(found.posts), True)
        for f in found.posts:
            # the asked URL is part of the id: an article captured in the same second as the feed that
            # lists it is a second capture, not the feed's copy of the post
            key = f"{self.source.url}|{found.platform}:{f.post_id}:{f.url}"
            own = replace(f, post_id=capture_id(key, stamp))
            post = self.emit(response, own, published=(found.published or {}).get(f.post_id))
            if post is not None:
                yield replace(post, platform=found.platform)
