"""Blocks, politeness and bad input against sample sites on 127.0.0.1: login wall, checkpoint, 429 and
5xx with backoff, an invalid Graph token, robots.txt, malformed HTML, missing fields, broken / fake /
50 MB images, changed markup, and a crawl killed half-way. Each is reported per source and per item;
the crawl goes on and nothing collected is lost."""

from __future__ import annotations

import json

import pytest
from _crawl_site import crawl, health, images, posts

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.crawlers.state import CrawlState
from canhbao.testing.sample_site import GRAPH_TOKEN, GRAPH_TOKEN_ENV, FeedSpec, build_site, serve

MALFORMED = """<html><head><title>Diễn đàn</title><body>
<ol class="thread">
<li class="thread-post" data-pid="a"><a class="username" href="/u/a">Người A</a><span class="post-date">2 giờ</span>
  <blockquote class="post-body"><p>Ảnh công văn mật <b>rò rỉ</blockquote>
  <ul class="attachments"><li><img src="/media/forum-broken/cong-van.png"><li><img src="/media/missing.jpg">
  <li><img src="/fake.jpg"><li><img src="/huge.png"></ul>
<li class="thread-post" data-pid="b"><blockquote class="post-body">Không có tác giả, không có thời gian</blockquote>
<li class="thread-post" data-pid="c"><a class="username">Người C</a><span class="post-date">3 ngày</span></li>
<li class="thread-post" data-pid="d"><a class="username">Người D</a><span class="post-date">không rõ lúc nào</span>
  <blockquote class="post-body">Thời gian không đọc được
<li class="thread-post" data-pid="e"><blockquote class="post-body"><p>Thẻ không đóng <i>nghiêng <div>lạ
</ol>"""


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    imgs = images(tmp / "img")
    sample = posts(imgs)
    feeds = {
        "fb-wall": FeedSpec("facebook_page", sample, login_wall=True),
        "fb-checkpoint": FeedSpec("facebook_page", sample),
        "zalo-wall": FeedSpec("zalo_oa", sample, login_wall=True),
        "tg-limited": FeedSpec("telegram_channel", sample),
        "tg-flaky": FeedSpec("telegram_channel", sample, per_page=4),
        "graph-bad": FeedSpec("facebook_page", sample, fetch="graph"),
        "graph-limited": FeedSpec("facebook_page", sample, fetch="graph"),
        "news-robots": FeedSpec("news", sample, robots_disallow=True),
        "forum-broken": FeedSpec("generic_html", (sample[0],), extra={"forum/forum-broken/index.html": MALFORMED}),
        "forum-changed": FeedSpec("generic_html", sample),
    }
    build_site(tmp / "site", feeds)
    home = Home.resolve(tmp / "home")
    mp = pytest.MonkeyPatch()
    mp.setenv("CANHBAO_TEST_BAD_TOKEN", "not-the-token")
    mp.setenv(GRAPH_TOKEN_ENV, GRAPH_TOKEN)
    with serve(tmp / "site") as site:
        site.route("/fb/fb-checkpoint/", status=302, headers={"Location": "/checkpoint/?next=/fb/fb-checkpoint/"})
        site.route("/checkpoint/", body="<html><body><h1>Xác nhận danh tính của bạn</h1></body></html>")
        site.route("/s/tg-limited", status=429, body="Too Many Requests", headers={"Retry-After": "0"})
        site.route("/s/tg-flaky", status=503, body="busy", times=2)
        site.route(
            "/graph/v19.0/graph-limited/posts",
            status=400,
            content_type="application/json",
            body=json.dumps({"error": {"message": "(#4) Application request limit reached", "code": 4}}),
        )
        site.route("/fake.jpg", body=b"<html>this is not an image</html>", content_type="image/jpeg")
        site.route("/huge.png", body=bytes(50 * 1024 * 1024), content_type="image/png")
        report = crawl(
            home,
            site.base_url,
            feeds,
            patch={
                "graph-bad": {"token_env": "CANHBAO_TEST_BAD_TOKEN"},
                "forum-changed": {"selectors": {"item": "div.post-old", "text": "p"}},
            },
        )
        yield {"home": home, "site": site, "report": report, "feeds": feeds, "tmp": tmp}
    mp.undo()


def stored(home, source):
    return {p.post_id: p for p in PostStore(home.posts_db).iter(source=source)}


def test_login_wall_and_checkpoint_are_blocks_not_empty_feeds(faults):
    wall, cp = health(faults["report"], "fb-wall"), health(faults["report"], "fb-checkpoint")
    zalo = health(faults["report"], "zalo-wall")
    assert zalo.status == "blocked" and zalo.blocks[0].startswith("login_wall "), zalo.line()
    assert wall.status == "blocked" and wall.blocks[0].startswith("login_wall "), wall.line()
    assert cp.status == "blocked" and cp.blocks[0].startswith("checkpoint "), cp.line()
    assert "BLOCKED" in wall.line() and not wall.empty_pages


