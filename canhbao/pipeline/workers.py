"""Planning and working the shared batches of the media (OCR) and detect stages (backend postgresql).

`plan(home, stage)` splits what is outstanding into batches in the work queue; `work(home, stage)` is
one worker: it loads its heavy state once (OCR reader or detectors), then claims, processes and commits
batches until none is left (or exactly one batch, when Airflow maps a task over batches). Start as many
as there are cores, on as many machines as share the database and the media store.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Alert, MediaText
from canhbao.pipeline import stages
from canhbao.pipeline.workqueue import STAGES, Batch, WorkQueue, worker_name

log = logging.getLogger("canhbao.work")


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def plan(home: Home, stage: str, *, batch_size: int, since: datetime | None = None) -> list[str]:
    """Batches for the outstanding work of `stage` not already in an open batch; returns their ids.
    `since`: only posts stored from then on (at national volume, planning must not scan the whole store)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    queue, ledger = WorkQueue(), stages.ledger_for(home)
    planned = set(queue.open_items(stage) if stage == "detect" else (i[0] for i in queue.open_items(stage)))
    if stage == "media":
        wanted: dict[str, str] = {}
        for post in PostStore(home.posts_db).iter(since=since):
            for m in post.media:
                if m.sha256 and m.path and not m.error and m.sha256 not in planned:
                    wanted.setdefault(m.sha256, m.path)
        done = ledger.media_texts(wanted)
        items: list[Any] = [[sha, rel] for sha, rel in sorted(wanted.items()) if sha not in done]
    else:
        # only posts whose media have all been read (issue 13): the others wait for the next media batches
        ready, _ = stages._media_ready(ledger, ledger.unanalysed(PostStore(home.posts_db).iter(since=since)))
        items = [p.key for p in ready if p.key not in planned]
    return queue.plan(stage, _chunks(items, batch_size))


def work(
    home: Home,
    stage: str,
    *,
    lease_s: float = 600.0,
    batch: str | None = None,
    max_batches: int | None = None,
    owner: str | None = None,
    analyzer: Any = None,
    wait: bool = True,
    poll_s: float = 1.0,
) -> dict[str, int]:
    """Claim and finish batches of `stage` until none is claimable; returns what this worker committed."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    queue, owner = WorkQueue(), owner or worker_name()
    run = _Media(home) if stage == "media" else _Detect(home, analyzer)
    totals = {"batches": 0, "items": 0, "lost": 0}
    while max_batches is None or totals["batches"] + totals["lost"] < max_batches:
        claimed = queue.claim(stage, owner, lease_s, batch)
        if claimed is None:
            # Batches leased by others may still come back (their worker may be dead): wait for them to be
            # done or to expire, so that when this returns the stage's work is finished, not just taken.
            # With `batch` given (an Airflow retry after a kill), wait for that batch's lease to expire.
            if wait and (queue.counts(stage)["leased"] if batch is None else not queue.is_done(batch)):
                time.sleep(poll_s)
                continue
            break
        log.info("%s: batch %s (attempt %d, %d items)", owner, claimed.id, claimed.attempts, len(claimed.items))
        result = run(queue, claimed, lease_s)
        if result is None:  # the lease ran out and another worker took the batch: it commits, not us
            totals["lost"] += 1
            log.warning("%s: lost the lease of %s; its results were not committed", owner, claimed.id)
            continue
        totals["batches"] += 1
        for k, v in result.items():
            totals[k] = totals.get(k, 0) + v
        if batch is not None:
            break
    return totals


class _Renewer:
    """Renews a lease once a third of it has passed, so a slow but alive worker keeps its batch."""

    def __init__(self, queue: WorkQueue, batch: Batch, lease_s: float):
        self.queue, self.batch, self.lease_s = queue, batch, lease_s
        self.next = time.monotonic() + lease_s / 3

    def tick(self) -> None:
        if time.monotonic() >= self.next:
            self.queue.renew(self.batch, self.lease_s)
            self.next = time.monotonic() + self.lease_s / 3


class _Media:
    def __init__(self, home: Home):
        self.home = home
        self.ledger = stages.ledger_for(home)
        stages._init_reader(str(home.root))

    def __call__(self, queue: WorkQueue, batch: Batch, lease_s: float) -> dict | None:
        renew = _Renewer(queue, batch, lease_s)
        texts: list[MediaText] = []
        for sha, rel in batch.items:
            texts.append(stages._read_one((sha, str(self.home.root), rel)))
            renew.tick()
        for t in texts:
            if t.error:
                log.warning("media: %s", t.error)

        def write(db: Any) -> dict:
            self.ledger._put_media(db, texts)
            return {"items": len(texts), "unreadable": sum(t.kind == "unreadable" for t in texts)}

        return queue.complete(batch, write)


class _Detect:
    def __init__(self, home: Home, analyzer: Any = None):
        from canhbao.pipeline.analyze import Analyzer

        self.ledger = stages.ledger_for(home)
        self.posts = PostStore(home.posts_db)
        self.analyzer = analyzer or Analyzer.from_home(home)

    def __call__(self, queue: WorkQueue, batch: Batch, lease_s: float) -> dict | None:
        renew = _Renewer(queue, batch, lease_s)
        posts = self.posts.get_many(batch.items)
        texts = self.ledger.media_texts(m.sha256 for p in posts for m in p.media if m.sha256)
        alerts: list[Alert] = []
        for post in posts:
            media = [texts[m.sha256] for m in post.media if m.sha256 in texts]
            alerts += stages.alerts_for(self.analyzer.analyze_post(post, media))
            renew.tick()

        def write(db: Any) -> dict:
            new = self.ledger._commit_batch(db, posts, alerts)
            return {"items": len(posts), "alerts": len(alerts), "new_alerts": new}

        return queue.complete(batch, write)


# --- Airflow: the nightly DAG maps one task over the batches of each stage --------------------------------


def dag_plan(home: Home, stage: str, batch_size: int) -> list[str | None]:
    """The batch ids to map over. On SQLite (no shared queue) a single `None`, so the mapped task runs once
    and does nothing, and the stage task after it does the work in-process as before."""
    from canhbao.core.state import load_settings

    if load_settings().backend != "postgresql":
        return [None]
    ids: list[str | None] = list(plan(home, stage, batch_size=batch_size))
    return ids or [None]


def dag_work(home: Home, stage: str, batch: str | None, lease_s: float = 600.0) -> dict[str, int]:
    return {} if batch is None else work(home, stage, batch=batch, lease_s=lease_s)
