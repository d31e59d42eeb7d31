"""Local sites that imitate each watched platform, with the same markup the spiders parse.

Used by the crawler tests, the crawl benchmark and the end-to-end demo:

    feeds = {"so-y-te": FeedSpec("facebook_page", posts=(SamplePost("1001", "Sở Y tế", "...", "2 giờ",
                                                                      images=(Path("a.png"),)),))}
    build_site(root, feeds)                       # static files under root (+ copies of the images)
    with serve(root) as site:                     # threaded HTTP server on 127.0.0.1, port chosen by the OS
        cfg = sources_config(site.base_url, feeds)    # the matching `sources.yml` content (a dict)
        site.route("/x.jpg", status=429, times=2)     # simulate a rate limit, a login wall, a 50 MB image...

Paths: facebook `/fb/<name>/` (groups: `p<N>.html` pages; pages: `more/p<N>.html` JSON batches), browser-rendered facebook (feed built by
JavaScript), Graph API `/graph/v19.0/<name>/posts`, zalo `/zalo/<name>/`, telegram `/s/<name>` (older
pages `?before=<id>`), news `/news/<name>/rss.xml` + `sitemap.xml` + article pages, generic forum
`/forum/<name>/`. Images are served from `/media/<name>/<file>`.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from canhbao.crawlers.reltime import VN, parse_time
from canhbao.testing.sample_server import GRAPH_TOKEN, Route, SampleServer, serve  # noqa: F401 - the site's API

GRAPH_TOKEN_ENV = "CANHBAO_SAMPLE_GRAPH_TOKEN"  # sources_config names it; set it to GRAPH_TOKEN
# Every real Facebook page carries inline configuration naming login and checkpoint URLs: a wall detector
# that reads scripts calls every page blocked.
FB_CONFIG_SCRIPT = (
    '<script>requireLazy(["Bootloader"],function(b){b.setConfig({"checkpoint_url":"/checkpoint/",'
    '"login_url":"/login/","logout":"/logout.php"});});</script>'
)
LOGIN_WALL = (
    '<div id="login_wall"><h2>Bạn phải đăng nhập để tiếp tục.</h2>'
    '<form id="login_form" action="/login/" method="post"><input name="email"><input name="pass" '
    'type="password"><button>Đăng nhập</button></form></div>'
)


@dataclass(frozen=True)
class SamplePost:
    post_id: str
    author: str
    text: str
    time_text: str  # as the page shows it: "2 giờ", "Hôm qua lúc 21:30", or ISO 8601
    images: tuple[Path, ...] = ()  # local files, copied into the site
    image_urls: tuple[str, ...] = ()  # extra image links as written (broken links, non-images...)
    title: str = ""
    author_url: str = ""
    reactions: int = 0
    comments: int = 0
    shares: int = 0


@dataclass(frozen=True)
class FeedSpec:
    kind: str  # facebook_page | facebook_group | zalo_oa | telegram_channel | news | generic_html
    posts: tuple[SamplePost, ...] = ()  # newest first, as feeds list them
    title: str = ""
    per_page: int = 5
    fetch: str = "html"  # facebook: html | browser (feed built by JavaScript) | graph
    infinite_scroll: bool = False  # browser facebook: one page; scrolling to the bottom loads the next batch
    login_wall: bool = False  # every feed page shows a login form instead of posts
    robots_disallow: bool = False  # robots.txt forbids the feed
    now: datetime | None = None  # the moment relative times are relative to (default: build time)
    extra: Mapping[str, str] = field(default_factory=dict)  # path -> raw page text written as is


def build_site(root: Path, feeds: Mapping[str, FeedSpec]) -> None:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    disallow = []
    for name, spec in feeds.items():
        now = spec.now or datetime.now(timezone.utc)
        images = _copy_images(root, name, spec.posts)
        writer = _WRITERS[spec.kind if spec.fetch != "graph" else "graph"]
        prefix = writer(root, name, spec, images, now)
        if spec.robots_disallow:
            disallow.append(prefix)
        for rel, text in spec.extra.items():
            _write(root / rel.lstrip("/"), text)
    robots = "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in disallow) + ("Allow: /\n" if not disallow else "")
    _write(root / "robots.txt", robots)


def _copy_images(root: Path, name: str, posts) -> dict[str, list[str]]:
    """post id -> image URLs (site-absolute paths). The same file is copied, and linked, once per feed."""
    out = {}
    for p in posts:
        urls = []
        for img in p.images:
            dest = root / "media" / name / Path(img).name
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(img, dest)
            urls.append(f"/media/{name}/{Path(img).name}")
        out[p.post_id] = urls + list(p.image_urls)
    return out


def _pages(spec: FeedSpec) -> list[tuple[SamplePost, ...]]:
    posts = spec.posts
    return [posts[i : i + spec.per_page] for i in range(0, len(posts), spec.per_page)] or [()]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _paras(text: str) -> str:
    return "".join(f"<p>{_e(line)}</p>" for line in text.split("\n") if line.strip())


def _doc(title: str, body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{_e(title)}</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


# --- facebook (server-rendered pages; the browser variant builds the same DOM with JavaScript) ----


def _fb_article(name: str, p: SamplePost, imgs: list[str]) -> str:
    """A story as m.facebook.com serves it: `<article>` with `data-ft` JSON, author and time in the header,
    the time inside a permalink with per-view tracking parameters, the text in the `"tn":"*s"` block with
    the part behind "See more" already present, the first picture as a CSS background with CSS-escaped
    characters (as Facebook writes them), the others as `<img>`; the author's picture is a background too."""
    pid = _e(p.post_id)
    author_url = p.author_url or f"/fb/profile/{_e(p.author.replace(' ', '.'))}"
    ft = _e(
        json.dumps({"top_level_post_id": p.post_id, "content_owner_id_new": 100001, "story_location": 6, "tn": "-R"})
    )
    track = f"refid=18&amp;_ft_=top_level_post_id.{pid}%3Acontent_owner_id_new.100001&amp;__tn__=-R"
    gallery = "".join(
        (
            f'<a href="/fb/{name}/photo/{pid}-{i}"><i class="img _5sgi img _2sxw" role="img" '
            f"style=\"background-image:url('{_css_escape(u)}');width:320px;height:320px\"></i></a>"
        )
        if i == 0
        else f'<a href="/fb/{name}/photo/{pid}-{i}"><img class="img _1-yc" src="{_e(u)}" width="320" alt=""></a>'
        for i, u in enumerate(imgs)
    )
    lines = [line for line in p.text.split("\n") if line.strip()]
    shown, more = (lines[:1], lines[1:]) if len(lines) > 1 else (lines, [])
    text = "".join(f"<p>{_e(line)}</p>" for line in shown)
    if more:
        text += (
            f'<span class="text_exposed_hide">… <span data-sigil="more"><a href="/fb/{name}/posts/{pid}?{track}">'
            f'Xem thêm</a></span></span><div class="text_exposed_show">{_paras(chr(10).join(more))}</div>'
        )
    counts = (
        f'<span class="like_def _28wy">{p.reactions} lượt thích</span>'
        f'<span class="cmt_def _28wy">{p.comments} bình luận</span>'
        f'<span class="_28wy">{_k(p.shares)} lượt chia sẻ</span>'
    )
    return (
        f'<article class="_55wo _5rgr _5gh8 async_like" data-ft="{ft}" id="u_0_{pid}" '
        f'data-sigil="story-div story-popup-metadata feed-ufi-metadata"><div class="story_body_container">'
        f'<header class="_7om2 _1o88"><div class="_5s61"><a><i class="img _1-yc profpic" role="img" '
        f"style=\"background:#d8dce6 url('/fb/static/avatar.png') no-repeat center\"></i></a></div>"
        f'<div class="_4g34"><h3 class="_52jd _52jb"><strong><a href="{author_url}?refid=18">{_e(p.author)}</a>'
        f'</strong></h3><div class="_52jc _5qc4" data-sigil="m-feed-voice-subtitle">'
        f'<a href="/fb/{name}/posts/{pid}?{track}"><abbr>{_e(p.time_text)}</abbr></a></div></div></header>'
        f'<div class="_5rgt _5nk5 _5msi" data-ft="{_e(json.dumps({"tn": "*s"}))}"><span data-sigil="expose">'
        f'{text}</span></div><div class="_5rgu _7dc9" data-ft="{_e(json.dumps({"tn": "H"}))}">{gallery}</div></div>'
        f'<footer class="_22rc" data-ft="{_e(json.dumps({"tn": "*W"}))}"><div class="_2og4">'
        f'<a href="/fb/{name}/posts/{pid}?{track}" data-sigil="feed-ufi-trigger">{counts}</a></div>'
        f'<a class="_15ko touchable" href="/login/?next=%2Ffb%2F{name}%2F">Thích</a></footer></article>'
    )


