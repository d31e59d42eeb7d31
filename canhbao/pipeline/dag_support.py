"""Shared bits of the DAG files (dags/). Import-light: no model, client or Scrapy is loaded at DAG parse time."""

from __future__ import annotations

from datetime import timedelta

import pendulum

from canhbao.pipeline.settings import ScanSettings, load


def settings() -> ScanSettings:
    return load()


def default_args(s: ScanSettings) -> dict:
    return {
        "owner": "canhbao",
        "retries": s.retries,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    }


def start_date(s: ScanSettings):
    return pendulum.datetime(2026, 1, 1, tz=s.timezone)


def home():
    """The data home of the worker: $CANHBAO_HOME (set in the Airflow environment)."""
    from canhbao.core.home import Home

    return Home.resolve()
