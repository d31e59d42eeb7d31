"""Features of the CRF compared with the rules in bench/pii_crf.py (docs/pii-guideline.md, round 10): a linear-chain
CRF over syllable tokens whose features are the rules' own label of a token and of its neighbours, pattern (case,
shape, digits, initials), gazetteer (administrative-unit level, surnames) and context (words at +/-2, an honorific
or an official title before it), so it learns where the rules go wrong. Bench only: cross-validation chose the
rules, and on the round-9 batch the best learned configuration equalled them on every kind, so no model ships.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from canhbao.core.records import PiiEntity
from canhbao.core.text import fold
from canhbao.detectors.pii import gazetteer
from canhbao.detectors.pii.names import HONORIFICS, OFFICIAL_TITLES, SURNAMES
from canhbao.detectors.pii.patterns import CATEGORY

CORRECTED = frozenset({"name", "address"})  # the kinds the CRF decides; the rules keep the rest
TOKEN = re.compile(r"\w+(?:\.\w+)*\.?|[^\w\s]")
_INITIAL = re.compile(r"[A-ZĐ][a-zđ]?\.(?:[A-ZĐ][a-zđ]?\.?)*")
Tok = tuple[int, int]
Features = dict[str, Any]


def tokens(text: str) -> list[Tok]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def _shape(w: str) -> str:
    return re.sub(r"[a-zà-ỹđ]+", "a", re.sub(r"[A-ZÀ-ỸĐ]+", "A", re.sub(r"\d+", "0", w)))


def features(text: str, toks: Sequence[Tok], rules: Sequence[PiiEntity]) -> list[Features]:
    """One feature dict per token; `rules` are the rule recognizers' entities for `text`."""
    gaz = gazetteer.load()
    rule: dict[int, str] = {}
    for e in rules:
        for i, (a, b) in enumerate(toks):
            if a >= e.start and b <= e.end:
                rule[i] = e.type
    words = [text[a:b] for a, b in toks]
    low = [fold(w).lower() for w in words]
    out = []
    for i, w in enumerate(words):
        f: Features = {
            "w": low[i],
            "cap": w[:1].isupper(),
            "allcap": w.isupper(),
            "digit": w.isdigit(),
            "initial": bool(_INITIAL.fullmatch(w)),
            "surname": low[i] in SURNAMES,
            "gaz": gaz.level(low[i]) or "-",
            "rule": rule.get(i, "O"),
            "shape": _shape(w),
            "bigram_gaz": gaz.level(" ".join(low[i : i + 2])) or "-",
        }
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < len(words):
                f[f"{d}:w"] = low[j]
                f[f"{d}:cap"] = words[j][:1].isupper()
                f[f"{d}:rule"] = rule.get(j, "O")
        f["after_honorific"] = any(" ".join(low[max(0, i - 3) : i]).endswith(h) for h in HONORIFICS)
        f["after_title"] = any(t in " ".join(low[max(0, i - 6) : i]) for t in OFFICIAL_TITLES)
        out.append(f)
    return out


def bio(spans: Sequence[tuple[str, int, int]], toks: Sequence[Tok]) -> list[str]:
    """BIO labels of `toks` from gold (kind, start, end) spans."""
    out: list[str] = []
    for i, (a, b) in enumerate(toks):
        tag = "O"
        for kind, s, e in spans:
            if a >= s and b <= e:
                inside = i and out and out[-1][2:] == kind and toks[i - 1][0] >= s
                tag = ("I-" if inside else "B-") + kind
        out.append(tag)
    return out


def spans(tags: Sequence[str], toks: Sequence[Tok]) -> list[tuple[str, int, int]]:
    """(kind, start, end) spans from BIO labels (an I- without its B- opens a span)."""
    out: list[tuple[str, int, int]] = []
    for tag, (a, b) in zip(tags, toks, strict=True):
        if tag.startswith("B-") or (tag.startswith("I-") and (not out or out[-1][0] != tag[2:])):
            out.append((tag[2:], a, b))
        elif tag.startswith("I-"):
            out[-1] = (out[-1][0], out[-1][1], b)
    return out


def combine(
    rules: Sequence[PiiEntity], learned: Sequence[tuple[str, int, int]], mode: str = "corrector"
) -> list[PiiEntity]:
    """corrector: the CRF's names and places replace the rules'; union: the rules plus CRF spans that overlap
    no rule span. Other kinds always come from the rules; the result is non-overlapping and sorted."""
    if mode == "corrector":
        kept = [e for e in rules if e.type not in CORRECTED]
    else:
        kept = list(rules)
    for kind, s, e in learned:
        if kind in CORRECTED and all(e <= k.start or s >= k.end for k in kept):
            kept.append(PiiEntity(kind, s, e, 0.8, CATEGORY[kind]))
    return sorted(kept, key=lambda x: x.start)