def _css_escape(url: str) -> str:
    """Escape as Facebook's inline styles do: `:` `=` `&` `.` as CSS hex escapes (`\\3a `)."""
    return "".join(f"\\{ord(c):x} " if c in ":=&." else c for c in url)


def _fb_more_link(name: str, spec: FeedSpec, i: int) -> str:
    """The link to the next batch as real pages have it: groups a "See More Posts" link in `#m_more_item`,
    pages a script (`InitMMoreItemAutomatic`) that fetches `for (;;);` JSON into `#see_more_cards_id`."""
    if spec.kind == "facebook_group" or spec.fetch == "browser":
        return (
            f'<div class="item _5v-l fullwidthMore async_elem" id="m_more_item" data-sigil="marea">'
            f'<a class="touchable primary" href="/fb/{name}/p{i + 1}.html?bac=MTU4&amp;multi_permalinks&amp;refid=18">'
            f"<strong>Xem thêm bài viết…</strong></a></div>"
        )
    href = f"/fb/{name}/more/p{i + 1}.html?page_id=100001&start_cursor=%7B%22c%22%3A{i}%7D"
    return (
        '<div class="apl" id="see_more_cards_id" data-sigil="marea"></div><script>(function(){require("ServerJS")'
        '.handle({require:[["InitMMoreItemAutomatic","main",[],[{id:"see_more_cards_id",href:'
        f"{json.dumps(href)}}}]]]}});}})();</script>"
    )


