"""Every DAG file imports cleanly (DagBag) and the nightly DAG runs end to end with dag.test()."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory):
    """A throwaway Airflow home with a migrated SQLite metadata DB."""
    af_home = tmp_path_factory.mktemp("airflow")
    env = {**os.environ, "AIRFLOW_HOME": str(af_home), "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
           "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS), "AIRFLOW__CORE__UNIT_TEST_MODE": "false"}
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                   capture_output=True, timeout=300)
    return env


def test_every_dag_imports_without_errors(airflow_env):
    code = (
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"b = DagBag(dag_folder={str(DAGS)!r})\n"
        "assert not b.import_errors, b.import_errors\n"
        "print(sorted(b.dags))\n"
        "d = b.dags['canhbao_nightly_scan']\n"
        "assert d.catchup is False and d.max_active_runs == 1\n"
        "assert str(d.timezone.name) == 'Asia/Ho_Chi_Minh', d.timezone\n"
        "crawl = d.get_task('crawl_source')\n"
        "assert crawl.pool == 'canhbao_crawl' and crawl.retries >= 1 and crawl.retry_exponential_backoff\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=airflow_env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "['canhbao_maintenance', 'canhbao_nightly_scan', 'canhbao_registry_sync']" in out.stdout
