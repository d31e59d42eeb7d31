"""`canhbao crawl --source NAME | --all`: crawl configured sources into the data home."""

from __future__ import annotations

import argparse
import json
import sys

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import to_dict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="crawl sources from config/sources.yml (posts, media, WARC into the data home)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--source", action="append", metavar="NAME", help="source name (repeatable)")
    which.add_argument("--all", action="store_true", help="every enabled source")
    p.add_argument("--jsonl", action="store_true", help="print the posts stored by this run as JSON lines (stdout)")
    p.add_argument("--timeout", type=float, help="give up after this many seconds")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from canhbao.crawlers import settings as crawl_settings
    from canhbao.crawlers.runner import run_crawl

    home = Home.resolve(args.home)
    cfg = crawl_settings.load()
    names = [n for n, s in cfg.sources.items() if s.enabled] if args.all else args.source
    if not names:
        print("canhbao: no enabled sources in config/sources.yml", file=sys.stderr)
        return 1
    report = run_crawl(home, names, settings=cfg, timeout_s=args.timeout)
    # The health summary goes to stderr when stdout carries JSON lines, so a pipe gets only records.
    print(report.summary(), file=sys.stderr if args.jsonl else sys.stdout, flush=True)
    if args.jsonl:
        store = PostStore(home.posts_db)
        for key in dict.fromkeys(report.post_keys):
            print(json.dumps(to_dict(store.get(key)), ensure_ascii=False), flush=True)
    if report.exit_code:
        return 1
    # Blocked or broken sources do not fail a nightly run that stored what it could; all failing does.
    return 0 if any(s.pages_fetched for s in report.sources) else 1
