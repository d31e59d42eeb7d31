"""Zalo Official Account public pages: a list of articles (paginated), each article opened for its
full text, images and counts. The list gives id, title and (relative) time; the article gives the rest."""

from __future__ import annotations

from canhbao.crawlers.spiders.base import Found, SourceSpider, count, text_of


class ZaloOASpider(SourceSpider):
    name = "zalo_oa"
    source_types = ("zalo_oa",)

    def parse(self, response):
        if not self.usable(response):
            return
        oa = text_of(response.css(".oa-name"))
        parsed, reached_known = 0, False
        for _i, found in self.items(response, response.css(".article-item"), lambda n: self.listed(response, n, oa)):
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
        nxt = response.css("a.next-page::attr(href)").get()
        if self.page_done(response, parsed, reached_known or not nxt) and nxt:
            yield self.page_request(response.urljoin(nxt), self.parse)

    def listed(self, response, node, oa: str) -> Found:
        link = node.css("a.article-link::attr(href)").get()
        if not link:
            raise ValueError("article without a link")
        post_id = node.attrib.get("data-id") or link.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
        thumb = node.css("img.article-thumb::attr(src)").get()
        return Found(post_id=post_id, url=response.urljoin(link), text=text_of(node.css(".article-title")),
                     author=oa, author_url=response.url, time_text=text_of(node.css(".article-time")),
                     images=(response.urljoin(thumb),) if thumb else ())

    def parse_article(self, response):
        listed: Found = response.meta["listed"]
        if not self.usable(response):
            return
        art = response.css("article.oa-article, article")
        if not art:
            self.parse_error(f"{response.url}: no article element (list entry kept)")
            post = self.emit(response, listed)
            if post is not None:
                yield post
            return
        title = text_of(art.css("h1"))
        body = text_of(art.css(".article-content"))
        images = [response.urljoin(u) for u in art.css(".article-content img::attr(src)").getall()]
        engagement = {k: n for k, n in (("likes", count(art.css(".likes::text").get())),
                                         ("shares", count(art.css(".shares::text").get()))) if n is not None}
        author = art.css(".author a")
        found = Found(post_id=listed.post_id, url=response.url, text="\n".join(t for t in (title, body) if t),
                      author=text_of(author[:1]) or listed.author,
                      author_url=response.urljoin(author.attrib.get("href", "")) if author else listed.author_url,
                      time_text=text_of(art.css(".time, time")[:1]) or listed.time_text,
                      images=tuple(dict.fromkeys(images or listed.images)), engagement=engagement)
        post = self.emit(response, found)
        if post is not None:
            yield post
