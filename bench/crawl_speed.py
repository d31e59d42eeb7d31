"""Crawler throughput on the sample sites (127.0.0.1): posts parsed per second and media throughput.

1. parse only: each platform's list pages parsed in-process from saved bytes (no network, no reactor);
2. end to end: `run_crawl` over every platform at once (child process, robots.txt, WARC capture,
   post store, state), politeness delays off, media off;
3. media: distinct JPEG images downloaded, checked (type, size, full decode), hashed and stored.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _count(items) -> int:
    """Items a callback yields, whether it is a generator or (Facebook) an async generator."""
    if hasattr(items, "__aiter__"):
        import asyncio

        async def drain():
            return sum([1 async for _ in items])

        return asyncio.run(drain())
    return sum(1 for _ in items)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=300, help="posts per platform")
    ap.add_argument("--images", type=int, default=150, help="distinct images for the media figure")
    args = ap.parse_args()

    import os

    import numpy as np
    from _crawl_site import FAST, crawl
    from PIL import Image
    from scrapy.http import HtmlResponse, Request

    from canhbao.core.home import Home
    from canhbao.crawlers.settings import from_mapping
    from canhbao.crawlers.spiders import spider_class
    from canhbao.testing.sample_site import (
        GRAPH_TOKEN,
        GRAPH_TOKEN_ENV,
        FeedSpec,
        SamplePost,
        build_site,
        serve,
        sources_config,
    )

    os.environ[GRAPH_TOKEN_ENV] = GRAPH_TOKEN
    times = ["Vừa xong", "2 giờ", "Hôm qua lúc 21:30", "3 ngày", "30 tháng 8 lúc 14:05"]
    text = "Sở Y tế thông báo về việc triển khai tiêm chủng mở rộng tại các phường, xã trên địa bàn tỉnh. " * 3
    sample = tuple(
        SamplePost(str(100000 + i), f"Trang {i % 7}", f"{text}\nBài {i}", times[i % 5], title=f"Tin {i}")
        for i in range(args.posts)
    )
    kinds = {
        "fb": "facebook_page",
        "zalo": "zalo_oa",
        "tg": "telegram_channel",
        "news": "news",
        "forum": "generic_html",
        "graph": "facebook_page",
    }
    feeds = {n: FeedSpec(k, sample, per_page=25, fetch="graph" if n == "graph" else "html") for n, k in kinds.items()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_site(tmp / "site", feeds)
        with serve(tmp / "site") as site:
            cfg = from_mapping(sources_config(site.base_url, feeds, **FAST, download_media=False))
            print(f"posts per platform: {args.posts}")
            # 1. parse only
            home = Home.resolve(tmp / "home-parse")
            print("parse only (in-process, saved list pages):")
            for name, kind in kinds.items():
                if name in ("news", "graph"):
                    continue  # news parses articles one per page, graph is JSON: see end to end
                spider = spider_class(kind)(source_name=name, source=cfg.sources[name], settings_obj=cfg, home=home)
                pages = sorted(
                    (tmp / "site").glob(
                        {
                            "fb": "fb/fb/**/*.html",
                            "zalo": "zalo/zalo/*.html",
                            "tg": "s/tg/*.html",
                            "forum": "forum/forum/*.html",
                        }[name]
                    )
                )
                pages = [p for p in pages if "/posts/" not in p.as_posix()]  # list pages, not permalinks
                bodies = [p.read_bytes() for p in pages]
                n, t = 0, time.perf_counter()
                for body in bodies:
                    resp = HtmlResponse(
                        site.base_url + "/x", body=body, encoding="utf-8", request=Request(site.base_url + "/x")
                    )
                    spider.pages_followed = 0
                    n += _count(spider.parse(resp))
                dt = time.perf_counter() - t
                parsed = spider.health.posts_parsed
                print(
                    f"  {name:<6} {parsed:>5} posts from {len(bodies)} pages in {dt:.3f} s: {parsed / dt:,.0f} posts/s"
                )
            # 2. end to end
            home = Home.resolve(tmp / "home-e2e")
            t = time.perf_counter()
            report = crawl(home, site.base_url, feeds, download_media=False, timeout_s=600)
            dt = time.perf_counter() - t
            total = sum(h.posts_stored for h in report.sources)
            pages = sum(h.pages_fetched for h in report.sources)
            print(
                f"end to end (run_crawl, 6 sources at once, incl. ~1.5 s process start): {total} posts, {pages} pages "
                f"in {dt:.1f} s: {total / dt:,.0f} posts/s"
            )
            for h in report.sources:
                print(f"  {h.source:<6} {h.status:<4} pages={h.pages_fetched:<4} stored={h.posts_stored}")
            t = time.perf_counter()
            again = crawl(home, site.base_url, feeds, download_media=False)
            print(
                f"re-run with nothing new: {time.perf_counter() - t:.1f} s, "
                f"{sum(h.pages_fetched for h in again.sources)} pages fetched, {sum(h.posts_new for h in again.sources)} new"
            )

        # 3. media
        rng = np.random.default_rng(0)
        imgdir = tmp / "img"
        imgdir.mkdir()
        paths = []
        for i in range(args.images):
            arr = rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)
            arr[:, :, 0] = (arr[:, :, 0] // 4) + i % 200
            buf = io.BytesIO()
            Image.fromarray(arr).save(buf, "JPEG", quality=80)
            (imgdir / f"img{i}.jpg").write_bytes(buf.getvalue())
            paths.append(imgdir / f"img{i}.jpg")
        mposts = tuple(
            SamplePost(str(i), "A", f"Ảnh {i}", "2 giờ", images=tuple(paths[i * 3 : (i + 1) * 3]))
            for i in range(args.images // 3)
        )
        mfeeds = {"media": FeedSpec("telegram_channel", mposts, per_page=20)}
        build_site(tmp / "msite", mfeeds)
        size = sum(p.stat().st_size for p in paths)
        with serve(tmp / "msite") as site:
            home = Home.resolve(tmp / "home-media")
            t = time.perf_counter()
            report = crawl(home, site.base_url, mfeeds, concurrency_per_domain=8)
            dt = time.perf_counter() - t
        h = report.sources[0]
        print(
            f"media: {h.media_stored} images ({size / 1e6:.1f} MB, {size / len(paths) / 1e3:.0f} kB each) in {dt:.1f} s "
            f"(incl. process start): {h.media_stored / dt:.1f} images/s, {h.media_bytes / 1e6 / dt:.1f} MB/s; failed {h.media_failed}"
        )


if __name__ == "__main__":
    main()
