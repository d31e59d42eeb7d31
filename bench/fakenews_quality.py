"""Claim matching (dev/test split, thresholds tuned on dev only) and the classifier on held-out sources.

Usage: python bench/fakenews_quality.py [--backend e5-onnx] [--skip-classifier] [--dev-only]

Claim/post evaluation set, built before tuning: the 38 claims of tests/data (claims_covid_vi.csv +
claims_heldout.json), each with a hand-written paraphrase; perturbations from bench/perturb.py (made without
the detector's normaliser); negatives on the same subjects (tests/data/claims_same_subject.json: the same
subject with other facts, or the true version) plus near-topic true statements. Claims are split into dev
and test by a hash of their id; each negative belongs to its claim's split. Thresholds are chosen on dev
(`suggested`: lowest with <= 2 % false suggested+matched on each kind of dev negative; `matched`: lowest with
<= 0.5 %) and both splits are reported for three operating points: the configured one, "learned" (the
logistic tier score fitted on dev by bench/claim_tiers_fit.py) and "scored" (`SCORED`).
The share of rewordings given a tier is reported beside the false links.
Negatives also come typed without tone marks (`+no_diacritics`).

Classifier: VFND (tests/data/vfnd) trained through the same code as `canhbao fakenews train` on the training
sources (cross-validation grouped by source = the dev figure), scored on the held-out sources (test).
Embeddings are cached in $CANHBAO_BENCH_CACHE (default /tmp/canhbao-bench-cache).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perturb import PERTURBATIONS, embed, strip_marks  # noqa: E402

from canhbao.core import config  # noqa: E402
from canhbao.core.records import Claim  # noqa: E402
from canhbao.detectors.fakenews.claim_match import ClaimIndex  # noqa: E402
from canhbao.detectors.fakenews.detector import TIER_MODEL, FakenewsSettings  # noqa: E402
from canhbao.embedding import EmbeddingSettings, load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CACHE = Path(os.environ.get("CANHBAO_BENCH_CACHE", "/tmp/canhbao-bench-cache"))


def split_of(claim_id: str) -> str:
    return "dev" if int(hashlib.sha256(claim_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def load_fillers() -> list[str]:
    """Sentences of VFND's real news (label 0): the unrelated text a claim is embedded in."""
    csv.field_size_limit(1 << 24)
    rows = list(csv.DictReader((DATA / "vfnd" / "vn_news_223_tdlfr.csv").open(encoding="utf-8")))
    return [
        s.strip()
        for r in rows
        if r["label"] == "0"
        for s in re.split(r"(?<=[.!?])\s+", r["text"])
        if 6 <= len(s.split()) <= 30
    ][:400]


def evaluation_set(fillers: list[str]):
    """(claims, positives [(split, perturbation, claim id, text)], negatives [(split, kind, text)])."""
    claims = [Claim(**r) for r in csv.DictReader((DATA / "claims_covid_vi.csv").open(encoding="utf-8"))]
    para = dict(json.loads((DATA / "claims_paraphrases.json").read_text(encoding="utf-8"))["paraphrases"])
    near = json.loads((DATA / "claims_paraphrases.json").read_text(encoding="utf-8"))["near_topic_true"]
    held = json.loads((DATA / "claims_heldout.json").read_text(encoding="utf-8"))
    claims += [Claim(**c) for c in held["claims"]]
    para.update(held["paraphrases"])
    rng = random.Random(16)
    positives = []
    for c in claims:
        s = split_of(c.id)
        positives.append((s, "paraphrase", c.id, para[c.id]))
        for name, fn in PERTURBATIONS.items():
            positives.append((s, name, c.id, fn(c.text, rng)))
        positives.append((s, "paraphrase+no_diacritics", c.id, PERTURBATIONS["no_diacritics"](para[c.id], rng)))
        positives.append((s, "paraphrase+abbreviations", c.id, PERTURBATIONS["abbreviations"](para[c.id], rng)))
        positives.append((s, "embedded_in_long_post", c.id, embed(para[c.id], rng, fillers)))
    same = json.loads((DATA / "claims_same_subject.json").read_text(encoding="utf-8"))["negatives"]
    negatives = [(split_of(cid), "same_subject", t) for cid, texts in same.items() for t in texts]
    # near-topic true statements and held-out negatives have no claim of their own: split by their own hash
    negatives += [(split_of(t), "near_topic_true", t) for t in near + held["negatives"]]
    # the dev-only enlargement (round 4): more subjects, two rewordings and two same-subject posts per claim
    more = json.loads((DATA / "claims_dev_more.json").read_text(encoding="utf-8"))
    for c in more["claims"]:
        claims.append(Claim(**c))
        for name, fn in PERTURBATIONS.items():
            positives.append(("dev", name, c["id"], fn(c["text"], rng)))
        for p in more["paraphrases"][c["id"]]:
            positives.append(("dev", "paraphrase", c["id"], p))
            positives.append(("dev", "paraphrase+no_diacritics", c["id"], PERTURBATIONS["no_diacritics"](p, rng)))
            positives.append(("dev", "paraphrase+abbreviations", c["id"], PERTURBATIONS["abbreviations"](p, rng)))
            positives.append(("dev", "embedded_in_long_post", c["id"], embed(p, rng, fillers)))
    negatives += [("dev", "same_subject", t) for texts in more["negatives"].values() for t in texts]
    negatives += [("dev", "near_topic_true", t) for t in more["near_topic_true"]]
    # the same posts typed without tone marks (bench/perturb.py): unaccented text all looks alike to the embedding
    negatives += [(s, kind + "+no_diacritics", strip_marks(t)) for s, kind, t in list(negatives)]
    return claims, positives, negatives


