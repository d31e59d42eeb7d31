"""`canhbao demo`: the main job, offline, on embedded defaults.

Builds a local sample site (Facebook page, Facebook group, Zalo OA, Telegram channel) from the seed
letters and the posts in `content.py`, serves it on 127.0.0.1, registers the sample internal documents,
loads the sample claim bank, runs a real `scan` against the site with the SQLite store, and checks the
alerts against what was planted.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from canhbao.core.atomic import write_text
from canhbao.core.config import config_dir
from canhbao.core.home import Home
from canhbao.demo.content import FEEDS, POSTS, REGISTERED_SEEDS
from canhbao.demo.images import make_image
from canhbao.testing.samples import load_seeds

CLAIMS_CSV = Path(__file__).with_name("claims.csv")


@dataclass
class DemoResult:
    expected: dict[str, set[str]]  # post key -> alert types planted
    found: dict[str, set[str]]  # post key -> alert types raised
    alerts: list[Any] = field(default_factory=list)
    seconds: float = 0.0
    scan_lines: list[str] = field(default_factory=list)

    @property
    def missed(self) -> list[str]:
        return sorted(f"{k} {t}" for k, ts in self.expected.items() for t in ts - self.found.get(k, set()))

    @property
    def false_alerts(self) -> list[str]:
        return sorted(f"{k} {t}" for k, ts in self.found.items() for t in ts - self.expected.get(k, set()))

    @property
    def ok(self) -> bool:
        return not self.missed and not self.false_alerts


def build_site(root: Path) -> dict[str, Any]:
    """Render the demo images and write the static site; returns the feed specs for sources.yml."""
    from canhbao.testing.sample_site import FeedSpec, SamplePost
    from canhbao.testing.sample_site import build_site as write_site

    seeds = {s.name[:3]: s for s in load_seeds()}
    posts: dict[str, list[SamplePost]] = {}
    for n, post in enumerate(POSTS):
        images = tuple(
            make_image(img, seeds, n * 10 + i, root / "_images" / f"{post.feed}-{post.post_id}-{i}.jpg")
            for i, img in enumerate(post.images)
        )
        posts.setdefault(post.feed, []).append(
            SamplePost(
                post_id=post.post_id, author=post.author, text=post.text, time_text=post.time_text, images=images
            )
        )
    feeds: dict[str, Any] = {
        name: FeedSpec(kind=FEEDS[name][0], title=FEEDS[name][1], posts=tuple(feed_posts))
        for name, feed_posts in posts.items()
    }
    write_site(root, feeds)
    return feeds


def prepare_config(home: Home, base_url: str, feeds: dict[str, Any]) -> Path:
    """A config directory for the demo: the repository's defaults plus sources pointing at the sample site."""
    from canhbao.testing.sample_site import sources_config

    cfg = home.root / "demo-config"
    if cfg.exists():
        shutil.rmtree(cfg)
    shutil.copytree(config_dir(), cfg, ignore=shutil.ignore_patterns("sources.y*ml", "index.y*ml"))
    write_text(cfg / "sources.yml", yaml.safe_dump(sources_config(base_url, feeds), allow_unicode=True))
    write_text(cfg / "index.yaml", "engine: sqlite\n")
    return cfg


def register_samples(home: Home) -> list[str]:
    from canhbao.registry import Registry

    registry = Registry.open(home)
    ids = []
    for seed in load_seeds():
        if seed.name[:3] in REGISTERED_SEEDS:
            doc, _ = registry.add(seed.path, classification="internal")
            ids.append(doc.id)
    return ids


def load_claims(home: Home) -> int:
    from canhbao.claims import ClaimBank, parse_file

    claims, errors = parse_file(CLAIMS_CSV)
    if errors:
        raise errors[0]
    return ClaimBank(home.claims_db).put_many(claims)


def run_demo(home: Home, *, progress: bool = True, echo=print) -> DemoResult:
    """Build and serve the site, register, scan, and compare the alerts with what was planted."""
    import os

    from canhbao.index import open_store
    from canhbao.index.base import AlertQuery
    from canhbao.pipeline.scan import run_scan, summary_lines
    from canhbao.pipeline.settings import load as load_scan_settings
    from canhbao.testing.sample_site import serve

    t0 = time.perf_counter()
    site_root = home.root / "demo-site"
    echo(f"demo: data home {home.root}")
    feeds = build_site(site_root)
    echo(f"demo: sample site with {len(POSTS)} posts on {len(feeds)} feeds written to {site_root}")
    ids = register_samples(home)
    echo(f"demo: {len(ids)} internal documents registered (seeds {', '.join(REGISTERED_SEEDS)})")
    echo(f"demo: claim bank holds {load_claims(home)} new known false claims")
    with serve(site_root) as site:
        os.environ["CANHBAO_CONFIG_DIR"] = str(prepare_config(home, site.base_url, feeds))
        echo(f"demo: serving the sample site at {site.base_url}; scanning ...")
        record = run_scan(home, settings=load_scan_settings(), progress=progress)
    store = open_store(home)
    try:
        alerts = store.search(AlertQuery(limit=1000))
    finally:
        store.close()
    expected = {f"{p.feed}:{p.post_id}": set(p.expect) for p in POSTS if p.expect}
    found: dict[str, set[str]] = {}
    for a in alerts:
        found.setdefault(a.post_key, set()).add(a.type)
    return DemoResult(expected, found, alerts, time.perf_counter() - t0, summary_lines(record))
