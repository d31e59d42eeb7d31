"""Any forum or site described by selectors in the config (`selectors:` of the source): a new site is
configuration, not code. CSS by default, `xpath:` prefix for XPath; `::attr(name)` picks attributes.
A field selector that picks elements yields their visible text (or, for images, their `src`)."""

from __future__ import annotations

from canhbao.crawlers.spiders.base import Found, SourceSpider, fallback_id, text_of


def select(node, selector: str) -> list[str]:
    """Values picked by `selector` under `node`: attribute/text values as they are, elements as text
    (images: their src)."""
    if not selector:
        return []
    if selector.startswith("::attr("):  # an attribute of the item itself
        return [node.attrib.get(selector[7:-1], "")] if hasattr(node, "attrib") else []
    picked = node.xpath(selector[6:]) if selector.startswith("xpath:") else node.css(selector)
    out = []
    for p in picked:
        root = getattr(p, "root", None)
        if isinstance(root, str):
            out.append(root.strip())
        elif getattr(root, "tag", "") == "img":
            out.append(p.attrib.get("src", ""))
        else:
            out.append(text_of(p))
    return [v for v in out if v]


def select_text(node, selector: str) -> str:
    return "\n".join(select(node, selector))


class GenericHtmlSpider(SourceSpider):
    name = "generic_html"
    platform = "web"
    source_types = ("generic_html",)

    def content_selector(self) -> str:  # the configured item selector, when it is CSS
        item = self.source.selectors.item
        return "" if item.startswith("xpath:") else item.split("::")[0]

    def parse(self, response):
        if not self.usable(response):
            return
        sel = self.source.selectors
        nodes = response.xpath(sel.item[6:]) if sel.item.startswith("xpath:") else response.css(sel.item)
        parsed, reached_known = 0, False
        for _i, found in self.items(response, nodes, lambda n: self.item(response, n)):
            parsed += 1
            reached_known |= self.state.finished(found.post_id)
            if self.state.known(found.post_id):
                continue
            if sel.link and self.source.follow_articles:
                yield self.page_request(found.url, self.parse_detail, listed=found)
                continue
            post = self.emit(response, found)
            if post is not None:
                yield post
        nxt = (select(response, sel.next_page) or [None])[0]
        if self.page_done(response, parsed, reached_known or not nxt) and nxt:
            yield self.page_request(response.urljoin(nxt), self.parse)

    def item(self, response, node) -> Found:
        sel = self.source.selectors
        link = (select(node, sel.link) or [""])[0]
        text = select_text(node, sel.text) if sel.text else ""
        if not link and not text:
            raise ValueError("neither text nor link found")
        post_id = (
            (select(node, sel.id) or [""])[0] or (link and fallback_id(response.urljoin(link))) or fallback_id(text)
        )
        url = response.urljoin(link) if link else f"{response.url}#{post_id}"
        return Found(
            post_id=post_id,
            url=url,
            text=text,
            author=(select(node, sel.author) or [""])[0],
            author_url=response.urljoin((select(node, sel.author_url) or [""])[0] or "") if sel.author_url else "",
            time_text=(select(node, sel.time) or [""])[0],
            images=tuple(response.urljoin(u) for u in select(node, sel.images)),
        )

    def parse_detail(self, response):
        listed: Found = response.meta["listed"]
        if not self.usable(response):
            return
        sel = self.source.selectors
        text = select_text(response, sel.text) if sel.text else ""
        images = [response.urljoin(u) for u in select(response, sel.images)]
        found = Found(
            post_id=listed.post_id,
            url=response.url,
            text=text or listed.text,
            author=(select(response, sel.author) or [listed.author])[0],
            time_text=(select(response, sel.time) or [listed.time_text])[0],
            images=tuple(dict.fromkeys(images or list(listed.images))),
            author_url=listed.author_url,
        )
        post = self.emit(response, found)
        if post is not None:
            yield post
