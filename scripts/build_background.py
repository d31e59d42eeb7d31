"""Build the leak matcher's background table (package data) from the published corpus: one command.

    python scripts/build_background.py [--out PATH] [--shingle-words K]

Reads `canhbao/testing/admin_docs/corpus.jsonl.gz` (200 published legal documents; origin and licence in
`canhbao/testing/admin_docs/SOURCE.md`), groups them by issuer and kind, and writes
`detectors/leak/data/background.npz` (shingle hash -> documents, most of one group; the shingle
parameters, corpus size and groups). Deterministic: the same corpus gives the same bytes of table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from canhbao.detectors.leak.background import PACKAGED, Background
from canhbao.detectors.leak.settings import load_settings
from canhbao.testing import admin_docs


def build(k: int) -> Background:
    docs = admin_docs.load()
    return Background.build(
        ((d.text, d.group) for d in docs),
        k,
        source=f"canhbao.testing.admin_docs ({len(docs)} published legal documents, vbpl.vn)",
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=PACKAGED)
    ap.add_argument("--shingle-words", type=int, default=None, help="default: the matcher's setting")
    args = ap.parse_args()
    k = args.shingle_words or load_settings().match.shingle_words
    table = build(k)
    table.save(args.out)
    print(
        f"{args.out}: {table.keys.size:,} shingles from {table.docs} documents in {len(table.groups)} "
        f"issuer/kind groups, {args.out.stat().st_size / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
