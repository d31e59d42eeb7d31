"""Stage functions. Each takes the data home, does one kind of work on what is outstanding, commits as
it goes, and returns counts. Calling a stage twice does the remaining work once."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from canhbao.core.alerts import alert_from_finding
from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Alert, MediaText, Post
from canhbao.pipeline.ledger import Ledger
from canhbao.pipeline.masking import mask_step
from canhbao.pipeline.progress import Progress

log = logging.getLogger("canhbao.scan")


@dataclass(frozen=True)
class StageResult:
    stage: str
    counts: Mapping[str, Any] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


def ledger_for(home: Home) -> Ledger:
    return Ledger(home.analysis / "pipeline.sqlite")


def _worker_pool(workers: int, initializer: Any, home: Home) -> ProcessPoolExecutor:
    """Processes that each load their heavy state (OCR reader, detectors) once. Spawned, not forked:
    workers start clean, with no threads, sockets or model state inherited from the parent."""
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(initializer, str(home.root), os.getpid()),
    )


def _worker_init(initializer: Any, home_root: str, parent_pid: int) -> None:
    """Workers die with the scan (even a SIGKILLed one) instead of running on as orphans."""
    from canhbao.core.procs import die_with_parent

    die_with_parent(parent_pid=parent_pid)
    initializer(home_root)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# --- crawl -----------------------------------------------------------------------------------------


def enabled_sources() -> list[str]:
    from canhbao.crawlers.settings import load

    return [name for name, src in load().sources.items() if src.enabled]


def crawl_stage(home: Home, sources: Sequence[str] | None = None, *, timeout_s: float | None = None) -> StageResult:
    """Crawl the given sources (default: every enabled one) incrementally into the post store.

    A blocked or broken source is reported in the health, not raised: the other sources' posts still
    flow to detection.
    """
    from canhbao.crawlers.runner import run_crawl

    report = run_crawl(home, list(sources) if sources else enabled_sources(), timeout_s=timeout_s)
    errors = [f"{s.source}: {s.status}" for s in report.sources if s.status != "ok"]
    if report.error:
        errors.append(f"crawl process: {report.error}")
    return StageResult("crawl", report.to_json(), tuple(errors))


# --- media -----------------------------------------------------------------------------------------

_READER = None
_BLOBS = None


def _init_reader(home_root: str) -> None:
    global _READER, _BLOBS
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from canhbao.core.blobs import open_blobs
    from canhbao.media.reader import MediaReader

    _READER = MediaReader.from_home(Home(Path(home_root)))
    _BLOBS = open_blobs(Home(Path(home_root)))  # media may live on a shared path or an object store


def _read_one(job: tuple[str, str, str]) -> MediaText:
    """Runs in a worker: OCR one file; a bad file becomes an `unreadable` MediaText, never an exception."""
    sha, home_root, rel = job
    if _READER is None or _BLOBS is None:
        raise RuntimeError("media worker started without _init_reader")
    try:
        mt = _READER.read(_BLOBS.local(rel))
    except InputError as exc:
        return MediaText(sha256=sha, kind="unreadable", error=str(exc))
    except Exception as exc:  # one broken image must not stop the batch; the error is kept on the record
        return MediaText(sha256=sha, kind="unreadable", error=f"{rel}: {type(exc).__name__}: {exc}")
    return mt if mt.sha256 == sha else replace(mt, sha256=sha)


def to_read(m: Any) -> bool:
    """A media item the media stage reads (downloaded, hashed, no download error)."""
    return bool(m.sha256 and m.path and not m.error)


def media_stage(
    home: Home, posts: Iterable[Post] | None = None, *, workers: int = 2, progress: bool = True
) -> StageResult:
    """Read (OCR, hash) every downloaded media file not read before; each SHA-256 once."""
    ledger = ledger_for(home)
    posts = PostStore(home.posts_db).iter() if posts is None else posts
    wanted: dict[str, str] = {}
    for post in posts:
        for m in post.media:
            if to_read(m):
                wanted.setdefault(m.sha256, m.path)
    done = ledger.media_texts(wanted)
    jobs = [(sha, str(home.root), rel) for sha, rel in wanted.items() if sha not in done]
    bar = Progress("media", len(jobs), enabled=progress)
    kinds: dict[str, int] = {}
    errors: list[str] = []

    def consume(results: Iterable[MediaText]) -> None:
        for chunk in _chunks(results, 8):  # commit often: a kill costs at most 8 OCRs
            ledger.put_media(chunk)
            for mt in chunk:
                kinds[mt.kind] = kinds.get(mt.kind, 0) + 1
                if mt.error:
                    errors.append(mt.error)
            bar.advance(len(chunk))

    if jobs and workers > 1 and len(jobs) > 1:
        with _worker_pool(min(workers, len(jobs)), _init_reader, home) as pool:
            consume(pool.map(_read_one, jobs, chunksize=1))
    elif jobs:
        _init_reader(str(home.root))
        consume(map(_read_one, jobs))
    bar.close()
    for e in errors:
        log.warning("media: %s", e)
    return StageResult("media", {"new_media": len(jobs), "cached": len(done), **kinds}, tuple(errors))


# --- detect ----------------------------------------------------------------------------------------


def alerts_for(analysis: Any) -> list[Alert]:
    """Findings -> alerts, with the masking step's text (never the raw text)."""
    if not analysis.findings:
        return []
    masked = mask_step(analysis)
    post = analysis.subject.post
    return [alert_from_finding(post, f, masked.text) for f in analysis.findings]


