"""When to notify, and only once: new alerts above a score per type, failed or partial scans, sources
that turn blocked, a daily digest. What was sent is remembered on the shared-state backend
(`<home>/notify/notify.sqlite`, or the shared PostgreSQL database), and each notification is claimed
before it is sent, so a re-run, or two schedulers on two machines, never repeat one; a notification that
no channel took is retried next run."""

from __future__ import annotations

import json
import logging
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from canhbao.core.errors import CanhbaoError
from canhbao.core.home import Home
from canhbao.core.records import ALERT_TYPES, utcnow
from canhbao.core.state import SharedState, StateSettings
from canhbao.notify import channels, messages
from canhbao.notify.messages import Message
from canhbao.notify.settings import NotifySettings

log = logging.getLogger("canhbao.notify")
CLAIM_TTL = timedelta(minutes=10)  # a claim older than this was left by a sender that died: claim it again


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)  # "<kind> via <channel>"
    failed: list[str] = field(default_factory=list)  # "<kind> via <channel>: <problem>"

    def merge(self, other: "Report") -> None:
        self.sent += other.sent
        self.failed += other.failed


def _stamp(t: datetime) -> str:
    return t.isoformat(timespec="microseconds")  # one width, so stored times compare as text


class State(SharedState):
    """What was notified, on the shared-state backend: `<home>/notify/notify.sqlite`, or the shared
    PostgreSQL database (revision 0006) so that schedulers on several machines never notify twice.

    A key is claimed before sending (`claim`), atomically: the insert that wins on the primary key is the
    only sender. After delivery it is marked `sent` (`done`), or released when every channel failed
    (`release`), so the next run retries it; a sender that died mid-send leaves a claim that may be taken
    again after CLAIM_TTL."""

    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,"
        " state TEXT NOT NULL DEFAULT 'sent');"
        "CREATE TABLE IF NOT EXISTS source_status (source TEXT PRIMARY KEY, status TEXT NOT NULL, run TEXT NOT NULL);"
    )

    def __init__(self, home: Home, *, state: StateSettings | None = None):
        super().__init__(home.root / "notify" / "notify.sqlite", state=state)
        if self.dialect == "sqlite":  # a file made before claims existed has no `state` column
            with closing(self._connect()) as db, db:
                if "state" not in {r[1] for r in db.execute("PRAGMA table_info(sent)")}:
                    db.execute("ALTER TABLE sent ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'")

    def seen(self, keys: Iterable[str]) -> set[str]:
        """Keys already sent or being sent under a live claim."""
        return self._select(keys, "state = 'sent' OR at >= ?", _stamp(utcnow() - CLAIM_TTL))

    def delivered(self, keys: Iterable[str]) -> set[str]:
        return self._select(keys, "state = 'sent'")

    def _select(self, keys: Iterable[str], cond: str, *args: str) -> set[str]:
        keys = list(keys)
        if not keys:
            return set()
        sql = f"SELECT key FROM sent WHERE key IN ({','.join('?' * len(keys))}) AND ({cond})"
        with closing(self._connect()) as db, db:
            return {r[0] for r in db.execute(sql, [*keys, *args]).fetchall()}

    def claim(self, keys: Iterable[str], kind: str) -> list[str]:
        """The keys this process now holds, in order: new ones, and claims older than CLAIM_TTL."""
        now, wanted, won = utcnow(), list(dict.fromkeys(keys)), set()
        with closing(self._connect()) as db, db:
            for key in sorted(wanted):  # one lock order for every claimer: no deadlock between two of them
                cur = db.execute(
                    "INSERT INTO sent(key, at, kind, state) VALUES (?,?,?,'claimed') ON CONFLICT(key) DO UPDATE"
                    " SET at = excluded.at, kind = excluded.kind WHERE sent.state = 'claimed' AND sent.at < ?",
                    (key, _stamp(now), kind, _stamp(now - CLAIM_TTL)),
                )
                if cur.rowcount == 1:
                    won.add(key)
        return [k for k in wanted if k in won]

    def done(self, keys: Iterable[str], kind: str) -> None:
        """Mark sent (also keys nobody claimed: the failure callback and a forced digest send unclaimed)."""
        now = _stamp(utcnow())
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT INTO sent(key, at, kind, state) VALUES (?,?,?,'sent') ON CONFLICT(key) DO UPDATE"
                " SET at = excluded.at, kind = excluded.kind, state = 'sent'",
                [(k, now, kind) for k in keys],
            )

    def release(self, keys: Iterable[str]) -> None:
        with closing(self._connect()) as db, db:
            db.executemany("DELETE FROM sent WHERE key = ? AND state = 'claimed'", [(k,) for k in keys])

    def source_status(self, source: str) -> tuple[str, str]:
        with closing(self._connect()) as db, db:
            row = db.execute("SELECT status, run FROM source_status WHERE source=?", (source,)).fetchone()
        return (row[0], row[1]) if row else ("", "")

    def set_source_status(self, source: str, status: str, run: str) -> None:
        """Record a source's status in a crawl run; a run older than the one recorded never overwrites it."""
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO source_status(source, status, run) VALUES (?,?,?) ON CONFLICT(source) "
                "DO UPDATE SET status=excluded.status, run=excluded.run WHERE excluded.run > source_status.run",
                (source, status, run),
            )


