"""`canhbao alerts list|show|ack|confirm|dismiss|reopen|assign|note`: the analyst workflow, on any store."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone

from canhbao.core.audit import current_actor
from canhbao.core.errors import CanhbaoError, InputError
from canhbao.core.home import Home
from canhbao.core.records import ALERT_STATUSES, ALERT_TYPES, AlertEvent, to_dict, utcnow
from canhbao.core.text import for_terminal, json_for_terminal

MAX_AGE = timedelta(days=100 * 365)  # `--since 999999d` would overflow datetime
MOVES = {"ack": "acknowledged", "confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}
CLOSE_REASONS = ("violation", "false_positive", "duplicate", "out_of_scope")
MIN_PREFIX = 4


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="review alerts: list, show, ack, confirm, dismiss, assign, note")
    acts = p.add_subparsers(dest="alerts_command", metavar="ACTION")
    acts.required = True
    ls = acts.add_parser("list", help="list alerts, newest first")
    ls.add_argument("--status", action="append", choices=ALERT_STATUSES, help="repeatable")
    ls.add_argument("--type", action="append", choices=ALERT_TYPES, help="repeatable")
    ls.add_argument("--since", help="ISO date/time, or an age such as 24h, 7d")
    ls.add_argument("--query", default="", help="full text over the masked text (diacritics optional)")
    ls.add_argument("--assignee", default="")
    ls.add_argument(
        "--sort", default="-captured_at", choices=("-captured_at", "captured_at", "-score", "score", "-updated_at")
    )
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    ls.set_defaults(func=run_list)
    show = acts.add_parser("show", help="one alert with its finding and history")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=run_show)
    for name, status in MOVES.items():
        mv = acts.add_parser(name, help=f"mark one or more alerts {status} (ids or unique id prefixes)")
        mv.add_argument("ids", nargs="+", metavar="ID")
        mv.add_argument("--note", default="")
        if name in ("confirm", "dismiss"):
            mv.add_argument(
                "--reason", choices=CLOSE_REASONS, help="close reason (kept with the alert; shown in the console)"
            )
        mv.set_defaults(func=run_move, to_status=status)
    asg = acts.add_parser("assign", help="assign an alert to an analyst")
    asg.add_argument("id")
    asg.add_argument("assignee", help="analyst name ('' to unassign)")
    asg.add_argument("--note", default="")
    asg.set_defaults(func=run_assign)
    note = acts.add_parser("note", help="add a note to an alert")
    note.add_argument("id")
    note.add_argument("note")
    note.set_defaults(func=run_note)


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """'2026-11-01', '2026-11-01T08:00+07:00', or an age: '36h', '7d', '2w'."""
    if not value:
        return None
    units = {"h": "hours", "d": "days", "w": "weeks", "m": "minutes"}
    if value[-1] in units and value[:-1].isdigit():
        # At most 7 digits: no giant int to parse and no timedelta overflow before the bound is checked.
        age = timedelta(**{units[value[-1]]: int(value[:-1][-7:])})
        if len(value) > 8 or age > MAX_AGE:
            raise InputError(
                "--since", f"{value!r} reaches back more than {MAX_AGE.days // 365} years; give an ISO date instead"
            )
        return (now or utcnow()) - age
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--since", f"{value!r} is neither an ISO date nor an age like 24h or 7d") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _store(args: argparse.Namespace):
    from canhbao.index import open_store

    return open_store(Home.resolve(args.home))


def run_list(args: argparse.Namespace) -> int:
    from canhbao.index import AlertQuery

    query = AlertQuery(
        status=tuple(args.status or ()),
        type=tuple(args.type or ()),
        since=parse_since(args.since),
        text=args.query,
        assignee=args.assignee,
        sort=args.sort,
        limit=args.limit,
    )
    with _store(args) as store:
        alerts = store.search(query)
    for a in alerts:
        if args.json:
            print(json_for_terminal(json.dumps(to_dict(a), ensure_ascii=False)))
        else:
            what = a.finding.summary or (a.masked_text[:60] + ("…" if len(a.masked_text) > 60 else ""))
            print(
                for_terminal(
                    f"{a.id}  {a.status:12s}  {a.type:12s}  {a.score:.2f}  {_when(a.captured_at)}  "
                    f"{a.platform}/{a.source}  {a.assignee or '-'}  {what}",
                    newlines=False,
                )
            )
    return 0


def _when(dt) -> str:  # noqa: ANN001
    """Local time with its offset, in the deployment's zone (config/console.yaml `timezone`)."""
    from canhbao.console.i18n import local_time
    from canhbao.console.settings import load

    return local_time(dt, load().zone)


