"""Shared bits of the DAG files (dags/). Import-light: no model, client or Scrapy is loaded at DAG parse time."""

from __future__ import annotations

from datetime import timedelta

import pendulum

from canhbao.pipeline.settings import ScanSettings, load


def settings() -> ScanSettings:
    return load()


def dag_kwargs(s: ScanSettings, dag_id: str, schedule: str) -> dict:
    """What every canhbao DAG shares: local-time schedule, no catch-up storm after downtime, one run at a
    time, retries with exponential backoff."""
    return {
        "dag_id": dag_id,
        "schedule": schedule,
        "start_date": pendulum.datetime(2026, 1, 1, tz=s.timezone),
        "catchup": False,
        "max_active_runs": 1,
        "tags": ["canhbao"],
        "default_args": {
            "owner": "canhbao",
            "retries": s.retries,
            "retry_delay": timedelta(minutes=2),
            "retry_exponential_backoff": True,
            "max_retry_delay": timedelta(minutes=30),
        },
    }


def home():
    """The data home of the worker: $CANHBAO_HOME (set in the Airflow environment)."""
    from canhbao.core.home import Home

    return Home.resolve()
