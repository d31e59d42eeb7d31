"""Rules or a CRF for names and patient locations? A measurement on the dev split only.

A linear-chain CRF (sklearn-crfsuite) tags syllables with BIO labels from pattern, gazetteer and context
features, plus the rule recognizers' own label as a feature (so it can only learn to correct them). The only
lawfully usable annotated Vietnamese patient text here is this project's dev split (PhoNER_COVID19 is
research-only and may not be redistributed), so the CRF is trained and scored by 5-fold cross-validation
over the dev split's source documents, next to the rules scored on the same folds. The test split is not
touched. Usage: python bench/pii_crf.py
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pii_quality import KINDS, _covered  # noqa: E402

from canhbao.core.text import fold  # noqa: E402
from canhbao.detectors.pii import gazetteer  # noqa: E402
from canhbao.detectors.pii.detector import find_entities  # noqa: E402
from canhbao.detectors.pii.names import HONORIFICS, OFFICIAL_TITLES, SURNAMES  # noqa: E402
from canhbao.testing import pii_corpus  # noqa: E402

TOKEN = re.compile(r"\w+(?:\.\w+)*\.?|[^\w\s]")


def tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def features(text: str, toks: list[tuple[int, int]]) -> list[dict[str, object]]:
    gaz = gazetteer.load()
    rule = {}
    for e in find_entities(text):
        for i, (a, b) in enumerate(toks):
            if a >= e.start and b <= e.end:
                rule[i] = e.type
    words = [text[a:b] for a, b in toks]
    low = [fold(w).lower() for w in words]
    out = []
    for i, w in enumerate(words):
        f: dict[str, object] = {
            "w": low[i],
            "cap": w[:1].isupper(),
            "allcap": w.isupper(),
            "digit": w.isdigit(),
            "initial": bool(re.fullmatch(r"[A-ZĐ][a-zđ]?\.(?:[A-ZĐ][a-zđ]?\.?)*", w)),
            "surname": low[i] in SURNAMES,
            "gaz": gaz.level(low[i]) or "-",
            "rule": rule.get(i, "O"),
            "shape": re.sub(r"[a-zà-ỹđ]+", "a", re.sub(r"[A-ZÀ-ỸĐ]+", "A", re.sub(r"\d+", "0", w))),
        }
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < len(words):
                f[f"{d}:w"] = low[j]
                f[f"{d}:cap"] = words[j][:1].isupper()
                f[f"{d}:rule"] = rule.get(j, "O")
        prev = " ".join(low[max(0, i - 3) : i])
        f["after_honorific"] = any(prev.endswith(h) for h in HONORIFICS)
        f["after_title"] = any(t in " ".join(low[max(0, i - 6) : i]) for t in OFFICIAL_TITLES)
        f["bigram_gaz"] = gaz.level(" ".join(low[i : i + 2])) or "-"
        out.append(f)
    return out


def labels(case: pii_corpus.Case, toks: list[tuple[int, int]]) -> list[str]:
    out = []
    for i, (a, b) in enumerate(toks):
        tag = "O"
        for kind, s, e in case.spans:
            if a >= s and b <= e:
                tag = (
                    "I-" if i and out and out[-1] != "O" and out[-1][2:] == kind and toks[i - 1][0] >= s else "B-"
                ) + kind
        out.append(tag)
    return out


def spans(tags: list[str], toks: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for tag, (a, b) in zip(tags, toks, strict=True):
        if tag.startswith("B-") or (tag.startswith("I-") and (not out or out[-1][0] != tag[2:])):
            out.append((tag[2:], a, b))
        elif tag.startswith("I-"):
            out[-1] = (out[-1][0], out[-1][1], b)
    return out


def score(pairs: list[tuple[list[tuple[str, int, int]], tuple[tuple[str, int, int], ...]]]) -> dict[str, tuple]:
    tp_p, fp, tp_g, fn = Counter(), Counter(), Counter(), Counter()
    for pred, gold in pairs:
        for p in pred:
            (tp_p if _covered(p, gold) * 2 >= p[2] - p[1] else fp)[p[0]] += 1
        for g in gold:
            (tp_g if _covered(g, pred) * 2 >= g[2] - g[1] else fn)[g[0]] += 1
    return {k: (tp_g[k] / max(1, tp_g[k] + fn[k]), tp_p[k] / max(1, tp_p[k] + fp[k])) for k in KINDS}


def main() -> None:
    import sklearn_crfsuite

    cases = pii_corpus.load("dev")
    sources = sorted({c.source for c in cases})
    folds = [set(sources[i::5]) for i in range(5)]
    prepared = [(c, tokens(c.text)) for c in cases]
    crf_pairs, rule_pairs, union_pairs = [], [], []
    for held in folds:
        train = [(features(c.text, t), labels(c, t)) for c, t in prepared if c.source not in held]
        crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=200)
        crf.fit([x for x, _ in train], [y for _, y in train])
        for c, t in prepared:
            if c.source in held:
                pred = spans(crf.predict_single(features(c.text, t)), t)
                rules = [(e.type, e.start, e.end) for e in find_entities(c.text) if e.type in KINDS]
                crf_pairs.append((pred, c.spans))
                rule_pairs.append((rules, c.spans))
                union_pairs.append((rules + [p for p in pred if _covered(p, rules) == 0], c.spans))
    print(f"5-fold cross-validation over the dev split's {len(sources)} source documents ({len(cases)} sentences)")
    print(f"{'kind':<14}{'rules R/P':>14}{'CRF R/P':>14}{'rules+CRF R/P':>16}")
    r, c, u = score(rule_pairs), score(crf_pairs), score(union_pairs)
    for k in KINDS:
        print(f"{k:<14}{r[k][0]:>7.3f}/{r[k][1]:.3f}{c[k][0]:>7.3f}/{c[k][1]:.3f}{u[k][0]:>9.3f}/{u[k][1]:.3f}")


if __name__ == "__main__":
    main()
