"""`metadata.json` of a bundle: pure function of the alert, the post and what was collected."""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

from canhbao import __version__
from canhbao.core.records import FAKE_NEWS, LEAK, PII_EXPOSURE, Alert, Post, to_dict
from canhbao.evidence.custody import iso

FORMAT = "canhbao-evidence/1"


def confirmed_at(alert: Alert) -> str:
    """When the alert was (last) confirmed as a violation; "" if it never was."""
    times = [ev.at for ev in alert.history if ev.to_status == "confirmed"]
    return iso(max(times)) if times else ""


def match(alert: Alert) -> dict[str, Any]:
    """What the post matches, by alert type: registry document, PII types, or fake-news claims."""
    f = alert.finding
    out: dict[str, Any] = {
        "detector": f.detector,
        "score": f.score,
        "summary": f.summary,
        "signals": to_dict(f.signals),
        "media_sha256": f.media_sha256,
    }
    if alert.type == LEAK and f.document is not None:
        d = f.document
        out["document"] = {
            "id": d.id,
            "source": d.source,
            "numbers": list(d.numbers),
            "subject": d.subject,
            "page": d.page,
        }
    elif alert.type == PII_EXPOSURE:
        kinds = Counter((e.type, e.category) for e in f.entities)
        out["pii_types"] = [{"type": t, "category": c, "count": n} for (t, c), n in sorted(kinds.items())]
    elif alert.type == FAKE_NEWS:
        out["claims"] = [to_dict(c) for c in f.claims]
    return out


def build(
    alert: Alert,
    post: Post | None,
    *,
    exported_at: str,
    actor: str,
    unmasked: bool,
    lang: str,
    fingerprint: str,
    files: Mapping[str, str],
    missing: list[str],
    withheld: list[str],
    live: Mapping[str, Any],
    takedown: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "alert": {
            "id": alert.id,
            "type": alert.type,
            "status": alert.status,
            "score": alert.score,
            "created_at": iso(alert.created_at),
            "confirmed_at": confirmed_at(alert),
            "assignee": alert.assignee,
        },
        "post": {
            "platform": alert.platform,
            "source": alert.source,
            "url": alert.post_url,
            "post_id": alert.post_id,
            "author": (post.author if post else "") or alert.author,
            "author_url": post.author_url if post else "",
            "published_at": iso((post.published_at if post else None) or alert.published_at),
            # as the page showed it, when published_at was derived from it ("3 giờ"): approximate
            "published_text": post.published_text if post else "",
            "captured_at": iso(post.captured_at if post else alert.captured_at),
            "engagement": dict(post.engagement) if post else {},
        },
        "match": match(alert),
        "export": {
            "at": exported_at,
            "actor": actor,
            "unmasked": unmasked,
            "lang": lang,
            "key_fingerprint": fingerprint,
            "tool": f"canhbao {__version__}",
        },
        "files": dict(sorted(files.items())),
        "missing": missing,
        "withheld": withheld,
        "live": dict(live),
        "takedown": [dict(t) for t in takedown],
    }
