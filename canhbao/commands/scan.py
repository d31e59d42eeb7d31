"""`canhbao scan`: crawl the configured sources, analyse new posts, raise and index alerts."""

from __future__ import annotations

import argparse
import signal

from canhbao.core.home import Home
from canhbao.pipeline import settings as scan_settings
from canhbao.pipeline.scan import run_scan, summary_lines


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="run a whole scan: crawl -> media -> detect -> index (resumes an unfinished one)")
    p.add_argument(
        "--source",
        action="append",
        dest="sources",
        metavar="NAME",
        help="only this source (repeatable; default: every enabled source)",
    )
    p.add_argument("--no-crawl", action="store_true", help="analyse what is already in the post store")
    p.set_defaults(func=run)


def _terminate(signum, frame):  # noqa: ARG001
    # Airflow and systemd stop work with SIGTERM: unwind normally so the OCR pool is shut down and the
    # open SQLite transaction rolls back; the next run resumes from the ledger.
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    home = Home.resolve(args.home)
    record = run_scan(home, sources=args.sources, settings=scan_settings.load(), crawl=not args.no_crawl)
    print("\n".join(summary_lines(record)))
    _notify(home)
    failed = record.stages.get("index", {}).get("counts", {}).get("failed", 0)
    return 1 if failed else 0


def _notify(home: Home) -> None:
    """Tell people (config/notify.yaml) about new alerts, a partial scan or a blocked source; a channel
    that fails is a warning, never a failed scan (the next run retries it)."""
    import sys

    from canhbao.core.errors import CanhbaoError
    from canhbao.notify.dispatch import run as notify

    try:
        failed = notify(home).failed
    except CanhbaoError as exc:  # e.g. a wrong config/notify.yaml: the scan itself still succeeded
        failed = [str(exc)]
    for line in failed:
        print(f"canhbao: warning: notify: {line}", file=sys.stderr)
