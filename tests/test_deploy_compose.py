"""docker compose cannot run here, so the compose file is checked for consistency with the code instead."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_all_services_present_with_health_checks():
    services = _compose()["services"]
    for name in ("postgres", "elasticsearch", "kibana", "airflow-apiserver", "airflow-scheduler",
                 "airflow-dag-processor", "airflow-init"):
        assert name in services, name
    for name, svc in services.items():
        if name != "airflow-init":
            assert "healthcheck" in svc and svc["healthcheck"]["test"], name


def test_airflow_uses_canhbao_image_local_executor_and_postgres():
    services = _compose()["services"]
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor"):
        svc = services[name]
        env = svc["environment"]
        assert svc["image"] == "canhbao:latest" and svc["build"] == "."
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
        assert env["CANHBAO_HOME"] == "/data/canhbao"
        assert any(v.startswith("canhbao-data:") for v in svc["volumes"])
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_env_vars_match_the_code_settings():
    """Every CANHBAO_<AREA>__<KEY> in compose must name a real settings field, so a typo fails here."""
    import dataclasses

    from canhbao.pipeline.settings import ScanSettings

    env = _compose()["services"]["airflow-scheduler"]["environment"]
    scan_keys = {k.split("__", 1)[1].lower() for k in env if k.startswith("CANHBAO_SCAN__")}
    assert scan_keys <= {f.name for f in dataclasses.fields(ScanSettings)}
    index_keys = {k.split("__", 1)[1].lower() for k in env if k.startswith("CANHBAO_INDEX__")}
    from canhbao.index.settings import IndexSettings

    assert index_keys <= {f.name for f in dataclasses.fields(IndexSettings)}
    assert env["CANHBAO_INDEX__ENGINE"] in ("elasticsearch", "opensearch", "sqlite")


def test_secrets_come_from_env_file_and_are_documented():
    text = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    for var in set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text)):
        assert f"{var}=" in example, f"{var} used in docker-compose.yml but missing from .env.example"


def test_dockerfile_installs_tesseract_vietnamese_and_the_project():
    text = (ROOT / "Dockerfile").read_text()
    assert "tesseract-ocr-vie" in text and "pip install" in text and "apache-airflow==" in text
