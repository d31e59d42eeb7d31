"""Every DAG file imports cleanly (DagBag) and the nightly DAG runs end to end with dag.test()."""

from __future__ import annotations

import json
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


@pytest.fixture(scope="module")
def demo_ready(tmp_path_factory):
    """A data home with the demo's registry and claims, and the sample site built (not yet served)."""
    from canhbao.core.home import Home
    from canhbao.demo.run import build_site, load_claims, register_samples

    home = Home.resolve(tmp_path_factory.mktemp("dag-home"))
    feeds = build_site(home.root / "site")
    register_samples(home)
    load_claims(home)
    return home, feeds


def test_nightly_dag_runs_end_to_end_against_the_sample_site(airflow_env, demo_ready):
    from canhbao.demo.run import prepare_config
    from canhbao.index import open_store
    from canhbao.index.base import AlertQuery
    from canhbao.testing.sample_site import serve

    home, feeds = demo_ready
    with serve(home.root / "site") as site:
        cfg = prepare_config(home, site.base_url, feeds)
        env = {**airflow_env, "CANHBAO_HOME": str(home.root), "CANHBAO_CONFIG_DIR": str(cfg)}
        subprocess.run([sys.executable, "-m", "airflow", "pools", "set", "canhbao_crawl", "2", "crawls"],
                       env=env, check=True, capture_output=True, timeout=120)
        code = (
            "from airflow.dag_processing.dagbag import DagBag\n"
            f"dag = DagBag(dag_folder={str(DAGS)!r}).dags['canhbao_nightly_scan']\n"
            "run = dag.test()\n"
            "print('STATE', run.state)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    assert "STATE success" in out.stdout, (out.stdout + out.stderr)[-4000:]
    import os

    os.environ["CANHBAO_CONFIG_DIR"] = str(cfg)
    try:
        store = open_store(home)
        alerts = store.search(AlertQuery(limit=1000))
        store.close()
    finally:
        del os.environ["CANHBAO_CONFIG_DIR"]
    from canhbao.demo.content import POSTS

    kinds = ("leak", "pii_exposure")
    planted = {(f"{p.feed}:{p.post_id}", t) for p in POSTS for t in p.expect if t in kinds}
    got = {(a.post_key, a.type) for a in alerts if a.type in kinds}
    # the DAG calls the same stages as `canhbao scan`: every planted leak and exposure is found, and no other
    assert {t for _, t in planted} == set(kinds)
    assert got == planted, f"missed {sorted(planted - got)}, unexpected {sorted(got - planted)}"
    # the summary task reports what this run did: one summary, counts agreeing with the alert store
    summaries = list(home.scans.glob("airflow-*.json"))
    assert len(summaries) == 1, summaries
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    assert summary["index"] == {"indexed": len(alerts), "failed": 0}
    by_type = summary["detect"]["alerts_by_type"]
    assert {t: by_type.get(t, 0) for t in kinds} == {t: sum(a.type == t for a in alerts) for t in kinds}
