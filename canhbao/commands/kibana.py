"""`canhbao kibana import|objects`: the analysts' data view, saved searches and dashboard for Kibana."""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kibana", help="load canhbao's data view, saved searches and dashboard into Kibana")
    acts = p.add_subparsers(dest="kibana_command", metavar="ACTION")
    acts.required = True
    imp = acts.add_parser("import", help="import through Kibana's saved objects API (overwrites canhbao's)")
    imp.add_argument("--url", required=True, help="Kibana base URL, e.g. https://kibana.local:5601")
    imp.add_argument("--space", default="", help="Kibana space id (default: the default space)")
    imp.add_argument("--username", default=os.environ.get("CANHBAO_KIBANA_USERNAME", ""),
                     help="basic auth user (password from $CANHBAO_KIBANA_PASSWORD)")
    imp.add_argument("--no-overwrite", action="store_true", help="keep objects that already exist")
    imp.set_defaults(func=run_import)
    objs = acts.add_parser("objects", help="print the NDJSON (for Stack Management > Saved objects > Import)")
    objs.set_defaults(func=run_objects)


def _prefix() -> str:
    from canhbao.index.settings import load

    return load().prefix


def run_import(args: argparse.Namespace) -> int:
    from canhbao.index.saved_objects import import_objects, ndjson

    result = import_objects(args.url, ndjson(_prefix()), space=args.space, username=args.username,
                            password=os.environ.get("CANHBAO_KIBANA_PASSWORD", ""),
                            api_key=os.environ.get("CANHBAO_KIBANA_API_KEY", ""),
                            overwrite=not args.no_overwrite)
    for problem in result.errors:
        print(f"canhbao: kibana: {problem}", file=sys.stderr)
    print(f"imported {result.success_count} saved object(s) into {args.url}"
          + (f", {len(result.errors)} refused" if result.errors else ""))
    return 1 if result.errors else 0


def run_objects(args: argparse.Namespace) -> int:
    from canhbao.index.saved_objects import ndjson

    sys.stdout.buffer.write(ndjson(_prefix()))
    return 0