def run_show(args: argparse.Namespace) -> int:
    with _store(args) as store:
        alert = store.get(resolve_id(store, args.id))
    if args.json:
        print(json_for_terminal(json.dumps(to_dict(alert), ensure_ascii=False, indent=2)))
        return 0
    f = alert.finding
    lines = [
        f"alert     {alert.id}",
        f"type      {alert.type}  score {alert.score:.2f}  detector {f.detector}",
        f"status    {alert.status}  assignee {alert.assignee or '-'}",
        f"post      {alert.platform}/{alert.source}  {alert.post_url}",
        f"captured  {_when(alert.captured_at)}",
    ]
    if f.document:
        numbers = ", ".join(f.document.numbers) or "-"
        lines.append(f"document  {numbers}  {f.document.subject}  ({f.document.id[:12]})")
    if f.claims:
        lines += [f"claim     {c.tier} {c.similarity:.2f}  {c.text}" for c in f.claims]
    lines += [f"summary   {f.summary}", f"text      {alert.masked_text}"]
    lines += [f"note      {n}" for n in alert.notes]
    lines.append("history")
    for e in alert.history:
        move = f" {e.from_status}->{e.to_status}" if e.from_status else ""
        lines.append(f"  {_when(e.at)}  {e.actor}  {e.action}{move}  {e.note}".rstrip())
    print("\n".join(for_terminal(line) for line in lines))
    return 0


def resolve_id(store, given: str) -> str:  # noqa: ANN001
    """A full alert id, or a unique prefix of one (at least 4 characters), as `alerts list` shows them."""
    from canhbao.core.errors import NotFound
    from canhbao.index import AlertQuery

    given = given.strip().lower()
    if len(given) < MIN_PREFIX or not given.isalnum():
        raise InputError(given or "''", f"an alert id or a prefix of at least {MIN_PREFIX} letters/digits")
    found = [a.id for a in store.search(AlertQuery(id_prefix=given, limit=3, sort="-captured_at"))]
    if given in found or len(found) == 1:
        return given if given in found else found[0]
    if not found:
        raise NotFound(f"alert {given}: not found")
    raise InputError(given, f"ambiguous prefix ({', '.join(found[:2])}, ...): give more characters")


def run_move(args: argparse.Namespace) -> int:
    """One or many alerts; each is done on its own, so one refusal does not stop the rest. Exit 0 if all
    were done, 1 if some failed, 2 if none was (a single id failing keeps its one-line error)."""
    reason = getattr(args, "reason", None) or ""
    note = f"{reason}: {args.note}" if reason and args.note else (reason or args.note)
    failed = []
    with _store(args) as store:
        for given in dict.fromkeys(args.ids):
            try:
                alert_id = resolve_id(store, given)
                alert = store.transition(alert_id, args.to_status, actor=current_actor(), note=note)
                if reason or args.to_status == "open":
                    _label(args, alert_id, reason)
            except CanhbaoError as exc:
                if len(args.ids) == 1:
                    raise
                print(f"canhbao: error: {exc}", file=sys.stderr)
                failed.append(given)
                continue
            print(f"{alert.id}  {alert.status}")
    if failed:
        return 2 if len(failed) == len(set(args.ids)) else 1
    return 0


def _label(args: argparse.Namespace, alert_id: str, reason: str) -> None:
    """The close reason lives with the console's labels, so the console and the CLI agree."""
    from dataclasses import replace

    from canhbao.console.store import ConsoleStore, Labels

    db = ConsoleStore.for_home(Home.resolve(args.home))
    labels = db.labels([alert_id]).get(alert_id, Labels())
    db.set_labels(alert_id, replace(labels, close_reason=reason))


def run_assign(args: argparse.Namespace) -> int:
    with _store(args) as store:
        alert = store.assign(resolve_id(store, args.id), args.assignee, actor=current_actor(), note=args.note)
    print(f"{alert.id}  assigned to {alert.assignee or '-'}")
    return 0


def run_note(args: argparse.Namespace) -> int:
    if not args.note.strip():
        raise CanhbaoError("note: empty")
    with _store(args) as store:
        alert_id = resolve_id(store, args.id)
        store.record(alert_id, AlertEvent(at=utcnow(), actor=current_actor(), action="note", note=args.note))
    print(f"{alert_id}  note added")
    return 0
