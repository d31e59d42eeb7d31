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
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(af_home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "false",
    }
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True, timeout=300
    )
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
        "assert 'canhbao_source' in crawl.map_index_template\n"
        "for dag in b.dags.values():\n"
        "    assert dag.on_failure_callback, dag.dag_id\n"
        "    for t in dag.tasks:\n"
        "        assert t.execution_timeout is not None, (dag.dag_id, t.task_id)\n"
        "        assert t.on_failure_callback, (dag.dag_id, t.task_id)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=airflow_env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "['canhbao_maintenance', 'canhbao_nightly_scan', 'canhbao_registry_sync']" in out.stdout


def _dag_test(dag_id: str, env: dict, args: str = "") -> subprocess.CompletedProcess:
    """`dag.test(args)` of one DAG in a fresh interpreter; prints `STATE <state> <logical date>`."""
    code = (
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"dag = DagBag(dag_folder={str(DAGS)!r}).dags[{dag_id!r}]\n"
        f"run = dag.test({args})\n"
        "print('STATE', run.state, run.logical_date)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)


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
        subprocess.run(
            [sys.executable, "-m", "airflow", "pools", "set", "canhbao_crawl", "2", "crawls"],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        out = _dag_test("canhbao_nightly_scan", env)
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


def test_manual_registry_sync_without_a_logical_date(airflow_env, tmp_path, seeds):
    """A manual trigger in Airflow 3 has no logical date, so no data interval: the retro-hunt failed with
    a TypeError after the documents were registered (issue 13). dag.test(logical_date=None) is that run."""
    from canhbao.core.home import Home
    from canhbao.pipeline.retro_hunt import RetroHuntMarks

    home = Home.resolve(tmp_path / "home")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seed = next(s for s in seeds if s.name.startswith("002"))
    (inbox / "002.txt").write_text(seed.path.read_text(encoding="utf-8"), encoding="utf-8")
    env = {
        **airflow_env,
        "CANHBAO_HOME": str(home.root),
        "CANHBAO_INDEX__ENGINE": "sqlite",
        "CANHBAO_SCAN__REGISTRY_WATCH_DIR": str(inbox),
        "CANHBAO_SCAN__RETRIES": "0",
    }
    out = _dag_test("canhbao_registry_sync", env, "logical_date=None")
    assert "STATE success None" in out.stdout, (out.stdout + out.stderr)[-4000:]
    assert RetroHuntMarks.for_home(home).pending() == []  # registered and retro-hunted


def test_failure_callback_logs_one_line_and_notifies(caplog, tmp_path, monkeypatch):
    """Every task's failure callback writes one log line and hands the context to
    canhbao.notify.notify_failure (the notifications module), which is called exactly once."""
    from canhbao import notify
    from canhbao.pipeline.dag_support import report_failure

    calls = []
    monkeypatch.setattr(notify, "notify_failure", lambda context, **kw: calls.append((context, kw)))
    monkeypatch.setenv("CANHBAO_HOME", str(tmp_path))
    run = type("Run", (), {"dag_id": "canhbao_nightly_scan", "run_id": "manual__1"})()
    ti = type("TI", (), {"task_id": "detect", "dag_id": "canhbao_nightly_scan", "run_id": "manual__1"})()
    context = {"dag_run": run, "ti": ti, "exception": RuntimeError("store down\ntraceback ...")}
    with caplog.at_level("ERROR", logger="canhbao.dags"):
        report_failure(context)
    lines = [r.getMessage() for r in caplog.records if r.name == "canhbao.dags"]
    assert lines == ["canhbao: FAILED dag=canhbao_nightly_scan run=manual__1 task=detect: store down"]
    assert len(calls) == 1 and calls[0][0]["ti"] is ti and calls[0][1] == {"home": str(tmp_path)}
