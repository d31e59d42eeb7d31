"""`canhbao detect PATH...`: run every detector over post images and post texts."""

from __future__ import annotations

import argparse
import json
import sys

from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.pipeline.analyze import Analyzer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "detect", help="check post images (.jpg/.png/...) and post texts (.txt) for leaks, PII, fake news"
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per input per line")
    p.add_argument("--only", help="comma-separated detector names (default: all)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home = Home.resolve(args.home)
    only = [n.strip() for n in args.only.split(",")] if args.only else None
    analyzer = Analyzer.from_home(home, only=only)
    processed = 0
    for path in args.paths:
        try:
            result = analyzer.analyze_path(path)
        except InputError as exc:
            print(f"canhbao: {exc}", file=sys.stderr)
            continue
        processed += 1
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(result.summary_line(), flush=True)
    # A batch with some bad inputs still succeeds; only a batch where nothing could be read fails.
    return 0 if processed else 1