def deliver(msg: Message, settings: NotifySettings) -> Report:
    """Send on every enabled channel; one channel failing does not stop the others."""
    report = Report()
    c = settings.channels
    senders: list[tuple[str, Callable[[], None]]] = []
    if c.email.enabled:
        senders.append(("email", lambda: channels.send_email(msg, c.email)))
    if c.webhook.enabled:
        senders.append(("webhook", lambda: channels.send_webhook(msg, c.webhook)))
    if c.telegram.enabled:
        senders.append(("telegram", lambda: channels.send_telegram(msg, c.telegram)))
    for name, send in senders:
        try:
            send()
            report.sent.append(f"{msg.kind} via {name}")
        except CanhbaoError as exc:
            log.warning("notification %s via %s failed: %s", msg.kind, name, exc)
            report.failed.append(f"{msg.kind} via {name}: {exc}")
    return report


def _send_claimed(state: State, keys: list[str], msg: Message, settings: NotifySettings) -> Report:
    """Deliver what this process claimed: marked sent if at least one channel took it, else released (the
    next run retries). A crash here leaves the claim to expire (CLAIM_TTL)."""
    try:
        report = deliver(msg, settings)
    except BaseException:
        state.release(keys)
        raise
    if report.sent:
        state.done(keys, msg.kind)
    else:
        state.release(keys)
    return report


def _send_once(state: State, key: str, msg: Message, settings: NotifySettings) -> Report:
    """Claim `key`, then send; if another process holds it (or sent it), there is nothing to do here."""
    if not state.claim([key], msg.kind):
        return Report()
    return _send_claimed(state, [key], msg, settings)


def console_url(settings: NotifySettings) -> str:
    if settings.console_url:
        return settings.console_url
    try:
        from canhbao.console.settings import load

        return load().base_url
    except CanhbaoError:
        return ""


def new_alerts(
    home: Home, store: Any, settings: NotifySettings, state: State, *, now: datetime | None = None
) -> Report:
    from canhbao.index import AlertQuery

    now = now or utcnow()
    since = now - timedelta(hours=settings.rules.new_alert_lookback_h)
    fresh = []
    for kind, min_score in settings.rules.new_alert.items():
        found = store.search(
            AlertQuery(type=(kind,), status=("open",), min_score=min_score, since=since, sort="-score", limit=500)
        )
        fresh += found
    keys = {f"alert:{a.id}": a for a in fresh}
    seen = state.seen(keys)
    won = state.claim([k for k in keys if k not in seen], "new_alerts")
    if not won:
        return Report()
    try:
        todo = [keys[k] for k in won]
        msg = messages.new_alerts(todo, console_url(settings), settings.lang, settings.rules.max_alerts_per_message)
    except BaseException:
        state.release(won)
        raise
    return _send_claimed(state, won, msg, settings)


def scans(home: Home, settings: NotifySettings, state: State, *, now: datetime | None = None) -> Report:
    now = now or utcnow()
    report = Report()
    for path in sorted(home.scans.glob("*.json"))[-20:]:
        try:
            record = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable scan record (%s)", path, exc)
            continue
        verdict = scan_verdict(record, now, settings.rules.scan_stale_h)
        if (
            verdict is None
            or (verdict == "failed" and not settings.rules.scan_failed)
            or (verdict == "partial" and not settings.rules.scan_partial)
        ):
            continue
        key = f"scan:{record.get('id')}:{verdict}"
        if state.seen([key]):
            continue
        reason = "still running after %sh" % settings.rules.scan_stale_h if verdict == "failed" else ""
        msg = messages.scan_problem(record, verdict == "failed", settings.lang, reason)
        report.merge(_send_once(state, key, msg, settings))
    return report


def scan_verdict(record: dict[str, Any], now: datetime, stale_h: float) -> str | None:
    """failed: still running long after it started; partial: finished with stage errors or a bad crawl."""
    if record.get("status") != "done":
        try:
            started = datetime.fromisoformat(record.get("started_at", ""))
        except ValueError:
            return None
        return "failed" if now - started > timedelta(hours=stale_h) else None
    for st in (record.get("stages") or {}).values():
        if st.get("errors"):  # the crawl stage lists every source that was not ok here
            return "partial"
    return None


