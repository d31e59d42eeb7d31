"""Real Scrapy against one sample site per platform on 127.0.0.1: pagination, relative times, galleries,
media stored once by content, WARC + raw captures usable by the evidence export, incremental re-runs."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from _crawl_site import crawl, health, images, posts
from warcio.archiveiterator import ArchiveIterator

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import sha256_hex
from canhbao.crawlers.reltime import VN
from canhbao.evidence.wording import is_exact
from canhbao.testing.sample_site import GRAPH_TOKEN, GRAPH_TOKEN_ENV, FeedSpec, build_site, serve

KINDS = {
    "fb-page": ("facebook_page", "html"),
    "fb-group": ("facebook_group", "html"),
    "fb-graph": ("facebook_page", "graph"),
    "zalo": ("zalo_oa", "html"),
    "tg": ("telegram_channel", "html"),
    "news": ("news", "html"),
    "forum": ("generic_html", "html"),
}


ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Tin</title>
<entry><title>Thông báo 1006</title><link href="{BASE}/news/news/1006.html"/><updated>2026-11-20T08:00:00+07:00</updated>
<author><name>Phóng viên</name></author><summary>Tóm tắt</summary></entry>
<entry><title>Thông báo 1005</title><link href="{BASE}/news/news/1005.html"/><updated>2026-11-19T08:00:00+07:00</updated></entry>
</feed>"""


def feeds_of(sample_posts):
    feeds = {
        name: FeedSpec(kind, sample_posts, per_page=3, fetch=fetch, title=f"Nguồn {name}")
        for name, (kind, fetch) in KINDS.items()
    }
    feeds["news"] = FeedSpec("news", sample_posts, extra={"news/atom/feed.xml": ATOM, "news/index.xml": INDEX})
    return feeds


INDEX = (
    '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<sitemap><loc>{BASE}/news/news/sitemap.xml</loc></sitemap></sitemapindex>"
)

# the same news site read through its sitemap, a sitemap index and an Atom feed
MORE = {
    "news-sitemap": {"url": "{base}/news/news/sitemap.xml"},
    "news-index": {"url": "{base}/news/index.xml"},
    "news-atom": {"url": "{base}/news/atom/feed.xml"},
}


def crawl_all(home, site, feeds):
    names = [*feeds, *MORE]
    patch = {n: {k: v.format(base=site.base_url) for k, v in p.items()} for n, p in MORE.items()}
    all_feeds = {**feeds, **{n: feeds["news"] for n in MORE}}
    return crawl(home, site.base_url, all_feeds, names=names, patch=patch)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    imgs = images(tmp / "img")
    feeds = feeds_of(posts(imgs))
    build_site(tmp / "site", feeds)
    home = Home.resolve(tmp / "home")
    mp = pytest.MonkeyPatch()
    mp.setenv(GRAPH_TOKEN_ENV, GRAPH_TOKEN)
    with serve(tmp / "site") as site:
        first = crawl_all(home, site, feeds)
        yield {"tmp": tmp, "imgs": imgs, "feeds": feeds, "home": home, "site": site, "first": first}
    mp.undo()


def by_id(home, source):
    """Posts of a source by sample id (news posts are identified by their article URL)."""
    return {
        (p.url.rsplit("/", 1)[1].split(".")[0] if p.platform == "news" else p.post_id): p
        for p in PostStore(home.posts_db).iter(source=source)
    }


def test_every_platform_yields_every_post_across_pages(world):
    report = world["first"]
    assert report.exit_code == 0, report.error
    for name in KINDS:
        h = health(report, name)
        assert h.status == "ok", h.line()
        assert (h.posts_new, h.posts_stored, h.parse_errors) == (7, 7, 0), h.line()
        stored = by_id(world["home"], name)
        assert len(stored) == 7
        texts = sorted(p.text for p in stored.values())
        assert all("Thông báo số 10" in t for t in texts), texts
        # list pages of 3, 3, 1 posts; zalo also opens 7 articles, news reads 1 feed + 7 articles
        assert h.pages_fetched == {"zalo": 10, "news": 8}.get(name, 3), h.line()


def test_news_sitemaps_and_atom_feeds_lead_to_the_articles(world):
    report, home = world["first"], world["home"]
    sitemap, atom = health(report, "news-sitemap"), health(report, "news-atom")
    assert (sitemap.status, sitemap.posts_stored, atom.status, atom.posts_stored) == ("ok", 7, "ok", 2), (
        report.summary()
    )
    index = health(report, "news-index")
    assert (index.status, index.posts_stored) == ("ok", 7), index.line()
    from_sitemap, from_rss = by_id(home, "news-sitemap"), by_id(home, "news")
    assert from_sitemap["1003"].text == from_rss["1003"].text and from_sitemap["1003"].media
    a = by_id(home, "news-atom")["1006"]
    assert a.text.startswith("Thông báo 1006") and a.author == "Trang tin 0"  # the article page wins over the feed


def test_post_urls_are_live_pages_showing_the_post(world):
    import urllib.request

    for name in KINDS:
        post = by_id(world["home"], name)["1003"]
        assert post.url.startswith(world["site"].base_url), post.url
        with urllib.request.urlopen(post.url, timeout=10) as resp:
            assert "Thông báo số 1003" in resp.read().decode("utf-8"), post.url


