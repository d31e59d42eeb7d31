"""`canhbao takedown check`: re-visit confirmed alerts' posts; record up / removed / changed."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from canhbao.core.audit import current_actor
from canhbao.core.errors import InputError, NotFound
from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("takedown", help="track whether confirmed violations have been taken down")
    cmds = p.add_subparsers(dest="takedown_command", metavar="ACTION")
    cmds.required = True
    c = cmds.add_parser("check", help="re-visit the URLs of confirmed alerts (all, or the ids given)")
    c.add_argument("alert_ids", nargs="*", metavar="ALERT_ID")
    c.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    c.add_argument("--no-screenshot", action="store_true", help="capture state changes as WARC only")
    c.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from canhbao.commands.evidence import open_store
    from canhbao.evidence import settings, takedown
    from canhbao.evidence.browser import Renderer

    home = Home.resolve(args.home)
    cfg = settings.load()
    store = open_store(home)
    failed = 0

    def on_error(alert_id: str, exc: Exception) -> None:
        nonlocal failed
        failed += 1
        print(f"canhbao: {alert_id}: takedown check failed ({exc})", file=sys.stderr)

    def alerts():
        if not args.alert_ids:
            yield from takedown.confirmed_alerts(store)
        for alert_id in args.alert_ids:
            try:
                yield store.get(alert_id)
            except NotFound:
                on_error(alert_id, InputError(alert_id, "no such alert"))

    renderer = None if args.no_screenshot else Renderer(width=cfg.viewport_width, max_height=cfg.max_screenshot_height)
    done = 0
    try:
        for check in takedown.check_all(
            home, store, cfg, alerts(), actor=current_actor(), renderer=renderer, on_error=on_error
        ):
            done += 1
            if args.json:
                print(json.dumps(asdict(check), ensure_ascii=False), flush=True)
            else:
                print(f"{check.alert_id}  {check.state:<11}  {check.note}", flush=True)
    finally:
        if renderer is not None:
            renderer.close()
        store.close()
    return 1 if failed and not done else 0
