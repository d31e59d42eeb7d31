"""Work batches as Celery tasks on a Redis broker: the compose `scale` profile's Celery and Redis without
Airflow in between, for volumes where one mapped Airflow task per batch is too many (docs/deploy.md,
"What breaks first"). Any number of long-lived workers, on any machine sharing the PostgreSQL state
database and the media store:

    celery -A canhbao.pipeline.celery_app worker --pool solo -Q canhbao      (one per core)
    canhbao work dispatch detect [--wait]                                     (plan, then one task per batch)

A task is `workers.dag_work` - exactly what the nightly DAG's mapped `ocr_batch`/`detect_batch` task runs -
so the batch claim (FOR UPDATE SKIP LOCKED under a lease) keeps two workers off one batch, and a batch is
committed once however many times its task is delivered. Tasks are acknowledged late: the task of a
worker killed mid-batch is handed to another worker after `visibility_timeout_s`, which waits for the dead
worker's lease to expire and finishes the batch. Needs the `celery` extra (`pip install canhbao[celery]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery import Celery

from canhbao.core import config
from canhbao.core.home import Home
from canhbao.pipeline import workers
from canhbao.pipeline.workqueue import STAGES, worker_name


@dataclass(frozen=True)
class CelerySettings:
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"
    queue: str = "canhbao"
    visibility_timeout_s: int = 3600  # an unacknowledged task of a dead worker goes to another after this
    lease_s: float = 600.0  # the batch lease a task takes (renewed while it works)

    def validate(self) -> None:
        if not self.broker_url or not self.queue:
            raise ValueError("broker_url and queue must be set")
        if self.visibility_timeout_s < 1 or self.lease_s <= 0:
            raise ValueError("visibility_timeout_s and lease_s must be positive")


def load() -> CelerySettings:
    return config.load("celery", CelerySettings)


def transport_options(s: CelerySettings) -> dict[str, int]:
    """Redis hands a dead worker's unacknowledged task on only when a worker sweeps for it: kombu's default
    sweep (every 10 s, scanning on every 10th) adds up to 100 s to `visibility_timeout_s`. Scan on every sweep,
    and sweep at least four times per visibility timeout (a cheap ZRANGE), so the hand-over comes close to the
    configured time."""
    return {
        "visibility_timeout": s.visibility_timeout_s,
        "unacked_restore_interval": max(1, min(10, s.visibility_timeout_s // 4)),
        "unacked_restore_throttle": 1,
    }


def make_app(s: CelerySettings) -> Celery:
    app = Celery("canhbao", broker=s.broker_url, backend=s.result_backend or None)
    app.conf.update(
        task_default_queue=s.queue,
        task_acks_late=True,  # acknowledged when done: a killed worker's task is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a busy worker holds no task another worker could run now
        broker_transport_options=transport_options(s),
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=86400,
    )
    return app


SETTINGS = load()
app = make_app(SETTINGS)


@app.task(name="canhbao.work_batch")
def work_batch(stage: str, batch: str) -> dict[str, Any]:
    """Claim and finish one batch (or wait until whoever holds it finished it); what this worker committed."""
    totals = workers.dag_work(Home.resolve(), stage, batch, lease_s=SETTINGS.lease_s)
    return {**totals, "worker": worker_name()}


def dispatch(home: Home, stage: str, batch_size: int) -> list[Any]:
    """Plan the outstanding work of `stage` into batches and send one task per new batch; the AsyncResults."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return [work_batch.delay(stage, bid) for bid in workers.plan(home, stage, batch_size=batch_size)]
