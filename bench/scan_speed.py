"""End-to-end scan throughput over a synthetic day on the local sample site.

    python bench/scan_speed.py [--posts 5000] [--image-share 0.2] [--doc-share 0.05] [--workers 2]

Builds a sample site with POSTS posts spread over a Facebook page, a Facebook group, a Zalo OA page and
a Telegram channel; IMAGE_SHARE of them carry an image (one in ten re-shares an earlier image), and
DOC_SHARE of the images are photos/screenshots of registered letters (the rest ordinary photos). Then it
runs a real `scan` (crawl -> media -> detect -> index into SQLite) and prints posts per minute and the
time of each stage. Nothing is asserted: it reports.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ORDINARY = [
    "Chợ {n} sáng nay bán cá thu {p} nghìn một ký, ai cần thì ghé sớm.",
    "Trời hôm nay nắng nhẹ, chiều có mưa rào ở khu vực phường {n}.",
    "Đội bóng thiếu niên phường {n} thắng {p} - 1 trong trận giao hữu chiều qua.",
    "Cần bán xe máy cũ giá {p} triệu, xem xe tại số {n} Nguyễn Trung Trực.",
    "UBND phường {n} thông báo lịch tiêm vắc xin mũi {p} cho người dân khu phố.",
]
PLANTED = [
    "Bệnh nhân BN {n} là ông Nguyễn Văn Hùng, {p} tuổi, nhà số {n} đường Trần Phú, Rạch Giá, dương tính Covid-19.",
    "NÓNG: uống nước chanh gừng tỏi nóng mỗi ngày là diệt sạch virus Covid, chia sẻ ngay!!!",
]


def build(root: Path, posts: int, image_share: float, doc_share: float, seed: int = 7):
    from canhbao.testing import distort
    from canhbao.testing.sample_site import FeedSpec, SamplePost, build_site
    from canhbao.testing.samples import load_seeds, render_layout

    rng = random.Random(seed)
    letters = [s for s in load_seeds() if s.name[:3] in ("000", "001", "002")]
    layouts = [render_layout(s.text)[0] for s in letters]
    feeds = {"fb_page": "facebook_page", "fb_group": "facebook_group", "zalo": "zalo_oa", "tele": "telegram_channel"}
    items: dict[str, list] = {name: [] for name in feeds}
    made: list[Path] = []
    img_dir = root / "_images"
    img_dir.mkdir(parents=True, exist_ok=True)
    for i in range(posts):
        feed = list(feeds)[i % len(feeds)]
        text = (PLANTED[(i // 50) % 2] if i % 50 == 0 else rng.choice(ORDINARY)).format(n=i, p=rng.randint(2, 99))
        images: tuple[Path, ...] = ()
        if rng.random() < image_share:
            if made and rng.random() < 0.1:
                images = (rng.choice(made),)
            else:
                path = img_dir / f"{i}.jpg"
                if rng.random() < doc_share:
                    img = distort.apply(
                        rng.choice(("screenshot", "photo", "band", "jpeg")), rng.choice(layouts), seed=i
                    )
                else:
                    img = distort.synthetic_photo(seed=i, size=(800, 600))
                img.convert("RGB").save(path, "JPEG", quality=80)
                made.append(path)
                images = (path,)
        items[feed].append(
            SamplePost(
                post_id=str(100000 + i),
                author=f"Người dùng {i % 97}",
                text=text,
                time_text=f"{1 + i % 20} giờ",
                images=images,
            )
        )
    specs = {name: FeedSpec(kind=kind, posts=tuple(reversed(items[name])), per_page=25) for name, kind in feeds.items()}
    build_site(root, specs)
    return specs, len(made)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=5000)
    ap.add_argument("--image-share", type=float, default=0.2)
    ap.add_argument("--doc-share", type=float, default=0.05)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    import yaml

    from canhbao.core.home import Home
    from canhbao.demo.run import load_claims, prepare_config, register_samples
    from canhbao.pipeline.scan import run_scan
    from canhbao.pipeline.settings import ScanSettings
    from canhbao.testing.sample_site import serve, sources_config

    with tempfile.TemporaryDirectory(prefix="canhbao-bench-") as tmp:
        home = Home.resolve(Path(tmp) / "home")
        t0 = time.perf_counter()
        specs, images = build(Path(tmp) / "site", args.posts, args.image_share, args.doc_share)
        print(f"site: {args.posts} posts, {images} distinct images, built in {time.perf_counter() - t0:.0f} s")
        register_samples(home)
        load_claims(home)
        with serve(Path(tmp) / "site") as site:
            cfg = prepare_config(home, site.base_url, specs)
            # localhost needs no politeness delay; robots.txt is still obeyed
            sources = sources_config(
                site.base_url, specs, download_delay=0.0, autothrottle=False, concurrency_per_domain=8
            )
            for src in sources["sources"].values():
                src["max_pages"] = args.posts // 25 + 10  # a whole day in one run, however long the feed
            (cfg / "sources.yml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
            os.environ["CANHBAO_CONFIG_DIR"] = str(cfg)
            t0 = time.perf_counter()
            record = run_scan(home, settings=ScanSettings(workers=args.workers), progress=False)
            total = time.perf_counter() - t0
    stages = {n: record.stages[n].get("seconds", 0.0) for n in ("crawl", "media", "detect", "index")}
    detect = record.stages["detect"]["counts"]
    print(f"scan: {detect['posts']} posts analysed in {total:.0f} s = {detect['posts'] / total * 60:.0f} posts/minute")
    for name, secs in stages.items():
        print(f"  {name:<7} {secs:8.1f} s")
    media = record.stages["media"]["counts"]
    print(
        f"  media: {media.get('new_media', 0)} read ({media.get('document', 0)} documents, "
        f"{media.get('photo', 0)} photos); alerts: {detect['alerts_by_type']}"
    )


if __name__ == "__main__":
    main()
