"""Shared pieces of the crawler tests: images, sample posts, and one call to crawl a served site."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from canhbao.crawlers.runner import run_crawl
from canhbao.crawlers.settings import from_mapping
from canhbao.testing.sample_site import SamplePost, sources_config

# Fast, but still through every politeness component (robots.txt, retries with backoff, throttle off).
FAST = {"download_delay": 0, "autothrottle": False, "backoff_base_s": 0.05, "backoff_max_s": 0.2, "retry_times": 2}
TIMES = ["Vừa xong", "2 giờ", "Hôm qua lúc 21:30", "3 ngày", "30 tháng 8 lúc 14:05", "1 tuần", "12/03/2025 08:15"]


def images(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, colour in (
        ("cong-van.png", (250, 250, 245)),
        ("anh-2.jpg", (20, 120, 200)),
        ("anh-3.jpg", (200, 40, 40)),
    ):
        img = Image.new("RGB", (120, 90), colour)
        for x in range(10, 110, 7):  # a little structure, so encoders keep it distinct
            img.putpixel((x, 45), (0, 0, 0))
        img.save(tmp / name)
        out[name] = tmp / name
    return out


def posts(imgs: dict[str, Path], n: int = 7, start: int = 1000, prefix: str = "Thông báo") -> tuple[SamplePost, ...]:
    """Newest first. Even posts carry a gallery of two images; every post shares cong-van.png."""
    out = []
    for i in range(n):
        gallery = (imgs["cong-van.png"], imgs["anh-2.jpg"]) if i % 2 == 0 else (imgs["cong-van.png"],)
        out.append(
            SamplePost(
                str(start + n - 1 - i),
                f"Trang tin {i % 3}",
                f"{prefix} số {start + n - 1 - i}\nNội dung dòng hai",
                TIMES[i % len(TIMES)],
                images=gallery,
                title=f"{prefix} {start + n - 1 - i}",
                reactions=10 + i,
                comments=i,
                shares=1200 if i == 0 else i,
            )
        )
    return tuple(out)


def crawl(home, base_url: str, feeds, names=None, timeout_s: float | None = 120, patch=None, **overrides):
    """Crawl `feeds` as served at `base_url`; `patch` = {source: {key: value}} adjusts single sources."""
    data = sources_config(base_url, feeds, **{**FAST, **overrides})
    for name, extra in (patch or {}).items():
        data["sources"][name].update(extra)
    cfg = from_mapping(data)
    return run_crawl(home, list(names or feeds), settings=cfg, timeout_s=timeout_s)


def health(report, name: str):
    return next(s for s in report.sources if s.source == name)
