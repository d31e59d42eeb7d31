"""The PII evaluation corpus: real Vietnamese sentences written by others, annotated by hand.

Two annotated sources live in tests/data/pii_corpus/ (origin, licence and the guideline: docs/pii-guideline.md):
`covid_news.annotated.txt` (Covid-era news, spans written inline as `{P:848}`) and `vfnd_news.annotated.tsv`
(VFND articles, labels as `TYPE=value` in text order), and `vfnd_dev_more.annotated.tsv` (more VFND sentences
annotated later for the dev split only; a file of it that hashed to test would raise), and
`vfnd_test_fresh.annotated.tsv` (a fresh test batch, test split only, ids `f...`), and
`covid_news_r7.annotated.txt` (round 7: Covid-era news from pages not used before, both splits, batch "r7"),
`covid_news_r8.annotated.txt` (round 8: the same, from pages in neither earlier Covid file, batch "r8"),
`covid_news_r9.annotated.txt` (round 9: from pages in no earlier Covid file, all hashing to test, batch "r9"),
`covid_news_r11.annotated.txt` (round 11: the same rule as round 9, from pages in no earlier Covid file, batch "r11").
The dev/test split is fixed per *source document* by a hash of its key, so sentences of one article never
straddle the split, and was fixed before any tuning. From round 9 the round-7 and round-8 test parts, already
opened, are tuning data: `Case.split` puts them in dev (`hash_split` keeps the hash's answer); `SPENT` names the
batches so read.
`vfnd_documents.jsonl` holds the whole VFND source document of every VFND sentence, so that a sentence can be
scored as the product sees it, inside its article (`in_document`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "pii_corpus"
KINDS = {"P": "patient_code", "A": "age", "N": "name", "L": "address"}
Split = Literal["dev", "test"]
DOCUMENTS = "vfnd_documents.jsonl"
# Round 6: a fresh test batch from test-split documents not used before, annotated before any measurement
FRESH = "vfnd_test_fresh.annotated.tsv"
# Round 7: Covid-era news sentences from pages not used before, annotated before any measurement (both splits)
R7 = "covid_news_r7.annotated.txt"
# Round 8: as round 7, from pages in neither earlier Covid file
R8 = "covid_news_r8.annotated.txt"
# Round 9: as round 8, from pages in no earlier Covid file, only pages whose URL hashes to test
R9 = "covid_news_r9.annotated.txt"
# Round 11: as round 9, from pages in no earlier Covid file (r9 included), only pages whose URL hashes to test
R11 = "covid_news_r11.annotated.txt"
# Test parts opened in earlier rounds and given to tuning: r7 and r8 from round 9, r9 from round 11
# (docs/pii-guideline.md, rounds 9 and 11)
SPENT = frozenset({"r7", "r8", "r9"})
_INLINE = re.compile(r"\{([PANL]):([^{}]*)\}")


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # article URL or VFND file name
    group: str  # "covid" | "vfnd"
    text: str
    spans: tuple[tuple[str, int, int], ...]  # (kind, start, end)
    exposure: bool | None  # gold exposure (Covid news only; None where not annotated)
    batch: str = "old"  # "old" | "r6" (the round-6 fresh test batch) | "r7" | "r8" | "r9" | "r11" (Covid batches)

    @property
    def hash_split(self) -> Split:
        return split_of(self.source)

    @property
    def split(self) -> Split:
        """The hash split, except that a spent batch's test part is tuning data (dev): r7 and r8 from round 9,
        r9 from round 11."""
        return "dev" if self.batch in SPENT else self.hash_split


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


def _covid(path: Path, batch: str = "old") -> list[Case]:
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
        cases.append(Case(f"{key}-{n}", urls[key], "covid", text, spans, _gold_exposure(spans), batch))
    return cases


def _vfnd(path: Path, only: Split | None = None, batch: str = "old") -> list[Case]:
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
        case = Case(id_, source, "vfnd", text, tuple(spans), None, batch)
        if only is not None and case.split != only:
            raise ValueError(f"{path.name}: {id_}: {source} is in the {case.split} split, this file is {only} only")
        cases.append(case)
    return cases


def load(split: Split | None = None, directory: Path = CORPUS_DIR) -> list[Case]:
    old_covid = _covid(directory / "covid_news.annotated.txt")
    r7 = _covid(directory / R7, batch="r7") if (directory / R7).exists() else []
    r8 = _covid(directory / R8, batch="r8") if (directory / R8).exists() else []
    r9 = _covid(directory / R9, batch="r9") if (directory / R9).exists() else []
    r11 = _covid(directory / R11, batch="r11") if (directory / R11).exists() else []
    for name, batch in ((R9, r9), (R11, r11)):  # collected from test-hashing pages only
        for c in batch:
            if c.hash_split != "test":
                raise ValueError(f"{name}: {c.id}: {c.source} is in the dev split, this file is test only")
    used = {"covid_news.annotated.txt": {c.source for c in old_covid}}
    for name, batch in ((R7, r7), (R8, r8), (R9, r9), (R11, r11)):  # each round's batch: pages never used before
        for earlier, pages in used.items():
            reused = {c.source for c in batch} & pages
            if reused:
                raise ValueError(f"{name}: pages already in {earlier}: {sorted(reused)}")
        used[name] = {c.source for c in batch}
    cases = (
        old_covid
        + _vfnd(directory / "vfnd_news.annotated.tsv")
        + _vfnd(directory / "vfnd_dev_more.annotated.tsv", only="dev")
        + _vfnd(directory / FRESH, only="test", batch="r6")
        + r7
        + r8
        + r9
        + r11
    )
    return [c for c in cases if split is None or c.split == split]


@dataclass(frozen=True)
class Document:
    """A VFND source document: its file name, URL, title and body as the dataset stores them."""

    file: str
    url: str
    title: str
    body: str

    @property
    def text(self) -> str:
        """What the product scans: the title, a newline, the body (as the crawler builds a page's text)."""
        return f"{self.title}\n{self.body}" if self.title else self.body

    @property
    def body_start(self) -> int:
        return len(self.title) + 1 if self.title else 0


def documents(directory: Path = CORPUS_DIR) -> dict[str, Document]:
    """The stored source documents, by VFND file name."""
    out: dict[str, Document] = {}
    for raw in (directory / DOCUMENTS).read_text(encoding="utf-8").splitlines():
        if raw.strip():
            d = json.loads(raw)
            out[d["file"]] = Document(d["file"], d["url"], d["title"], d["body"])
    return out


def in_document(case: Case, docs: dict[str, Document]) -> tuple[Document, int] | None:
    """The case's source document and the sentence's offset in the document's text (its first exact occurrence
    in the body); None for a case whose document is not stored (Covid news). A VFND sentence missing from its
    document is an error, never a silent fall-back to scoring it alone."""
    if case.group != "vfnd":
        return None
    doc = docs.get(case.source)
    if doc is None:
        raise ValueError(f"{DOCUMENTS}: no document {case.source} for sentence {case.id}")
    pos = doc.body.find(case.text)
    if pos < 0:
        raise ValueError(f"{DOCUMENTS}: sentence {case.id} not found in {case.source}")
    return doc, doc.body_start + pos


def is_fresh(case: Case) -> bool:
    """From the round-6 fresh test batch (`FRESH`), scored apart from the older test sentences."""
    return case.batch == "r6"
