"""`canhbao index setup`: create the alert store (tables, or templates, lifecycle policy, first indices)."""

from __future__ import annotations

import argparse

from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="set up the configured alert index (SQLite, OpenSearch, Elasticsearch)")
    acts = p.add_subparsers(dest="index_command", metavar="ACTION")
    acts.required = True
    setup = acts.add_parser("setup", help="create tables / index templates, rollover and retention policy")
    setup.set_defaults(func=run_setup)


def run_setup(args: argparse.Namespace) -> int:
    from canhbao.index import load, open_store

    settings = load()
    with open_store(Home.resolve(args.home), settings) as store:
        store.setup()
        for line in getattr(store, "setup_report", ()) or ():
            print(line)
    where = settings.url if settings.engine != "sqlite" else "embedded SQLite"
    print(f"index ready: {settings.engine} ({where})")
    return 0
