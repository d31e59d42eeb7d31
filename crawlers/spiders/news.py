"""News sites: RSS 2.0 / Atom feeds and XML sitemaps (urlset or sitemap index), following each new
article link for its full text, author, time and images. The article id is its URL (stable across runs);
known articles are not fetched again. Article selectors can be overridden in the source config."""

from __future__ import annotations

from scrapy.utils.sitemap import Sitemap

from canhbao.core.records import sha256_hex
from canhbao.crawlers.settings import Selectors
from canhbao.crawlers.spiders.base import Found, SourceSpider, text_of
from canhbao.crawlers.spiders.generic_html import select, select_text

ARTICLE_TEXT = "article .article-body p, article p, .article-body p, .content p, .fck_detail p"
ARTICLE_IMAGES = "article img::attr(src), .article-body img::attr(src), meta[property='og:image']::attr(content)"
ARTICLE_TIME = (
    "meta[property='article:published_time']::attr(content), time::attr(datetime), "
    "meta[itemprop='datePublished']::attr(content)"
)
ARTICLE_AUTHOR = "meta[name='author']::attr(content), .author, [rel='author']"


class NewsSpider(SourceSpider):
    name = "news"
    platform = "news"
    source_types = ("news",)
    content_css = "item, entry, url, sitemap, article"  # a feed, a sitemap or an article is never a wall

    def parse(self, response):
        if not self.usable(response):
            return
        body = response.body.lstrip()[:2000].lower()
        if b"<urlset" in body or b"<sitemapindex" in body:
            entries = list(self.sitemap_entries(response))
        else:
            entries = list(self.feed_entries(response))
        parsed = 0
        for _i, found in self.items(response, entries, lambda e: e):
            parsed += 1
            if self.state.known(found.post_id):
                continue
            if found.url.endswith(".xml"):  # a sitemap index points at more sitemaps
                yield self.page_request(found.url, self.parse)
            elif self.source.follow_articles:
                yield self.page_request(found.url, self.parse_article, listed=found)
            else:
                post = self.emit(response, found)
                if post is not None:
                    yield post
        self.page_done(response, parsed, True)

    def feed_entries(self, response):
        return feed_entries(response)

    def sitemap_entries(self, response):
        for entry in Sitemap(response.body):
            loc = entry.get("loc", "").strip()
            if loc:
                yield Found(post_id=_id(loc), url=loc, time_text=entry.get("lastmod", ""))

    def parse_article(self, response):
        listed: Found = response.meta["listed"]
        if not self.usable(response):
            return
        if not select_text(response, self.source.selectors.text or ARTICLE_TEXT):
            self.parse_error(f"{response.url}: no article text found (feed summary kept)")
        found = read_article(response, self.source.selectors, listed)
        post = self.emit(response, found) if found is not None else None
        if post is not None:
            yield post


def feed_entries(response):
    """RSS 2.0 / Atom items of a feed response -> Found (pure: what the response holds, nothing fetched)."""
    response.selector.remove_namespaces()
    for node in response.xpath("//item | //entry"):
        link = node.xpath("link/@href").get() or node.xpath("link/text()").get() or ""
        link = response.urljoin(link.strip())
        title = node.xpath("title/text()").get("")
        summary = node.xpath("description/text() | summary/text() | content/text()").get("")
        enclosure = node.xpath(
            "enclosure[starts-with(@type,'image')]/@url | content[@medium='image']/@url | thumbnail/@url"
        ).getall()
        when = node.xpath("pubDate/text() | published/text() | updated/text() | date/text()").get("")
        # VnExpress and most Vietnamese feeds put the thumbnail as an <img> inside the (CDATA) description
        inline = images_of_html(summary)
        yield Found(
            post_id=_id(link),
            url=link,
            text="\n".join(t for t in (title.strip(), text_of_html(summary)) if t),
            author=node.xpath("author/name/text() | author/text() | creator/text()").get("").strip(),
            time_text=when.strip(),
            images=tuple(dict.fromkeys(response.urljoin(u.strip()) for u in [*enclosure, *inline] if u.strip())),
        )


def read_article(response, sel: Selectors, listed: Found | None = None) -> Found | None:
    """An article page -> Found; what the page lacks comes from its feed entry when there is one. None for
    a page without article text and without an entry."""
    text = select_text(response, sel.text or ARTICLE_TEXT)
    if not text and listed is None:
        return None
    listed_text = listed.text if listed is not None else ""
    title = select_text(response, sel.title or "h1") or listed_text.split("\n")[0]
    images = [response.urljoin(u) for u in select(response, sel.images or ARTICLE_IMAGES)]
    author = select_text(response, sel.author or ARTICLE_AUTHOR) or (listed.author if listed is not None else "")
    return Found(
        post_id=listed.post_id if listed is not None else _id(response.url),
        url=response.url,
        text="\n".join(t for t in (title, text or "\n".join(listed_text.split("\n")[1:])) if t),
        author=author.split("\n")[0],
        time_text=(select(response, sel.time or ARTICLE_TIME) or [listed.time_text if listed is not None else ""])[0],
        images=tuple(dict.fromkeys(images or (listed.images if listed is not None else ()))),
    )


def _id(url: str) -> str:
    return sha256_hex(url)[:20]


def text_of_html(fragment: str) -> str:
    from scrapy import Selector

    return text_of(Selector(text=f"<div>{fragment}</div>").css("div")) if fragment.strip() else ""


def images_of_html(fragment: str) -> list[str]:
    from scrapy import Selector

    if "<img" not in fragment.lower():
        return []
    return [
        u for u in Selector(text=f"<div>{fragment}</div>").css("img::attr(src)").getall() if not u.startswith("data:")
    ]
