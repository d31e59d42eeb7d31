"""A fresh, untouched set of published Vietnamese administrative documents for the registry-scale leak bench
(`bench/leak_registry.py --fresh`, issue 19): documents the matcher was never tuned on.

`leak_fresh/index.csv` holds one row per document (provenance: URL, site, issuer, kind, number, date; `group`
= issuer and kind; `role` = registered or look-alike), `leak_fresh/docs/<name>.txt` its text as the page served
it (origin and licence in `leak_fresh/SOURCE.md`). The roles were fixed by `split_roles` (a hash of the document
number within each group) and committed before the matcher ever ran on these documents.

`python -m canhbao.testing.leak_fresh split` rewrites the `role` column by that rule (idempotent).
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DIR = Path(__file__).with_name("leak_fresh")
INDEX = DIR / "index.csv"
FIELDS = ("name", "group", "issuer", "kind", "number", "date", "site", "url", "role")
SPLIT = "fresh"  # every fresh document is measurement-only: there is no dev part


@dataclass(frozen=True)
class FreshDoc:
    """The attributes `bench/leak_registry.py` reads of an `admin_docs.AdminDoc`, plus provenance and role."""

    name: str
    group: str
    issuer: str
    kind: str
    number: str
    date: str  # ISO date of issue
    site: str
    url: str
    role: str  # 'registered' | 'lookalike'
    served: str  # the text as the page served it (from the document's header on)
    text: str  # `unwrap(served)`

    @property
    def split(self) -> str:
        return SPLIT


def unwrap(served: str) -> str:
    """Undo only what the pages' table markup did to the header, nothing else:
    * cells written on one line (`ỦY BAN NHÂN DÂN | CỘNG HÒA ... |`) become one line per cell, and the lone
      `|` lines that separate cells are dropped;
    * in a header cell, a first line of one word (`ỦY` / `BAN NHÂN DÂN`, `Số:` / `14/2007/QĐ-UBND`, `Tam` /
      `Kỳ, ngày ...`) is joined to the cell's next line, and a line that starts in lower case (`năm 2018`)
      to the line before it: the page broke the cell there, the document does not.
    The body (after the last cell separator) keeps the page's own line breaks, mid-sentence ones included."""
    chunks: list[list[str]] = [[]]
    for raw in served.splitlines():
        if raw.strip() == "|":
            chunks.append([])
            continue
        cells = [c.strip() for c in raw.split("|")]
        if len(cells) > 1:
            chunks[-1].extend(c for c in cells if c)
        else:
            chunks[-1].append(raw.rstrip())
    out: list[str] = []
    for i, chunk in enumerate(chunks):
        lines = list(chunk)
        header = i < len(chunks) - 1
        if header and len(lines) > 1 and len(lines[0].split()) == 1:
            lines[:2] = [f"{lines[0]} {lines[1].strip()}"]
        if header:
            joined: list[str] = []
            for ln in lines:
                if joined and ln[:1].islower():
                    joined[-1] = f"{joined[-1]} {ln.strip()}"
                else:
                    joined.append(ln)
            lines = joined
        out.extend(lines)
    return "\n".join(out)


def split_roles(rows: list[dict]) -> dict[str, str]:
    """name -> role: within each group, ordered by a hash of the document NUMBER, the 1st, 3rd, ... are
    registered and the 2nd, 4th, ... unregistered look-alikes (a group of 5 gives 3 and 2)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r)
    out = {}
    for members in groups.values():
        members.sort(key=lambda r: hashlib.sha256(f"fresh-role:{r['number']}".encode()).hexdigest())
        for i, r in enumerate(members):
            out[r["name"]] = "registered" if i % 2 == 0 else "lookalike"
    return out


def read_index(path: Path = INDEX) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def load() -> tuple[FreshDoc, ...]:
    docs = []
    for r in read_index():
        served = (DIR / "docs" / f"{r['name']}.txt").read_text(encoding="utf-8")
        docs.append(FreshDoc(**{k: r[k] for k in FIELDS}, served=served, text=unwrap(served)))
    return tuple(docs)


def _write_split() -> None:
    rows = read_index()
    role = split_roles(rows)
    tmp = INDEX.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**{k: r.get(k, "") for k in FIELDS}, "role": role[r["name"]]})
    tmp.replace(INDEX)


if __name__ == "__main__":
    if sys.argv[1:] != ["split"]:
        sys.exit("usage: python -m canhbao.testing.leak_fresh split")
    _write_split()
