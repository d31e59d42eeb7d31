"""The compose `scale` profile's Airflow, for real: the CeleryExecutor (apache-airflow-providers-celery) with a
Redis broker (Debian's redis-server), Airflow's metadata database and Celery result backend in PostgreSQL,
and two `airflow celery worker` processes. The nightly DAG runs with canhbao's state in PostgreSQL, so its
mapped `ocr_batch` / `detect_batch` tasks run over the batches of the shared work queue.

It must show that every mapped batch task was executed by one of the two Celery workers (each task
instance's Celery task id, recorded by the executor in Airflow's metadata database, appears in exactly one
worker's log), that every batch was done once, and that the alerts equal those of the ordinary
single-process scan of the same site (`canhbao demo`, SQLite state and index).

The executor settings are those of deploy/compose.scale.yml (`x-scale-env`), sized down for this machine:
parallelism 4, worker concurrency 2 (the compose default).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
from test_airflow_live import _alerts, _run_dag, _world

from canhbao.testing.redis import RedisServer, available

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not available(), reason="redis-server not installed (scripts/install.sh)"),
]

WORKERS = ("worker1", "worker2")


@pytest.fixture(scope="module")
def redis_broker(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def celery_world(tmp_path_factory, postgres_server, opensearch_node, redis_broker):
    state_env = {
        "CANHBAO_STATE__BACKEND": "postgresql",
        "CANHBAO_STATE__DSN": postgres_server.create_database(f"state_{uuid.uuid4().hex[:8]}"),
        "CANHBAO_SCAN__BATCH_SIZE": "4",  # several detect batches from the demo's posts
    }

    def executor_env(airflow_dsn: str) -> dict[str, str]:
        # as deploy/compose.scale.yml's x-scale-env: Redis broker, results in Airflow's PostgreSQL database
        return {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CELERY__BROKER_URL": redis_broker.url(0),
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + airflow_dsn,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        }

    # two workers on one host: their own Celery node names; no log server each (both would want port 8793)
    workers = {
        name: ["celery", "worker", "--celery-hostname", f"{name}@%h", "--skip-serve-logs", "--without-mingle"]
        for name in WORKERS
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in state_env.items():
            mp.setenv(key, value)
        yield from _world(tmp_path_factory, postgres_server, opensearch_node, state_env, executor_env, workers)


def _single_process_reference(tmp_path_factory) -> set[str]:
    """The alert ids of the ordinary single-process scan of the demo site: SQLite state and index."""
    from canhbao.core.home import Home
    from canhbao.demo.run import run_demo

    home = Home.resolve(tmp_path_factory.mktemp("reference") / "home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CANHBAO_STATE__BACKEND", "sqlite")
        mp.delenv("CANHBAO_STATE__DSN", raising=False)
        mp.setenv("CANHBAO_SCAN__WORKERS", "1")
        mp.delenv("CANHBAO_CONFIG_DIR", raising=False)  # run_demo points it at its own config; restored after
        result = run_demo(home, progress=False, echo=lambda *_: None)
    assert result.ok, (result.missed, result.false_alerts)
    return {a.id for a in result.alerts}


def _celery_task_ids(airflow_dsn: str, dag_id: str, run_id: str) -> dict[tuple[str, int], str]:
    """(task_id, map_index) -> the Celery task id the executor recorded for it (Airflow's metadata DB)."""
    import psycopg

    with psycopg.connect(airflow_dsn) as db:
        rows = db.execute(
            "SELECT task_id, map_index, external_executor_id FROM task_instance WHERE dag_id = %s AND run_id = %s",
            (dag_id, run_id),
        ).fetchall()
    return {(task, index): ext for task, index, ext in rows}


def test_mapped_batches_run_on_two_celery_workers_over_redis(celery_world, tmp_path_factory):
    from canhbao.core.posts import PostStore
    from canhbao.demo.content import POSTS
    from canhbao.pipeline.stages import ledger_for
    from canhbao.pipeline.workqueue import WorkQueue

    world = celery_world
    api, airflow = world["api"], world["airflow"]
    status, _ = api.call(
        "POST", "/api/v2/pools", {"name": "canhbao_crawl", "slots": 2, "description": "concurrent source crawls"}
    )
    assert status in (200, 201, 409)
    t0 = time.monotonic()
    nightly = _run_dag(
        world, "canhbao_nightly_scan", {"logical_date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, 900
    )
    print(f"nightly scan on the CeleryExecutor: {time.monotonic() - t0:.0f} s")  # noqa: T201 - shown with -s

    # every mapped batch task ran through Celery, on exactly one of the two workers
    ids = _celery_task_ids(world["airflow_dsn"], "canhbao_nightly_scan", nightly["run"]["dag_run_id"])
    logs = {name: (world["base"] / f"{name}.log").read_text(errors="replace") for name in WORKERS}
    executed = {
        name: set(re.findall(r"\[([0-9a-f-]{36})\] Executing workload in Celery", text)) for name, text in logs.items()
    }
    mapped = {key: ext for key, ext in ids.items() if key[0] in ("ocr_batch", "detect_batch")}
    assert mapped and all(mapped.values()), (ids, airflow.logs())
    where = {key: [name for name in WORKERS if ext in executed[name]] for key, ext in mapped.items()}
    assert all(len(names) == 1 for names in where.values()), where
    assert all(ext in executed["worker1"] | executed["worker2"] for ext in ids.values() if ext), ids
    print("mapped batches per worker:", {n: sum(v == [n] for v in where.values()) for n in WORKERS})  # noqa: T201

    # one mapped task instance per planned batch, every batch done, every post analysed by exactly one batch
    batches = {stage: WorkQueue().batches(stage) for stage in ("media", "detect")}
    by_task = {"ocr_batch": "media", "detect_batch": "detect"}
    for task, stage in by_task.items():
        assert sum(key[0] == task for key in mapped) == len(batches[stage]) >= 1, (mapped, batches[stage])
    assert len(batches["detect"]) > 1
    assert all(b["done"] for stage in batches.values() for b in stage)
    stored = PostStore(world["home"].posts_db).count()
    assert sum(b["result"]["items"] for b in batches["detect"]) == stored == len(POSTS)
    assert ledger_for(world["home"]).counts()["analysed"] == stored

    # both workers answer the compose healthcheck's ping (deploy/compose.scale.yml, airflow-worker)
    for name in WORKERS:
        ping = subprocess.run(
            [sys.executable, "-m", "celery", "--app", "airflow.providers.celery.executors.celery_executor.app"]
            + ["inspect", "ping", "-d", f"{name}@{socket.gethostname()}"],
            env=airflow.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ping.returncode == 0 and "pong" in ping.stdout, (name, ping.stdout[-800:], ping.stderr[-800:])

    # the same alerts as the single-process scan: none lost, none twice
    alerts = _alerts(world)
    assert len({a.id for a in alerts}) == len(alerts)
    reference = _single_process_reference(tmp_path_factory)
    assert {a.id for a in alerts} == reference == ledger_for(world["home"]).alert_ids()
