"""What any web page says about itself, read without site-specific selectors: Open Graph and article
meta tags, schema.org JSON-LD, `<link rel=canonical>`, then the visible text of the main content.

Used where no platform parser applies: analyst captures of any URL, imported saved pages (HTML, WARC,
WACZ), and Zalo OA articles (whose markup is not known; see docs/sources.md). Pure: HTML in, record out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector

MAX_IMAGES = 20
# Where the content is, most specific first; the whole body is the last resort.
CONTENT = ("article", "main", "[role=main]", "[itemprop=articleBody]", "#content", ".content", "body")


@dataclass(frozen=True)
class PageInfo:
    url: str  # canonical URL if the page names one, else where it was served
    title: str = ""
    description: str = ""
    text: str = ""  # title, then the visible text of the main content
    author: str = ""
    author_url: str = ""
    published: datetime | None = None
    images: tuple[str, ...] = ()
    site: str = ""


def read_page(html: str | bytes, url: str) -> PageInfo:
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    sel = Selector(text=html or "<html></html>", base_url=url)
    meta = _meta(sel)
    ld = _json_ld(sel)
    canonical = sel.css("link[rel=canonical]::attr(href)").get() or meta.get("og:url") or ""
    base = url
    title = _first(
        meta.get("og:title"), ld.get("headline"), ld.get("name"), _text(sel.css("h1")[:1]), _text(sel.css("title"))
    )
    description = _first(meta.get("og:description"), meta.get("description"), ld.get("description"))
    body = (ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else "") or _main_text(sel)
    lines = [ln.strip() for ln in (body or description).splitlines() if ln.strip()]
    if lines and lines[0] == title:
        lines = lines[1:]  # the heading repeats the title
    text = "\n".join([title, *lines] if title else lines)
    author, author_url = _author(meta, ld, sel, base)
    published = _time(
        _first(
            meta.get("article:published_time"),
            ld.get("datePublished"),
            meta.get("og:updated_time"),
            sel.css("time::attr(datetime)").get(),
        )
    )
    images = [meta.get("og:image", ""), *_ld_images(ld)]
    images += _content(sel).css("img::attr(src), img::attr(data-src)").getall()
    images += _css_backgrounds(_content(sel))
    images = [urljoin(base, u.strip()) for u in images if u and u.strip()]
    images = [u for u in dict.fromkeys(images) if u.lower().startswith(("http://", "https://"))][:MAX_IMAGES]
    return PageInfo(
        urljoin(base, canonical) if canonical else url,
        title,
        description,
        text,
        author,
        author_url,
        published,
        tuple(images),
        _first(meta.get("og:site_name")),
    )


def _meta(sel: Selector) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in sel.css("meta"):
        key = (m.attrib.get("property") or m.attrib.get("name") or m.attrib.get("itemprop") or "").strip().lower()
        value = (m.attrib.get("content") or "").strip()
        if key and value and key not in out:
            out[key] = value
    return out


def _json_ld(sel: Selector) -> dict:
    """The first schema.org object that looks like a post or article (graphs and lists searched)."""
    wanted = ("article", "newsarticle", "blogposting", "socialmediaposting", "reportagenewsarticle", "webpage")
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                types = node.get("@type", "")
                types = [t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
                if any(t in wanted for t in types):
                    return node
                stack.extend(v for k, v in node.items() if k == "@graph")
    return {}


def _ld_images(ld: dict) -> list[str]:
    image = ld.get("image")
    items = image if isinstance(image, list) else [image]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            out.append(item["url"])
    return out


def _author(meta: dict, ld: dict, sel: Selector, base: str) -> tuple[str, str]:
    a = ld.get("author")
    a = a[0] if isinstance(a, list) and a else a
    if isinstance(a, dict):
        return str(a.get("name", "")).strip(), urljoin(base, str(a.get("url", ""))) if a.get("url") else ""
    if isinstance(a, str) and a.strip():
        return a.strip(), ""
    name = _first(meta.get("author"), meta.get("article:author"), _text(sel.css("[rel=author]")[:1]))
    if name.startswith(("http://", "https://")):
        return "", name
    return name, ""


def _content(sel: Selector):
    for css in CONTENT:
        found = sel.css(css)
        if found:
            return found[:1]
    return sel


def _main_text(sel: Selector) -> str:
    return _text(_content(sel))


def _text(nodes) -> str:
    from canhbao.crawlers.spiders.base import text_of

    return text_of(nodes) if nodes else ""


_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _css_backgrounds(nodes) -> list[str]:
    return [m for style in nodes.css("[style*=url]::attr(style)").getall() for m in _URL_IN_STYLE.findall(style)]


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _first(*values) -> str:
    for v in values:
        if isinstance(v, str) and v.strip():
            return re.sub(r"\s+", " ", v).strip()
    return ""
