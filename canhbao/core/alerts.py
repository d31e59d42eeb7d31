"""Finding + post -> alert. Pure: the same finding on the same post always makes the same alert id."""

from __future__ import annotations

from datetime import datetime

from canhbao.core.records import Alert, AlertEvent, Finding, Post, alert_id, utcnow


def alert_from_finding(
    post: Post, finding: Finding, masked_text: str, *, now: datetime | None = None, actor: str = "canhbao"
) -> Alert:
    """`masked_text` must already be masked (the pii detector's `masked_text`); the raw text never enters an alert."""
    now = now or utcnow()
    media = (finding.media_sha256,) if finding.media_sha256 else tuple(m.sha256 for m in post.media if m.sha256)
    return Alert(
        id=alert_id(finding.type, post.key, finding.target),
        type=finding.type,
        score=round(float(finding.score), 4),
        source=post.source,
        platform=post.platform,
        post_id=post.post_id,
        post_url=post.url,
        captured_at=post.captured_at,
        published_at=post.published_at,
        author=post.author,
        finding=finding,
        masked_text=masked_text,
        media_sha256=media,
        created_at=now,
        updated_at=now,
        history=(AlertEvent(at=now, actor=actor, action="created", to_status="open"),),
    )
