"""The compose `scale` profile's Celery and Redis, for real: two Celery workers (canhbao.pipeline.celery_app)
on a real Redis broker run the nightly DAG's mapped batch function (`workers.dag_work`) over batches in a
real PostgreSQL. Every batch is sent twice, so the workers race for the same batches; one worker is
SIGKILLed inside an OCR batch and the other finishes it. The alerts must be exactly those of the
single-process SQLite scan: none lost, none twice."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_scan_pipeline import registered_home, scan_home  # noqa: F401 - fixtures: the scan's world
from test_workers import sqlite_reference_then_postgresql

from canhbao.pipeline import workers
from canhbao.pipeline.celery_app import CelerySettings, make_app
from canhbao.pipeline.stages import ledger_for
from canhbao.pipeline.workqueue import WorkQueue
from canhbao.testing.redis import RedisServer

LEASE_S = 15  # the batch lease of the workers: a killed worker's batch is free again after this
VISIBILITY_S = 8  # Redis gives a dead worker's unacknowledged task to another worker after this


@pytest.fixture
def redis_server(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        yield server


def _worker(name: str, env: dict[str, str]) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "celery", "-A", "canhbao.pipeline.celery_app", "worker", "--pool", "solo"]
    cmd += ["-n", f"{name}@%h", "-Q", "canhbao", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    log = open(env["CANHBAO_TEST_LOG_DIR"] + f"/{name}.log", "ab")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # warm shutdown: the solo pool finishes nothing here (all done)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_celery_workers_on_redis_race_for_batches_and_one_is_killed_mid_batch(
    scan_home,  # noqa: F811
    postgres_server,
    redis_server,
    monkeypatch,
    seeds,
    tmp_path,
):
    dsn = postgres_server.create_database(f"c{uuid.uuid4().hex[:12]}")
    expected, posts = sqlite_reference_then_postgresql(scan_home, monkeypatch, seeds, dsn)

    settings = CelerySettings(
        broker_url=redis_server.url(0),
        result_backend=redis_server.url(1),
        visibility_timeout_s=VISIBILITY_S,
        lease_s=LEASE_S,
    )
    logs = tmp_path / "celery-logs"
    logs.mkdir()
    env = {
        **os.environ,
        "CANHBAO_CELERY__BROKER_URL": settings.broker_url,
        "CANHBAO_CELERY__RESULT_BACKEND": settings.result_backend,
        "CANHBAO_CELERY__VISIBILITY_TIMEOUT_S": str(VISIBILITY_S),
        "CANHBAO_CELERY__LEASE_S": str(LEASE_S),
        "CANHBAO_TEST_LOG_DIR": str(logs),
    }
    client = make_app(settings)  # the dispatching side: a plain Celery client on the same broker

    def send(stage: str, bid: str):
        return client.send_task("canhbao.work_batch", args=[stage, bid])

    queue = WorkQueue()
    procs = {name: _worker(name, env) for name in ("a", "b")}
    try:
        # OCR: one batch of the three files, its task sent twice. Whoever claims it is killed inside it.
        (media_batch,) = workers.plan(scan_home, "media", batch_size=3)
        media_tasks = [send("media", media_batch), send("media", media_batch)]
        held, deadline = None, time.monotonic() + 300
        while held is None and time.monotonic() < deadline:
            row = next(b for b in queue.batches("media") if b["id"] == media_batch)
            held = row if row["lease_owner"] and not row["done"] else None
            time.sleep(0.02)
        assert held is not None, "no worker claimed the OCR batch: " + _tails(logs)
        pid = int(held["lease_owner"].rsplit(":", 1)[1])
        killed = next(name for name, p in procs.items() if p.pid == pid)
        os.killpg(pid, signal.SIGKILL)
        procs[killed].wait(timeout=30)
        row = next(b for b in queue.batches("media") if b["id"] == media_batch)
        assert not row["done"], "the worker finished its batch before the kill: not a mid-batch kill"
        procs[killed + "2"] = _worker(killed + "2", env)  # a replacement: two live workers again

        # both tasks complete: the survivor's copy after the lease expired, the dead worker's copy once Redis
        # handed it on (acknowledged late), finding the batch done
        media_results = [t.get(timeout=300) for t in media_tasks]
        row = next(b for b in queue.batches("media") if b["id"] == media_batch)
        assert row["done"] and row["attempts"] == 2 and row["done_by"] != held["lease_owner"]
        assert sorted(r["batches"] for r in media_results) == [0, 1]  # committed once
        assert row["result"] == {"items": 3, "unreadable": 1}
        assert ledger_for(scan_home).counts()["media"] == 3

        # detection, as an operator starts it: `canhbao work dispatch` plans one post per batch and sends a
        # task each; a second copy of every task is sent at once, so the two workers race for each batch
        cli = subprocess.Popen(
            [sys.executable, "-m", "canhbao", "work", "dispatch", "detect", "--batch-size", "1", "--wait"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        batches, deadline = [], time.monotonic() + 120
        while len(batches) < len(posts) and time.monotonic() < deadline and cli.poll() is None:
            batches = [b["id"] for b in queue.batches("detect")]
            time.sleep(0.05)
        assert len(batches) == len(posts), cli.communicate()[1][-2000:] if cli.poll() is not None else batches
        tasks = [send("detect", bid) for bid in batches]
        results = [t.get(timeout=600) for t in tasks]
        out, err = cli.communicate(timeout=600)
        assert cli.returncode == 0, err[-2000:]
        dispatched = json.loads(out)
        assert dispatched["stage"] == "detect" and dispatched["batches"] == len(posts)
    finally:
        for proc in procs.values():
            _stop(proc)
        # a collected AsyncResult unsubscribes from the result backend: let that happen while Redis is still up,
        # not in some later test after the fixture stopped it (an "exception ignored" warning there)
        media_tasks = tasks = []  # noqa: F841
        gc.collect()

    rows = queue.batches("detect")
    assert all(b["done"] for b in rows) and {b["id"] for b in rows} == set(batches)
    # each batch committed by exactly one task: the duplicates' or the dispatched ones'
    assert sum(r["batches"] for r in results) + sum(dispatched["workers"].values()) == len(batches)
    assert ledger_for(scan_home).alert_ids() == expected  # none lost, none extra
    assert sum(b["result"]["alerts"] for b in rows) == len(expected)
    assert sum(b["result"]["new_alerts"] for b in rows) == len(expected)
    assert ledger_for(scan_home).counts()["analysed"] == len(posts)
    committed: dict[str, int] = dict(dispatched["workers"])
    for r in results:
        committed[r["worker"]] = committed.get(r["worker"], 0) + r["batches"]
    assert len({r["worker"] for r in results} | set(committed)) == 2, "the tasks did not reach both live workers"
    print("detect batches committed per worker:", committed)


def _tails(logs: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in sorted(logs.glob("*.log")))


def test_a_dead_workers_task_is_swept_for_within_its_visibility_timeout():
    """kombu's default sweep (10 s, scanning every 10th time) would add up to 100 s to the hand-over."""
    from canhbao.pipeline.celery_app import transport_options

    short = transport_options(CelerySettings(visibility_timeout_s=VISIBILITY_S))
    assert short["visibility_timeout"] == VISIBILITY_S and short["unacked_restore_throttle"] == 1
    assert short["unacked_restore_interval"] * 4 <= VISIBILITY_S
    default = transport_options(CelerySettings())
    assert default["unacked_restore_interval"] == 10 and default["unacked_restore_throttle"] == 1
