"""Zalo Official Account public pages: a list of articles (paginated), each article opened for its full
text, images and counts.

What Zalo serves to a browser without login could not be established from public sources (no saved
page, fixture or scraper of OA profile or article pages exists in the code, issues and documentation
searched; see docs/sources.md). So:
- list pages are read with the source's `selectors` when configured (a real OA page is configuration,
  not code), else with the project's sample-site markup (`.article-item`, `a.article-link`, ...);
- article pages are read from their `article` element when there is one, and otherwise from what any
  shareable web page declares about itself (Open Graph, article meta tags, JSON-LD), which Zalo's link
  previews need but which is likewise unverified against the live site;
- Zalo's login (`id.zalo.me`) and web chat (`chat.zalo.me`) are login walls, by URL;
- a `zalo.me/<id>` profile page is recognised by the one real shape public code shows (a client-rendered
  "zaloprofile" app whose HTML carries `window.pageInfo = {type, name, avatar, thumbnail, qrCodeUrl,
  user: {isBusiness, showBanner}, messageInfo: {...}}`; docs/sources.md): it holds a name, an avatar and a
  QR code, no posts or articles, and is reported as such instead of as changed markup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from canhbao.crawlers.pageinfo import read_page
from canhbao.crawlers.spiders.base import Found, SourceSpider, count, text_of

LOGIN_HOSTS = ("id.zalo.me", "chat.zalo.me")
DEFAULT = {
    "item": ".article-item",
    "link": "a.article-link::attr(href)",
    "title": ".article-title",
    "time": ".article-time",
    "images": "img.article-thumb::attr(src)",
    "next_page": "a.next-page::attr(href)",
    "author": ".oa-name",
}


_PAGE_INFO = re.compile(r"window\.pageInfo\s*=\s*(\{)")


@dataclass(frozen=True)
class ZaloProfile:
    """What a `zalo.me/<id>` profile page says about the account behind it."""

    name: str
    avatar: str = ""
    business: bool = False
    kind: str = ""  # pageInfo.type as served


def profile_of(html: str) -> ZaloProfile | None:
    """The account a zalo.me profile page describes (its `window.pageInfo` JSON), or None for other pages."""
    m = _PAGE_INFO.search(html)
    if m is None:
        return None
    try:
        info, _end = json.JSONDecoder().raw_decode(html, m.start(1))
    except ValueError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("name"), str):
        return None
    user = info.get("user")
    if not isinstance(user, dict):
        user = {}
    return ZaloProfile(
        name=info["name"],
        avatar=str(info.get("avatar") or ""),
        business=bool(user.get("isBusiness")),
        kind=str(info.get("type", "")),
    )


class ZaloOASpider(SourceSpider):
    name = "zalo_oa"
    platform = "zalo"
    source_types = ("zalo_oa",)

    def sel(self, key: str) -> str:
        return getattr(self.source.selectors, key, "") or DEFAULT.get(key, "")

    def detect_block(self, response) -> str:
        if (urlsplit(response.url).hostname or "").lower() in LOGIN_HOSTS:
            return "login_wall"
        return super().detect_block(response)

    def parse(self, response):
        if not self.usable(response):
            return
        oa = text_of(response.css(self.sel("author"))) if self.sel("author") else ""
        parsed, reached_known = 0, False
        for _i, found in self.items(response, response.css(self.sel("item")), lambda n: self.listed(response, n, oa)):
            parsed += 1
            reached_known |= self.state.finished(found.post_id)
            if self.state.known(found.post_id):
                continue
            if self.source.follow_articles:
                yield self.page_request(found.url, self.parse_article, listed=found)
            else:
                post = self.emit(response, found)
                if post is not None:
                    yield post
        profile = profile_of(response.text) if parsed == 0 else None
        if profile is not None:
            self.health.error(
                f"{response.url}: a zalo.me profile page ({profile.name!r}, business: {profile.business}): Zalo "
                "shows no posts or articles on it without login; capture articles by URL or import them"
            )
        nxt = response.css(self.sel("next_page")).get()
        if self.page_done(response, parsed, reached_known or not nxt) and nxt:
            yield self.page_request(response.urljoin(nxt), self.parse)

    def listed(self, response, node, oa: str) -> Found:
        link = node.css(self.sel("link")).get()
        if not link:
            raise ValueError("article without a link")
        post_id = node.attrib.get("data-id") or link.rstrip("/").rsplit("/", 1)[-1].split(".")[0].split("?")[0]
        thumb = node.css(self.sel("images")).get()
        return Found(
            post_id=post_id,
            url=response.urljoin(link),
            text=text_of(node.css(self.sel("title"))),
            author=oa,
            author_url=response.url,
            time_text=text_of(node.css(self.sel("time"))),
            images=(response.urljoin(thumb),) if thumb else (),
        )

    def parse_article(self, response):
        listed: Found = response.meta["listed"]
        if not self.usable(response):
            return
        art = response.css("article.oa-article, article")
        body = text_of(art.css(".article-content")) if art else ""
        if not body:  # no known article markup: what the page declares about itself (og/JSON-LD)
            post = self.from_metadata(response, listed)
            if post is not None:
                yield post
            return
        title = text_of(art.css("h1"))
        images = [response.urljoin(u) for u in art.css(".article-content img::attr(src)").getall()]
        engagement = {
            k: n
            for k, n in (
                ("likes", count(art.css(".likes::text").get())),
                ("shares", count(art.css(".shares::text").get())),
            )
            if n is not None
        }
        author = art.css(".author a")
        found = Found(
            post_id=listed.post_id,
            url=response.url,
            text="\n".join(t for t in (title, body) if t),
            author=text_of(author[:1]) or listed.author,
            author_url=response.urljoin(author.attrib.get("href", "")) if author else listed.author_url,
            time_text=text_of(art.css(".time, time")[:1]) or listed.time_text,
            images=tuple(dict.fromkeys(images or listed.images)),
            engagement=engagement,
        )
        post = self.emit(response, found)
        if post is not None:
            yield post

    def from_metadata(self, response, listed: Found):
        page = read_page(response.text, response.url)
        if not page.text.strip() or page.text.strip() == listed.text.strip():
            self.parse_error(f"{response.url}: no article text found (list entry kept)")
        found = Found(
            post_id=listed.post_id,
            url=response.url,
            text=page.text if len(page.text) > len(listed.text) else listed.text,
            author=page.author or page.site or listed.author,
            author_url=page.author_url or listed.author_url,
            time_text="" if page.published else listed.time_text,
            images=tuple(dict.fromkeys(page.images or listed.images)),
        )
        return self.emit(response, found, published=page.published)
