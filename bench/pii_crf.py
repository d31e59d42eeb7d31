"""Rules or a learned corrector for names and patient locations? Model selection on the tuning set only.

A linear-chain CRF (python-crfsuite; features in bench/pii_crf_features.py: the rules' own label among them, so
it learns to correct the rules) is compared with the rules by 5-fold cross-validation over the tuning set (the
loader's dev split), folds made of whole source pages/documents; c1/c2 and the configuration are chosen by the
mean R and P of names and patient locations over the pooled folds (docs/pii-guideline.md, round 10). The
test split is not touched. The rules won, so no model ships. Usage: python bench/pii_crf.py [--grid]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pii_crf_features as crf  # noqa: E402
from pii_quality import KINDS, score  # noqa: E402

from canhbao.detectors.pii.detector import find_entities  # noqa: E402
from canhbao.testing import pii_corpus  # noqa: E402

GRID = [(c1, c2) for c1 in (0.01, 0.1, 0.5) for c2 in (0.01, 0.1)]
CHOSEN = (0.5, 0.1)  # c1, c2: fixed by the cross-validation below (docs/pii-guideline.md, round 10)
MAX_ITERATIONS = 200
SELECTED = ("name", "address")


def train(xs: list[list[dict[str, Any]]], ys: list[list[str]], c1: float, c2: float, path: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(xs, ys, strict=True):
        trainer.append(x, y)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": MAX_ITERATIONS, "feature.possible_transitions": True})
    trainer.train(str(path))


def prepare(cases: list[pii_corpus.Case]) -> list[tuple[Any, ...]]:
    out = []
    for c in cases:
        toks = crf.tokens(c.text)
        rules = find_entities(c.text)
        out.append((c, toks, rules, crf.features(c.text, toks, rules), crf.bio(c.spans, toks)))
    return out


def table(title: str, pairs: dict[str, list]) -> dict[str, dict[str, tuple[float, float]]]:
    res = {}
    for name, scored in pairs.items():
        tp_p, fp, tp_g, fn, _ = score(scored, set(KINDS))
        res[name] = {k: (tp_g[k] / max(1, tp_g[k] + fn[k]), tp_p[k] / max(1, tp_p[k] + fp[k])) for k in KINDS}
    print(f"\n{title}")
    print(f"  {'configuration':<34}" + "".join(f"{k:>16}" for k in KINDS) + f"{'mean N+L':>10}")
    for name, r in res.items():
        mean = sum(r[k][0] + r[k][1] for k in SELECTED) / 4
        print(f"  {name:<34}" + "".join(f"{r[k][0]:>9.3f}/{r[k][1]:.3f}" for k in KINDS) + f"{mean:>10.3f}")
    return res


def cross_validate(prepared: list[tuple[Any, ...]], grid: list[tuple[float, float]]) -> None:
    sources = sorted({p[0].source for p in prepared})
    folds = [set(sources[i::5]) for i in range(5)]
    pairs: dict[str, list] = {"(a) rules": []}
    for c1, c2 in grid:
        pairs[f"(b) CRF, all kinds c1={c1} c2={c2}"] = []
        pairs[f"(c) rules+CRF corr. c1={c1} c2={c2}"] = []
        pairs[f"(d) rules ∪ CRF c1={c1} c2={c2}"] = []
    import pycrfsuite

    with tempfile.TemporaryDirectory() as tmp:
        for n, held in enumerate(folds):
            tr = [p for p in prepared if p[0].source not in held]
            te = [p for p in prepared if p[0].source in held]
            for c, _, rules, _, _ in te:
                pairs["(a) rules"].append((c.text, c.spans, [(e.type, e.start, e.end) for e in rules]))
            for c1, c2 in grid:
                path = Path(tmp) / f"f{n}_{c1}_{c2}.model"
                train([p[3] for p in tr], [p[4] for p in tr], c1, c2, path)
                tagger = pycrfsuite.Tagger()
                tagger.open(str(path))
                for c, toks, rules, x, _ in te:
                    learned = crf.spans(tagger.tag(x), toks)
                    pairs[f"(b) CRF, all kinds c1={c1} c2={c2}"].append((c.text, c.spans, learned))
                    for key, mode in (("(c) rules+CRF corr.", "corrector"), ("(d) rules ∪ CRF", "union")):
                        ents = crf.combine(rules, learned, mode)
                        pairs[f"{key} c1={c1} c2={c2}"].append(
                            (c.text, c.spans, [(e.type, e.start, e.end) for e in ents])
                        )
            print(f"fold {n + 1}/5 done", file=sys.stderr, flush=True)
    table(
        f"5-fold CV over the tuning set's {len(sources)} source pages/documents ({len(prepared)} sentences); "
        "R/P per kind pooled over folds (tuning figures)",
        pairs,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", action="store_true", help="cross-validate the whole c1/c2 grid (else CHOSEN only)")
    args = ap.parse_args(argv)
    prepared = prepare(pii_corpus.load("dev"))
    cross_validate(prepared, GRID if args.grid else [CHOSEN])


if __name__ == "__main__":
    main()