def _fb_more_json(name: str, spec: FeedSpec, page, images, nxt_i: int | None) -> str:
    """A page's "see more" batch: `for (;;);` JSON whose actions put the stories (and the next link) in place."""
    actions = [
        {
            "cmd": "replace",
            "target": "see_more_cards_id",
            "html": "<div>" + "".join(_fb_article(name, p, images[p.post_id]) for p in page) + "</div>",
        }
    ]
    if nxt_i is not None:
        href = f"/fb/{name}/more/p{nxt_i}.html?page_id=100001&start_cursor=%7B%22c%22%3A{nxt_i - 1}%7D"
        code = (
            '(new (require("ServerJS"))()).handle({"require":[["InitMMoreItemAutomatic","main",[],'
            f'[{{"id":"see_more_cards_id","href":{json.dumps(href)}}}]]]}});'
        )
        actions[0]["html"] += '<div class="apl" id="see_more_cards_id" data-sigil="marea"></div>'
        actions.append({"cmd": "script", "code": code})
    return "for (;;);" + json.dumps({"payload": {"actions": actions}}, ensure_ascii=False)


def _write_facebook(root: Path, name: str, spec: FeedSpec, images, now) -> str:
    if spec.fetch == "browser" and spec.infinite_scroll and not spec.login_wall:
        _write(
            root / "fb" / name / "index.html", _doc(f"{spec.title or name} | Facebook", _fb_scroll(name, spec, images))
        )
        _fb_permalinks(root, name, spec, images)
        return f"/fb/{name}/"
    pages = _pages(spec)
    script_paging = spec.kind == "facebook_page" and spec.fetch != "browser" and not spec.login_wall
    for i, page in enumerate(pages, 1):
        nxt = _fb_more_link(name, spec, i) if i < len(pages) else ""
        title = f"{spec.title or name} | Facebook"
        if spec.login_wall:
            body = LOGIN_WALL
        elif spec.fetch == "browser":
            body = _fb_js(root, name, i, page, images, nxt, now)
        elif i > 1 and script_paging:
            _write(
                root / "fb" / name / "more" / f"p{i}.html",
                _fb_more_json(name, spec, page, images, i + 1 if i < len(pages) else None),
            )
            continue
        else:
            body = (
                f'{FB_CONFIG_SCRIPT}<div id="m_group_stories_container"><section class="storyStream">'
                f"{''.join(_fb_article(name, p, images[p.post_id]) for p in page)}</section></div>{nxt}"
            )
        _write(root / "fb" / name / ("index.html" if i == 1 else f"p{i}.html"), _doc(title, body))
    _fb_permalinks(root, name, spec, images)
    return f"/fb/{name}/"


