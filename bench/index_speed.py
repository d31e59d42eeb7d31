"""Alerts per second bulk-indexed into SQLite and OpenSearch, and query latency of the analysts' saved
searches (index/mappings/saved_searches.json) at N alerts (default 100,000).

OpenSearch is the real test node (scripts/opensearch_node.sh, 768 MB heap, one shard) on this machine.
`--sweep` measures bulk indexing for several (bulk_chunk, bulk_threads) settings, each into fresh indices,
with refresh_interval -1 during each large upsert (index/server_store.py). The load average is printed
with every figure: on a shared machine they are lower bounds. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from canhbao.core.alerts import alert_from_finding
from canhbao.core.records import ClaimRef, DocumentRef, Finding, Post
from canhbao.index import AlertQuery
from canhbao.index.documents import resource

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
WORDS = (
    "công văn Bộ Y tế khẩn mật nội bộ bệnh nhân bệnh viện số điện thoại CCCD tin đồn chữa khỏi ung thư "
    "vắc xin phòng chống dịch Ủy ban nhân dân tỉnh thông báo kế hoạch"
).split()


def alerts(n: int, seed: int = 7):
    rnd = random.Random(seed)
    for i in range(n):
        kind = ("leak", "pii_exposure", "fake_news")[i % 3]
        platform = rnd.choice(("facebook", "zalo", "telegram", "news"))
        post = Post(
            source=f"src{rnd.randrange(40)}",
            platform=platform,
            post_id=str(i),
            url=f"https://example.vn/p/{i}",
            captured_at=T0 + timedelta(minutes=5 * i),
        )
        doc = None
        if kind == "leak":
            doc = DocumentRef(id=f"d{i % 200}", source="x.pdf", numbers=(f"{i % 200}/BYT-KCB",))
        claims = (
            (ClaimRef(id=f"c{i % 50}", text="tin giả", similarity=0.9, tier="matched"),) if kind == "fake_news" else ()
        )
        finding = Finding(
            type=kind,
            detector=kind,
            score=round(rnd.random(), 3),
            target=doc.id if doc else (claims[0].id if claims else ""),
            summary=" ".join(rnd.sample(WORDS, 6)),
            document=doc,
            claims=claims,
        )
        alert = alert_from_finding(post, finding, " ".join(rnd.choices(WORDS, k=40)), now=post.captured_at)
        if i % 7 == 0:
            alert = alert.__class__(**{**alert.__dict__, "status": "confirmed"})
        yield alert


def saved_queries() -> dict[str, AlertQuery]:
    out = {}
    for s in resource("saved_searches.json")["searches"]:
        q = s["query"]
        out[s["title"]] = AlertQuery(
            type=tuple(q.get("type", ())),
            status=tuple(q.get("status", ())),
            sort=q.get("sort", "-captured_at"),
            limit=50,
        )
    out["full text 'bo y te' (folded)"] = AlertQuery(text="bo y te", limit=50)
    out["full text 'bệnh viện' + open"] = AlertQuery(text="bệnh viện", status=("open",), limit=50)
    return out


def bulk(name: str, store, data: list, batch: int) -> float:
    import os

    t = time.perf_counter()
    failed = 0
    with store.bulk_session(len(data)):  # as the index stage runs its batches
        for k in range(0, len(data), batch):
            failed += len(store.upsert(data[k : k + batch]).failed)
    took = time.perf_counter() - t
    print(
        f"{name:<11} bulk index {len(data):>7} alerts: {took:7.1f} s = {len(data) / took:8.0f} alerts/s  "
        f"(failed {failed}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus)",
        flush=True,
    )
    return len(data) / took


def measure(name: str, store, n: int, batch: int, repeats: int) -> None:
    data = list(alerts(n))
    bulk(name, store, data, batch)
    t = time.perf_counter()
    again = data[: n // 10]
    store.upsert(again)
    took = time.perf_counter() - t
    print(
        f"{name:<11} re-upsert {len(again):>7} existing: {took:7.1f} s = {len(again) / took:8.0f} alerts/s "
        f"(state kept, no duplicates: {sum(store.count_by('type').values())} alerts)"
    )
    for title, q in {**saved_queries(), "count by platform": None, "count by document number": None}.items():
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            if q is None:
                store.count_by("platform" if "platform" in title else "document_number")
            else:
                store.search(q)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{name:<11}   {title:<34} median {statistics.median(times):7.1f} ms  p95 "
            f"{sorted(times)[int(0.95 * (len(times) - 1))]:7.1f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=5000, help="alerts per upsert call (a scan's batch)")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--skip-opensearch", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="only bulk indexing, over chunk/thread settings")
    args = ap.parse_args()
    from canhbao.core.audit import AuditLog
    from canhbao.index.sqlite_store import SqliteStore

    with tempfile.TemporaryDirectory() as tmp:
        if not args.sweep:
            store = SqliteStore(Path(tmp) / "alerts.sqlite", audit=AuditLog(Path(tmp) / "audit.jsonl"))
            measure("sqlite", store, args.n, args.batch, args.repeats)
            store.close()
        if args.skip_opensearch:
            return
        from canhbao.index.opensearch_store import OpenSearchStore
        from canhbao.index.settings import IndexSettings
        from canhbao.testing.opensearch import TestNode

        t = time.perf_counter()
        node = TestNode(Path(tmp) / "node").start()
        print(f"opensearch  test node up in {time.perf_counter() - t:.1f} s ({node.url})")
        try:
            if args.sweep:
                data = list(alerts(args.n))
                # (chunk, threads, pause refresh at): the old path (one 500-chunk at a time, refresh on) first
                for k, (chunk, threads, pause) in enumerate(
                    (
                        (500, 1, 10**9),
                        (1000, 1, 5000),
                        (1000, 2, 5000),
                        (1000, 4, 5000),
                        (2000, 4, 5000),
                        (1000, 8, 5000),
                    )
                ):
                    store = OpenSearchStore(
                        IndexSettings(
                            engine="opensearch",
                            url=node.url,
                            prefix=f"sweep{k}",
                            bulk_chunk=chunk,
                            bulk_threads=threads,
                            bulk_pause_refresh_at=pause,
                        )
                    )
                    store.setup()
                    bulk(f"c{chunk}/t{threads}/{'pause' if pause < 10**9 else 'refresh'}", store, data, args.batch)
                    store.delete_all()
                return
            store = OpenSearchStore(IndexSettings(engine="opensearch", url=node.url, prefix="bench"))
            store.setup()
            measure("opensearch", store, args.n, args.batch, args.repeats)
        finally:
            node.stop()


if __name__ == "__main__":
    main()
