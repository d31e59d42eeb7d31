"""Alerts and posts as index documents, and the analyst lifecycle. Pure: no I/O, unit-tested.

One document shape serves every store: SQLite keeps it as JSON beside a few indexed columns, the search
servers index it under `mappings/alerts.json`. Flat fields (document numbers, summary, closed) exist for
filters, aggregations and Kibana; `finding` and `history` ride along for a lossless round trip.
Only masked text is ever put in a document: a Post's `text` has no place here.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, overload

from canhbao.core import records
from canhbao.core.errors import CanhbaoError
from canhbao.core.records import Alert, AlertEvent, Finding, Post, to_dict

# Fields an analyst owns: a re-run of the scan never overwrites them.
ANALYST_FIELDS = ("status", "assignee", "notes", "history", "created_at")
# What `transition` writes in the history for each target status.
ACTIONS = {
    records.ACKNOWLEDGED: "acknowledged",
    records.CONFIRMED: "confirmed",
    records.DISMISSED: "dismissed",
    records.OPEN: "reopened",
}
CLOSED = (records.CONFIRMED, records.DISMISSED)


@lru_cache(maxsize=None)
def resource(name: str) -> dict[str, Any]:
    """A versioned JSON file shipped in `index/mappings/` (mappings, policies, saved searches)."""
    return json.loads(resources.files("canhbao.index").joinpath("mappings", name).read_text("utf-8"))


def mapping_version() -> int:
    return int(resource("alerts.json")["template"]["mappings"]["_meta"]["version"])


def utc(dt: datetime | None) -> datetime | None:
    """Aware UTC (naive input is taken as UTC), so ISO strings sort and compare in every store."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


@overload
def iso(dt: datetime) -> str: ...
@overload
def iso(dt: None) -> None: ...
def iso(dt: datetime | None) -> str | None:
    dt = utc(dt)
    return dt.isoformat(timespec="microseconds").replace("+00:00", "Z") if dt else None


def alert_doc(alert: Alert, evidence_url_template: str = "") -> dict[str, Any]:
    """Alert -> index document. With a template such as "https://evidence.local/alerts/{id}", an exported
    alert links to its evidence (a URL field Kibana shows as a link)."""
    f = alert.finding
    numbers = list(f.document.numbers) if f.document else []
    doc = {
        "id": alert.id,
        "type": alert.type,
        "score": float(alert.score),
        "source": alert.source,
        "platform": alert.platform,
        "post_id": alert.post_id,
        "post_url": alert.post_url,
        "author": alert.author,
        "captured_at": iso(alert.captured_at),
        "published_at": iso(alert.published_at),
        "masked_text": alert.masked_text,
        "summary": f.summary,
        "detector": f.detector,
        "target": f.target,
        "document_number": numbers,
        "document_id": f.document.id if f.document else "",
        "document_subject": f.document.subject if f.document else "",
        "claim_ids": [c.id for c in f.claims],
        "pii_types": sorted({e.type for e in f.entities}),
        "media_sha256": list(alert.media_sha256),
        "status": alert.status,
        "closed": alert.status in CLOSED,
        "assignee": alert.assignee,
        "notes": list(alert.notes),
        "created_at": iso(alert.created_at),
        "updated_at": iso(alert.updated_at),
        "history": [_event_doc(e) for e in alert.history],
        "finding": to_dict(f),
        "schema_version": mapping_version(),
    }
    if evidence_url_template and any(e.action == "exported" for e in alert.history):
        doc["evidence_url"] = evidence_url_template.format(id=alert.id)
    return doc


def _event_doc(event: AlertEvent) -> dict[str, Any]:
    return {**to_dict(event), "at": iso(event.at)}


def alert_from_doc(doc: Mapping[str, Any]) -> Alert:
    """Index document -> Alert (inverse of `alert_doc`)."""

    def dt(key: str) -> datetime | None:
        value = doc.get(key)
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    captured_at = dt("captured_at")
    if captured_at is None:  # every alert document has one (`alert_doc` writes it)
        raise CanhbaoError(f"alert document {doc.get('id', '?')}: no captured_at")

    return Alert(
        id=doc["id"],
        type=doc["type"],
        score=float(doc["score"]),
        source=doc["source"],
        platform=doc["platform"],
        post_id=doc["post_id"],
        post_url=doc["post_url"],
        captured_at=captured_at,
        finding=records.from_dict(Finding, doc["finding"]),
        masked_text=doc.get("masked_text", ""),
        author=doc.get("author", ""),
        published_at=dt("published_at"),
        media_sha256=tuple(doc.get("media_sha256", ())),
        status=doc["status"],
        assignee=doc.get("assignee", ""),
        notes=tuple(doc.get("notes", ())),
        created_at=dt("created_at"),
        updated_at=dt("updated_at"),
        history=tuple(
            records.from_dict(AlertEvent, {**e, "at": e["at"].replace("Z", "+00:00")}) for e in doc.get("history", ())
        ),
    )


