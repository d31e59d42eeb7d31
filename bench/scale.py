"""Posts per minute of the shared-queue workers (OCR and detection) with 1 and 2 worker processes, on a
real PostgreSQL (Debian's server, started here) and a synthetic day of posts; per-post costs and the
10-million-posts-a-day projection used in docs/deploy.md ("Past one machine").

    python bench/scale.py [--posts 240] [--image-share 0.15] [--workers 1 2]

For each worker count the state database is fresh: the stage is planned (batch_size posts or files per
batch), N `canhbao work run STAGE` processes are started together, and the stage's time is measured
twice: end to end (including each worker loading its models) and steady state (first to last batch
committed, i.e. without start-up). CPU seconds are those of the worker processes. The machine's load
average is printed before and after: on a shared machine the figures are lower bounds. Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ORDINARY = [
    "Chợ {n} sáng nay bán cá thu {p} nghìn một ký, ai cần thì ghé sớm.",
    "Trời hôm nay nắng nhẹ, chiều có mưa rào ở khu vực phường {n}.",
    "UBND phường {n} thông báo lịch tiêm vắc xin mũi {p} cho người dân khu phố.",
    "Bệnh nhân BN {n} là ông Nguyễn Văn Hùng, {p} tuổi, nhà số {n} đường Trần Phú, Rạch Giá, dương tính Covid-19.",
    "NÓNG: uống nước chanh gừng tỏi nóng mỗi ngày là diệt sạch virus Covid, chia sẻ ngay!!!",
]


def build_world(home, n_posts: int, image_share: float, seed: int = 7) -> None:
    """Registry (two seed letters), the demo's claim bank (so fake-news matching embeds every post), and
    posts: IMAGE_SHARE carry an image (a fifth of them a screenshot
    of a registered letter, the rest photos; one in ten re-shares an earlier image)."""
    from canhbao.core.blobs import open_blobs
    from canhbao.core.posts import PostStore
    from canhbao.core.records import Media, Post, sha256_hex
    from canhbao.demo.run import load_claims
    from canhbao.registry import Registry
    from canhbao.testing import distort
    from canhbao.testing.samples import load_seeds, render_layout

    rnd = random.Random(seed)
    seeds = [s for s in load_seeds() if s.name[:3] in ("000", "001")]
    with Registry.open(home) as registry:
        for s in seeds:
            registry.add(s.path)
    load_claims(home)
    blobs, images, posts = open_blobs(home), [], []
    for i in range(n_posts):
        media = ()
        if rnd.random() < image_share:
            if images and rnd.random() < 0.1:
                media = (rnd.choice(images),)
            else:
                if rnd.random() < 0.2:
                    img = distort.apply("screenshot", render_layout(rnd.choice(seeds).text)[0], seed=i)
                else:
                    img = distort.synthetic_photo(seed=i)
                buf = io.BytesIO()
                img.convert("RGB").save(buf, "JPEG", quality=85)
                data = buf.getvalue()
                key, _ = blobs.put("media", data, ".jpg")
                images.append(
                    Media(
                        url=f"https://cdn.example/{i}.jpg",
                        sha256=sha256_hex(data),
                        path=key,
                        mime="image/jpeg",
                        size=len(data),
                    )
                )
                media = (images[-1],)
        text = f"{rnd.choice(ORDINARY).format(n=i, p=rnd.randrange(20, 90))} (tin {i}, {rnd.randrange(10**6)})"
        posts.append(
            Post(
                source="bench",
                platform="facebook",
                post_id=str(i),
                url=f"https://fb.example/{i}",
                captured_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                text=text,
                media=media,
            )
        )
    PostStore(home.posts_db).put_many(posts)


def run_stage(home, stage: str, workers: int, batch_size: int, posts: int) -> dict:
    from canhbao.pipeline import workers as work
    from canhbao.pipeline.workqueue import WorkQueue

    planned = work.plan(home, stage, batch_size=batch_size)
    items = sum(len(json_items) for json_items in _items(stage))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "canhbao", "work", "run", stage],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode:
            raise SystemExit(f"worker failed: {err[-1500:]}")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done = _done_times(stage)
    steady = (done[-1] - done[0]) if len(done) > 2 else float("nan")
    per_batch = items / max(len(planned), 1)
    steady_rate = (items - per_batch) / steady * 60 if steady and steady == steady else float("nan")
    if WorkQueue().counts(stage)["done"] != len(planned):
        raise SystemExit(f"{stage}: not every batch was done")
    return {
        "stage": stage,
        "workers": workers,
        "items": items,
        "batches": len(planned),
        "wall_s": round(wall, 1),
        "posts_per_min_end_to_end": round(posts / wall * 60, 1),
        "posts_per_min_steady": round(steady_rate * posts / max(items, 1), 1),
        "per_min_end_to_end": round(items / wall * 60, 1),
        "per_min_steady": round(steady_rate, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_item": round(cpu / max(items, 1), 3),
    }


def _items(stage: str) -> list[list]:
    return [json.loads(r) for r in _rows("SELECT items FROM work_batches WHERE stage=%s", stage)]


def _done_times(stage: str) -> list[float]:
    return sorted(float(r) for r in _rows("SELECT extract(epoch FROM done_at) FROM work_batches WHERE stage=%s", stage))


def _rows(sql: str, stage: str) -> list:
    import psycopg

    with psycopg.connect(os.environ["CANHBAO_STATE__DSN"]) as db:
        return [r[0] for r in db.execute(sql, (stage,))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=240)
    ap.add_argument("--image-share", type=float, default=0.15)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    from canhbao.core.home import Home
    from canhbao.testing.postgres import PostgresServer

    print(f"load average before: {os.getloadavg()}  cpus: {os.cpu_count()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="canhbao-scale-") as tmp:
        os.chmod(tmp, 0o755)
        with PostgresServer(Path(tmp) / "pg") as pg:
            for n in args.workers:
                dsn = pg.create_database(f"scale{uuid.uuid4().hex[:8]}")
                os.environ.update(
                    {
                        "CANHBAO_STATE__BACKEND": "postgresql",
                        "CANHBAO_STATE__DSN": dsn,
                        "CANHBAO_HOME": str(Path(tmp) / f"home{n}"),
                    }
                )
                home = Home.resolve(Path(tmp) / f"home{n}")
                build_world(home, args.posts, args.image_share)
                for stage in ("media", "detect"):
                    r = run_stage(home, stage, n, args.batch_size, args.posts)
                    r["load_after"] = round(os.getloadavg()[0], 1)
                    results.append(r)
                    print(json.dumps(r), flush=True)
    print(f"load average after: {os.getloadavg()}")
    print(json.dumps({"posts": args.posts, "image_share": args.image_share, "results": results}))


if __name__ == "__main__":
    main()