def _fb_permalinks(root: Path, name: str, spec: FeedSpec, images) -> None:
    """One page per post at its permalink, so evidence export and takedown checks find it live."""
    for p in spec.posts:
        body = (
            LOGIN_WALL
            if spec.login_wall
            else f'<div id="feed" role="feed">{_fb_article(name, p, images[p.post_id])}</div>'
        )
        _write(root / "fb" / name / "posts" / p.post_id / "index.html", _doc(f"{spec.title or name} | Facebook", body))


def _fb_scroll(name: str, spec: FeedSpec, images) -> str:
    """An endless feed: the first batch is shown, each scroll to the bottom appends the next one."""
    data = json.dumps([_fb_article(name, p, images[p.post_id]) for p in spec.posts], ensure_ascii=False)
    data = data.replace("</", "<\\/")
    return (
        '<style>div[role="article"]{min-height:700px}</style><div id="feed" role="feed"></div><script>'
        f'const ITEMS = {data}; let shown = 0; const feed = document.getElementById("feed");'
        f"function more() {{ for (const h of ITEMS.slice(shown, shown + {spec.per_page})) {{"
        ' const d = document.createElement("div"); d.innerHTML = h; feed.appendChild(d.firstChild); }'
        f" shown += {spec.per_page}; }}"
        'let busy = false; window.addEventListener("scroll", () => {'
        " if (busy || window.innerHeight + window.scrollY < document.body.scrollHeight - 50) return;"
        " busy = true; setTimeout(() => { more(); busy = false; }, 150); });"
        "setTimeout(more, 50);</script>"
    )


def _fb_js(root: Path, name: str, i: int, page, images, nxt: str, now: datetime) -> str:
    """The feed arrives as GraphQL JSON and JavaScript builds the articles, as on www.facebook.com: only a
    rendering crawler sees posts, and it can read them from the JSON the page loaded."""
    stories = [_fb_story_json(name, p, images[p.post_id], now) for p in page]
    gql = f"/fb/{name}/api/graphql/p{i}.json"
    _write(
        root / gql.lstrip("/"),
        json.dumps(
            {
                "data": {"node": {"group_feed": {"edges": [{"node": s} for s in stories]}}},
                "extensions": {"is_final": True},
            },
            ensure_ascii=False,
        ),
    )
    data = json.dumps([_fb_article(name, p, images[p.post_id]) for p in page], ensure_ascii=False)
    data = data.replace("</", "<\\/")  # keep "</div>" inside the script from closing it
    return (
        '<div id="feed" role="feed"><div class="loading">Đang tải…</div></div>'
        f"<script>const ITEMS = {data};"
        f"fetch({json.dumps(gql)}).then(r => r.json()).then(() => {{"
        ' const feed = document.getElementById("feed"); feed.innerHTML = "";'
        ' for (const h of ITEMS) { const d = document.createElement("div"); d.innerHTML = h;'
        " feed.appendChild(d.firstChild); }"
        f' document.body.insertAdjacentHTML("beforeend", {json.dumps(nxt)}); }});</script>'
    )


def _fb_story_json(name: str, p: SamplePost, imgs: list[str], now: datetime) -> dict:
    """A `Story` node as Facebook's feed GraphQL responses carry it (the fields the crawler reads)."""
    t = parse_time(p.time_text, now) or now
    author_url = p.author_url or f"/fb/profile/{p.author.replace(' ', '.')}"
    return {
        "__typename": "Story",
        "post_id": p.post_id,
        "url": f"/fb/{name}/posts/{p.post_id}",
        "actors": [{"__typename": "User", "name": p.author, "url": author_url}],
        "comet_sections": {
            "content": {"story": {"message": {"text": p.text}}},
            "context_layout": {
                "story": {"comet_sections": {"metadata": [{"story": {"creation_time": int(t.timestamp())}}]}}
            },
        },
        "attachments": [
            {
                "styles": {
                    "attachment": {
                        "all_subattachments": {
                            "nodes": [{"media": {"__typename": "Photo", "photo_image": {"uri": u}}} for u in imgs]
                        }
                    }
                }
            }
        ],
    }