def check_alert(alert: Alert) -> None:
    """Refuse an alert that would corrupt the index (raised as CanhbaoError naming the alert)."""
    problem = None
    if alert.type not in records.ALERT_TYPES:
        problem = f"unknown type {alert.type!r} (expected one of {', '.join(records.ALERT_TYPES)})"
    elif alert.status not in records.ALERT_STATUSES:
        problem = f"unknown status {alert.status!r}"
    elif not 0.0 <= float(alert.score) <= 1.0:
        problem = f"score {alert.score} outside 0..1"
    elif alert.captured_at is None:
        problem = "no captured_at"
    if problem:
        raise CanhbaoError(f"alert {alert.id}: {problem}")


def merge(new: Alert, old: Alert | None) -> Alert:
    """The alert to store when `new` comes from a (re-)run and `old` is what the store holds.

    Analyst state (status, assignee, notes, history, created_at) is kept; detection fields are refreshed,
    and a changed detection is noted once in the history so analysts see that the evidence moved.
    """
    if old is None:
        return new
    kept = {name: getattr(old, name) for name in ANALYST_FIELDS}
    merged = replace(new, **kept)
    if (new.score, new.masked_text, new.finding) != (old.score, old.masked_text, old.finding):
        actor = new.history[0].actor if new.history else "canhbao"
        at = new.updated_at or records.utcnow()
        merged = replace(
            merged,
            history=old.history
            + (AlertEvent(at=at, actor=actor, action="updated", note=f"score {old.score:.2f} -> {new.score:.2f}"),),
        )
    else:
        merged = replace(merged, updated_at=old.updated_at)
    return merged


def transition(alert: Alert, to_status: str, *, actor: str, note: str = "", now: datetime | None = None) -> Alert:
    """Move `alert` along records.TRANSITIONS; an invalid move is refused with a one-line reason."""
    allowed = records.TRANSITIONS.get(alert.status, ())
    if to_status not in allowed:
        raise CanhbaoError(
            f"alert {alert.id}: cannot go from {alert.status} to {to_status} (allowed: {', '.join(allowed) or 'none'})"
        )
    now = now or records.utcnow()
    event = AlertEvent(
        at=now, actor=actor, action=ACTIONS[to_status], note=note, from_status=alert.status, to_status=to_status
    )
    notes = alert.notes + (note,) if note else alert.notes
    return replace(alert, status=to_status, notes=notes, updated_at=now, history=alert.history + (event,))


def assign(alert: Alert, assignee: str, *, actor: str, note: str = "", now: datetime | None = None) -> Alert:
    now = now or records.utcnow()
    change = f"{alert.assignee or '-'} -> {assignee or '-'}" + (f": {note}" if note else "")
    event = AlertEvent(at=now, actor=actor, action="assigned", note=change)
    notes = alert.notes + (note,) if note else alert.notes
    return replace(alert, assignee=assignee, notes=notes, updated_at=now, history=alert.history + (event,))


def record(alert: Alert, event: AlertEvent) -> Alert:
    """Append an event; a `note` event also lands in the alert's notes."""
    notes = alert.notes + (event.note,) if event.action == "note" and event.note else alert.notes
    return replace(
        alert,
        notes=notes,
        updated_at=max(filter(None, (utc(alert.updated_at), utc(event.at)))),
        history=alert.history + (event,),
    )


def post_doc(post: Post, masked_text: str) -> dict[str, Any]:
    """Post -> posts-index document. `masked_text` is the PII detector's output; `post.text` never enters."""
    return {
        "key": post.key,
        "source": post.source,
        "platform": post.platform,
        "post_id": post.post_id,
        "post_url": post.url,
        "author": post.author,
        "captured_at": iso(post.captured_at),
        "published_at": iso(post.published_at),
        "masked_text": masked_text,
        "media_sha256": [m.sha256 for m in post.media if m.sha256],
        "engagement": {k: int(v) for k, v in post.engagement.items()},
    }
