"""Zalo OA spider paths that do not depend on the sample site's markup: list selectors from the source
config, article pages read from their declared metadata, Zalo's login host as a login wall. The pages
here are written for this test (real Zalo markup could not be established: docs/sources.md)."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse

from canhbao.crawlers.settings import CrawlSettings, Selectors, SourceConfig
from canhbao.crawlers.spiders.base import Found
from canhbao.crawlers.spiders.zalo_oa import ZaloOASpider

ARTICLE = """<html><head><meta property="og:title" content="Thông báo lịch tiếp công dân">
<meta property="og:description" content="Lịch tiếp công dân tháng 12 của Sở Y tế.">
<meta property="og:image" content="https://s120.zdn.vn/anh-bia.jpg">
<meta property="og:site_name" content="Sở Y tế Hà Nội">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-11-28T08:30:00+07:00",
 "articleBody": "Sở Y tế thông báo lịch tiếp công dân tháng 12.\\nĐịa chỉ: 4 Sơn Tây."}</script>
</head><body><div id="app"></div></body></html>"""

LIST = """<html><body><h2 class="name">Sở Y tế Hà Nội</h2><ul>
<li class="post" data-id="a1"><a class="go" href="/article/a1">Bài 1</a><span class="t">2 giờ</span></li>
<li class="post" data-id="a2"><a class="go" href="/article/a2">Bài 2</a><span class="t">Hôm qua lúc 09:00</span></li>
</ul></body></html>"""


def spider(home, **selectors) -> ZaloOASpider:
    src = SourceConfig(type="zalo_oa", url="https://oa.example.vn/oa/123", selectors=Selectors(**selectors))
    return ZaloOASpider(source_name="zalo-x", source=src, settings_obj=CrawlSettings(), home=home)


def response(url: str, body: str, **meta) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url, meta=meta))


def test_article_read_from_its_metadata(home):
    s = spider(home)
    listed = Found(post_id="a1", url="https://oa.example.vn/article/a1", text="Bài 1", author="OA", time_text="2 giờ")
    posts = list(s.parse_article(response("https://oa.example.vn/article/a1", ARTICLE, listed=listed)))
    assert len(posts) == 1
    post = posts[0]
    assert (
        post.text == "Thông báo lịch tiếp công dân\nSở Y tế thông báo lịch tiếp công dân tháng 12.\nĐịa chỉ: 4 Sơn Tây."
    )
    assert post.published_at.isoformat() == "2026-11-28T08:30:00+07:00"
    assert post.author == "Sở Y tế Hà Nội" and post.media[0].url == "https://s120.zdn.vn/anh-bia.jpg"
    assert s.health.parse_errors == 0


def test_list_selectors_from_config(home):
    s = spider(home, item="li.post", link="a.go::attr(href)", title="a.go", time=".t", author="h2.name")
    requests = list(s.parse(response("https://oa.example.vn/oa/123", LIST)))
    assert [r.url for r in requests] == ["https://oa.example.vn/article/a1", "https://oa.example.vn/article/a2"]
    listed = requests[1].meta["listed"]
    assert (listed.post_id, listed.text, listed.time_text, listed.author) == (
        "a2",
        "Bài 2",
        "Hôm qua lúc 09:00",
        "Sở Y tế Hà Nội",
    )


def test_zalo_login_page_is_a_login_wall(home):
    s = spider(home)
    page = response("https://id.zalo.me/account?continue=https%3A%2F%2Foa.example.vn", "<html><body>QR</body></html>")
    assert list(s.parse(page)) == []
    assert s.health.blocks and s.health.blocks[0].startswith("login_wall")


# The shape of a zalo.me profile page as public code shows it (docs/sources.md, "Zalo"): a client-rendered
# app whose HTML carries `window.pageInfo`. Values invented here.
PROFILE = """<html lang="en"><head><meta charset="utf-8">
<meta property="og:title" content="Zalo - Phòng khám Mẫu"><title>Zalo - Phòng khám Mẫu</title>
<script defer="defer" src="https://stc-zaloprofile.zdn.vn/profile/static/js/main.js"></script></head>
<body><div id="root"><script>window.pageInfo = {"type": 2, "name": "Phòng khám Mẫu", "avatar": "https://s120.zdn.vn/a.jpg",
"thumbnail": "", "qrCodeUrl": "", "user": {"isBusiness": true, "showBanner": false},
"messageInfo": {"type": "phone", "argv": "0900000000", "hasZWebSession": false, "convId": "1"}};</script></div></body></html>"""


def test_a_zalo_me_profile_page_is_reported_as_one_not_as_changed_markup(home):
    from canhbao.crawlers.spiders.zalo_oa import profile_of

    profile = profile_of(PROFILE)
    assert profile is not None and (profile.name, profile.business, profile.kind) == ("Phòng khám Mẫu", True, "2")
    assert profile_of(LIST) is None
    s = spider(home)
    assert list(s.parse(response("https://zalo.me/0900000000", PROFILE))) == []
    assert any("a zalo.me profile page ('Phòng khám Mẫu', business: True)" in e for e in s.health.errors)
