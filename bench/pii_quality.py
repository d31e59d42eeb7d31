"""Per-type precision/recall of the PII recognizers on the hand-labelled set, and exposure accuracy.

A predicted span counts as correct when it has the gold type and covers at least half of a gold span
(and vice versa), so "ông Nguyễn Văn An" vs "Nguyễn Văn An" is a hit but "Nguyễn Văn" for
"Nguyễn Văn An Bình" is not. Usage: python bench/pii_quality.py [LABELLED.json]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from canhbao.core.records import Post, Subject, utcnow
from canhbao.detectors.pii.detector import PiiDetector, find_entities

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_labelled.json"
TARGETS = {
    "patient_code": 0.95,
    "age": 0.95,
    "phone": 0.95,
    "cccd": 0.95,
    "cmnd": 0.95,
    "name": 0.85,
    "address": 0.85,
}


def gold_spans(case: dict) -> list[tuple[str, int, int]]:
    out, pos = [], 0
    for type_, value in case["spans"]:
        start = case["text"].find(value, pos)
        if start < 0:
            start = case["text"].find(value)
        if start < 0:
            raise ValueError(f"label {value!r} not in text {case['text'][:40]!r}")
        out.append((type_, start, start + len(value)))
        pos = start + len(value)
    return out


def _hit(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    overlap = min(a[2], b[2]) - max(a[1], b[1])
    return a[0] == b[0] and overlap >= 0.5 * (a[2] - a[1]) and overlap >= 0.5 * (b[2] - b[1])


def evaluate(cases: list[dict]) -> tuple[Counter, Counter, Counter, list[str]]:
    tp, fp, fn, errors = Counter(), Counter(), Counter(), []
    for case in cases:
        gold = gold_spans(case)
        pred = [(e.type, e.start, e.end) for e in find_entities(case["text"])]
        for p in pred:
            if any(_hit(p, g) for g in gold):
                tp[p[0]] += 1
            else:
                fp[p[0]] += 1
                errors.append(f"FP {p[0]:<14} {case['text'][p[1]:p[2]]!r}")
        for g in gold:
            if not any(_hit(p, g) for p in pred):
                fn[g[0]] += 1
                errors.append(f"FN {g[0]:<14} {case['text'][g[1]:g[2]]!r}")
    return tp, fp, fn, errors


def main(path: Path = DEFAULT) -> None:
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    t0 = time.perf_counter()
    tp, fp, fn, errors = evaluate(cases)
    elapsed = time.perf_counter() - t0
    print(f"PII quality on {path.name}: {len(cases)} texts, {sum((tp + fn).values())} gold spans")
    print(f"{'type':<17}{'gold':>5}{'P':>7}{'R':>7}  target R")
    for t in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else float("nan")
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else float("nan")
        print(f"{t:<17}{tp[t] + fn[t]:>5}{p:>7.3f}{r:>7.3f}  {TARGETS.get(t, '')}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(
        f"{'ALL':<17}{all_tp + all_fn:>5}{all_tp / (all_tp + all_fp):>7.3f}{all_tp / (all_tp + all_fn):>7.3f}"
        f"  (precision target 0.9)"
    )
    detector = PiiDetector()
    right = 0
    for case in cases:
        post = Post(
            source="bench", platform="file", post_id="x", url="", captured_at=utcnow(), text=case["text"]
        )
        right += detector.detect(Subject(post)).section["exposure"] == case["exposure"]
    print(f"exposure decision accuracy: {right}/{len(cases)}")
    print(f"speed: {len(cases) / elapsed:.0f} texts/s (entity extraction, 1 thread, gazetteer warm)")
    for e in errors:
        print("  " + e)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
