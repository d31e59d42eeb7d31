"""`canhbao crawl` end to end: config file in a config directory, data home, JSON lines on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml
from _crawl_site import FAST, images, posts

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Post, from_dict
from canhbao.testing.sample_site import FeedSpec, build_site, serve, sources_config


def canhbao(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "canhbao", *args], capture_output=True, text=True, env=env, timeout=180
    )


def test_crawl_command_source_all_jsonl_and_errors(tmp_path):
    imgs = images(tmp_path / "img")
    feeds = {"tin-tg": FeedSpec("telegram_channel", posts(imgs, n=4)), "tin-news": FeedSpec("news", posts(imgs, n=3))}
    build_site(tmp_path / "site", feeds)
    conf, home = tmp_path / "config", tmp_path / "home"
    conf.mkdir()
    env = {**os.environ, "CANHBAO_HOME": str(home)}
    env.pop("CANHBAO_CONFIG_DIR", None)
    with serve(tmp_path / "site") as site:
        (conf / "sources.yml").write_text(
            yaml.safe_dump(sources_config(site.base_url, feeds, **FAST, http_cache=True), allow_unicode=True)
        )
        one = canhbao("--config", str(conf), "crawl", "--source", "tin-tg", "--jsonl", env=env)
        assert one.returncode == 0, one.stderr
        lines = [from_dict(Post, json.loads(line)) for line in one.stdout.splitlines()]
        assert sorted(p.post_id for p in lines) == ["1000", "1001", "1002", "1003"]
        assert all(p.platform == "telegram" and p.media and p.media[0].sha256 for p in lines)
        assert "tin-tg" in one.stderr and "new=4" in one.stderr  # the health summary, off stdout

        every = canhbao("--config", str(conf), "crawl", "--all", env=env)
        assert every.returncode == 0, every.stderr
        assert "tin-news" in every.stdout and "new=3" in every.stdout and "new=0" in every.stdout
    assert PostStore(Home.resolve(home).posts_db).count() == 7
    assert list((home / "cache" / "http").rglob("response_body"))  # development HTTP cache, in the data home

    unknown = canhbao("--config", str(conf), "crawl", "--source", "nope", env=env)
    assert unknown.returncode == 2 and "unknown source 'nope'" in unknown.stderr
    (conf / "sources.yml").write_text("sources:\n  x:\n    type: telegram_channel\n    url: ftp://a\n")
    bad = canhbao("--config", str(conf), "crawl", "--all", env=env)
    assert bad.returncode == 2 and "sources.x" in bad.stderr and "http(s)" in bad.stderr