def test_relative_times_are_resolved_against_capture_time(world):
    for name in ("fb-page", "zalo", "forum"):
        stored = by_id(world["home"], name)
        newest, yesterday, old = stored["1006"], stored["1004"], stored["1000"]
        cap = newest.captured_at.astimezone(VN)
        assert abs(newest.published_at - newest.captured_at) < timedelta(minutes=2)  # "Vừa xong"
        y = yesterday.published_at.astimezone(VN)  # "Hôm qua lúc 21:30"
        assert (y.date(), y.hour, y.minute) == ((cap - timedelta(days=1)).date(), 21, 30)
        assert old.published_at.astimezone(VN).replace(tzinfo=None).isoformat() == "2025-03-12T08:15:00"
        assert stored["1002"].published_at.tzinfo is not None
        # what the page showed is kept, so evidence can print a derived time as approximate
        assert "21:30" in yesterday.published_text and not is_exact(yesterday.published_text)
    # absolute times (telegram <time datetime>, RSS pubDate, Graph created_time) agree with the relative ones
    tg, graph, fb = by_id(world["home"], "tg"), by_id(world["home"], "fb-graph"), by_id(world["home"], "fb-page")
    for pid in ("1004", "1000"):
        assert abs(tg[pid].published_at - fb[pid].published_at) < timedelta(minutes=5)
        assert abs(graph[pid].published_at - fb[pid].published_at) < timedelta(minutes=5)
        assert is_exact(tg[pid].published_text) and is_exact(graph[pid].published_text)


def test_galleries_authors_engagement(world):
    for name in ("fb-page", "fb-group", "fb-graph", "tg", "forum", "zalo", "news"):
        stored = by_id(world["home"], name)
        assert len(stored["1006"].media) == 2, (name, stored["1006"].media)  # gallery
        assert len(stored["1005"].media) == 1
        assert stored["1006"].author == "Trang tin 0" or name in ("zalo",), (name, stored["1006"].author)
        for m in stored["1006"].media:
            assert m.sha256 and not m.error and m.mime.startswith("image/")
    fb = by_id(world["home"], "fb-page")["1006"]
    assert fb.engagement == {"reactions": 10, "comments": 0, "shares": 1200}
    assert fb.author_url.startswith("http://127.0.0.1")
    assert by_id(world["home"], "tg")["1006"].engagement == {"views": 10}
    # an album's caption is nested in a second text block (as t.me serves it): read once, not twice
    assert by_id(world["home"], "tg")["1006"].text == "Thông báo số 1006\nNội dung dòng hai"
    # a Facebook story's "See more" part is in the page: read whole, without the "… Xem thêm" link
    assert fb.text == "Thông báo số 1006\nNội dung dòng hai"


def test_media_stored_once_by_content(world):
    home, imgs = world["home"], world["imgs"]
    files = sorted(p for p in home.media.rglob("*") if p.is_file())
    # 7 sources x 7 posts x 1-2 images, but only two distinct files (anh-3 is never linked)
    assert len(files) == 2, files
    want = {sha256_hex(imgs[n].read_bytes()) for n in ("cong-van.png", "anh-2.jpg")}
    assert {f.name.split(".")[0] for f in files} == want
    m = by_id(home, "tg")["1006"].media[0]
    assert m.path == str(home.blob_path(home.media, m.sha256, ".png").relative_to(home.root))
    assert sha256_hex((home.root / m.path).read_bytes()) == m.sha256
    assert world["first"].sources[0].media_bytes >= 0
    assert sum(h.media_stored for h in world["first"].sources) == 2


def test_captures_are_warc_and_raw_html_the_evidence_export_can_use(world):
    from canhbao.evidence.collect import collect

    home = world["home"]
    for name in ("fb-page", "tg", "news", "zalo"):
        post = by_id(home, name)["1003"]
        raw = (home.root / post.raw_html).read_text(encoding="utf-8")
        assert "Thông báo số 1003" in raw
        with open(home.root / post.warc, "rb") as fh:
            records = [
                (
                    r.rec_type,
                    r.rec_headers.get_header("WARC-Target-URI"),
                    r.http_headers.get_statuscode() if r.http_headers else None,
                    r.content_stream().read(),
                )
                for r in ArchiveIterator(fh)
            ]
        assert any(t == "response" and code == "200" and body == raw.encode("utf-8") for t, _u, code, body in records)
        assert any(t == "request" for t, *_ in records)
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(home.root / post.warc)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr  # digests of every record verify
        capture = collect(home, post)
        assert capture.html is not None and capture.warc, (name, capture.missing)
        assert not capture.missing, capture.missing


def test_rerun_fetches_only_what_is_new(world):
    home, site, feeds = world["home"], world["site"], world["feeds"]
    before = len(site.requests)
    second = crawl_all(home, site, feeds)
    asked = site.requests[before:]
    assert all(h.posts_new == 0 and h.status == "ok" for h in second.sources), second.summary()
    assert PostStore(home.posts_db).count() == 7 * len(KINDS) + 7 + 7 + 2
    # only the first page of each feed (and robots.txt): no older pages, no articles, no media
    assert not [
        r
        for r in asked
        if "/media/" in r
        or "p2" in r
        or "page-2" in r
        or "before=" in r
        or "after=" in r
        or "/article/" in r
        or r.startswith("/news/news/1")
    ], asked

    # two new posts appear at the top of every feed
    new = posts(world["imgs"], n=2, start=2000, prefix="Tin mới")
    feeds2 = feeds_of(new + posts(world["imgs"]))
    build_site(world["tmp"] / "site", feeds2)
    third = crawl_all(home, site, feeds2)
    for h in third.sources:
        if h.source == "news-atom":  # the hand-written Atom feed did not change
            assert h.posts_new == 0
            continue
        assert (h.posts_new, h.posts_stored) == (2, 2), h.line()
        assert sorted(k.split(":")[1] for k in h.post_keys) == sorted(
            p.post_id for p in PostStore(home.posts_db).iter(source=h.source) if "Tin mới" in p.text
        )
    assert PostStore(home.posts_db).count() == 9 * len(KINDS) + 9 + 9 + 2
    for name in KINDS:
        assert by_id(home, name)["2001"].text.startswith("Tin mới")