def _write_graph(root: Path, name: str, spec: FeedSpec, images, now) -> str:
    pages = _pages(spec)
    for i, page in enumerate(pages, 1):
        data = []
        for p in page:
            t = parse_time(p.time_text, now) or now
            item = {
                "id": f"{name}_{p.post_id}",
                "message": p.text,
                "created_time": t.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "permalink_url": f"/fb/{name}/posts/{p.post_id}",
                "from": {"name": p.author, "id": p.author},
                "reactions": {"summary": {"total_count": p.reactions}},
                "comments": {"summary": {"total_count": p.comments}},
                "shares": {"count": p.shares},
            }
            if images[p.post_id]:
                item["attachments"] = {
                    "data": [
                        {"subattachments": {"data": [{"media": {"image": {"src": u}}} for u in images[p.post_id]]}}
                    ]
                }
            data.append(item)
        doc: dict[str, Any] = {"data": data, "paging": {"cursors": {"after": f"c{i}"}}}
        if i < len(pages):
            doc["paging"]["next"] = f"/graph/v19.0/{name}/posts?after=c{i}"
        fname = "index.json" if i == 1 else f"q_after-c{i - 1}.json"
        _write(root / "graph" / "v19.0" / name / "posts" / fname, json.dumps(doc, ensure_ascii=False))
    _fb_permalinks(root, name, spec, images)
    return f"/graph/v19.0/{name}/"


# --- zalo official account ------------------------------------------------------------------------


def _write_zalo(root: Path, name: str, spec: FeedSpec, images, now) -> str:
    pages = _pages(spec)
    oa = spec.title or name
    for i, page in enumerate(pages, 1):
        items = "".join(
            f'<div class="article-item" data-id="{_e(p.post_id)}"><a class="article-link" href="/zalo/{name}/article/{_e(p.post_id)}.html">'
            f'<h3 class="article-title">{_e(p.title or p.text[:60])}</h3></a><span class="article-time">{_e(p.time_text)}</span>'
            + (f'<img class="article-thumb" src="{_e(images[p.post_id][0])}">' if images[p.post_id] else "")
            + "</div>"
            for p in page
        )
        nxt = f'<a class="next-page" href="/zalo/{name}/p{i + 1}.html">Trang sau</a>' if i < len(pages) else ""
        body = (
            LOGIN_WALL
            if spec.login_wall
            else (
                f'<div class="oa-header"><h1 class="oa-name">{_e(oa)}</h1></div><div class="article-list">{items}</div>{nxt}'
            )
        )
        _write(root / "zalo" / name / ("index.html" if i == 1 else f"p{i}.html"), _doc(f"{oa} - Zalo OA", body))
        for p in page:
            imgs = "".join(f'<figure><img src="{_e(u)}"></figure>' for u in images[p.post_id])
            art = (
                f'<article class="oa-article"><h1 class="title">{_e(p.title or p.text[:60])}</h1>'
                f'<div class="author"><a href="/zalo/{name}/">{_e(p.author or oa)}</a></div>'
                f'<span class="time">{_e(p.time_text)}</span><div class="article-content">{_paras(p.text)}{imgs}</div>'
                f'<div class="stats"><span class="likes">{p.reactions}</span><span class="shares">{p.shares}</span></div></article>'
            )
            _write(root / "zalo" / name / "article" / f"{p.post_id}.html", _doc(p.title or oa, art))
    return f"/zalo/{name}/"


# --- telegram channel preview (t.me/s/<channel>) ---------------------------------------------------


