"""`canhbao rescan --since DATE`: retro-hunt over posts already collected (after new documents or claims)."""

from __future__ import annotations

import argparse
from datetime import datetime, time, timezone

from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.pipeline.scan import rescan


def parse_since(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--since", f"not an ISO date or datetime: {value!r}") from None
    if dt.tzinfo is None:
        dt = datetime.combine(dt.date(), dt.time() if "T" in value or " " in value else time.min, timezone.utc)
    return dt


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rescan", help="re-match posts collected since DATE against the current registry and claims")
    p.add_argument("--since", required=True, help="ISO date or datetime (UTC unless an offset is given)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home = Home.resolve(args.home)
    result = rescan(home, parse_since(args.since))
    d = result["detect"]
    print(
        f"rescan since {result['since']}: {result['posts']} posts, {d.get('new_alerts', 0)} new alerts "
        f"({', '.join(f'{k} {v}' for k, v in sorted(d.get('alerts_by_type', {}).items())) or 'none'}), "
        f"indexed {result['index'].get('indexed', 0)}"
    )
    return 0
