"""Rendered-web mode: scrapy-playwright drives the system Chromium against a localhost feed that only
exists after JavaScript has run; session cookies from the configured file are sent."""

from __future__ import annotations

import json

from _crawl_site import crawl, health, images, posts

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.testing.sample_site import FeedSpec, build_site, serve


def test_browser_mode_renders_a_javascript_feed(tmp_path):
    imgs = images(tmp_path / "img")
    sample = posts(imgs, n=5)
    feeds = {
        "fb-js": FeedSpec("facebook_group", sample, per_page=3, fetch="browser"),
        "fb-js-plain": FeedSpec("facebook_group", sample, per_page=3, fetch="browser"),
        "fb-scroll": FeedSpec("facebook_page", sample, per_page=2, fetch="browser", infinite_scroll=True),
        "fb-wall": FeedSpec("facebook_page", sample, fetch="browser", login_wall=True),
        "fb-blocked": FeedSpec("facebook_page", sample, fetch="browser"),
    }
    build_site(tmp_path / "site", feeds)
    cookies = tmp_path / "cookies.json"
    cookies.write_text(json.dumps([{"name": "c_user", "value": "sample-session", "domain": "127.0.0.1", "path": "/"}]))
    home = Home.resolve(tmp_path / "home")
    with serve(tmp_path / "site") as site:
        site.route(
            "/fb/fb-blocked/",
            body="<html><body><h2>Bạn tạm thời bị chặn</h2><p>Có vẻ như bạn đã dùng "
            "tính năng này quá nhanh.</p></body></html>",
        )
        report = crawl(
            home,
            site.base_url,
            feeds,
            patch={
                "fb-js": {"cookies_file": str(cookies)},
                "fb-js-plain": {"fetch": "html"},
                "fb-scroll": {"scrolls": 5},
            },
            browser_wait_s=3,
        )  # the same page fetched without a browser: no posts in it
        assert any("c_user=sample-session" in c for c in site.cookies)
    rendered = health(report, "fb-js")
    assert (rendered.status, rendered.posts_stored, rendered.pages_fetched) == ("ok", 5, 2), rendered.line()
    got = {p.post_id: p for p in PostStore(home.posts_db).iter(source="fb-js")}
    assert got["1004"].text.startswith("Thông báo số 1004") and len(got["1004"].media) == 2
    assert all(m.sha256 for m in got["1004"].media)
    # the posts were read from the GraphQL JSON the page loaded: exact creation times, not the DOM's "2 giờ"
    gql = json.loads((tmp_path / "site/fb/fb-js/api/graphql/p1.json").read_text(encoding="utf-8"))
    for edge in gql["data"]["node"]["group_feed"]["edges"]:
        story = edge["node"]
        created = story["comet_sections"]["context_layout"]["story"]["comet_sections"]["metadata"][0]["story"]
        assert got[story["post_id"]].published_at.timestamp() == created["creation_time"]
    raw = (home.root / got["1004"].raw_html).read_text(encoding="utf-8")
    assert "<article" in raw and "data-ft=" in raw  # the raw capture is the rendered DOM
    scrolled = health(report, "fb-scroll")  # 2 + 2 + 1 posts, loaded by two scrolls of one page
    assert (scrolled.status, scrolled.posts_stored, scrolled.pages_fetched) == ("ok", 5, 1), scrolled.line()
    for name, kind in (("fb-wall", "login_wall"), ("fb-blocked", "rate_limited")):
        h = health(report, name)
        assert h.status == "blocked" and h.blocks[0].startswith(kind) and not h.errors, h.line()
    plain = health(report, "fb-js-plain")
    assert plain.status == "markup_changed" and plain.posts_stored == 0, plain.line()