def _write_telegram(root: Path, name: str, spec: FeedSpec, images, now) -> str:
    pages = _pages(spec)
    for i, page in enumerate(pages, 1):
        msgs = []
        for p in reversed(page):  # t.me/s lists oldest first within a page
            t = parse_time(p.time_text, now) or now
            # Real previews link https://t.me/<channel>/<id>; the sample links its own single-message page.
            photos = "".join(
                f'<a class="tgme_widget_message_photo_wrap" href="/s/{name}/{p.post_id}" '
                f"style=\"width:400px;background-image:url('{_e(u)}')\"></a>"
                for u in images[p.post_id]
            )
            msgs.append(
                f'<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message js-widget_message" '
                f'data-post="{name}/{_e(p.post_id)}"><div class="tgme_widget_message_bubble">'
                f'<div class="tgme_widget_message_author"><a class="tgme_widget_message_owner_name" href="/s/{name}">'
                f'<span dir="auto">{_e(p.author)}</span></a></div>'
                f'<div class="tgme_widget_message_grouped_wrap">{photos}</div>'
                f"{_tg_text(p.text, album=len(images[p.post_id]) > 1)}"
                f'<div class="tgme_widget_message_footer"><div class="tgme_widget_message_info">'
                f'<span class="tgme_widget_message_views">{_k(p.reactions)}</span><span class="tgme_widget_message_meta">'
                f'<a class="tgme_widget_message_date" href="/s/{name}/{_e(p.post_id)}">'
                f'<time datetime="{t.isoformat()}" class="time">{t.astimezone(VN):%H:%M}</time></a></span></div></div>'
                "</div></div></div>"
            )
            _write(
                root / "s" / name / p.post_id / "index.html",
                _doc(f"{spec.title or name} – Telegram", f'<section class="tgme_channel_history">{msgs[-1]}</section>'),
            )
        head = f'<link rel="prev" href="/s/{name}?before={page[-1].post_id}">' if i < len(pages) and page else ""
        body = (
            f'<div class="tgme_channel_info_header_title"><span dir="auto">{_e(spec.title or name)}</span></div>'
            f'<section class="tgme_channel_history js-message_history">{"".join(msgs)}</section>'
        )
        fname = "index.html" if i == 1 else f"q_before-{pages[i - 2][-1].post_id}.html"
        _write(root / "s" / name / fname, _doc(f"{spec.title or name} – Telegram", body, head))
    return f"/s/{name}"


def _tg_text(text: str, album: bool) -> str:
    """A message's text block; an album's caption is nested in a second text block, as t.me serves it."""
    inner = (
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{_e(text).replace(chr(10), "<br/>")}</div>'
    )
    if not album:
        return inner
    return (
        f'<div class="tgme_widget_message_text js-message_text before_footer" dir="auto">{inner}'
        '<span style="display: inline-block; width: 97px;"></span></div>'
    )


def _k(n: int) -> str:
    return f"{n / 1000:.1f}K" if n >= 1000 else str(n)


# --- news: RSS feed + sitemap + article pages -------------------------------------------------------


def _write_news(root: Path, name: str, spec: FeedSpec, images, now) -> str:
    items, urls = [], []
    for p in spec.posts:
        t = parse_time(p.time_text, now) or now
        link = f"/news/{name}/{p.post_id}.html"
        title = p.title or p.text.split("\n")[0][:80]
        items.append(
            f"<item><title>{_e(title)}</title><link>{{BASE}}{link}</link><guid>{{BASE}}{link}</guid>"
            f"<pubDate>{format_datetime(t)}</pubDate><description>{_e(p.text[:200])}</description></item>"
        )
        urls.append(f"<url><loc>{{BASE}}{link}</loc><lastmod>{t.isoformat()}</lastmod></url>")
        imgs = "".join(f'<figure><img src="{_e(u)}" alt=""></figure>' for u in images[p.post_id])
        og = f'<meta property="og:image" content="{_e(images[p.post_id][0])}">' if images[p.post_id] else ""
        art = (
            f'<article><h1 class="title">{_e(title)}</h1><span class="author">{_e(p.author)}</span>'
            f'<time datetime="{t.isoformat()}">{t.astimezone(VN):%d/%m/%Y %H:%M}</time>'
            f'<div class="article-body">{_paras(p.text)}{imgs}</div></article>'
        )
        head = f'<meta property="article:published_time" content="{t.isoformat()}"><meta name="author" content="{_e(p.author)}">{og}'
        _write(root / "news" / name / f"{p.post_id}.html", _doc(title, art, head))
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{_e(spec.title or name)}</title><link>{{BASE}}/news/{name}/</link>{''.join(items)}</channel></rss>"
    )
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{''.join(urls)}</urlset>"
    )
    # Feeds carry absolute links; the server fills {BASE} with its own address when it serves them.
    _write(root / "news" / name / "rss.xml", rss)
    _write(root / "news" / name / "sitemap.xml", sitemap)
    return f"/news/{name}/"


