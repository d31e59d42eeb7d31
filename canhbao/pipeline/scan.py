"""One whole scan: crawl -> media -> detect -> index, with a resumable record of each stage.

The record (`home.scans/<id>.json`, written atomically after every stage) says which stages finished.
`run_scan` resumes the newest unfinished scan from its first unfinished stage; since every stage works
only on what is outstanding, re-running a stage that was killed half-way finishes its work without
redoing or duplicating what was committed.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Sequence

from canhbao.core.atomic import write_json
from canhbao.core.home import Home
from canhbao.core.records import utcnow
from canhbao.pipeline import stages
from canhbao.pipeline.lock import scan_lock
from canhbao.pipeline.settings import ScanSettings

log = logging.getLogger("canhbao.scan")
STAGES = ("crawl", "media", "detect", "index")


@dataclass
class ScanRecord:
    id: str
    started_at: str
    status: str = "running"  # running | done
    finished_at: str = ""
    sources: list[str] | None = None
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def save(self, home: Home) -> None:
        write_json(home.scans / f"{self.id}.json", self.__dict__)

    @classmethod
    def load_unfinished(cls, home: Home) -> "ScanRecord | None":
        records = sorted(home.scans.glob("*.json"))
        if not records:
            return None
        data = json.loads(records[-1].read_text(encoding="utf-8"))
        return cls(**data) if data.get("status") != "done" else None


def run_scan(
    home: Home,
    *,
    sources: Sequence[str] | None = None,
    settings: ScanSettings | None = None,
    crawl: bool = True,
    progress: bool = True,
    analyzer: Any = None,
    store: Any = None,
    wait_s: float = 0.0,
) -> ScanRecord:
    """Run (or resume) a scan and return its record with per-stage counts and timings.

    Holds the home's scan lock throughout (`ScanBusy` after `wait_s` if another scan has it)."""
    with scan_lock(home, "scan", wait_s=wait_s):
        return _run_scan(home, sources, settings or ScanSettings(), crawl, progress, analyzer, store)


def _run_scan(
    home: Home,
    sources: Sequence[str] | None,
    settings: ScanSettings,
    crawl: bool,
    progress: bool,
    analyzer: Any,
    store: Any,
) -> ScanRecord:
    record = ScanRecord.load_unfinished(home)
    if record is None or (sources and record.sources and list(sources) != record.sources):
        now = utcnow()
        record = ScanRecord(
            id=now.strftime("%Y%m%dT%H%M%S%fZ"), started_at=now.isoformat(), sources=list(sources) if sources else None
        )
    else:
        log.info("resuming scan %s", record.id)
    runners: dict[str, Callable[[], stages.StageResult]] = {
        "crawl": lambda: stages.crawl_stage(home, record.sources),
        "media": lambda: stages.media_stage(home, workers=settings.workers, progress=progress),
        "detect": lambda: stages.detect_stage(
            home, analyzer, batch_size=settings.batch_size, workers=settings.workers, progress=progress
        ),
        "index": lambda: stages.index_stage(home, store, progress=progress),
    }
    for name in STAGES:
        if record.stages.get(name, {}).get("status") == "done":
            continue
        if name == "crawl" and not crawl:
            record.stages[name] = {"status": "done", "skipped": True}
            continue
        record.stages[name] = {"status": "running", "started_at": utcnow().isoformat()}
        record.save(home)
        t0 = time.perf_counter()
        result = runners[name]()
        record.stages[name] = {
            "status": "done",
            "seconds": round(time.perf_counter() - t0, 2),
            "counts": dict(result.counts),
            "errors": list(result.errors[:50]),
        }
        record.save(home)
    record.status, record.finished_at = "done", utcnow().isoformat()
    record.save(home)
    return record


def rescan(
    home: Home, since: datetime, *, progress: bool = True, analyzer: Any = None, store: Any = None, wait_s: float = 0.0
) -> dict[str, Any]:
    """Retro-hunt: re-run detection over posts stored since `since` (e.g. after registering a document)."""
    with scan_lock(home, "rescan", wait_s=wait_s):
        return _rescan(home, since, progress, analyzer, store)


def _rescan(home: Home, since: datetime, progress: bool, analyzer: Any, store: Any) -> dict[str, Any]:
    posts = stages.posts_since(home, since)
    media = stages.media_stage(home, posts, progress=progress)
    detect = stages.detect_stage(home, analyzer, posts=posts, rescan=True, progress=progress)
    index = stages.index_stage(home, store, progress=progress)
    return {
        "since": since.isoformat(),
        "posts": len(posts),
        "media": dict(media.counts),
        "detect": dict(detect.counts),
        "index": dict(index.counts),
    }


def summary_lines(record: ScanRecord) -> list[str]:
    """What `canhbao scan` prints: posts seen, new media, alerts by type, source health, time per stage."""
    lines = [f"scan {record.id}: {record.status}"]
    crawl = record.stages.get("crawl", {}).get("counts", {})
    if crawl.get("run_id"):
        from canhbao.crawlers.health import CrawlReport

        lines += ["  " + line for line in CrawlReport.from_json(crawl).summary().splitlines()]
    media = record.stages.get("media", {}).get("counts", {})
    detect = record.stages.get("detect", {}).get("counts", {})
    lines.append(f"  posts analysed: {detect.get('posts', 0)}; new media read: {media.get('new_media', 0)}")
    by_type = detect.get("alerts_by_type", {})
    lines.append(
        f"  new alerts: {detect.get('new_alerts', 0)} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_type.items())) or 'none'})"
    )
    index = record.stages.get("index", {}).get("counts", {})
    lines.append(f"  indexed: {index.get('indexed', 0)}, failed: {index.get('failed', 0)}")
    times = ", ".join(f"{n} {record.stages[n].get('seconds', 0)}s" for n in STAGES if n in record.stages)
    lines.append(f"  time: {times}")
    return lines
