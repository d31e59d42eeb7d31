"""Shared fixtures. Tests use real parts (Tesseract, Scrapy on 127.0.0.1, OpenSearch, embedding models);
fixtures build inputs from the seed letters or saved bytes, never from the internet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Test sites are served on 127.0.0.1: the fetch policy allows private addresses here, by setting.
# The hostile-source tests (tests/test_fetch_policy*.py) turn it off again.
os.environ.setdefault("CANHBAO_FETCH__ALLOW_PRIVATE", "true")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh data home for one test."""
    from canhbao.core.home import Home

    monkeypatch.setenv("CANHBAO_HOME", str(tmp_path / "home"))
    return Home.resolve(tmp_path / "home")


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """An empty configuration directory: tests write only the files they need."""
    d = tmp_path / "config"
    d.mkdir()
    monkeypatch.setenv("CANHBAO_CONFIG_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def seeds():
    from canhbao.testing.samples import load_seeds

    return load_seeds()


# --- evidence (issue 7) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence_world(tmp_path_factory, seeds):
    """A data home, a site on 127.0.0.1 and confirmed leak / PII / fake-news alerts in the alert store,
    built from real parts by `canhbao.testing.evidence_world`. Yields (home, site, store, {type: Case})."""
    from canhbao.core.home import Home
    from canhbao.testing import evidence_world as sample

    home = Home.resolve(tmp_path_factory.mktemp("evidence") / "home")
    store = _evidence_store(home)
    with sample.Site() as site:
        cases = {
            "leak": sample.leak_case(home, site, store, seeds[0]),
            "pii": sample.pii_case(home, site, store),
            "fake": sample.fake_case(home, site, store),
        }
        yield home, site, store, cases
    store.close()


def _evidence_store(home):
    from canhbao.index import open_store

    store = open_store(home)
    store.setup()
    return store


@pytest.fixture(scope="module")
def renderer():
    """One headless Chromium for a whole test module."""
    from canhbao.evidence.browser import Renderer

    with Renderer() as r:
        yield r


# --- alert index (issue 5) ----------------------------------------------------------------------------


def _index_engines():
    engines = ["sqlite", "opensearch"]
    if os.environ.get("CANHBAO_ES_URL"):
        engines.append("elasticsearch")
    return engines


@pytest.fixture(params=_index_engines())
def any_store(request, tmp_path):
    """A fresh, set-up alert store of each engine (own indices on the shared test node), audited to tmp_path."""
    from canhbao.core.audit import AuditLog

    audit = AuditLog(tmp_path / "audit.jsonl")
    if request.param == "sqlite":
        from canhbao.index.sqlite_store import SqliteStore

        store = SqliteStore(tmp_path / "alerts.sqlite", audit=audit)
    else:
        store = request.getfixturevalue("server_store_factory")(request.param, audit)
    store.setup()
    yield store
    store.close()


@pytest.fixture(scope="session")
def e5_embedder(tmp_path_factory):
    """The default embedding model (multilingual-e5-small, int8 on onnxruntime), loaded once, with a session cache."""
    from canhbao.embedding import EmbeddingSettings, load

    return load(EmbeddingSettings(), tmp_path_factory.mktemp("embedding-cache"))


@pytest.fixture(scope="session")
def opensearch_node(tmp_path_factory):
    """One real OpenSearch 2.x node on 127.0.0.1 for the whole session (scripts/opensearch_node.sh), killed at
    the end. Set CANHBAO_TEST_OPENSEARCH_URL to use a node that is already running instead."""
    from canhbao.testing.opensearch import TestNode

    url = os.environ.get("CANHBAO_TEST_OPENSEARCH_URL")
    if url:
        yield type("External", (), {"url": url})()
        return
    node = TestNode(tmp_path_factory.mktemp("opensearch")).start()
    yield node
    node.stop()


@pytest.fixture
def server_store_factory(request, tmp_path):
    """make(engine, audit, **settings) -> a store on the test node (or CANHBAO_ES_URL) with its own index
    prefix; its indices are deleted after the test."""
    import uuid

    from canhbao.index.settings import IndexSettings

    made = []

    def make(engine, audit=None, **overrides):
        if engine == "opensearch":
            from canhbao.index.opensearch_store import OpenSearchStore as cls

            url = request.getfixturevalue("opensearch_node").url
        else:
            from canhbao.index.elasticsearch_store import ElasticsearchStore as cls

            url = os.environ["CANHBAO_ES_URL"]
        overrides = {"retry_backoff_s": 0.2, **overrides}
        settings = IndexSettings(engine=engine, url=url, prefix=f"t{uuid.uuid4().hex[:10]}", **overrides)
        store = cls(settings, audit=audit)
        made.append(store)
        return store

    yield make
    for store in made:
        try:
            store.delete_all()
        except Exception:  # noqa: BLE001 - a test may have killed the node; its data dies with the session
            pass


# --- PostgreSQL (shared state, live Airflow) ----------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """One real PostgreSQL server on 127.0.0.1 for the whole session (canhbao.testing.postgres), stopped at
    the end. Tests create their own databases with `postgres_server.create_database(name)`."""
    import shutil
    import tempfile

    from canhbao.testing.postgres import PostgresServer

    # Under /tmp, not pytest's 0700 tree: as root the server runs as an unprivileged user that must reach it.
    base = Path(tempfile.mkdtemp(prefix="canhbao-pg-"))
    with PostgresServer(base) as server:
        yield server
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_state(postgres_server, monkeypatch):
    """A fresh database on the session's PostgreSQL server as the shared-state backend, set through the
    environment, so stores opened anywhere in the code under test (CLI, stages, child processes) use it."""
    import uuid

    from canhbao.core.state import StateSettings

    dsn = postgres_server.create_database(f"t{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "postgresql")
    monkeypatch.setenv("CANHBAO_STATE__DSN", dsn)
    return StateSettings(backend="postgresql", dsn=dsn)


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, monkeypatch):
    """Each shared-state backend (config/state.yaml) in turn: SQLite files in the data home, or `pg_state`."""
    from canhbao.core.state import StateSettings

    if request.param == "sqlite":
        monkeypatch.setenv("CANHBAO_STATE__BACKEND", "sqlite")
        return StateSettings()
    return request.getfixturevalue("pg_state")


# --- unit / integration markers ------------------------------------------------------------------------
# A test is `integration` when it uses a real part: a server, a browser, OCR, an embedding model, a crawl in a
# child process. Fixtures say so by name; modules whose tests call those parts directly are listed below.
# Everything else is `unit` (`make test-unit`).
INTEGRATION_FIXTURES = {
    "opensearch_node",
    "server_store_factory",
    "postgres_server",
    "renderer",
    "evidence_world",
    "e5_embedder",
}
INTEGRATION_MODULES = {
    "test_capture",
    "test_crawl_browser",
    "test_crawl_cli",
    "test_crawl_faults",
    "test_crawl_sites",
    "test_dags",
    "test_demo",
    "test_embedding_backends",
    "test_evidence_cli",
    "test_evidence_crawled",
    "test_evidence_export",
    "test_evidence_faults",
    "test_evidence_verify",
    "test_fakenews_classifier",
    "test_fakenews_matching",
    "test_fetch_policy_crawl",
    "test_import",
    "test_leak_detect",
    "test_media_reader",
    "test_registry_store",
    "test_retro_hunt",
    "test_scan_pipeline",
    "test_standalone",
    "test_takedown_check",
    "test_detector_contract",
    "test_console_browser",
    "test_notify",
    "test_blobs",
    "test_workers",
    "test_state_db",
    "test_airflow_live",
    "test_crawl_kill",
    "test_storage_errors",
    "test_celery_workers",
    "test_airflow_celery_live",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        real = (
            INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ()))
            or item.module.__name__.rsplit(".", 1)[-1] in INTEGRATION_MODULES
            or params.get("any_store", "sqlite") != "sqlite"
            or params.get("state", "sqlite") != "sqlite"
            or item.get_closest_marker("integration")
        )
        item.add_marker(pytest.mark.integration if real else pytest.mark.unit)