# --- generic forum (selector-configured) ------------------------------------------------------------


def _write_forum(root: Path, name: str, spec: FeedSpec, images, now) -> str:
    pages = _pages(spec)
    for i, page in enumerate(pages, 1):
        posts = "".join(
            f'<li class="thread-post" id="post-{_e(p.post_id)}" data-pid="{_e(p.post_id)}">'
            f'<div class="userinfo"><a class="username" href="/forum/{name}/members/{_e(p.author)}">{_e(p.author)}</a></div>'
            f'<span class="post-date">{_e(p.time_text)}</span><blockquote class="post-body">{_paras(p.text)}</blockquote>'
            f'<ul class="attachments">{"".join(f"<li><img src={chr(34)}{_e(u)}{chr(34)}></li>" for u in images[p.post_id])}</ul></li>'
            for p in page
        )
        nxt = (
            f'<a class="pagination-next" rel="next" href="/forum/{name}/page-{i + 1}.html">Tiếp &gt;</a>'
            if i < len(pages)
            else ""
        )
        _write(
            root / "forum" / name / ("index.html" if i == 1 else f"page-{i}.html"),
            _doc(spec.title or name, f'<ol class="thread">{posts}</ol><nav class="pagination">{nxt}</nav>'),
        )
    return f"/forum/{name}/"


_WRITERS: dict[str, Callable] = {
    "facebook_page": _write_facebook,
    "facebook_group": _write_facebook,
    "zalo_oa": _write_zalo,
    "telegram_channel": _write_telegram,
    "news": _write_news,
    "generic_html": _write_forum,
    "graph": _write_graph,
}

FORUM_SELECTORS = {
    "item": "li.thread-post",
    "id": "::attr(data-pid)",
    "text": "blockquote.post-body",
    "author": "a.username",
    "author_url": "a.username::attr(href)",
    "time": "span.post-date",
    "images": "ul.attachments img::attr(src)",
    "next_page": "a.pagination-next::attr(href)",
}


def sources_config(base_url: str, feeds: Mapping[str, FeedSpec], **overrides) -> dict:
    """The `sources.yml` content (as a dict) that points one source at each sample feed; `overrides` are
    top-level settings (e.g. `download_delay=0, autothrottle=False` for a fast local run). For Graph API
    feeds it also sets the token variable in this process's environment (crawls inherit it)."""
    if any(spec.fetch == "graph" for spec in feeds.values()):
        os.environ.setdefault(GRAPH_TOKEN_ENV, GRAPH_TOKEN)
    sources = {}
    for name, spec in feeds.items():
        src: dict = {"type": spec.kind, "allow_private": True}  # the sample site is served on 127.0.0.1
        if spec.kind in ("facebook_page", "facebook_group"):
            src["url"] = f"{base_url}/fb/{name}/"
            src["fetch"] = spec.fetch
            if spec.fetch == "graph":
                src.update(graph_url=f"{base_url}/graph/v19.0", graph_id=name, token_env=GRAPH_TOKEN_ENV)
        elif spec.kind == "zalo_oa":
            src["url"] = f"{base_url}/zalo/{name}/"
        elif spec.kind == "telegram_channel":
            src["url"] = f"{base_url}/s/{name}"
        elif spec.kind == "news":
            src["url"] = f"{base_url}/news/{name}/rss.xml"
        elif spec.kind == "generic_html":
            src.update(url=f"{base_url}/forum/{name}/", selectors=dict(FORUM_SELECTORS))
        sources[name] = src
    return {"sources": sources, **overrides}
