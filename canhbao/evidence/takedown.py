"""Takedown tracking: re-visit confirmed posts and record whether each is still up, removed or changed.

A check fetches the post URL (thin HTTP, recorded as WARC). Removed = 404/410 or a "content isn't
available" page; changed = the page answers but the captured post text is no longer on it (compared
after normalisation, with a SHA-256 of the page text kept); unreachable = no HTTP answer (never
counted as removed). Every check is a line in the alert's takedown log; a change of state also gets a
capture (WARC + screenshot), an event in the alert's history and an audit-log entry, with the time
elapsed since the alert was confirmed.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from canhbao.core.audit import AuditLog
from canhbao.core.home import Home
from canhbao.core.records import Alert, AlertEvent, Post, sha256_hex, utcnow
from canhbao.core.text import normalize
from canhbao.evidence.fetch import Fetched, fetch
from canhbao.evidence.settings import EvidenceSettings

UP, REMOVED, CHANGED, UNREACHABLE = "up", "removed", "changed", "unreachable"
_TAGS = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)


@dataclass(frozen=True)
class Check:
    alert_id: str
    at: str
    state: str
    http_status: int
    url: str
    text_sha256: str = ""
    note: str = ""
    since_confirmed_s: float | None = None  # seconds from confirmation to this check
    captures: tuple[str, ...] = ()  # files under the alert's takedown folder


def page_text(body: bytes) -> str:
    """Visible text of an HTML page (scripts and styles dropped), normalised for comparison."""
    text = _TAGS.sub(" ", body.decode("utf-8", "replace"))
    return normalize(htmllib.unescape(text), diacritics=False)


def classify(got: Fetched, post: Post | None, markers: tuple[str, ...]) -> tuple[str, str]:
    """(state, text sha256) of one fetch. Pure."""
    if not got.reachable:
        return UNREACHABLE, ""
    if got.status in (404, 410):
        return REMOVED, ""
    if got.status >= 500 or got.status == 429:
        return UNREACHABLE, ""  # the platform is struggling or throttling us: not evidence of removal
    text = page_text(got.body)
    if any(normalize(m, diacritics=False) in text for m in markers):
        return REMOVED, sha256_hex(text)
    if got.status >= 400:
        return UNREACHABLE, sha256_hex(text)
    wanted = normalize(post.text, diacritics=False) if post and post.text.strip() else ""
    if wanted and wanted[:500] not in text:
        return CHANGED, sha256_hex(text)
    return UP, sha256_hex(text)


def folder(home: Home, alert_id: str) -> Path:
    return home.evidence / "takedown" / alert_id


def checks(home: Home, alert_id: str) -> list[dict[str, Any]]:
    log = folder(home, alert_id) / "checks.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def confirmed_at(alert: Alert) -> datetime | None:
    times = [ev.at for ev in alert.history if ev.to_status == "confirmed"]
    return max(times) if times else None


def human(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    return f"{days}d {rest // 60:02d}:{rest % 60:02d}"


def check_alert(
    home: Home,
    store: Any,
    alert: Alert,
    post: Post | None,
    settings: EvidenceSettings,
    *,
    actor: str,
    renderer: Any = None,
    now: datetime | None = None,
) -> Check:
    """Check one alert; record its takedown log line and, on a change of state, capture and history."""
    now = now or utcnow()
    got = fetch(alert.post_url, timeout=settings.fetch_timeout_s, user_agent=settings.user_agent)
    state, digest = classify(got, post, settings.removed_markers)
    previous = (checks(home, alert.id) or [{}])[-1].get("state", "")  # "" = never checked
    confirmed = confirmed_at(alert)
    since = (now - confirmed).total_seconds() if confirmed else None
    note = f"HTTP {got.status}" if got.reachable else f"no answer: {got.error}"
    if state == REMOVED and confirmed is not None and since is not None:
        note += f"; removed {human(since)} after confirmation ({confirmed.isoformat()})"
    captures: tuple[str, ...] = ()
    if state != previous:
        captures = _capture(home, alert, got, state, now, renderer, settings)
    result = Check(alert.id, now.isoformat(), state, got.status, alert.post_url, digest, note, since, captures)
    _append(folder(home, alert.id) / "checks.jsonl", asdict(result))
    if state != previous:
        AuditLog(home.audit_log).append(
            "takedown.check",
            alert.id,
            actor=actor,
            state=state,
            previous=previous,
            http_status=got.status,
            since_confirmed_s=since,
            captures=list(captures),
        )
        store.record(
            alert.id,
            AlertEvent(
                at=now, actor=actor, action=f"takedown_{state}", note=f"{previous or 'first check'} -> {state}: {note}"
            ),
        )
    return result


def _capture(
    home: Home, alert: Alert, got: Fetched, state: str, now: datetime, renderer: Any, settings: EvidenceSettings
) -> tuple[str, ...]:
    from canhbao.core.atomic import write_bytes

    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    base, names = folder(home, alert.id), []
    if got.warc:
        write_bytes(base / f"{stamp}-{state}.warc.gz", got.warc)
        names.append(f"{stamp}-{state}.warc.gz")
    if renderer is not None and got.reachable:
        try:
            png = renderer.live(alert.post_url, timeout_s=settings.live_timeout_s)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not lose the check itself
            names.append(f"(screenshot failed: {exc})")
        else:
            write_bytes(base / f"{stamp}-{state}.png", png)
            names.append(f"{stamp}-{state}.png")
    return tuple(names)


def _append(path: Path, row: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()


def confirmed_alerts(store: Any, page: int = 500):
    """Every confirmed alert, paged so a large store is not loaded at once."""
    from canhbao.index.base import AlertQuery

    offset = 0
    while True:
        batch = store.search(AlertQuery(status=("confirmed",), limit=page, offset=offset))
        yield from batch
        if len(batch) < page:
            return
        offset += page


def check_all(
    home: Home, store: Any, settings: EvidenceSettings, alerts, *, actor: str, renderer: Any = None, on_error=None
):
    """Check each alert; a post that cannot be checked is reported through `on_error`, the rest go on."""
    from canhbao.core.errors import CanhbaoError, NotFound
    from canhbao.core.posts import PostStore

    posts = PostStore(home.posts_db)
    for alert in alerts:
        try:
            try:
                post = posts.get(alert.post_key)
            except NotFound:
                post = None  # still checkable by URL; "changed" then cannot be told from "up"
            yield check_alert(home, store, alert, post, settings, actor=actor, renderer=renderer)
        except (OSError, ValueError, CanhbaoError) as exc:  # one bad alert never stops the others
            if on_error is None:
                raise
            on_error(alert.id, exc)


def daily(home_root: str | None = None, *, screenshots: bool = True) -> dict[str, int]:
    """The daily takedown task (Airflow or cron): check every confirmed alert; counts per state.

    Takes and returns plain values so a DAG task can call it directly and push the counts to XCom.
    """
    from collections import Counter

    from canhbao.core.audit import current_actor
    from canhbao.evidence.browser import Renderer
    from canhbao.evidence.settings import load
    from canhbao.index import open_store

    home, cfg = Home.resolve(home_root), load()
    store = open_store(home)
    counts: Counter[str] = Counter()
    renderer = Renderer(width=cfg.viewport_width, max_height=cfg.max_screenshot_height) if screenshots else None
    try:
        for check in check_all(
            home,
            store,
            cfg,
            confirmed_alerts(store),
            actor=current_actor(),
            renderer=renderer,
            on_error=lambda _id, _exc: counts.update(["failed"]),
        ):
            counts[check.state] += 1
    finally:
        if renderer is not None:
            renderer.close()
        store.close()
    return dict(counts)
