"""A real Airflow 3 deployment in miniature: api-server, scheduler and dag-processor with the LocalExecutor,
on a PostgreSQL metadata database (Debian's server, started by the test), running the canhbao DAGs against
the sample site on 127.0.0.1 and indexing into the OpenSearch test node.

Everything goes through Airflow's REST API as an operator would: log in as a named user, create the crawl
pool, unpause the DAGs (docs/deploy.md), trigger the nightly scan and a manual registry sync without a
logical date, wait for success. Then the alerts are read back from the index: every planted leak from the
nightly run, and the leak of a letter that was only registered by the registry sync (its retro-hunt).

Twice: with canhbao's state in SQLite files (the default), and in a PostgreSQL database (config/state.yaml
backend postgresql), where the nightly DAG maps one `ocr_batch` / `detect_batch` task per batch claimed
from the shared work queue, as on a cluster of workers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
USER, PASSWORD = "analyst", "a-real-password-0755"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """The Airflow REST API (v2) with a bearer token from the auth manager's /auth/token."""

    def __init__(self, base: str):
        self.base, self.token = base, ""

    def call(self, method: str, path: str, body: dict | None = None, *, auth: bool = True) -> tuple[int, dict]:
        req = urllib.request.Request(
            self.base + path, method=method, data=None if body is None else json.dumps(body).encode()
        )
        req.add_header("Content-Type", "application/json")
        if auth and self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, {"raw": raw.decode(errors="replace")[:500]}
        except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
            return 0, {}

    def login(self, user: str, password: str) -> None:
        status, body = self.call("POST", "/auth/token", {"username": user, "password": password}, auth=False)
        assert status in (200, 201) and body.get("access_token"), (status, body)
        self.token = body["access_token"]


class Airflow:
    """api-server + scheduler + dag-processor as child processes (each in its own process group), and any
    `extra` Airflow commands (name -> arguments), such as Celery workers."""

    def __init__(self, base: Path, env: dict[str, str], extra: dict[str, list[str]] | None = None):
        self.base, self.env, self.procs = base, env, {}
        self.extra = extra or {}

    def start(self) -> None:
        out = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]
        for name, args in {
            "api-server": ["api-server"],
            "scheduler": ["scheduler"],
            "dag-processor": ["dag-processor"],
            **self.extra,
        }.items():
            log = open(self.base / f"{name}.log", "wb")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def logs(self, tail: int = 3000) -> str:
        out = []
        for name in self.procs:
            text = (self.base / f"{name}.log").read_text(errors="replace")
            out.append(f"--- {name} ---\n{text[-tail:]}")
        return "\n".join(out)

    def stop(self) -> None:
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group (executor workers)
            except ProcessLookupError:
                pass


def _wait(what: str, check, timeout: float, airflow: Airflow, step: float = 2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        for name, proc in airflow.procs.items():
            assert proc.poll() is None, f"{name} exited ({proc.returncode}) while waiting for {what}\n{airflow.logs()}"
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}\n{airflow.logs()}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, postgres_server, opensearch_node):
    """Data home with the demo registry (letters 000-003) and claims, the sample site served, a config
    pointing the index at the OpenSearch node, and Airflow running on PostgreSQL; canhbao's own state in
    SQLite files or in a PostgreSQL database (`request.param`)."""
    import uuid

    state_env = {"CANHBAO_STATE__BACKEND": request.param}
    if request.param == "postgresql":
        state_env["CANHBAO_STATE__DSN"] = postgres_server.create_database(f"state_{uuid.uuid4().hex[:8]}")
        state_env["CANHBAO_SCAN__BATCH_SIZE"] = "4"  # several detect batches from the demo's posts
    with pytest.MonkeyPatch.context() as mp:
        for key, value in state_env.items():
            mp.setenv(key, value)
        yield from _world(tmp_path_factory, postgres_server, opensearch_node, state_env)


def _world(tmp_path_factory, postgres_server, opensearch_node, state_env, extra_env=None, extra_procs=None):
    """Yields the world; `extra_env(airflow_dsn)` returns settings that override Airflow's (the executor and
    its result backend in Airflow's metadata database), `extra_procs` adds Airflow
    commands to run beside the api-server, scheduler and dag-processor (Celery workers)."""
    import uuid

    from canhbao.core.home import Home
    from canhbao.demo.run import build_site, load_claims, prepare_config, register_samples
    from canhbao.testing.sample_site import serve

    base = tmp_path_factory.mktemp("airflow-live")
    home = Home.resolve(base / "home")
    feeds = build_site(home.root / "site")
    register_samples(home)  # into the state backend chosen by the caller's environment
    load_claims(home)
    inbox = base / "inbox"
    inbox.mkdir()
    dsn = postgres_server.create_database(f"airflow_{uuid.uuid4().hex[:8]}")
    api_port, health_port = _free_port(), _free_port()
    af_home = base / "airflow"
    af_home.mkdir()
    (af_home / "passwords.json").write_text(json.dumps({USER: PASSWORD}))
    prefix = f"af{uuid.uuid4().hex[:8]}"
    with serve(home.root / "site") as site:
        cfg = prepare_config(home, site.base_url, feeds)
        (cfg / "index.yaml").write_text(f"engine: opensearch\nurl: {opensearch_node.url}\nprefix: {prefix}\n")
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "AIRFLOW_HOME": str(af_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",  # each slot is a forked worker: keep the machine usable
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # as in the deployment: unpaused by the operator
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": dsn.replace("postgresql://", "postgresql+psycopg2://", 1),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(af_home / "passwords.json"),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(health_port),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs this test triggers
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "CANHBAO_HOME": str(home.root),
            "CANHBAO_CONFIG_DIR": str(cfg),
            "CANHBAO_SCAN__WORKERS": "1",
            "CANHBAO_SCAN__RETRIES": "0",  # a failure shows at once instead of after backoff
            "CANHBAO_SCAN__REGISTRY_WATCH_DIR": str(inbox),
            "OMP_THREAD_LIMIT": "1",
            "HF_HUB_OFFLINE": "1",
            **state_env,
            **(extra_env(dsn) if extra_env else {}),
        }
        airflow = Airflow(base, env, extra_procs)
        try:
            airflow.start()
            api = Api(f"http://127.0.0.1:{api_port}")
            _wait("the api-server", lambda: api.call("GET", "/api/v2/version", auth=False)[0] == 200, 240, airflow)
            api.login(USER, PASSWORD)
            yield {
                "state": state_env,
                "home": home,
                "cfg": cfg,
                "inbox": inbox,
                "api": api,
                "airflow": airflow,
                "health": f"http://127.0.0.1:{health_port}/health",
                "airflow_dsn": dsn,
                "base": base,
            }
        finally:
            airflow.stop()


