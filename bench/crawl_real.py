"""The crawlers' parsers on real saved pages: per platform, posts expected/parsed and each field right.

Pages and their annotations are in tests/fixtures/pages/<platform>/<page>/ (origin and licence in each
platform's SOURCE.md). Facebook pages are not copied into this repository: they are read from the VCR
cassettes of kevinzg/facebook-scraper (MIT); pass a checkout with --cassettes (see
tests/fixtures/pages/facebook/SOURCE.md). A page that cannot be read is listed, not counted.
Target: >= 95 % of posts and of each field on every real page. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

from canhbao.testing.real_pages import FIELDS, PAGES, score_all


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=PAGES, help="fixture root (default: tests/fixtures/pages)")
    ap.add_argument(
        "--cassettes",
        type=Path,
        default=os.environ.get("CANHBAO_FB_CASSETTES") or None,
        help="checkout of kevinzg/facebook-scraper (or its tests/cassettes) for the Facebook pages",
    )
    ap.add_argument("--misses", action="store_true", help="list every wrong field")
    args = ap.parse_args()

    print("dev: pages looked at while the parsers were written; test: annotated before, never used to change them")
    for via, title in (
        ("spider", "the platform spiders' parsers"),
        ("capture", "`canhbao capture URL`: the parser chosen from the page itself, as a capture reads it"),
    ):
        print(f"\n== {title}")
        table(score_all(args.pages, args.cassettes, via), args.misses)


def table(scores, misses: bool) -> None:
    header = f"{'platform':10} {'page':36} {'posts':>14} " + " ".join(f"{f:>14}" for f in FIELDS) + "  next page"
    print(header)
    print("-" * len(header))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in scores:
        if s.missing:
            print(f"{s.platform:10} {s.page:36} {'not read: ' + s.missing}")
            continue
        nxt = "-" if s.next_ok is None else ("found" if s.next_ok else "MISSED")
        print(
            f"{s.platform:10} {s.page:36} {pct(s.parsed, s.expected):>14} "
            + " ".join(f"{pct(s.right[f], s.expected):>14}" for f in FIELDS)
            + f"  {nxt}"
        )
        t = totals[f"{s.platform} {s.split}"]
        t["expected"] += s.expected
        t["parsed"] += s.parsed
        for f in FIELDS:
            t[f] += s.right[f]
        if misses:
            for m in s.misses:
                print(f"{'':10}   miss {m}")
    print("-" * len(header))
    for key, t in sorted(totals.items()):
        platform, split = key.split()
        print(
            f"{platform:10} {'ALL ' + split.upper() + ' PAGES':36} {pct(t['parsed'], t['expected']):>14} "
            + " ".join(f"{pct(t[f], t['expected']):>14}" for f in FIELDS)
        )
    have = {s.platform for s in scores}
    for platform in ("facebook", "telegram", "news", "zalo"):
        if platform not in have:
            print(f"{platform:10} no real page in tests/fixtures/pages (docs/crawl_real.md)")


if __name__ == "__main__":
    main()
