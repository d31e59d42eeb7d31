"""Captured or imported posts -> media read -> detection -> alerts -> index, as a scan does, plus a
`manual_capture` alert per post when the analyst asked for one (capture always does), so a post found by
hand has an alert, and so a signed evidence bundle, even when no detector fires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from canhbao.capture.provenance import Provenance
from canhbao.core.alerts import alert_from_finding
from canhbao.core.audit import AuditLog
from canhbao.core.home import Home
from canhbao.core.records import MANUAL_CAPTURE, PII_EXPOSURE, Alert, Finding, Post, to_dict


@dataclass(frozen=True)
class Ingested:
    posts: tuple[str, ...]  # post keys
    alerts: tuple[Alert, ...]
    errors: tuple[str, ...] = ()


def manual_alert(post: Post, prov: Provenance, masked_text: str, related: Sequence[Alert]) -> Alert:
    """The analyst's own alert for a post. Pure. `personal_data` tells evidence export to treat its raw
    captures like a PII alert's (withheld from a masked export) when the post exposes someone."""
    summary = f"{prov.method} by {prov.actor} on {prov.machine}" + (f": {prov.note}" if prov.note else "")
    finding = Finding(
        type=MANUAL_CAPTURE,
        detector="analyst",
        score=1.0,
        summary=summary[:300],
        signals={
            "provenance": to_dict(prov),
            "detector_alerts": [a.id for a in related],
            "personal_data": any(a.type == PII_EXPOSURE for a in related),
        },
    )
    return alert_from_finding(post, finding, masked_text, now=prov.at, actor=prov.actor)


def ingest(
    home: Home,
    posts: Sequence[Post],
    prov: Provenance | Mapping[str, Provenance],
    *,
    manual: bool,
    store: Any = None,
    analyzer: Any = None,
) -> Ingested:
    """Analyse `posts` (already in the post store) and raise, record and index their alerts.
    `prov` is one provenance for all, or one per post key (imports: when each item was collected)."""
    from canhbao.pipeline import stages

    media = stages.media_stage(home, posts, workers=1, progress=False)
    if analyzer is None:
        from canhbao.pipeline.analyze import Analyzer

        analyzer = Analyzer.from_home(home)
    ledger = stages.ledger_for(home)
    audit = AuditLog(home.audit_log)
    out: list[Alert] = []
    for post in posts:
        p = prov[post.key] if isinstance(prov, Mapping) else prov  # a post without provenance is a caller's bug
        texts = ledger.media_texts(m.sha256 for m in post.media if m.sha256)
        analysis = analyzer.analyze_post(post, [texts[m.sha256] for m in post.media if m.sha256 in texts])
        alerts = stages.alerts_for(analysis)
        if manual:
            pii = analysis.reports.get("pii")
            masked = str(pii.section.get("masked_text", "")) if pii is not None else ""
            alerts.append(manual_alert(post, p, masked, alerts))
        ledger.commit_batch([post], alerts)
        details = {
            "provenance": to_dict(p),
            "post": post.key,
            "url": post.url,
            "warc": post.warc,
            "raw": post.raw_html,
            "media": [m.sha256 for m in post.media if m.sha256],
        }
        action = p.method.split(":")[0] + ".recorded"
        audit.append(action, post.key, actor=p.actor, **details)
        for alert in alerts:  # so each alert's chain of custody names who captured its post
            audit.append(action, alert.id, actor=p.actor, **details)
        out += alerts
    index = stages.index_stage(home, store, progress=False)
    errors = tuple(media.errors) + tuple(index.errors)
    return Ingested(tuple(p.key for p in posts), tuple(out), errors)
