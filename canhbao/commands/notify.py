"""`canhbao notify run|digest|test`: send what `config/notify.yaml` asks for (email, webhook, Telegram)."""

from __future__ import annotations

import argparse
import sys

from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notify", help="notifications: new alerts, failed scans, blocked sources, daily digest")
    acts = p.add_subparsers(dest="notify_command", metavar="ACTION")
    acts.required = True
    acts.add_parser("run", help="apply every rule once (after a scan; idempotent)").set_defaults(func=run_rules)
    d = acts.add_parser("digest", help="send yesterday's digest now (even if already sent)")
    d.set_defaults(func=run_digest)
    acts.add_parser("test", help="send a test message on every enabled channel").set_defaults(func=run_test)


def _finish(report) -> int:  # noqa: ANN001
    for line in report.sent:
        print(f"sent {line}")
    for line in report.failed:
        print(f"canhbao: notify: {line}", file=sys.stderr)
    if not report.sent and not report.failed:
        print("nothing to send")
    return 1 if report.failed else 0


def run_rules(args: argparse.Namespace) -> int:
    from canhbao.notify.dispatch import run

    return _finish(run(Home.resolve(args.home)))


def run_digest(args: argparse.Namespace) -> int:
    from canhbao.index import open_store
    from canhbao.notify.dispatch import State, daily_digest
    from canhbao.notify.settings import load

    home = Home.resolve(args.home)
    with open_store(home) as store:
        return _finish(daily_digest(store, load(), State(home), force=True))


def run_test(args: argparse.Namespace) -> int:
    from canhbao.notify.dispatch import deliver
    from canhbao.notify.messages import Message
    from canhbao.notify.settings import load

    return _finish(deliver(Message("test", "[canhbao] test", "canhbao notification test"), load()))