def _run_dag(world, dag_id: str, body: dict, timeout: float) -> dict:
    api, airflow = world["api"], world["airflow"]
    _wait(f"{dag_id} to be parsed", lambda: api.call("GET", f"/api/v2/dags/{dag_id}")[0] == 200, 240, airflow)
    status, _ = api.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
    assert status == 200
    status, run = api.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)
    assert status in (200, 201), (status, run)
    run_id = run["dag_run_id"]

    def finished():
        _, state = api.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
        return state if state.get("state") in ("success", "failed") else None

    final = _wait(f"{dag_id} run {run_id}", finished, timeout, airflow, step=3)
    _, tis = api.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
    states = {
        (t["task_id"], t.get("rendered_map_index") or t["map_index"]): t["state"] for t in tis.get("task_instances", [])
    }
    assert final["state"] == "success", f"{dag_id}: {states}\n{airflow.logs()}"
    return {"run": final, "tasks": states}


def _alerts(world):
    from canhbao.index import open_store
    from canhbao.index.base import AlertQuery

    old = os.environ.get("CANHBAO_CONFIG_DIR")
    os.environ["CANHBAO_CONFIG_DIR"] = str(world["cfg"])
    try:
        with open_store(world["home"]) as store:
            return store.search(AlertQuery(limit=1000))
    finally:
        if old is None:
            del os.environ["CANHBAO_CONFIG_DIR"]
        else:
            os.environ["CANHBAO_CONFIG_DIR"] = old


def test_nightly_scan_and_manual_registry_sync_through_the_rest_api(world):
    from canhbao.demo.content import POSTS
    from canhbao.testing.samples import load_seeds

    api = world["api"]
    with urllib.request.urlopen(world["health"], timeout=10) as resp:  # what the compose healthcheck curls
        assert resp.status == 200
    status, _ = api.call(
        "POST", "/api/v2/pools", {"name": "canhbao_crawl", "slots": 2, "description": "concurrent source crawls"}
    )
    assert status in (200, 201, 409)

    nightly = _run_dag(
        world, "canhbao_nightly_scan", {"logical_date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, 900
    )
    crawls = {key[1] for key in nightly["tasks"] if key[0] == "crawl_source"}
    assert crawls == {p.feed for p in POSTS}, crawls  # mapped crawls are named by their source
    alerts = _alerts(world)
    got = {(a.post_key, a.type) for a in alerts}
    planted = {(f"{p.feed}:{p.post_id}", "leak") for p in POSTS if "leak" in p.expect}
    assert planted <= got, planted - got
    assert ("kenh_tin_nhanh:42", "leak") not in got  # letter 004 is not registered yet
    assert len({a.id for a in alerts}) == len(alerts)
    summaries = [p.name for p in world["home"].scans.glob("airflow-*.json")]
    assert summaries and not any("None" in n for n in summaries), summaries
    mapped = {stage: [k for k in nightly["tasks"] if k[0] == stage] for stage in ("ocr_batch", "detect_batch")}
    if world["state"]["CANHBAO_STATE__BACKEND"] == "postgresql":
        from canhbao.pipeline.workqueue import WorkQueue

        batches = {stage: WorkQueue().batches(stage) for stage in ("media", "detect")}
        # one mapped task instance per planned batch, every batch done by one of them
        assert len(mapped["ocr_batch"]) == len(batches["media"]) >= 1, (mapped, batches["media"])
        assert len(mapped["detect_batch"]) == len(batches["detect"]) > 1, (mapped, batches["detect"])
        assert all(b["done"] for stage in batches.values() for b in stage)
        from canhbao.core.posts import PostStore
        from canhbao.pipeline.stages import ledger_for

        stored = PostStore(world["home"].posts_db).count()
        # every crawled post analysed by exactly one mapped batch, and nothing left for the sweep after them
        assert sum(b["result"]["items"] for b in batches["detect"]) == stored == len(POSTS)
        assert ledger_for(world["home"]).counts()["analysed"] == stored
    else:
        assert len(mapped["ocr_batch"]) == len(mapped["detect_batch"]) == 1  # SQLite: one no-op task each

    # the document-management system exports letter 004; a manual trigger carries no logical date
    seed = next(s for s in load_seeds() if s.name.startswith("004"))
    (world["inbox"] / seed.path.name).write_bytes(seed.path.read_bytes())
    sync = _run_dag(world, "canhbao_registry_sync", {"logical_date": None}, 600)
    assert sync["run"].get("logical_date") is None
    got = {(a.post_key, a.type) for a in _alerts(world)}
    assert ("kenh_tin_nhanh:42", "leak") in got  # found by the retro-hunt over posts already collected
