"""Facebook's markup, read without a browser: pure functions from a page (or a GraphQL payload) to posts.

Server-rendered mobile pages (m.facebook.com, mbasic.facebook.com) wrap each story in `<article>` (mbasic:
`div[role=article]`) whose `data-ft` JSON names the post (`top_level_post_id`); the story text sits in the
block tagged `"tn":"*s"`, with the part behind "See more" already in the page (`.text_exposed_show`); the
time is the first `<abbr>`, inside the story's permalink; photos and link previews are mostly CSS
backgrounds with CSS-escaped URLs (`https\\3a //…`). A page's next batch is linked from `#m_more_item` (groups)
or named in a script (`InitMMoreItemAutomatic`, pages), and arrives as `for (;;);{json}` whose actions carry
the HTML. Browser mode reads the GraphQL JSON the page loads (`Story` nodes), as research capture tools do.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Iterator, Sequence
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy import Selector

from canhbao.crawlers.spiders.base import Found, count, fallback_id, text_of

STORY_XPATH = (
    "//article[not(ancestor::article)] | "
    "//div[@role='article'][@data-ft][not(ancestor::article) and not(ancestor::div[@role='article'])]"
)
_TEXT_XPATH = './/*[contains(@data-ft, \'"tn":"*s"\')][not(ancestor::*[contains(@data-ft, \'"tn":"*s"\')])]'
_HIDDEN = ".//*[contains(concat(' ', @class, ' '), ' text_exposed_hide ')] | .//*[@data-sigil='more']"
_PERMALINK = re.compile(r"story\.php|/permalink/|/posts/|view=permalink|/photos?/|photo\.php|/videos?/")
_KEEP_QUERY = {"story_fbid", "id", "view", "fbid", "v", "set"}
_CSS_URL = re.compile(r"url\(\s*(?:&quot;|['\"])?(.*?)(?:&quot;|['\"])?\s*\)")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
_NOT_MEDIA = ("emoji.php", "/rsrc.php/", "data:")
_MORE_SCRIPT = re.compile(r"see_more_cards_id\W{1,12}href\W{1,12}((?:/|https?:)[^\"'\\]+)")
JSON_PREFIX = "for (;;);"


@dataclass(frozen=True)
class FeedPage:
    """What one feed page holds: its stories and the link to the next (older) batch, if any."""

    posts: tuple[Found, ...]
    next_url: str = ""
    errors: tuple[str, ...] = ()
    published: dict[str, datetime | None] = field(default_factory=dict)  # post id -> exact time (GraphQL)


def read_rendered(text: str, url: str, graphql_bodies: Sequence[str] = ()) -> FeedPage:
    """Browser mode: the stories in the GraphQL JSON the page loaded first, then those only the DOM shows."""
    page = read_page(text, url)
    if not graphql_bodies:
        return page
    from_json = {p.found.post_id: p for body in graphql_bodies for p in graphql_posts(body, url)}
    posts = [p.found for p in from_json.values()] + [f for f in page.posts if f.post_id not in from_json]
    return replace(page, posts=tuple(posts), published={pid: p.published for pid, p in from_json.items()})


def read_page(text: str, url: str) -> FeedPage:
    """Stories of a server-rendered feed page or of a `for (;;);` "see more" response at `url`."""
    html = text
    if text.lstrip().startswith(JSON_PREFIX):
        html = more_html(text)
    sel = Selector(text=html or "<html></html>")
    posts, errors = [], []
    for i, node in enumerate(sel.xpath(STORY_XPATH), 1):
        try:
            found = story(node, url)
        except Exception as exc:  # noqa: BLE001 - malformed markup shows up as any exception
            errors.append(f"{url} item {i}: {type(exc).__name__}: {exc}")
            continue
        posts.append(found)
    return FeedPage(tuple(posts), next_link(sel, text, url), tuple(errors))


def more_html(text: str) -> str:
    """The HTML a `for (;;);{"payload":{"actions":[…]}}` response inserts into the page."""
    try:
        doc = json.loads(text.lstrip()[len(JSON_PREFIX) :])
    except ValueError:
        return ""
    actions = ((doc.get("payload") or {}).get("actions") or []) if isinstance(doc, dict) else []
    return "".join(a.get("html") or "" for a in actions if isinstance(a, dict))


def next_link(sel: Selector, raw: str, url: str) -> str:
    href = sel.css("#m_more_item a::attr(href), #see_more_pager a::attr(href), #see_more_cards_id a::attr(href)").get()
    if not href:  # pages name the next batch in a script (and, in a "more" response, in escaped JSON)
        flat = raw
        while "\\\\" in flat:  # JSON inside JavaScript inside JSON: undo every level of escaping
            flat = flat.replace("\\\\", "\\")
        flat = flat.replace("\\/", "/").replace("\\u0025", "%").replace("\\u0026", "&")
        m = _MORE_SCRIPT.search(flat)
        href = m.group(1) if m else ""
    return urljoin(url, href.replace("&amp;", "&")) if href else ""


def story(node: Selector, url: str) -> Found:
    """One story node -> Found. Raises when it names no post at all (a parse error for that item)."""
    abbr = node.xpath(".//abbr")[:1]
    link = abbr.xpath("ancestor::a[1]/@href").get() if abbr else None
    if not link:
        link = next((h for h in node.xpath(".//a/@href").getall() if _PERMALINK.search(h)), None)
    permalink = canonical(urljoin(url, link)) if link else ""
    post_id = post_id_of(node) or _id_from_link(permalink)
    if not post_id:
        if not permalink:
            raise ValueError("no post id and no permalink")
        post_id = fallback_id(permalink)
    author = node.xpath(".//header//h3//a | .//h3//strong/a | .//strong/a | .//h3/a")[:1]
    engagement = engagement_of(node)
    published = publish_time(node)  # exact when the page carries it; else the shown text, read in the source's zone
    return Found(
        post_id=post_id,
        url=permalink or url,
        text=story_text(node),
        author=text_of(author),
        author_url=canonical(urljoin(url, author.attrib.get("href", ""))) if author else "",
        time_text=published.isoformat() if published else text_of(abbr),
        images=tuple(dict.fromkeys(media(node, url))),
        engagement=engagement,
    )


def publish_time(node: Selector) -> datetime | None:
    """The story's own `publish_time` (epoch) from `page_insights` in its `data-ft`/`data-store` JSON; a
    shared post's original (`attached_story`) is not the story's time."""
    for attr in ("data-ft", "data-store"):
        try:
            doc = json.loads(node.attrib.get(attr) or "{}")
        except ValueError:
            continue
        insights = doc.get("page_insights") if isinstance(doc, dict) else None
        for value in (insights or {}).values() if isinstance(insights, dict) else ():
            t = ((value or {}).get("post_context") or {}).get("publish_time") if isinstance(value, dict) else None
            if isinstance(t, int) and t > 0:
                return datetime.fromtimestamp(t, tz=timezone.utc)
    return None


_COUNT_WORDS = (
    ("comments", ("comment", "binh luan")),
    ("shares", ("share", "chia se")),
    ("reactions", ("like", "reaction", "luot thich", "cam xuc")),
)


def engagement_of(node: Selector) -> dict[str, int]:
    """Counts under the story ("26 Likes", "1 Comment", "1,2K lượt chia sẻ"), by the word after the number."""
    from canhbao.core.text import fold

    out: dict[str, int] = {}
    for raw in node.css(".like_def::text, .cmt_def::text, ._28wy::text, ._1j-c::text").getall():
        words = fold(raw).lower()
        key = next((k for k, names in _COUNT_WORDS if any(n in words for n in names)), None)
        n = count(raw)
        if key and n is not None and key not in out:
            out[key] = n
    return out


def post_id_of(node: Selector) -> str:
    for attr in ("data-ft", "data-store"):
        raw = node.attrib.get(attr, "")
        try:
            doc = json.loads(raw) if raw else {}
        except ValueError:
            doc = {}
        if isinstance(doc, dict):
            pid = doc.get("top_level_post_id") or doc.get("mf_story_key")
            if pid:
                return str(pid)
            m = re.search(r"top_level_post_id\.(\d+)", str(doc.get("linkdata", "")))
            if m:
                return m.group(1)
    return ""


def story_text(node: Selector) -> str:
    """The story's own words, "See more" part included, without the "… More" link or the UI around them."""
    blocks = node.xpath(_TEXT_XPATH) or node.css("[data-ad-preview='message'], .story_body_container > div > span")
    out = []
    for block in blocks:
        root = copy.deepcopy(block.root)
        for hidden in root.xpath(_HIDDEN):
            hidden.getparent().remove(hidden) if hidden.getparent() is not None else None
        out.append(text_of(Selector(root=root)))
    return "\n".join(t for t in out if t)


