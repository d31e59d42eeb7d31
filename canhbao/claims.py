"""The claim bank: known false claims and their debunks, in SQLite at `home.claims_db` or the shared
PostgreSQL database (`config/state.yaml`).

Claims come from analysts (`canhbao claims add`), from CSV/JSON files and from fact-checkers'
ClaimReview JSON-LD (schema.org), all through `parse_file`. A claim's id is given or derived from its
normalised text, so importing the same file twice changes nothing (upsert).
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import closing
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from canhbao.core.errors import InputError, NotFound
from canhbao.core.records import Claim, sha256_hex
from canhbao.core.state import SharedState
from canhbao.core.text import normalize

COLUMNS = tuple(f.name for f in fields(Claim))  # id, text, verdict, source, date, url, debunk
MAX_FILE_BYTES = 50 * 1024 * 1024


def claim_id(text: str) -> str:
    """Stable id from the text, blind to case, punctuation and tone marks."""
    return "c-" + sha256_hex(normalize(text, diacritics=False))[:12]


def make_claim(row: Mapping[str, Any], where: str) -> Claim:
    """A Claim from a mapping with the Claim's field names; InputError naming `where` if unusable."""
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise InputError(where, f"unknown field(s) {', '.join(sorted(unknown))}; expected {', '.join(COLUMNS)}")
    values = {k: str(v).strip() for k, v in row.items() if v is not None}
    if not values.get("text"):
        raise InputError(where, "claim has no text")
    values["id"] = values.get("id") or claim_id(values["text"])
    values["verdict"] = values.get("verdict") or "false"
    return Claim(**values)


class ClaimBank(SharedState):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, text TEXT NOT NULL, verdict TEXT, source TEXT,
        date TEXT, url TEXT, debunk TEXT, added_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));
    """

    def put_many(self, claims: Iterable[Claim]) -> int:
        """Insert or update; returns how many rows were new or changed."""
        rows = [tuple(getattr(c, k) for k in COLUMNS) for c in claims]
        with closing(self._connect()) as db, db:
            return db.executemany(
                f"INSERT INTO claims ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
                "ON CONFLICT(id) DO UPDATE SET "
                + ", ".join(f"{k}=excluded.{k}" for k in COLUMNS[1:])
                + " WHERE "
                + " OR ".join(f"claims.{k} IS DISTINCT FROM excluded.{k}" for k in COLUMNS[1:]),
                rows,
            )

    def put(self, claim: Claim) -> bool:
        return self.put_many([claim]) > 0

    def get(self, claim_id: str) -> Claim:
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM claims WHERE id = ?", (claim_id,)).fetchone()
        if row is None:
            raise NotFound(f"claim {claim_id}: not in the claim bank")
        return Claim(*row)

    def all(self) -> list[Claim]:
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM claims ORDER BY added_at, id").fetchall()
        return [Claim(*r) for r in rows]

    def count(self) -> int:
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM claims").fetchone()[0]


# --- files ---------------------------------------------------------------------------------------


def parse_file(path: Path) -> tuple[list[Claim], list[InputError]]:
    """Claims in a CSV, JSON (list, {"claims": [...]}, JSON lines) or ClaimReview JSON-LD file.

    A bad file raises InputError; a bad row is returned as an error and the other rows still load.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise InputError(path, f"file too large ({len(data):,} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(path, "empty file")
    rows = list(_csv_rows(text, path) if path.suffix.lower() == ".csv" else _json_rows(text, path))
    claims, errors = [], []
    for where, row in rows:
        try:
            claims.append(make_claim(row, where))
        except InputError as exc:
            errors.append(exc)
    return claims, errors


def _csv_rows(text: str, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in [f.strip() for f in reader.fieldnames]:
        raise InputError(path, f"CSV needs a 'text' column (optional: {', '.join(c for c in COLUMNS if c != 'text')})")
    for n, row in enumerate(reader, start=2):
        yield f"{path}:{n}", {k.strip(): v for k, v in row.items() if k is not None and v not in (None, "")}


def _json_rows(text: str, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        doc = json.loads(text)
        items = doc if isinstance(doc, list) else doc.get("claims") or doc.get("@graph") or [doc]
    except json.JSONDecodeError as exc:
        try:  # JSON lines
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise InputError(path, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except AttributeError:
        raise InputError(path, 'expected a list of claims, {"claims": [...]} or ClaimReview JSON-LD') from None
    for n, item in enumerate(items, start=1):
        where = f"{path}[{n}]"
        if not isinstance(item, dict):
            yield where, {"text": ""}
        elif item.get("@type") == "ClaimReview" or "claimReviewed" in item:
            yield where, from_claim_review(item)
        else:
            yield where, item


def from_claim_review(review: Mapping[str, Any]) -> dict[str, Any]:
    """schema.org ClaimReview -> Claim fields (claimReviewed, reviewRating, author, url, datePublished)."""
    rating = review.get("reviewRating") or {}
    author = review.get("author") or {}
    if isinstance(author, list):
        author = author[0] if author else {}
    verdict = rating.get("alternateName") or rating.get("name") or "false"
    return {
        "id": review.get("identifier") or "",
        "text": review.get("claimReviewed") or "",
        "verdict": str(verdict).strip().lower(),
        "source": author.get("name", "") if isinstance(author, dict) else str(author),
        "date": str(review.get("datePublished") or "")[:10],
        "url": review.get("url") or "",
        "debunk": review.get("reviewBody") or review.get("headline") or review.get("name") or "",
    }