_ANALYZER = None


def _init_analyzer(home_root: str) -> None:
    global _ANALYZER
    from canhbao.pipeline.analyze import Analyzer

    _ANALYZER = Analyzer.from_home(Home(Path(home_root)))


def _detect_batch(job: tuple[list[Post], dict[str, MediaText]], analyzer: Any = None) -> list[Alert]:
    """Alerts for one batch of posts (in a worker, or in-process with an explicit analyzer)."""
    batch, texts = job
    analyzer = analyzer or _ANALYZER
    alerts: list[Alert] = []
    for post in batch:
        media = [texts[m.sha256] for m in post.media if m.sha256 in texts]
        alerts += alerts_for(analyzer.analyze_post(post, media))
    return alerts


def detect_stage(
    home: Home,
    analyzer: Any = None,
    *,
    posts: Iterable[Post] | None = None,
    batch_size: int = 32,
    workers: int = 1,
    progress: bool = True,
    rescan: bool = False,
) -> StageResult:
    """Run every detector over posts not analysed yet (or changed); commit each batch with its alerts.

    With `workers` > 1 batches are analysed in that many processes (each loads the detectors once) and
    committed by this one as they come back, so a kill still loses at most the batches in flight.
    `rescan=True` re-analyses the given posts regardless of the ledger (retro-hunt after a new document
    or claim); alert ids are deterministic, so known alerts are updated, not duplicated.
    """
    ledger = ledger_for(home)
    source = PostStore(home.posts_db).iter() if posts is None else posts
    todo, deferred = _media_ready(ledger, list(source) if rescan else ledger.unanalysed(source))
    jobs = (
        (batch, ledger.media_texts(m.sha256 for p in batch for m in p.media if m.sha256))
        for batch in _chunks(todo, batch_size)
    )
    bar = Progress("detect", len(todo), enabled=progress)
    by_type: dict[str, int] = {}
    new_alerts = 0

    def commit(batch: list[Post], alerts: list[Alert]) -> None:
        nonlocal new_alerts
        if rescan:
            new_alerts += ledger.upsert_alerts(alerts)
            ledger.commit_batch(batch, [])
        else:
            new_alerts += ledger.commit_batch(batch, alerts)
        for a in alerts:
            by_type[a.type] = by_type.get(a.type, 0) + 1
        bar.advance(len(batch))

    if analyzer is None and workers > 1 and len(todo) > 2 * batch_size:
        with _worker_pool(workers, _init_analyzer, home) as pool:
            pending = list(jobs)
            for (batch, _), alerts in zip(pending, pool.map(_detect_batch, pending), strict=True):
                commit(batch, alerts)
    else:
        if analyzer is None:
            from canhbao.pipeline.analyze import Analyzer

            analyzer = Analyzer.from_home(home)
        for job in jobs:
            commit(job[0], _detect_batch(job, analyzer))
    bar.close()
    if deferred:
        log.info("detect: %d posts wait for their media to be read (next media stage)", deferred)
    return StageResult(
        "detect", {"posts": len(todo), "new_alerts": new_alerts, "alerts_by_type": by_type, "deferred": deferred}
    )


def _media_ready(ledger: Ledger, posts: Iterable[Post]) -> tuple[list[Post], int]:
    """(posts whose every readable media item has been read, how many others were left for later).

    A post is analysed - and so marked done - only once all its media have text: a post crawled after this
    scan's media stage began would otherwise be analysed without its image and never looked at again."""
    posts = list(posts)
    read = ledger.media_read(m.sha256 for p in posts for m in p.media if to_read(m))
    ready = [p for p in posts if all(m.sha256 in read for m in p.media if to_read(m))]
    return ready, len(posts) - len(ready)


# --- index -----------------------------------------------------------------------------------------


def index_stage(home: Home, store: Any = None, *, batch: int = 5000, progress: bool = True) -> StageResult:
    """Push pending alerts to the configured store; an alert leaves the outbox only once the store took it."""
    from canhbao.index import open_store

    owned = store is None  # close only what this stage opened; a caller's store stays the caller's
    store = store or open_store(home)
    store.setup()
    ledger = ledger_for(home)
    total = ledger.counts()["pending"]
    bar = Progress("index", total, enabled=progress)
    indexed, failed = 0, []
    try:
        with store.bulk_session(total):
            while pending := ledger.pending(batch):
                result = store.upsert(pending)
                bad = {f.split(":", 1)[0] for f in result.failed}
                ok = [a.id for a in pending if a.id not in bad]
                ledger.mark_indexed(ok)
                indexed += len(ok)
                bar.advance(len(pending))
                if bad:  # leave them pending for the next run; report, never drop
                    failed += list(result.failed)
                    break
    finally:
        bar.close()
        if owned:
            store.close()
    return StageResult("index", {"indexed": indexed, "failed": len(failed)}, tuple(failed))


def posts_since(home: Home, since: datetime) -> list[Post]:
    return list(PostStore(home.posts_db).iter(since=since))
