"""The PII rules measured on PhoNER_COVID19, an external corpus annotated by others (VinAI, NAACL 2021).

PhoNER_COVID19 (github.com/VinAIResearch/PhoNER_COVID19) is ~10,000 Vietnamese Covid news sentences annotated
with PATIENT_ID, PERSON_NAME, AGE and LOCATION among ten types. Its licence allows research and educational use
only and forbids redistribution in any form, so it is not in this repository, no model is trained on it and no
rule is written from it: it is read from a local checkout (`--phoner DIR` or `CANHBAO_PHONER`) and used here
only to measure. Sentences are rebuilt from its syllables (no space before closing punctuation or after an
opening one) and scored as bench/pii_quality.py scores ours (half coverage either way), with these mappings:
PATIENT_ID -> patient_code, AGE -> age, NAME -> name, LOCATION -> address. Its guideline differs from
docs/pii-guideline.md in ways that move the figures (read from its guideline and dev examples, not tuned on):
its AGE and PATIENT_ID spans are the number alone, and its LOCATION is every place linked to a patient,
hospitals and quarantine sites included, which our patient location excludes. So its address recall is a floor.
Usage: python bench/pii_phoner.py [--phoner DIR] [--split dev|train] (totals only; no sentence is printed)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pii_quality import KINDS, Scored, Span, _covered, isolated, report  # noqa: E402

KIND_OF = {"PATIENT_ID": "patient_code", "AGE": "age", "NAME": "name", "LOCATION": "address"}
NO_SPACE_BEFORE = set(",.:;!?)]}%…")
NO_SPACE_AFTER = set("([{")


def detokenize(words: list[str], tags: list[str]) -> tuple[str, tuple[Span, ...]]:
    """Sentence text and gold spans (mapped kinds only) from PhoNER's syllables and BIO tags."""
    text, starts, ends = "", [], []
    quote_open = glue_next = False
    for w in words:
        glue = not text or glue_next or w[0] in NO_SPACE_BEFORE
        glue_next = w[0] in NO_SPACE_AFTER
        if w == '"':  # straight quotes carry no side: they alternate opening and closing
            glue, glue_next = (glue, True) if not quote_open else (True, False)
            quote_open = not quote_open
        text += ("" if glue else " ") + w
        starts.append(len(text) - len(w))
        ends.append(len(text))
    spans: list[Span] = []
    for i, tag in enumerate(tags):
        kind = KIND_OF.get(tag[2:])
        if kind is None:
            continue
        if tag.startswith("B-") or not spans or spans[-1][0] != kind or i == 0 or tags[i - 1][2:] != tag[2:]:
            spans.append((kind, starts[i], ends[i]))
        else:
            spans[-1] = (kind, spans[-1][1], ends[i])
    return text, tuple(spans)


def load(folder: Path, split: str) -> list[tuple[str, tuple[Span, ...]]]:
    path = folder / "data" / "syllable" / f"{split}_syllable.json"
    if not path.is_file():
        path = folder / f"{split}_syllable.json"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [detokenize(r["words"], r["tags"]) for r in rows]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phoner", default=os.environ.get("CANHBAO_PHONER"), help="checkout of PhoNER_COVID19")
    ap.add_argument("--split", choices=("dev", "train"), default="dev")
    args = ap.parse_args(argv)
    if not args.phoner:
        sys.exit("pii_phoner: set --phoner or CANHBAO_PHONER to a local checkout of PhoNER_COVID19")
    cases = load(Path(args.phoner), args.split)
    scored: list[Scored] = isolated(cases)
    report(f"PhoNER_COVID19 {args.split} (external annotation; mapped kinds)", scored, KINDS)
    print("\n  precision when a detection may also count by covering half of a gold span (its spans are shorter):")
    for kind in KINDS:
        preds = [(p, gold) for _, gold, pred in scored for p in pred if p[0] == kind]
        right = sum(lenient(p, gold) for p, gold in preds)
        print(f"  {kind:<14}{right:>5} / {len(preds):<5} = {right / len(preds) if preds else float('nan'):.3f}")


def lenient(pred: Span, gold: tuple[Span, ...]) -> bool:
    """Gold covers half of the detection, or the detection covers half of one gold span of its kind."""
    if _covered(pred, gold) * 2 >= pred[2] - pred[1]:
        return True
    return any(g[0] == pred[0] and _covered(g, (pred,)) * 2 >= g[2] - g[1] for g in gold)


if __name__ == "__main__":
    main()
