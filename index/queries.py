"""AlertQuery -> search-server query DSL, shared by OpenSearch and Elasticsearch. Pure, unit-tested.

Full text runs over the text fields and their `.folded` subfields (asciifolding), every word required
somewhere (as the SQLite store does), so "bo y te" and "Bộ Y tế" find the same alerts.
"""

from __future__ import annotations

from typing import Any

from canhbao.core.errors import CanhbaoError
from canhbao.core.text import words
from canhbao.index.base import AlertQuery
from canhbao.index.documents import iso

TEXT_FIELDS = ("masked_text", "summary", "document_subject", "notes")
SEARCH_FIELDS = tuple(f for name in TEXT_FIELDS for f in (name, f"{name}.folded")) + ("document_number",)
COUNT_FIELDS = (
    "type",
    "status",
    "platform",
    "source",
    "assignee",
    "document_number",
    "claim_ids",
    "pii_types",
    "media_sha256",
    "detector",
)
SORTS = {
    "-captured_at": ("captured_at", "desc"),
    "captured_at": ("captured_at", "asc"),
    "-score": ("score", "desc"),
    "score": ("score", "asc"),
    "-updated_at": ("updated_at", "desc"),
}


def query_clause(q: AlertQuery) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    for name in ("status", "type", "source", "platform"):
        values = list(getattr(q, name))
        if values:
            filters.append({"terms": {name: values}})
    if q.since is not None or q.until is not None:
        rng: dict[str, str] = {}
        if q.since is not None:
            rng["gte"] = iso(q.since)
        if q.until is not None:
            rng["lt"] = iso(q.until)
        filters.append({"range": {"captured_at": rng}})
    if q.min_score:
        filters.append({"range": {"score": {"gte": q.min_score}}})
    if q.document_number:
        filters.append({"term": {"document_number": q.document_number}})
    if q.assignee:
        filters.append({"term": {"assignee": q.assignee}})
    if q.claim_id:
        filters.append({"term": {"claim_ids": q.claim_id}})
    if q.id_prefix:
        filters.append({"prefix": {"id": q.id_prefix}})
    must = []
    terms = words(q.text)
    if terms:
        must.append(
            {
                "simple_query_string": {
                    "query": " ".join(terms),
                    "fields": list(SEARCH_FIELDS),
                    "default_operator": "and",
                    "flags": "NONE",
                }
            }
        )
    if not filters and not must:
        return {"match_all": {}}
    return {"bool": {"filter": filters, "must": must}}


def search_body(q: AlertQuery) -> dict[str, Any]:
    if q.sort not in SORTS:
        raise CanhbaoError(f"sort {q.sort!r}: expected one of {', '.join(SORTS)}")
    field, order = SORTS[q.sort]
    return {
        "query": query_clause(q),
        "sort": [{field: {"order": order}}, {"id": {"order": "asc"}}],
        "from": q.offset,
        "size": q.limit,
        "track_total_hits": False,
    }


def count_body(field_name: str, q: AlertQuery | None, size: int = 1000) -> dict[str, Any]:
    if field_name not in COUNT_FIELDS:
        raise CanhbaoError(f"count_by {field_name!r}: expected one of {', '.join(COUNT_FIELDS)}")
    return {
        "query": query_clause(q or AlertQuery()),
        "size": 0,
        "aggs": {"by": {"terms": {"field": field_name, "size": size}}},
    }


def counts(response: dict[str, Any]) -> dict[str, int]:
    buckets = response["aggregations"]["by"]["buckets"]
    pairs = {str(b["key"]): int(b["doc_count"]) for b in buckets}
    return dict(sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])))
