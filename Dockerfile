# canhbao with Tesseract (Vietnamese), Chromium and fonts, on the official Airflow image so the same
# image runs the CLI, the Airflow scheduler/dag-processor/api-server and the LocalExecutor's tasks.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie poppler-utils fonts-noto-core fonts-dejavu-core chromium \
 && rm -rf /var/lib/apt/lists/*

USER airflow
WORKDIR /opt/canhbao
COPY --chown=airflow:root setup.cfg pyproject.toml README.md ./
COPY --chown=airflow:root canhbao ./canhbao
COPY --chown=airflow:root crawlers ./crawlers
COPY --chown=airflow:root detectors ./detectors
COPY --chown=airflow:root index ./index
COPY --chown=airflow:root config ./config
COPY --chown=airflow:root dags /opt/airflow/dags
RUN pip install --no-cache-dir -e . "apache-airflow==3.3.2"
# CeleryExecutor (deploy/compose.scale.yml): the provider and the Redis client
RUN pip install --no-cache-dir "apache-airflow-providers-celery" "redis"

ENV OMP_THREAD_LIMIT=1 \
    HF_HUB_OFFLINE=1 \
    CANHBAO_HOME=/data/canhbao \
    CANHBAO_CONFIG_DIR=/opt/canhbao/config
