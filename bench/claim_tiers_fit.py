"""Fit the learned tier score of claim matching on the DEV split only (the "learned" point, TIER_MODEL).

Usage: python bench/claim_tiers_fit.py [--backend e5-onnx]

Posts and claims are those of bench/fakenews_quality.py (its dev split: the dev half of the 38 original claims
plus tests/data/claims_dev_more.json). Every (passage, claim) pair gets the features of
`ClaimIndex.pair_features`; a logistic regression (class-balanced) learns from each post's ten best claims by
cosine, at the passage where the cosine is highest, label 1 only for the claim the post rewords. Scored as the
product scores: the largest logit over the passages. Cross-validation: 5 folds grouped by claim (a claim's
rewordings and its same-subject posts stay in one fold). `suggested` = the lowest logit with <= 2 % false
suggested+matched on every dev negative kind, in the out-of-fold scores and in the final fit on all of dev,
whichever is stricter; the bias printed is shifted so that this logit sits at probability 0.5. `matched`:
the same rule on false matched alone (the post carries every specific of the claim). The test split is not read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakenews_quality import CACHE, DATA, evaluation_set, load_fillers  # noqa: E402
from perturb import strip_marks  # noqa: E402

from canhbao.detectors.fakenews import facts  # noqa: E402
from canhbao.detectors.fakenews import text as ft  # noqa: E402
from canhbao.detectors.fakenews.claim_match import FEATURES, ClaimIndex, Thresholds  # noqa: E402
from canhbao.embedding import EmbeddingSettings, load  # noqa: E402

GRID = np.arange(-10.0, 20.0, 0.025)


def features(index: ClaimIndex, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(features (passages, claims, F), cosine (passages, claims), conflict (passages, claims), agrees (claims))."""
    parts = ft.passages(text, index.thresholds.max_passages)
    vecs = index.embedder.encode(parts)
    cos = np.maximum(vecs @ index._vecs.T, vecs @ index._folded.T)
    found = [facts.specifics(p) for p in parts]
    f = index.pair_features(parts, cos, found)
    n = len(index.claims)
    conflict = np.zeros((len(parts), n), dtype=bool)
    agrees = np.zeros(n, dtype=bool)
    for j in range(n):
        for i, p in enumerate(parts):
            a = index.agreement(j, text, p)
            conflict[i, j], agrees[j] = a.conflict, a.agrees
    return np.stack([f[k] for k in FEATURES], axis=-1), cos, conflict, agrees


def fit(posts: list[dict], top: int = 10) -> LogisticRegression:
    X, y = [], []
    for p in posts:
        best = p["cos"].argmax(axis=0)
        order = set(np.argsort(-p["cos"].max(axis=0))[:top]) | ({p["claim"]} if p["claim"] >= 0 else set())
        for j in order:
            X.append(p["x"][best[j], j])
            y.append(int(j == p["claim"]))
    return LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced").fit(np.array(X), np.array(y))


def score(model: LogisticRegression, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """Largest logit over the passages per claim, and whether that passage conflicts with the claim's facts."""
    P, n, F = p["x"].shape
    z = model.decision_function(p["x"].reshape(-1, F)).reshape(P, n)
    best = z.argmax(axis=0)
    return z.max(axis=0), p["conflict"][best, np.arange(n)]


def lowest(scored: list[tuple[dict, np.ndarray, np.ndarray]], rate: float, matched: bool = False) -> float:
    by_kind: dict[str, list[float]] = {}
    for p, z, conflict in scored:
        if p["claim"] < 0:
            top = np.where(p["agrees"], z, -99) if matched else np.where(conflict, -99, z)
            by_kind.setdefault(p["kind"], []).append(float(top.max()))
    return float(next(t for t in GRID if all(np.mean(np.array(v) >= t) <= rate for v in by_kind.values())))


def report(scored, threshold: float) -> None:
    kinds: dict[str, list[tuple[bool, bool]]] = {}
    for p, z, conflict in scored:
        if p["claim"] >= 0:
            j = p["claim"]
            top = int(np.argmax(z)) == j
            kinds.setdefault(p["kind"], []).append((top, top and z[j] >= threshold and not conflict[j]))
    reworded = ("paraphrase", "paraphrase+no_diacritics", "paraphrase+abbreviations", "embedded_in_long_post")
    for k, v in kinds.items():
        print(
            f"   {k:<28} n={len(v):>3} acc@1 {np.mean([a for a, _ in v]):.3f} tiered {np.mean([t for _, t in v]):.3f}"
        )
    print(f"   rewordings tiered {np.mean([t for k in reworded for _, t in kinds.get(k, [])]):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="e5-onnx")
    args = ap.parse_args()
    claims, positives, negatives = evaluation_set(load_fillers())
    index = ClaimIndex(claims, load(EmbeddingSettings(backend=args.backend), CACHE), Thresholds())
    ids = [c.id for c in claims]
    owner = {}  # a same-subject post belongs to its claim's fold
    for name in ("claims_same_subject.json", "claims_dev_more.json"):
        for cid, texts in json.loads((DATA / name).read_text(encoding="utf-8"))["negatives"].items():
            owner.update({t: cid for t in texts} | {strip_marks(t): cid for t in texts})
    posts = []
    for split, kind, cid, text in [*positives, *((s, k, "", t) for s, k, t in negatives)]:
        if split != "dev":
            continue  # the test split is not read
        x, cos, conflict, agrees = features(index, text)
        group = cid or owner.get(text, text)
        fold = int(hashlib.sha256(group.encode()).hexdigest(), 16) % 5
        posts.append(
            dict(
                kind=kind,
                claim=ids.index(cid) if cid else -1,
                x=x,
                cos=cos,
                conflict=conflict,
                agrees=agrees,
                fold=fold,
            )
        )
    print(
        f"dev: {len(posts)} posts ({sum(p['claim'] >= 0 for p in posts)} rewordings), {len(claims)} claims in the bank"
    )
    oof = []
    for k in range(5):
        model = fit([p for p in posts if p["fold"] != k])
        oof += [(p, *score(model, p)) for p in posts if p["fold"] == k]
    final = fit(posts)
    fitted = [(p, *score(final, p)) for p in posts]
    cut = max(lowest(oof, 0.02), lowest(fitted, 0.02))
    cut_m = max(lowest(oof, 0.02, True), lowest(fitted, 0.02, True), cut)
    print(f"out-of-fold (5 folds grouped by claim), tier at logit {cut:.3f}:")
    report(oof, cut)
    print("TIER_MODEL = {")
    print(f'    "bias": {final.intercept_[0] - cut:.3f},')
    for name, w in zip(FEATURES, final.coef_[0], strict=True):
        print(f'    "{name}": {w:.3f},')
    print(f"}}  # suggested 0.5, matched {1 / (1 + np.exp(cut - cut_m)):.3f}")


if __name__ == "__main__":
    main()
