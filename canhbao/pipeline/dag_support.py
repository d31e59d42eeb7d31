"""Shared bits of the DAG files (dags/). Import-light: no model, client or Scrapy is loaded at DAG parse time."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from typing import Any, Mapping

import pendulum

from canhbao.pipeline.settings import ScanSettings, load

log = logging.getLogger("canhbao.dags")


def settings() -> ScanSettings:
    return load()


def dag_kwargs(s: ScanSettings, dag_id: str, schedule: str) -> dict:
    """What every canhbao DAG shares: local-time schedule, no catch-up storm after downtime, one run at a
    time, retries with exponential backoff, a time limit on every task, and a failure report."""
    return {
        "dag_id": dag_id,
        "schedule": schedule,
        "start_date": pendulum.datetime(2026, 1, 1, tz=s.timezone),
        "catchup": False,
        "max_active_runs": 1,
        "tags": ["canhbao"],
        "on_failure_callback": report_failure,
        "default_args": {
            "owner": "canhbao",
            "retries": s.retries,
            "retry_delay": timedelta(minutes=2),
            "retry_exponential_backoff": True,
            "max_retry_delay": timedelta(minutes=30),
            "execution_timeout": timedelta(minutes=s.task_timeout_minutes),
            "on_failure_callback": report_failure,
        },
    }


def run_time(context: Mapping[str, Any]) -> datetime:
    """When this run is "for": the end of its data interval, or - for a manual trigger, which in Airflow 3
    has no logical date and so no data interval - the time it was asked to run (`dag_run.run_after`)."""
    end = context.get("data_interval_end")
    if end is not None:
        return end
    dag_run = context.get("dag_run")
    after = getattr(dag_run, "run_after", None)
    return after if after is not None else pendulum.now("UTC")


def report_failure(context: Mapping[str, Any]) -> None:
    """Failure callback of every task and DAG run: a log line always, and the analysts' notifications
    (`canhbao.notify.notify_failure`, which never raises) when that module is installed."""
    ti, dag_run = context.get("ti") or context.get("task_instance"), context.get("dag_run")
    info = {
        "dag_id": getattr(dag_run, "dag_id", None) or getattr(ti, "dag_id", ""),
        "run_id": getattr(dag_run, "run_id", None) or getattr(ti, "run_id", ""),
        "task_id": getattr(ti, "task_id", "") if ti is not None else "",
        "error": str(context.get("exception") or context.get("reason") or "failed").splitlines()[0][:500],
    }
    log.error("canhbao: FAILED dag=%(dag_id)s run=%(run_id)s task=%(task_id)s: %(error)s", info)
    try:
        from canhbao import notify
    except ImportError:
        return
    notify.notify_failure(dict(context), home=os.environ.get("CANHBAO_HOME") or None)


def home():
    """The data home of the worker: $CANHBAO_HOME (set in the Airflow environment)."""
    from canhbao.core.home import Home

    return Home.resolve()
