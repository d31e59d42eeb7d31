"""Pure parts of the crawlers: Vietnamese times, counts, crawl state, settings validation, selectors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from scrapy import Selector

from canhbao.core.errors import ConfigError
from canhbao.crawlers.reltime import VN, parse_time
from canhbao.crawlers.settings import from_mapping
from canhbao.crawlers.spiders.base import count, text_of
from canhbao.crawlers.spiders.generic_html import select
from canhbao.crawlers.state import CrawlState

# Seen on Tuesday 24 Nov 2026, 10:00 in Hà Nội.
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
TIMES = [
    ("Vừa xong", "2026-11-24T10:00"),
    ("5 phút", "2026-11-24T09:55"),
    ("2 giờ", "2026-11-24T08:00"),
    ("2 giờ trước", "2026-11-24T08:00"),
    ("3 ngày", "2026-11-21T10:00"),
    ("1 tuần", "2026-11-17T10:00"),
    ("Hôm nay lúc 09:15", "2026-11-24T09:15"),
    ("Hôm qua lúc 21:30", "2026-11-23T21:30"),
    ("hom qua luc 21:30", "2026-11-23T21:30"),
    ("30 tháng 8 lúc 14:05", "2026-08-30T14:05"),
    ("24 tháng 12", "2025-12-24T00:00"),  # no year and in the future: last year
    ("30 tháng 8, 2025 lúc 14:05", "2025-08-30T14:05"),
    ("12/03/2025 08:15", "2025-03-12T08:15"),
    ("14:05 30/08/2025", "2025-08-30T14:05"),
    ("2 hrs", "2026-11-24T08:00"),
    ("Yesterday at 10:00", "2026-11-23T10:00"),
    ("2024-05-01T10:00:00+0000", "2024-05-01T17:00"),
    ("2026-11-24T01:00:00+00:00", "2026-11-24T08:00"),
    ("Tue, 24 Nov 2026 08:00:00 +0700", "2026-11-24T08:00"),
]


@pytest.mark.parametrize("text,expected", TIMES)
def test_vietnamese_times(text, expected):
    got = parse_time(text, NOW)
    assert got is not None and got.tzinfo is not None
    assert got.astimezone(VN).strftime("%Y-%m-%dT%H:%M") == expected


@pytest.mark.parametrize("text", ["", "   ", "không rõ", "31 tháng 2", "tháng 8", "99 giờ kém"])
def test_unreadable_times_are_none(text):
    assert parse_time(text, NOW) is None


@pytest.mark.parametrize(
    "text,n",
    [
        ("1.2K", 1200),
        ("3 bình luận", 3),
        ("1.234", 1234),
        ("2,5N", 2500),
        ("1,2 tr", 1_200_000),
        ("", None),
        ("không", None),
    ],
)
def test_counts(text, n):
    assert count(text) == n


def test_state_skips_known_posts_but_stops_only_at_finished_ones(tmp_path):
    s = CrawlState.for_source(tmp_path, "src")
    s.stored("1", None)
    s.save()
    again = CrawlState.for_source(tmp_path, "src")
    assert again.known("1") and not again.finished("1")  # a crashed run's post: skip, but read on
    again.finish()
    again.save()
    done = CrawlState.for_source(tmp_path, "src")
    assert done.finished("1") and done.runs == 1
    import canhbao.crawlers.state as state_mod

    for i in range(2, 8):
        done.stored(str(10 - i), None)
    state_mod.KEEP, keep = 4, state_mod.KEEP
    try:
        done.save()
    finally:
        state_mod.KEEP = keep
    assert list(CrawlState.for_source(tmp_path, "src").posts) == ["6", "5", "4", "3"]  # the oldest dropped
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp files


def test_settings_are_validated_with_the_key_named():
    ok = from_mapping({"sources": {"a": {"type": "telegram_channel", "url": "http://127.0.0.1/s/a"}}})
    assert ok.sources["a"].platform == "telegram" and ok.obey_robots
    for data, needle in [
        ({"sources": {"a": {"type": "myspace", "url": "http://x"}}}, "sources.a: type: unknown source type 'myspace'"),
        ({"sources": {"a": {"type": "news", "url": "http://x", "colour": 1}}}, "sources.a.colour"),
        ({"sources": {"a": {"type": "generic_html", "url": "http://x"}}}, "selectors.item"),
        ({"sources": {"a": {"type": "news", "url": "http://x", "fetch": "graph"}}}, "graph_id"),
        ({"sources": {"A b": {"type": "news", "url": "http://x"}}}, "source name"),
        ({"concurrency_per_domain": 0}, "concurrency_per_domain"),
    ]:
        with pytest.raises(ConfigError) as err:
            from_mapping(data)
        assert needle in str(err.value), str(err.value)
    with pytest.raises(ConfigError, match="unknown source 'zz'"):
        ok.select(["zz"])


def test_selectors_css_xpath_attributes_and_text():
    node = Selector(text='<li data-pid="7"><p>Một<br>hai</p><img src="/a.png"><a href="/u">Tên</a></li>').css("li")[0]
    assert select(node, "::attr(data-pid)") == ["7"]
    assert select(node, "img") == ["/a.png"]
    assert select(node, "xpath:.//a/@href") == ["/u"]
    assert select(node, "a") == ["Tên"]
    assert text_of(node.css("p")) == "Một\nhai"
    messy = Selector(text="<div><p>Đoạn <b>một</b><!-- ẩn --></p><script>var x=1;</script>hai<br>ba</div>").css("div")
    assert text_of(messy) == "Đoạn một\nhai\nba"


def test_politeness_settings_reach_scrapy(tmp_path):
    from canhbao.core.home import Home
    from canhbao.crawlers.runner import scrapy_settings

    cfg = from_mapping(
        {
            "download_delay": 1.5,
            "http_cache": True,
            "sources": {
                "a": {"type": "news", "url": "http://127.0.0.1/rss"},
                "b": {
                    "type": "facebook_page",
                    "url": "http://127.0.0.1/fb",
                    "fetch": "browser",
                    "obey_robots": False,
                    "concurrency": 1,
                    "download_delay": 3,
                },
            },
        }
    )
    home = Home.resolve(tmp_path / "home")
    a = scrapy_settings(home, "a", cfg.sources["a"], cfg, tmp_path / "a.json")
    b = scrapy_settings(home, "b", cfg.sources["b"], cfg, tmp_path / "b.json")
    assert (a["ROBOTSTXT_OBEY"], a["DOWNLOAD_DELAY"], a["CONCURRENT_REQUESTS_PER_DOMAIN"]) == (True, 1.5, 2)
    assert a["AUTOTHROTTLE_ENABLED"] and a["HTTPCACHE_ENABLED"] and 429 in a["RETRY_HTTP_CODES"]
    # html mode keeps Scrapy's http(s) handlers; local files, data:, S3 and FTP are never fetched
    assert a["DOWNLOAD_HANDLERS"] == {"file": None, "data": None, "s3": None, "ftp": None}
    assert b["DOWNLOAD_HANDLERS"]["file"] is None and "scrapy_playwright" in b["DOWNLOAD_HANDLERS"]["https"]
    assert callable(b["PLAYWRIGHT_ABORT_REQUEST"])
    assert (b["ROBOTSTXT_OBEY"], b["DOWNLOAD_DELAY"], b["CONCURRENT_REQUESTS_PER_DOMAIN"]) == (False, 3, 1)
    assert b["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"] == "/usr/bin/chromium"
    assert "--disable-background-networking" in b["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"]


def test_a_source_already_being_crawled_is_skipped(tmp_path):
    import fcntl

    from canhbao.core.home import Home
    from canhbao.crawlers.runner import run_crawl

    home = Home.resolve(tmp_path / "home")
    cfg = from_mapping({"sources": {"a": {"type": "telegram_channel", "url": "http://127.0.0.1:9/s/a"}}})
    with open(home.crawl_state / "a.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        report = run_crawl(home, ["a"], settings=cfg)
    assert report.exit_code == 0 and report.sources[0].status == "error"
    assert "already being crawled" in report.sources[0].errors[0]
    assert (home.crawl_state / "runs" / f"{report.run_id}.json").exists()


def test_spiders_declare_platform_and_source_types_and_claim_each_type_once():
    from canhbao.crawlers.spiders import spider_classes

    classes = spider_classes()
    assert {"facebook_page", "facebook_group", "zalo_oa", "telegram_channel", "news", "generic_html"} <= set(classes)
    assert all(cls.platform and source_type in cls.source_types for source_type, cls in classes.items())
    assert classes["facebook_group"].platform == "facebook" and classes["generic_html"].platform == "web"
