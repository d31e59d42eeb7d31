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
        out.append(
            {
                "at": iso(post.captured_at),
                "actor": f"crawler:{post.source}",
                "action": "captured",
                "origin": "post",
                "details": {"url": post.url, "warc": post.warc, "raw_html": post.raw_html},
            }
        )
    f = alert.finding
    out.append(
        {
            "at": iso(alert.created_at or alert.captured_at),
            "actor": f"detector:{f.detector}",
            "action": "analysed",
            "origin": "alert",
            "details": {"type": alert.type, "score": alert.score, "summary": f.summary},
        }
    )
    for ev in alert.history:
        out.append(
            {
                "at": iso(ev.at),
                "actor": ev.actor,
                "action": ev.action,
                "origin": "alert.history",
                "details": {k: v for k, v in (("from", ev.from_status), ("to", ev.to_status), ("note", ev.note)) if v},
            }
        )
    for e in audit:
        out.append(
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "origin": "audit_log",
                "details": dict(e.details),
                "hash": e.hash,
                "prev": e.prev,
            }
        )
    out.sort(key=lambda d: _sort_key(d["at"]))
    return _merge_twins(out)


def _twin(history_action: str, audit_action: str) -> bool:
    """An alert-history event and the audit entry written for the same act ("confirmed" and
    "alert.confirmed", "exported" and "evidence.export", "takedown_up" and "takedown.check")."""
    if audit_action == f"alert.{history_action}":
        return True
    return (audit_action, history_action) == ("evidence.export", "exported") or (
        audit_action == "takedown.check" and history_action.startswith("takedown_")
    )


def _merge_twins(rows: list[dict[str, Any]], window_s: float = 10.0) -> list[dict[str, Any]]:
    """One row per act: the audit entry (it carries the chain hash) absorbs the history event written
    with it by the same actor within seconds; the event is kept inside it under `alert_history`."""
    audit = [r for r in rows if r["origin"] == "audit_log"]
    drop: set[int] = set()
    for i, row in enumerate(rows):
        if row["origin"] != "alert.history":
            continue
        at = _sort_key(row["at"])
        for twin in audit:
            if (
                twin["actor"] == row["actor"]
                and _twin(row["action"], twin["action"])
                and abs((_sort_key(twin["at"]) - at).total_seconds()) <= window_s
            ):
                twin["alert_history"] = {"at": row["at"], "action": row["action"], **row["details"]}
                twin["origin"] = "audit_log+alert.history"  # `details` stay exactly what `hash` covers
                drop.add(i)
                break
    return [r for i, r in enumerate(rows) if i not in drop]


def _sort_key(at: str) -> datetime:
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def to_jsonl(items: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items).encode("utf-8")
