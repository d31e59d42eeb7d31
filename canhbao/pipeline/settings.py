"""Scan settings (`config/scan.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canhbao.core import config


@dataclass(frozen=True)
class ScanSettings:
    batch_size: int = 32  # posts per detection transaction: the most work a kill can cost
    workers: int = 2  # processes for OCR and for detection (Tesseract runs single-threaded: shared/NOTES.md)
    schedule: str = "0 1 * * *"  # nightly, in `timezone`
    timezone: str = "Asia/Ho_Chi_Minh"
    crawl_pool_slots: int = 2  # Airflow pool size: concurrent source crawls
    retries: int = 2
    retro_hunt_days: int = 30  # when a document is registered, re-match posts of the last N days
    registry_watch_dir: str = ""  # folder the document-management system exports new documents to
    retention_days: int = 90  # raw captures and media older than this are purged unless referenced
    # Airflow: no task runs longer than this (a hung crawl or OCR must fail and retry, not block the night);
    # a crawl child is killed a minute before its task's limit, a task waits this long for the scan lock.
    task_timeout_minutes: int = 240
    crawl_timeout_minutes: int = 60
    lock_wait_minutes: int = 60

    def validate(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if not 1 <= self.workers <= 64:
            raise ValueError("workers must be between 1 and 64")
        if self.retro_hunt_days < 0:
            raise ValueError("retro_hunt_days must be >= 0")
        if self.retention_days < 1:
            raise ValueError("retention_days must be >= 1")
        if min(self.task_timeout_minutes, self.crawl_timeout_minutes, self.lock_wait_minutes) < 2:
            raise ValueError("task_timeout_minutes, crawl_timeout_minutes and lock_wait_minutes must be >= 2")
        if len(self.schedule.split()) != 5 and not self.schedule.startswith("@"):
            raise ValueError(f"schedule must be a 5-field cron expression or @preset, got {self.schedule!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None


def load() -> ScanSettings:
    return config.load("scan", ScanSettings)
