"""Cases: alerts grouped automatically by the document they leak or the claim they repeat, or by hand.

`auto_case` is pure (one alert -> the automatic case it belongs to); `sync` pages through the alert store
and records memberships, idempotently (case ids are deterministic, membership only grows).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from canhbao.console.store import Case, CaseStore
from canhbao.core.records import FAKE_NEWS, LEAK, Alert, utcnow

PAGE = 500
_last_sync: dict[str, float] = {}
_lock = threading.Lock()


def auto_case(alert: Alert, now: datetime | None = None) -> Case | None:
    f = alert.finding
    now = now or utcnow()
    if alert.type == LEAK and f.document is not None:
        label = f.document.numbers[0] if f.document.numbers else f.document.source
        title = f"{label} — {f.document.subject}" if f.document.subject else label
        return Case(
            id=f"doc-{f.document.id}",
            kind="document",
            key=f.document.id,
            title=title,
            created_at=now,
            created_by="canhbao",
            alert_ids=(alert.id,),
        )
    if alert.type == FAKE_NEWS and (f.target or f.claims):
        claim = next((c for c in f.claims if c.id == f.target), f.claims[0] if f.claims else None)
        key = f.target or (claim.id if claim is not None else "")  # no target: claims[0] exists
        title = claim.text if claim else key
        return Case(
            id=f"claim-{key}",
            kind="claim",
            key=key,
            title=title[:160],
            created_at=now,
            created_by="canhbao",
            alert_ids=(alert.id,),
        )
    return None


def sync(alerts: Any, cases: CaseStore, *, every_s: float = 30.0, key: str = "") -> int:
    """Record automatic cases for every leak and fake-news alert; at most once per `every_s` per key."""
    from canhbao.index import AlertQuery

    with _lock:
        if time.monotonic() - _last_sync.get(key, -1e9) < every_s:
            return 0
        _last_sync[key] = time.monotonic()
    grouped: dict[str, Case] = {}
    offset = 0
    while True:
        page = alerts.search(AlertQuery(type=(LEAK, FAKE_NEWS), limit=PAGE, offset=offset, sort="captured_at"))
        for alert in page:
            case = auto_case(alert)
            if case is not None:
                old = grouped.get(case.id)
                grouped[case.id] = case if old is None else replace(old, alert_ids=old.alert_ids + case.alert_ids)
        if len(page) < PAGE:
            break
        offset += PAGE
    for case in grouped.values():
        cases.put_case(case)
    return len(grouped)
