"""`canhbao import PATH`: captures made in the analyst's own browser (Zeeschuimer/4CAT NDJSON, saved
HTML, WARC, WACZ) into the data home, analysed and alerted like a scan."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import captures from the analyst's browser: Zeeschuimer/4CAT NDJSON, "
        "saved HTML, WARC or WACZ; analyse them and raise alerts",
    )
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument("--note", default="", help="why (kept with every imported post and its alerts)")
    p.add_argument(
        "--alert",
        action="store_true",
        help="also raise a manual_capture alert for every imported post (default: detector alerts only)",
    )
    p.add_argument("--no-media", action="store_true", help="do not download images named by URL in the capture")
    p.add_argument("--url", default="", help="saved HTML: the URL the page was saved from, if it does not say")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from canhbao.capture.importer import import_path

    home = Home.resolve(args.home)
    done = import_path(home, args.path, note=args.note, alert=args.alert, media=not args.no_media, url=args.url)
    for line in done.errors:
        print(f"canhbao: warning: {line}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "kind": done.kind,
                    "posts": list(done.posts),
                    "errors": list(done.errors),
                    "alerts": [{"id": a.id, "type": a.type, "post": a.post_key, "score": a.score} for a in done.alerts],
                },
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"imported {len(done.posts)} post(s) from {args.path} ({done.kind}), {len(done.alerts)} alert(s), "
            f"{len(done.errors)} problem(s)"
        )
        for a in done.alerts:
            print(f"  alert {a.id}  {a.type:<14} {a.score:.2f}  {a.post_key}")
    return 0 if done.posts or not done.errors else 1