def test_429_backs_off_retries_then_reports_rate_limit(faults):
    site = faults["site"]
    limited = health(faults["report"], "tg-limited")
    assert limited.status == "blocked" and limited.blocks[0].startswith("rate_limited"), limited.line()
    assert len(site.hits("/s/tg-limited")) == 3  # first try + retry_times=2
    flaky = health(faults["report"], "tg-flaky")
    assert flaky.status == "ok" and flaky.posts_stored == 7, flaky.line()
    assert site.hits("/s/tg-flaky").count("/s/tg-flaky") == 3  # two 503s, then the page


def test_invalid_graph_token_is_reported_and_never_written_to_the_warc(faults):
    h = health(faults["report"], "graph-bad")
    assert h.status == "blocked" and h.blocks[0].startswith("token_invalid"), h.line()
    assert "not-the-token" not in h.line() and "***" in h.blocks[0]
    warcs = list((faults["home"].warc / "graph-bad").glob("*.warc.gz"))
    import gzip

    assert warcs and all(b"not-the-token" not in gzip.decompress(w.read_bytes()) for w in warcs)


def test_graph_rate_limit_is_a_block(faults):
    h = health(faults["report"], "graph-limited")
    assert h.status == "blocked" and h.blocks[0].startswith("rate_limited"), h.line()


def test_robots_txt_is_obeyed_by_default(faults):
    h = health(faults["report"], "news-robots")
    assert h.posts_stored == 0 and any("robots.txt" in e for e in h.errors), h.line()
    assert not faults["site"].hits("/news/news-robots/")


def test_bad_items_and_media_are_logged_per_item_and_the_rest_is_kept(faults):
    home = faults["home"]
    h = health(faults["report"], "forum-broken")
    posts_ = stored(home, "forum-broken")
    assert sorted(posts_) == ["a", "b", "d", "e"], h.line()  # c has neither text nor link
    assert h.parse_errors == 1 and any("item 3" in e for e in h.errors), h.errors
    assert posts_["b"].author == "" and posts_["b"].published_at is None
    assert posts_["d"].published_at is None and any("unreadable time" in e for e in h.errors)
    assert "Thẻ không đóng" in posts_["e"].text
    media = {m.url.rsplit("/", 1)[1]: m for m in posts_["a"].media}
    assert media["cong-van.png"].sha256 and not media["cong-van.png"].error
    assert "404" in media["missing.jpg"].error
    assert "not a recognised image" in media["fake.jpg"].error
    assert "max size" in media["huge.png"].error or "larger" in media["huge.png"].error, media["huge.png"]
    assert h.media_failed == 3 and h.media_stored + h.media_reused >= 1
    assert not list(home.media.rglob("*.bin")) and all(
        f.stat().st_size < 1_000_000 for f in home.media.rglob("*") if f.is_file()
    )


def test_zero_posts_from_a_200_page_is_reported_loudly(faults):
    h = health(faults["report"], "forum-changed")
    assert h.status == "markup_changed" and h.empty_pages, h.line()
    assert "0 posts parsed from HTTP 200 page" in h.line()
    report = faults["report"]
    assert not report.ok and f"log: {report.log}" in report.summary()
    assert "Spider closed" in (faults["home"].root / report.log).read_text()


def test_a_crawl_killed_half_way_loses_nothing_and_resumes(faults, tmp_path):
    """Page 3 hangs, the crawl process is killed: pages 1-2 are stored; the next run walks past the
    (stored but unfinished) posts to page 3 and duplicates nothing."""
    imgs = images(tmp_path / "img")
    feeds = {"slow": FeedSpec("generic_html", posts(imgs), per_page=3)}
    build_site(tmp_path / "site", feeds)
    home = Home.resolve(tmp_path / "home")
    with serve(tmp_path / "site") as site:
        site.route("/forum/slow/page-3.html", body="", delay_s=60)
        killed = crawl(home, site.base_url, feeds, timeout_s=15, store_batch=1)  # generous: a loaded machine
        assert killed.exit_code != 0 and killed.sources[0].status == "error"
        assert PostStore(home.posts_db).count() == 6
        state = CrawlState.for_source(home.crawl_state, "slow")
        assert len(state.posts) == 6 and not any(state.finished(p) for p in state.posts)
        site.routes.clear()
        resumed = crawl(home, site.base_url, feeds, store_batch=1)
    h = resumed.sources[0]
    assert (h.status, h.posts_new, h.pages_fetched) == ("ok", 1, 3), h.line()
    assert PostStore(home.posts_db).count() == 7
    state = CrawlState.for_source(home.crawl_state, "slow")
    assert len(state.posts) == 7 and all(state.finished(p) for p in state.posts)
