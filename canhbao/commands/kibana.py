"""`canhbao kibana import|objects`: the analysts' data view, saved searches and dashboard, for Kibana 8.x or
OpenSearch Dashboards 2.x (`--flavor`), generated from `index/kibana/definition.yaml`."""

from __future__ import annotations

import argparse
import os
import sys

FLAVORS = ("kibana", "opensearch-dashboards")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kibana", help="load canhbao's data view, saved searches and dashboard into Kibana or OpenSearch Dashboards"
    )
    acts = p.add_subparsers(dest="kibana_command", metavar="ACTION")
    acts.required = True
    imp = acts.add_parser("import", help="import through the product's saved objects API (overwrites canhbao's)")
    imp.add_argument("--url", required=True, help="base URL, e.g. https://kibana.local:5601")
    imp.add_argument("--space", default="", help="Kibana space id (default: the default space)")
    imp.add_argument(
        "--username",
        default=os.environ.get("CANHBAO_KIBANA_USERNAME", ""),
        help="basic auth user (password from $CANHBAO_KIBANA_PASSWORD)",
    )
    imp.add_argument("--no-overwrite", action="store_true", help="keep objects that already exist")
    objs = acts.add_parser("objects", help="print the NDJSON (for Stack Management > Saved objects > Import)")
    objs.add_argument(
        "--check", action="store_true", help="validate against the product's saved-object schema instead of printing"
    )
    for sp, func in ((imp, run_import), (objs, run_objects)):
        sp.add_argument(
            "--flavor",
            choices=FLAVORS,
            default="kibana",
            help="kibana (8.0 and later 8.x) or opensearch-dashboards (2.x)",
        )
        sp.add_argument(
            "--console-url",
            default=None,
            help="web console URL for alert/case links (default: config/console.yaml base_url)",
        )
        sp.set_defaults(func=func)


def _bundle(args: argparse.Namespace) -> tuple[str, str]:
    from canhbao.index.settings import load

    console = args.console_url
    if console is None:
        from canhbao.console.settings import load as console_settings

        console = console_settings().base_url
    return load().prefix, console


def run_import(args: argparse.Namespace) -> int:
    from canhbao.index.saved_objects import import_objects, ndjson

    prefix, console = _bundle(args)
    result = import_objects(
        args.url,
        ndjson(prefix, flavor=args.flavor, console_url=console),
        space=args.space,
        username=args.username,
        password=os.environ.get("CANHBAO_KIBANA_PASSWORD", ""),
        api_key=os.environ.get("CANHBAO_KIBANA_API_KEY", ""),
        overwrite=not args.no_overwrite,
        flavor=args.flavor,
    )
    for problem in result.errors:
        print(f"canhbao: kibana: {problem}", file=sys.stderr)
    print(
        f"imported {result.success_count} saved object(s) into {args.url}"
        + (f", {len(result.errors)} refused" if result.errors else "")
        + ("" if console else " (no console URL configured: alert and case links left out)")
    )
    return 1 if result.errors else 0


def run_objects(args: argparse.Namespace) -> int:
    from canhbao.index.saved_objects import ndjson, objects

    prefix, console = _bundle(args)
    if args.check:
        from canhbao.index import documents
        from canhbao.index.saved_object_schema import problems

        mapping = documents.resource("alerts.json")["template"]["mappings"]["properties"]
        found = problems(objects(prefix, flavor=args.flavor, console_url=console), args.flavor, mapping)
        for line in found:
            print(f"canhbao: kibana: {line}", file=sys.stderr)
        print(f"{args.flavor}: {'OK' if not found else f'{len(found)} problem(s)'}")
        return 1 if found else 0
    sys.stdout.buffer.write(ndjson(prefix, flavor=args.flavor, console_url=console))
    return 0
