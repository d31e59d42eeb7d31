"""`canhbao demo`: the main job, offline, over a bundled sample site (see canhbao/demo/)."""

from __future__ import annotations

import argparse
import os

from canhbao.core.home import Home, default_home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run a whole scan offline over a local sample site built from the seed letters")
    p.add_argument(
        "--fresh", action="store_true", help="first remove what earlier demo runs made in the data home (nothing else)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from canhbao.demo import footprint
    from canhbao.demo.run import run_demo

    # The demo never mixes its sample data into a real data home: it uses <home>/demo unless --home is given.
    root = Path(args.home or os.path.join(default_home(), "demo")).expanduser()
    if args.fresh:
        removed, kept = footprint.clear(root)
        if removed or kept:
            print(
                f"demo: removed {len(removed)} entries an earlier demo made"
                + (
                    f"; kept {len(kept)} it did not make ({', '.join(kept[:5])}{', ...' if len(kept) > 5 else ''})"
                    if kept
                    else ""
                )
            )
    existed = footprint.before(root)
    home = Home.resolve(root)
    try:
        result = run_demo(home)
    finally:
        footprint.record(home.root, existed)
    print("\n".join(result.scan_lines))
    print(f"\n{len(result.alerts)} alerts:")
    for a in sorted(result.alerts, key=lambda a: (a.type, a.post_key)):
        what = a.finding.document.numbers[0] if a.finding.document and a.finding.document.numbers else a.finding.summary
        print(f"  {a.id}  {a.type:<13} {a.score:.2f}  {a.platform:<9} {a.post_url}\n{'':28}{what}")
    planted = sum(len(v) for v in result.expected.values())
    print(
        f"\nplanted {planted}, found {planted - len(result.missed)}, "
        f"false alerts {len(result.false_alerts)}, {result.seconds:.0f} s"
    )
    for m in result.missed:
        print(f"  MISSED {m}")
    for f in result.false_alerts:
        print(f"  FALSE ALERT {f}")
    print(
        f"\nnext: canhbao --home {home.root} alerts list\n"
        f"      canhbao --home {home.root} alerts show ID\n"
        f"      canhbao --home {home.root} evidence export ID --out ./evidence"
    )
    return 0 if result.ok else 1