def scores(index: ClaimIndex, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rank score of every claim (acc@1); tier score (meets the tiers); whether the post contradicts the
    claim's facts (no tier then); whether it carries all of them (needed for `matched`)."""
    s = index.scores(text)
    agree = [index.agreement(i, text, s.passages[i]) for i in range(len(index.claims))]
    return s.rank, s.tier, np.array([a.conflict for a in agree]), np.array([a.agrees for a in agree])


def tune(neg_best: np.ndarray, rate: float) -> float:
    """The lowest threshold (0.005 steps) at which at most `rate` of the negatives score at or above it."""
    for t in np.arange(0.0, 1.0, 0.005):
        if np.mean(neg_best >= t) <= rate:
            return round(float(t), 3)
    return 1.0


def report(title: str, rows, th_s: float, th_m: float, splits=("dev", "test")) -> None:
    print(f"\n== {title} (suggested >= {th_s:.3f}, matched >= {th_m:.3f})")
    for split in splits:
        pos = [r for r in rows["pos"] if r[0] == split]
        print(f"-- {split}: {len({r[2] for r in pos})} claims")
        print(f"   {'perturbation':<28}{'n':>4}{'acc@1':>8}{'tiered':>8}{'matched':>9}")
        for name in dict.fromkeys(r[1] for r in pos):
            sel = [r for r in pos if r[1] == name]
            top1 = np.mean([r[3] for r in sel])
            tiered = np.mean([r[3] and r[4] >= th_s and not r[5] for r in sel])
            matched = np.mean([r[3] and r[4] >= th_m and r[6] for r in sel])
            print(f"   {name:<28}{len(sel):>4}{top1:>8.3f}{tiered:>8.3f}{matched:>9.3f}")
        reworded = [r for r in pos if r[1] in REWORDED]
        print(
            f"   share of rewordings ({', '.join(REWORDED)}) given a tier: "
            f"{np.mean([r[3] and r[4] >= th_s and not r[5] for r in reworded]):.3f} of {len(reworded)}; "
            f"of every positive: {np.mean([r[3] and r[4] >= th_s and not r[5] for r in pos]):.3f}"
        )
        for kind in dict.fromkeys(r[1] for r in rows["neg"]):
            neg = np.array([r[2] for r in rows["neg"] if r[0] == split and r[1] == kind])
            neg_m = np.array([r[3] for r in rows["neg"] if r[0] == split and r[1] == kind])
            if len(neg):
                print(
                    f"   negatives {kind:<30} n={len(neg):>3}: false suggested+matched {np.mean(neg >= th_s):.3f}, "
                    f"false matched {np.mean(neg_m >= th_m):.3f}"
                )


# Positives that reword the claim (not the claim's own text re-typed): the share of them given a tier is the
# figure a tuning that only cuts false links would collapse.
REWORDED = ("paraphrase", "paraphrase+no_diacritics", "paraphrase+abbreviations", "embedded_in_long_post")

# The "scored" operating point: lexical view + scoped negation + aside + specifics penalties. Weights and tiers
# chosen on the dev split: a grid over lexical weight 0-0.3, each penalty 0.04 / 0.08 / veto and the tier
# (suggested = matched = the lowest with <= 2 % false suggested+matched on every dev negative kind), keeping
# acc@1 1.0 and the most dev rewordings tiered (docs/fakenews.md).
SCORED = {
    "lexical_weight": 0.15,
    "negation_penalty": 0.08,
    "aside_penalty": 0.08,
    "specifics_penalty": 0.04,
    "suggested": 0.84,
    "matched": 0.84,
}


def matching(embedder, fillers: list[str], splits=("dev", "test")) -> None:
    claims, positives, negatives = evaluation_set(fillers)
    configured = config.load("fakenews", FakenewsSettings)  # what the product runs with
    linear = replace(configured, tier_model={})
    points = {
        "configured (config/fakenews.yaml)": configured,
        "learned": replace(linear, tier_model=dict(TIER_MODEL), suggested=0.5, matched=0.5),
        "scored": replace(linear, **SCORED),
    }
    print(f"claims {len(claims)}, positives {len(positives)}, negatives {len(negatives)}; embedding {embedder.id}")
    ids = [c.id for c in claims]
    for name, settings in points.items():
        index = ClaimIndex(claims, embedder, settings.thresholds)
        rows: dict[str, list] = {"pos": [], "neg": []}
        for split, kind, cid, text in positives:
            rank, tier, conflict, agree = scores(index, text)
            i = ids.index(cid)
            rows["pos"].append(
                (split, kind, cid, int(np.argmax(rank)) == i, float(tier[i]), bool(conflict[i]), bool(agree[i]))
            )
        for split, kind, text in negatives:
            _, tier, conflict, agreeing = scores(index, text)
            tiered = np.where(conflict, 0.0, tier)  # a contradicted claim gets no tier
            rows["neg"].append((split, kind, float(tiered.max()), float(np.where(agreeing, tier, 0.0).max())))
        print(
            f"\n#### {name}: lexical_weight {settings.lexical_weight}, negation_penalty {settings.negation_penalty}, "
            f"aside_penalty {settings.aside_penalty}, specifics_penalty {settings.specifics_penalty}, "
            f"tier_model {settings.tier_model or '{}'}"
        )
        for k in dict.fromkeys(r[1] for r in rows["neg"]):
            dev_k = [r for r in rows["neg"] if r[0] == "dev" and r[1] == k]
            print(
                f"   dev-tuned tiers for {k:<30}: suggested {tune(np.array([r[2] for r in dev_k]), 0.02):.3f} "
                f"(<= 2 %), matched {tune(np.array([r[3] for r in dev_k]), 0.005):.3f} (<= 0.5 %)"
            )
        report(name, rows, settings.suggested, settings.matched, splits)


def classifier(embedder) -> None:
    import tempfile

    from canhbao.detectors.fakenews import model as fm
    from canhbao.testing import vfnd

    with tempfile.TemporaryDirectory() as tmp:
        train_csv, test_csv = vfnd.write_split(Path(tmp))
        train, _ = fm.read_rows(train_csv)
        test, _ = fm.read_rows(test_csv)
        everything, _ = fm.read_rows(vfnd.write_all(Path(tmp)))
    model, card = fm.train(train, embedder)
    print(
        f"\n== classifier on VFND: train {len(train)} rows / {len({r.domain for r in train})} sources, "
        f"test {len(test)} rows / {len({r.domain for r in test})} held-out sources"
    )
    for name, m in card["candidates"].items():
        print(f"   dev (CV {card['cv_split']}) {name:<22} ROC-AUC {m['roc_auc']:.3f} PR-AUC {m['pr_auc']:.3f}")
    print(
        f"   chosen {card['chosen']}; calibrated dev: ROC-AUC {card['cv']['roc_auc']:.3f}, "
        f"Brier {card['calibration']['brier_oof']}"
    )
    y = np.array([r.label for r in test])
    p = model.score_rows(test, embedder)
    m = fm.metrics(y, p, model.threshold)
    print(
        f"   test (held-out sources): ROC-AUC {m['roc_auc']:.3f} PR-AUC {m['pr_auc']:.3f} "
        f"P {m['precision']:.2f} R {m['recall']:.2f} at {model.threshold:.3f}; Brier {np.mean((p - y) ** 2):.3f}"
    )
    # A larger held-out figure: 5-fold CV grouped by source over every source (what `canhbao fakenews train
    # all.csv` prints). The candidate to read is the one chosen on the training split above, so the figure is
    # not picked by its own score; the others are shown for comparison.
    _, whole = fm.train(everything, embedder)
    print(
        f"   all {len(everything)} rows / {len({r.domain for r in everything})} sources, CV {whole['cv_split']} "
        f"({whole['folds']} folds):"
    )
    for name, m in whole["candidates"].items():
        mark = "*" if name == card["chosen"] else " "
        print(f"   {mark} {name:<22} ROC-AUC {m['roc_auc']:.3f} PR-AUC {m['pr_auc']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="e5-onnx")
    ap.add_argument("--skip-classifier", action="store_true")
    ap.add_argument("--skip-matching", action="store_true")
    ap.add_argument("--dev-only", action="store_true", help="print the dev split only (while tuning)")
    args = ap.parse_args()
    fillers = load_fillers()
    embedder = load(EmbeddingSettings(backend=args.backend), CACHE)
    if not args.skip_matching:
        matching(embedder, fillers, ("dev",) if args.dev_only else ("dev", "test"))
    if not args.skip_classifier:
        classifier(embedder)


if __name__ == "__main__":
    main()
