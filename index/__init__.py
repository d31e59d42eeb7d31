"""Alert and post stores behind one interface: SQLite (embedded default), OpenSearch, Elasticsearch.

`open_store(home)` picks the engine from `config/index.yaml` (env `CANHBAO_INDEX__ENGINE`, `__URL`, ...).
"""

from __future__ import annotations

from canhbao.core.audit import AuditLog
from canhbao.core.home import Home
from canhbao.index.base import AlertQuery, AlertStore, BulkResult
from canhbao.index.settings import IndexSettings, load

__all__ = ["AlertQuery", "AlertStore", "BulkResult", "IndexSettings", "open_store"]


def open_store(home: Home, settings: IndexSettings | None = None) -> AlertStore:
    """The configured store. Server engines are contacted at once: an unreachable server is a one-line
    CanhbaoError now, not a stack trace in the middle of a scan."""
    settings = settings or load()
    audit = AuditLog(home.audit_log)
    if settings.engine == "sqlite":
        from canhbao.index.sqlite_store import SqliteStore

        return SqliteStore(home.alerts_db, audit=audit)
    if settings.engine == "opensearch":
        from canhbao.index.opensearch_store import OpenSearchStore

        return OpenSearchStore(settings, audit=audit)
    from canhbao.index.elasticsearch_store import ElasticsearchStore

    return ElasticsearchStore(settings, audit=audit)
