"""The scale-out overlay (deploy/compose.scale.yml): validated by Debian's docker-compose (`config`), then
checked for consistency with the code — no Docker daemon runs here."""

from __future__ import annotations

import configparser
import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def merged():
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose (Debian package) not installed")
    out = subprocess.run(
        [
            "docker-compose",
            "--env-file",
            ".env.example",
            "-f",
            "docker-compose.yml",
            "-f",
            "deploy/compose.scale.yml",
            "--profile",
            "scale",
            "config",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "is not set" not in out.stderr, out.stderr  # every secret is documented in .env.example
    return yaml.safe_load(out.stdout)["services"]


def test_base_file_alone_is_unchanged_by_the_overlay():
    out = (
        subprocess.run(
            ["docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config", "--services"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if shutil.which("docker-compose")
        else pytest.skip("docker-compose not installed")
    )
    assert out.returncode == 0 and "redis" not in out.stdout.split() and "es02" not in out.stdout.split()


def test_celery_with_redis_and_n_workers(merged):
    for name in ("airflow-scheduler", "airflow-apiserver", "airflow-worker", "airflow-init"):
        env = merged[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert (
            env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
            and "@redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
        )
        assert env["CANHBAO_STATE__BACKEND"] == "postgresql" and env["CANHBAO_STORAGE__BACKEND"] == "s3"
    worker = merged["airflow-worker"]
    assert worker["command"] == "celery worker" and worker["deploy"]["replicas"] == 2
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "healthcheck" in merged["redis"] and "--requirepass" in merged["redis"]["command"]
    assert "canhbao db upgrade" in merged["airflow-init"]["command"]
    # The image installs the `airflow` extra, which brings the CeleryExecutor's provider and the Redis client.
    assert '-e ".[airflow]"' in (ROOT / "Dockerfile").read_text()
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    extra = cfg["options.extras_require"]["airflow"]
    assert "apache-airflow-providers-celery" in extra and "celery[redis]" in extra


def test_three_node_elasticsearch_cluster(merged):
    nodes = {merged[n]["environment"]["node.name"]: merged[n] for n in ("elasticsearch", "es02", "es03")}
    assert sorted(nodes) == ["es01", "es02", "es03"]
    for node in nodes.values():
        env = node["environment"]
        assert env["cluster.initial_master_nodes"] == "es01,es02,es03" and env["discovery.type"] == "multi-node"
        assert env["xpack.security.transport.ssl.enabled"] == "true"
        assert node["depends_on"]["es-certs"]["condition"] == "service_completed_successfully"
    env = merged["airflow-scheduler"]["environment"]
    assert env["CANHBAO_INDEX__SHARDS"] == "3" and env["CANHBAO_INDEX__REPLICAS"] == "1"


def test_env_keys_name_real_settings(merged):
    """CANHBAO_<AREA>__<KEY>[__<SUB>] in the overlay must name real fields, so a typo fails here."""
    from canhbao.core.blobs import StorageSettings
    from canhbao.core.state import StateSettings
    from canhbao.index.settings import IndexSettings

    areas = {"STATE": StateSettings, "STORAGE": StorageSettings, "INDEX": IndexSettings}
    env = merged["airflow-worker"]["environment"]
    for key in env:
        parts = key.split("__")
        if parts[0].startswith("CANHBAO_") and parts[0][8:] in areas and len(parts) > 1:
            schema = areas[parts[0][8:]]
            for part in parts[1:]:
                fields = {f.name: f for f in dataclasses.fields(schema)}
                assert part.lower() in fields, key
                schema = (
                    fields[part.lower()].default_factory if callable(fields[part.lower()].default_factory) else None
                )