def media(node: Selector, url: str) -> Iterator[str]:
    """Photos, video stills and link-preview images: `<img>` and CSS backgrounds, not avatars, emoji or icons."""
    for el in node.xpath(".//img[@src] | .//*[contains(@style, 'url(')]"):
        if el.xpath("ancestor-or-self::*[contains(concat(' ', @class, ' '), ' profpic ')] | ancestor::header"):
            continue
        if el.root.tag == "img":
            src = el.attrib.get("src", "")
            if (el.attrib.get("width") or "99").isdigit() and int(el.attrib.get("width") or 99) <= 32:
                continue
        else:
            m = _CSS_URL.search(el.attrib.get("style", ""))
            src = css_unescape(m.group(1)) if m else ""
        src = src.strip().replace("&amp;", "&")
        if src and not any(x in src for x in _NOT_MEDIA):
            yield urljoin(url, src)


def css_unescape(value: str) -> str:
    """`https\\3a //x\\3d 1` -> `https://x=1` (CSS hex escapes, as Facebook writes URLs in inline styles)."""
    return _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def canonical(url: str) -> str:
    """A permalink without the tracking parameters (`refid`, `_ft_`, `__tn__`, …) that change per view."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in _KEEP_QUERY]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def post_id_in(url: str) -> str:
    """The post a Facebook URL names (`story_fbid=`, `fbid=`, `/posts/<id>`, `/permalink/<id>`), or ""."""
    return _id_from_link(url)


def _id_from_link(permalink: str) -> str:
    q = dict(parse_qsl(urlsplit(permalink).query))
    if q.get("story_fbid") or q.get("fbid"):
        return q.get("story_fbid") or q["fbid"]
    m = re.search(r"/(?:posts|permalink)/(\d+)", permalink)
    return m.group(1) if m else ""


# --- GraphQL (browser mode) ------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphQLPost:
    found: Found
    published: datetime | None


def graphql_posts(payload: str, base_url: str = "https://www.facebook.com/") -> list[GraphQLPost]:
    """Posts in the body of one `/api/graphql/` response: one or more JSON documents, one per line
    (streamed responses), each holding `Story` nodes somewhere in its tree. Nested stories (a shared post's
    original) belong to the story that holds them."""
    out: dict[str, GraphQLPost] = {}
    for doc in _json_docs(payload):
        for node in _stories(doc):
            post = _graphql_story(node, base_url)
            if post is not None and post.found.post_id not in out:
                out[post.found.post_id] = post
    return list(out.values())


def _json_docs(payload: str) -> Iterator[object]:
    text = payload.strip()
    if text.startswith(JSON_PREFIX):
        text = text[len(JSON_PREFIX) :]
    try:
        yield json.loads(text)
        return
    except ValueError:
        pass
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _stories(doc) -> Iterator[dict]:
    """Outermost `Story` nodes that carry a post id (depth-first, iterative: payloads nest deeply)."""
    stack = [doc]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            if cur.get("__typename") == "Story" and (cur.get("post_id") or cur.get("id")):
                yield cur
                continue
            stack.extend(reversed(list(cur.values())))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))


def _graphql_story(node: dict, base_url: str) -> GraphQLPost | None:
    # Comet feeds put the post's own fields either on the Story node or under comet_sections.content.story
    content = ((node.get("comet_sections") or {}).get("content") or {}).get("story") or {}
    content = content if isinstance(content, dict) else {}
    post_id = str(node.get("post_id") or content.get("post_id") or "")
    url = (
        node.get("url")
        or node.get("permalink_url")
        or node.get("wwwURL")
        or content.get("wwwURL")
        or content.get("url")
        or _find(node, "wwwURL", str)
        or _find(node, "permalink_url", str)
    )
    if not post_id:
        post_id = _id_from_link(url or "") or ""
    if not post_id:
        return None
    message = _find(node, "message", dict) or {}
    created = _find(node, "creation_time", int) or _find(node, "publish_time", int)
    actors = node.get("actors") or content.get("actors") or _find(node, "actors", list) or []
    author = actors[0] if actors and isinstance(actors[0], dict) else {}
    images = [
        u
        for key in ("photo_image", "image", "large_share_image", "preferred_thumbnail")
        for d in _find_all(node.get("attachments") or node, key)
        if isinstance(d, dict)
        for u in [d.get("uri") or (d.get("image") or {}).get("uri")]
        if u
    ]
    found = Found(
        post_id=post_id,
        url=urljoin(base_url, url or f"/{post_id}"),
        text=message.get("text", ""),
        author=author.get("name", ""),
        author_url=urljoin(base_url, author.get("url") or "") if author.get("url") else "",
        images=tuple(dict.fromkeys(urljoin(base_url, u) for u in images)),
    )
    published = datetime.fromtimestamp(created, tz=timezone.utc) if isinstance(created, int) and created > 0 else None
    return GraphQLPost(found, published)


def _find(node, key: str, kind):
    for value in _find_all(node, key):
        if isinstance(value, kind) and value:
            return value
    return None


def _find_all(node, key: str) -> Iterator:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            if key in cur:
                yield cur[key]
            stack.extend(reversed([v for k, v in cur.items() if k != key or not isinstance(v, (str, int))]))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))
