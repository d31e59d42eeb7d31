"""Chain of custody: every capture, analysis, status change and export of one alert, with actor and time.

Sources, merged in time order: the post's capture, the alert's own history (stored with the alert),
and the hash-chained audit log entries for the alert (their `hash`/`prev` let anyone re-check them
against the deployment's audit log). The bundle's line for the export itself is added last.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable

from canhbao.core.audit import AuditEntry
from canhbao.core.records import Alert, Post


def iso(t: datetime | None) -> str:
    """ISO 8601 with an explicit offset; a naive time is taken as UTC (how the crawlers store them)."""
    if t is None:
        return ""
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).isoformat()


def entries(alert: Alert, post: Post | None, audit: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if post is not None:
        out.append({"at": iso(post.captured_at), "actor": f"crawler:{post.source}", "action": "captured",
                    "origin": "post",
                    "details": {"url": post.url, "warc": post.warc, "raw_html": post.raw_html}})
    f = alert.finding
    out.append({"at": iso(alert.created_at or alert.captured_at), "actor": f"detector:{f.detector}",
                "action": "analysed", "origin": "alert",
                "details": {"type": alert.type, "score": alert.score, "summary": f.summary}})
    for ev in alert.history:
        out.append({"at": iso(ev.at), "actor": ev.actor, "action": ev.action, "origin": "alert.history",
                    "details": {k: v for k, v in (("from", ev.from_status), ("to", ev.to_status),
                                                  ("note", ev.note)) if v}})
    for e in audit:
        out.append({"at": e.at, "actor": e.actor, "action": e.action, "origin": "audit_log",
                    "details": dict(e.details), "hash": e.hash, "prev": e.prev})
    out.sort(key=lambda d: _sort_key(d["at"]))
    return out


def _sort_key(at: str) -> datetime:
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def to_jsonl(items: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items).encode("utf-8")
