"""Settings of the index area (`config/index.yaml`, env `CANHBAO_INDEX__<KEY>`, e.g. `CANHBAO_INDEX__URL`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from canhbao.core import config


@dataclass(frozen=True)
class IndexSettings:
    # sqlite: embedded, no server (the default); opensearch / elasticsearch: a search server at `url`.
    engine: Literal["sqlite", "opensearch", "elasticsearch"] = "sqlite"
    url: str = "http://127.0.0.1:9200"
    username: str = ""
    password: str = ""
    api_key: str = ""  # Elasticsearch API key (base64 "id:key"); takes precedence over username/password
    verify_certs: bool = True
    ca_certs: str = ""
    prefix: str = "canhbao"  # indices are <prefix>-alerts-NNNNNN and <prefix>-posts-NNNNNN
    timeout_s: float = 30.0
    retries: int = 3  # attempts per bulk item that failed for a transient reason (node down, 429, 503)
    retry_backoff_s: float = 1.0  # doubled after each attempt
    shards: int = 1
    bulk_chunk: int = 500  # alerts per bulk request
    bulk_threads: int = 1  # bulk requests in flight at once (config/index.yaml sets the measured best)
    bulk_pause_refresh_at: int = 5000  # an upsert this large runs with refresh_interval -1
    replicas: int = 0
    rollover_max_age: str = "30d"  # a new backing index per month...
    rollover_max_size: str = "10gb"  # ...or earlier when the primary shard grows past this
    retention: str = "730d"  # indices older than this are deleted by ILM / ISM (two years)
    # Link shown in Kibana for alerts with exported evidence, e.g. "https://evidence.local/alerts/{id}".
    evidence_url_template: str = ""

    def validate(self) -> None:
        bad = ' "*\\<|,>/?'
        if not self.prefix or self.prefix != self.prefix.lower() or any(c in self.prefix for c in bad):
            raise ValueError(f"prefix {self.prefix!r} must be a lower-case index name without {bad}")
        if self.engine != "sqlite" and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url {self.url!r} must start with http:// or https://")
        if self.bulk_chunk < 1 or self.bulk_threads < 1 or self.bulk_pause_refresh_at < 1:
            raise ValueError("bulk_chunk, bulk_threads and bulk_pause_refresh_at must be at least 1")
        if self.retries < 1 or self.timeout_s <= 0 or self.retry_backoff_s < 0:
            raise ValueError("retries must be at least 1 and timeout_s positive")


def load() -> IndexSettings:
    return config.load("index", IndexSettings)
