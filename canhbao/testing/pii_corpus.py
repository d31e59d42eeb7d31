"""The PII evaluation corpus: real Vietnamese sentences written by others, annotated by hand.

Two annotated sources live in tests/data/pii_corpus/ (origin, licence and the guideline: docs/pii-guideline.md):
`covid_news.annotated.txt` (Covid-era news, spans written inline as `{P:848}`) and `vfnd_news.annotated.tsv`
(VFND articles, labels as `TYPE=value` in text order), and `vfnd_dev_more.annotated.tsv` (more VFND sentences
annotated later for the dev split only; a file of it that hashed to test would raise). The dev/test split is fixed per *source document* by a
hash of its key, so sentences of one article never straddle the split, and was fixed before any tuning.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "pii_corpus"
KINDS = {"P": "patient_code", "A": "age", "N": "name", "L": "address"}
Split = Literal["dev", "test"]
_INLINE = re.compile(r"\{([PANL]):([^{}]*)\}")


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # article URL or VFND file name
    group: str  # "covid" | "vfnd"
    text: str
    spans: tuple[tuple[str, int, int], ...]  # (kind, start, end)
    exposure: bool | None  # gold exposure (Covid news only; None where not annotated)

    @property
    def split(self) -> Split:
        return split_of(self.source)


def split_of(source: str) -> Split:
    return "test" if hashlib.sha256(source.encode()).digest()[0] % 2 else "dev"


def _inline(line: str) -> tuple[str, tuple[tuple[str, int, int], ...]]:
    out, spans, pos = [], [], 0
    length = 0
    for m in _INLINE.finditer(line):
        out.append(line[pos : m.start()])
        length += m.start() - pos
        spans.append((KINDS[m.group(1)], length, length + len(m.group(2))))
        out.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    out.append(line[pos:])
    return "".join(out), tuple(spans)


def _gold_exposure(spans: tuple[tuple[str, int, int], ...]) -> bool:
    """The guideline's rule: a named (or initialled) patient or contact, or a patient number with an age or
    a place, in Covid news (health context throughout)."""
    kinds = {k for k, _, _ in spans}
    return "name" in kinds or ("patient_code" in kinds and bool(kinds & {"age", "address"}))


def _covid(path: Path) -> list[Case]:
    urls: dict[str, str] = {}
    cases: list[Case] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        key, _, body = raw.partition("|")
        if key.startswith("@"):
            urls[key[1:]] = body
            continue
        text, spans = _inline(body)
        cases.append(Case(f"{key}-{n}", urls[key], "covid", text, spans, _gold_exposure(spans)))
    return cases


def _vfnd(path: Path, only: Split | None = None) -> list[Case]:
    cases: list[Case] = []
    if only is not None and not path.exists():
        return cases
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        id_, source, labels, text = raw.split("\t", 3)
        spans, pos = [], 0
        for label in [] if labels == "-" else labels.split(";"):
            kind, _, value = label.partition("=")
            m = re.compile(r"(?<!\w)%s(?!\w)" % re.escape(value)).search(text, pos)
            if not m:
                raise ValueError(f"{path.name}: {id_}: label {value!r} not found in order")
            spans.append((KINDS[kind], m.start(), m.end()))
            pos = m.end()
        case = Case(id_, source, "vfnd", text, tuple(spans), None)
        if only is not None and case.split != only:
            raise ValueError(f"{path.name}: {id_}: {source} is in the {case.split} split, this file is {only} only")
        cases.append(case)
    return cases


def load(split: Split | None = None, directory: Path = CORPUS_DIR) -> list[Case]:
    cases = (
        _covid(directory / "covid_news.annotated.txt")
        + _vfnd(directory / "vfnd_news.annotated.tsv")
        + _vfnd(directory / "vfnd_dev_more.annotated.tsv", only="dev")
    )
    return [c for c in cases if split is None or c.split == split]
