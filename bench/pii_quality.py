"""Precision and recall of the PII recognizers per kind, dev and test printed separately, and exposure accuracy.

Corpus: real Vietnamese sentences annotated by docs/pii-guideline.md (tests/data/pii_corpus/, split per
source document before tuning). A gold span is found when a detected entity of its kind covers at least half
of it; a detected entity is correct when gold spans of its kind cover at least half of it. The hand-written
sets (tests/data/pii_*.json) are regression sets the rules were written against: their line is labelled
"tuning set". `--in-document` scores as the product sees text: the detector runs over each VFND sentence's whole
source document and only the entities inside the annotated sentence are scored (protocol: docs/pii-guideline.md,
round 5); Covid sentences have no stored page and stay isolated.
Usage: python bench/pii_quality.py [--split dev] [--groups] [--errors dev] [--in-document] [--batch old|fresh|r7|r8|r9|r11]
(never print test errors while tuning)
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Iterable

from canhbao.core.records import Post, Subject, utcnow
from canhbao.detectors.pii.detector import PiiDetector, find_entities
from canhbao.testing import pii_corpus

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
HAND_WRITTEN = ("pii_labelled", "pii_heldout", "pii_heldout2")
KINDS = ("patient_code", "age", "name", "address")
TARGET_R = {"patient_code": 0.95, "age": 0.95, "name": 0.85, "address": 0.85}
TARGET_P = 0.9
Span = tuple[str, int, int]
Scored = tuple[str, tuple[Span, ...], list[Span]]  # sentence, gold spans, detected spans (sentence offsets)


def _covered(span: Span, others: Iterable[Span]) -> int:
    """Characters of `span` covered by same-kind `others`."""
    mask = [False] * (span[2] - span[1])
    for o in others:
        if o[0] == span[0]:
            for i in range(max(o[1], span[1]), min(o[2], span[2])):
                mask[i - span[1]] = True
    return sum(mask)


def isolated(cases: Iterable[tuple[str, tuple[Span, ...]]]) -> list[Scored]:
    """Each sentence run through the detector alone."""
    return [(text, gold, [(e.type, e.start, e.end) for e in find_entities(text)]) for text, gold in cases]


def in_document(cases: list[pii_corpus.Case]) -> list[Scored]:
    """Each sentence scored inside its whole source document: the detector runs once per document, and the
    entities overlapping the sentence, clipped to it, are shifted back to sentence offsets. Cases without a
    stored document (Covid news) are run alone."""
    docs = pii_corpus.documents()
    found: dict[str, list[Span]] = {}
    out: list[Scored] = []
    for c in cases:
        where = pii_corpus.in_document(c, docs)
        if where is None:
            out.extend(isolated([(c.text, c.spans)]))
            continue
        doc, start = where
        if doc.file not in found:
            found[doc.file] = [(e.type, e.start, e.end) for e in find_entities(doc.text)]
        end = start + len(c.text)
        pred = [(k, max(s, start) - start, min(e, end) - start) for k, s, e in found[doc.file] if s < end and e > start]
        out.append((c.text, c.spans, pred))
    return out


def score(cases: list[Scored], kinds: Iterable[str] | None = None):
    """(tp_pred, fp, tp_gold, fn, errors) counters per kind over (text, gold spans, detected spans)."""
    tp_p, fp, tp_g, fn, errors = Counter(), Counter(), Counter(), Counter(), []
    for text, gold, pred in cases:
        if kinds is not None:
            pred = [p for p in pred if p[0] in kinds]
        for p in pred:
            if _covered(p, gold) * 2 >= p[2] - p[1]:
                tp_p[p[0]] += 1
            else:
                fp[p[0]] += 1
                errors.append(f"FP {p[0]:<13} {text[p[1] : p[2]]!r}  in  {text[:90]!r}")
        for g in gold:
            if _covered(g, pred) * 2 >= g[2] - g[1]:
                tp_g[g[0]] += 1
            else:
                fn[g[0]] += 1
                errors.append(f"FN {g[0]:<13} {text[g[1] : g[2]]!r}  in  {text[:90]!r}")
    return tp_p, fp, tp_g, fn, errors


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def report(title: str, cases: list[Scored], kinds: Iterable[str]) -> list[str]:
    tp_p, fp, tp_g, fn, errors = score(cases, set(kinds))
    print(f"\n{title}: {len(cases)} sentences, {sum((tp_g + fn).values())} gold spans")
    print(f"  {'kind':<14}{'gold':>5}{'found':>6}{'R':>7}{'pred':>6}{'P':>7}   target R / P")
    for k in kinds:
        gold, pred = tp_g[k] + fn[k], tp_p[k] + fp[k]
        r, p = _ratio(tp_g[k], gold), _ratio(tp_p[k], pred)
        ok = "ok" if (gold == 0 or r >= TARGET_R.get(k, 0.95)) and (pred == 0 or p >= TARGET_P) else "BELOW"
        print(f"  {k:<14}{gold:>5}{tp_g[k]:>6}{r:>7.3f}{pred:>6}{p:>7.3f}   {TARGET_R.get(k, 0.95)} / {TARGET_P}  {ok}")
    return errors


def exposure(cases: list[pii_corpus.Case]) -> tuple[int, int, int, int]:
    detector = PiiDetector()
    tp = fp = fn = right = 0
    for c in cases:
        post = Post(source="bench", platform="file", post_id=c.id, url="", captured_at=utcnow(), text=c.text)
        got = bool(detector.detect(Subject(post)).findings)
        right += got is c.exposure
        tp += got and bool(c.exposure)
        fp += got and not c.exposure
        fn += (not got) and bool(c.exposure)
    return right, tp, fp, fn


def hand_written() -> list[tuple[str, tuple[Span, ...]]]:
    out = []
    for name in HAND_WRITTEN:
        for case in json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))["cases"]:
            spans, pos = [], 0
            for type_, value in case["spans"]:
                start = case["text"].find(value, pos)
                start = case["text"].find(value) if start < 0 else start
                spans.append((type_, start, start + len(value)))
                pos = start + len(value)
            out.append((case["text"], tuple(spans)))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", choices=("dev", "test"), help="list the misses and false hits of a split")
    ap.add_argument("--split", choices=("dev", "test"), help="score one split only (tuning runs `--split dev`)")
    ap.add_argument("--groups", action="store_true", help="also print each split per source group")
    ap.add_argument(
        "--in-document", action="store_true", help="run the detector on each sentence's whole source document"
    )
    ap.add_argument(
        "--batch",
        choices=("all", "old", "fresh", "r7", "r8", "r9", "r11"),
        default="all",
        help="old: without the round-6, -7, -8, -9 and -11 batches; fresh: the round-6 fresh test batch alone (test "
        "split only); r7, r8: the round-7 or round-8 Covid-news batch alone (both parts are tuning data from round "
        "9: dev); r9: the round-9 Covid-news batch (test split only until round 11, then tuning data); r11: the "
        "round-11 Covid-news batch (test split only)",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    mode = "in its document (Covid: alone)" if args.in_document else "each sentence alone"
    for split in (args.split,) if args.split else ("dev", "test"):
        cases = [
            c
            for c in pii_corpus.load(split)
            if args.batch == "all"
            or c.batch == {"fresh": "r6"}.get(args.batch, args.batch)  # an option names its batch; fresh is r6
        ]
        if not cases:
            continue  # the round-6 fresh batch has no dev sentences
        scored = in_document(cases) if args.in_document else isolated((c.text, c.spans) for c in cases)
        errs = report(f"{split.upper()} split (real news, annotated; {mode})", scored, KINDS)
        if args.groups:
            for group in sorted({c.group for c in cases}):
                sub = [s for c, s in zip(cases, scored, strict=True) if c.group == group]
                report(f"  {split} / {group}", sub, KINDS)
        covid = [c for c in cases if c.exposure is not None]
        right, tp, fp, fn = exposure(covid)
        print(
            f"  exposure decision on its {len(covid)} Covid-news sentences: {right}/{len(covid)} right "
            f"(P {_ratio(tp, tp + fp):.3f}, R {_ratio(tp, tp + fn):.3f})"
        )
        if args.errors == split:
            print("\n".join("    " + e for e in errs))
    hw = hand_written()
    kinds = sorted({s[0] for _, spans in hw for s in spans})
    report("Hand-written regression sets (tuning set, not evidence)", isolated(hw), kinds)
    n = len(pii_corpus.load()) + len(hw)
    print(f"\nspeed: {n / (time.perf_counter() - t0):.0f} texts/s incl. exposure runs (1 thread)")


if __name__ == "__main__":
    main()
