"""Identifiable vs template-only positives (`leak_registry.py --identifiable`; analysis only, no decision changes).

A positive case is "identifiable" when the text the generator put in view carries at least K word shingles
found in its own document and in no other document of the corpus; otherwise nothing in view is specific to
the document and "nearest, not matched" is the right answer (issue 19). Independent of the matcher: ground-truth
text only (no OCR, no signals), shingles as `fingerprint.shingle_set` makes them (folded words).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, Mapping

import numpy as np

from canhbao.detectors.leak.fingerprint import shingle_set

KS = (1, 3, 5)  # K = 3 is the split; 1 and 5 for sensitivity (fixed before measuring)
MAIN_K = 3


class Uniqueness:
    """Shingle sets of every corpus document and how many documents hold each shingle."""

    def __init__(self, corpus: Mapping[str, str], k: int):
        self.k = k
        self.sets = {name: shingle_set(text, k) for name, text in corpus.items()}
        self.df: Counter[int] = Counter()
        for s in self.sets.values():
            self.df.update(s.tolist())

    def unique(self, text: str, doc: str) -> int:
        """Distinct shingles of `text` that occur in `doc` and in no other corpus document."""
        own = np.intersect1d(shingle_set(text, self.k), self.sets[doc], assume_unique=True)
        return sum(1 for h in own.tolist() if self.df[h] == 1)


def quoted(post: str) -> str:
    """The quoted sentences of a `distort.quote_post` post: between its first and last `"`."""
    a, b = post.find('"'), post.rfind('"')
    return post[a + 1 : b] if 0 <= a < b else post


def report(results: Iterable[dict], unique: Mapping[str, int], split: str) -> None:
    """Per transformation: positives, identifiable (K = 1, 3, 5) and recall on each side. `unique`: case name ->
    its unique shingles; `results` as `leak_registry.run_cases` gives them (positives only are used)."""
    by_group: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        if r["expected"] is not None:
            by_group[r["group"]].append(r)
    by_group["ALL"] = [r for rows in list(by_group.values()) for r in rows]
    print(f"\n=== {split} split: identifiable (>= K unique shingles in view) vs template-only positives ===")
    head = "".join(f" | K={k}: ident {'recall ident':>13} {'recall tpl':>13}" for k in KS)
    print(f"{'positives':<26}{'n':>5}{'recall':>8}{head}")
    for group in sorted(by_group, key=lambda g: (g == "ALL", g)):
        rows = by_group[group]
        hit = [bool(r["section"]["matched"]) for r in rows]
        line = f"{group:<26}{len(rows):>5}{sum(hit) / len(rows):>8.3f}"
        for k in KS:
            ident = [unique[r["name"]] >= k for r in rows]
            line += f" | {sum(ident):>11} {_rate(hit, ident, True)} {_rate(hit, ident, False)}"
        print(line)


def _rate(hit: list[bool], ident: list[bool], side: bool) -> str:
    rows = [h for h, i in zip(hit, ident, strict=True) if i == side]
    return f"{f'{sum(rows)}/{len(rows)}':>7} {sum(rows) / len(rows):.3f}" if rows else f"{'-':>13}"