def sources(home: Home, settings: NotifySettings, state: State) -> Report:
    report = Report()
    runs = sorted((home.crawl_state / "runs").glob("*.json"))[-50:]
    for path in runs:
        try:
            run = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable crawl report (%s)", path, exc)
            continue
        run_id = str(run.get("run_id", path.stem))
        for src in run.get("sources", ()):
            name, status = str(src.get("source", "")), str(src.get("status", ""))
            previous, last_run = state.source_status(name)
            if last_run and last_run >= run_id:
                continue
            if status == "blocked" and previous != "blocked" and settings.rules.source_blocked:
                kinds = sorted({str(b).split()[0] for b in src.get("blocks", ()) if str(b).strip()})
                msg = messages.source_blocked(name, str(src.get("platform", "")), kinds, run_id, settings.lang)
                sent = _send_once(state, f"blocked:{name}:{run_id}", msg, settings)
                report.merge(sent)
                if not sent.sent and not state.delivered([f"blocked:{name}:{run_id}"]):
                    continue  # not delivered (or still being sent elsewhere): keep the previous status
            state.set_source_status(name, status, run_id)
    return report


def daily_digest(
    store: Any, settings: NotifySettings, state: State, *, now: datetime | None = None, force: bool = False
) -> Report:
    """Yesterday (local time) in numbers, once a day after `digest.hour`."""
    from canhbao.index import AlertQuery

    zone = ZoneInfo(settings.timezone)
    local = (now or utcnow()).astimezone(zone)
    if not settings.digest.enabled or (local.hour < settings.digest.hour and not force):
        return Report()
    day = (local - timedelta(days=1)).date()
    key = f"digest:{day.isoformat()}"
    if state.seen([key]) and not force:
        return Report()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    window = AlertQuery(since=start, until=start + timedelta(days=1))
    new = store.count_by("type", window)
    open_now = store.count_by("type", AlertQuery(status=("open", "acknowledged")))
    closed = {k: v for k, v in store.count_by("status", window).items() if k in ("confirmed", "dismissed")}
    msg = messages.digest(
        day.isoformat(),
        {t: new.get(t, 0) for t in ALERT_TYPES},
        {t: open_now.get(t, 0) for t in ALERT_TYPES},
        closed,
        console_url(settings),
        settings.lang,
    )
    if force:  # "send now, even if already sent": no claim to win
        report = deliver(msg, settings)
        if report.sent:
            state.done([key], msg.kind)
        return report
    return _send_once(state, key, msg, settings)


def run(
    home: Home, store: Any = None, settings: NotifySettings | None = None, *, now: datetime | None = None
) -> Report:
    """Every rule once: what the nightly DAG (or `canhbao notify run`) calls after a scan."""
    from canhbao.notify.settings import load

    settings = settings or load()
    report = Report()
    if not settings.any_channel:
        return report
    state = State(home)
    own = store is None
    if own:
        from canhbao.index import open_store

        store = open_store(home)
    try:
        report.merge(new_alerts(home, store, settings, state, now=now))
        report.merge(scans(home, settings, state, now=now))
        report.merge(sources(home, settings, state))
        report.merge(daily_digest(store, settings, state, now=now))
    finally:
        if own:
            store.close()
    return report


def notify_failure(
    context: Any = None, *, home: str | Path | None = None, settings: NotifySettings | None = None
) -> Report:
    """An Airflow `on_failure_callback`: one message naming the DAG, task and run, and the error's first
    line. Never raises (a broken notifier must not mask the task's own failure)."""
    from canhbao.notify.settings import load

    try:
        settings = settings or load()
        ctx = context or {}
        ti = ctx.get("task_instance") or ctx.get("ti")
        dag_id = getattr(ti, "dag_id", "") or str(getattr(ctx.get("dag"), "dag_id", "") or "")
        task_id = getattr(ti, "task_id", "") or ""
        run_id = str(ctx.get("run_id", "") or getattr(ti, "run_id", "") or "")
        error = ctx.get("exception")
        msg = messages.task_failure(
            dag_id or "?", task_id or "?", run_id, f"{type(error).__name__}: {error}" if error else "", settings.lang
        )
        report = deliver(msg, settings)
        if home is not None and report.sent:
            State(Home.resolve(home)).done([f"task:{dag_id}:{task_id}:{run_id}"], msg.kind)
        return report
    except Exception as exc:  # noqa: BLE001 - a callback must not raise
        log.warning("notify_failure: %s", exc)
        return Report(failed=[f"scan_failed: {exc}"])
