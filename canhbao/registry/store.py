"""The registry of internal documents: rows in SQLite at `home.registry_db` (or the shared PostgreSQL
database, `config/state.yaml`), originals content-addressed under
`home.registry_files`, page images under `home.registry_pages/<id[:2]>/<id>/NNN.png`.

A document's id is the SHA-256 of the original file, so adding the same file again is a no-op.
Pages are stored as what was read (text, pHash, image, zones); fingerprints are the leak matcher's business
(it derives and caches them from the stored text, keyed by its own parameters), so changing the matcher's
shingle settings never leaves stale fingerprints here.
Files are written (atomically) before the database row that points at them is committed; a crash
leaves at worst an orphan file, never a row without its pages.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

import imagehash

from canhbao.core import atomic
from canhbao.core.errors import InputError, NotFound
from canhbao.core.home import Home
from canhbao.core.records import RegisteredDocument, sha256_hex, utcnow
from canhbao.core.state import registry_connection
from canhbao.media import settings as media_settings
from canhbao.registry import meta
from canhbao.registry.ingest import iter_pages
from canhbao.registry.settings import RegistrySettings, load_settings

CLASSIFICATIONS = ("internal", "confidential")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, classification TEXT NOT NULL, numbers TEXT NOT NULL,
    date TEXT NOT NULL, agency TEXT NOT NULL, subject TEXT NOT NULL, signer TEXT NOT NULL,
    pages INTEGER NOT NULL, added_at TEXT NOT NULL, file TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE, page INTEGER NOT NULL,
    method TEXT NOT NULL, text TEXT NOT NULL, phash TEXT NOT NULL, image TEXT NOT NULL,
    boiler TEXT NOT NULL, title TEXT NOT NULL DEFAULT '', PRIMARY KEY (doc_id, page)
);
"""
# Registries made before fingerprints moved to the matcher stored shingle blobs; the text they were made
# from is there, so the blobs are dropped and the zones recomputed from the text.
_OLD_COLUMNS = ("shingles",)


@dataclass(frozen=True)
class StoredPage:
    doc_id: str
    page: int  # 1-based
    method: str
    text: str
    phash: str
    image: str  # path relative to the data home
    boiler: str  # the lines of boilerplate zones (header, recipients, closing, signer, stamps)
    title: str = ""  # the title / trích yếu lines, if on this page


class Registry:
    def __init__(self, home: Home, settings: RegistrySettings | None = None):
        self.home = home
        self.settings = settings or load_settings()
        self.ocr = media_settings.load_settings().ocr
        self.db = registry_connection(home.registry_db, _SCHEMA)
        self._migrate()

    @classmethod
    def open(cls, home: Home, settings: RegistrySettings | None = None) -> "Registry":
        return cls(home, settings)

    def _migrate(self) -> None:
        """SQLite registries; PostgreSQL ones are migrated by alembic (revision 0004)."""
        from canhbao.core.state import SqliteConnection

        if not isinstance(self.db, SqliteConnection):
            return
        raw = self.db.raw
        columns = {row[1] for row in raw.execute("PRAGMA table_info(pages)")}
        if not any(c in columns for c in _OLD_COLUMNS):
            return
        with raw:
            raw.execute("ALTER TABLE pages RENAME TO pages_old")
            raw.executescript(_SCHEMA)
            old = raw.execute("SELECT doc_id, page, method, text, phash, image FROM pages_old ORDER BY doc_id, page")
            by_doc: dict[str, list[tuple]] = {}
            for row in old:
                by_doc.setdefault(row[0], []).append(row)
            for rows in by_doc.values():
                zones = meta.split_zones([r[3] for r in rows])
                titles = meta.split_title([r[3] for r in rows])
                raw.executemany(
                    "INSERT INTO pages VALUES (?,?,?,?,?,?,?,?)",
                    [(*r, z[1], t) for r, z, t in zip(rows, zones, titles, strict=False)],
                )
            raw.execute("DROP TABLE pages_old")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -------------------------------------------------------------------------------

    def add(self, path: Path | str, classification: str = "internal") -> tuple[RegisteredDocument, bool]:
        """Ingest one file; returns (document, added). Re-adding the same bytes returns (existing, False)."""
        path = Path(path)
        if classification not in CLASSIFICATIONS:
            raise InputError(path, f"classification must be one of {', '.join(CLASSIFICATIONS)}")
        if not path.is_file():
            raise InputError(path, "no such file" if not path.exists() else "not a regular file")
        size = path.stat().st_size
        if size > self.settings.max_file_mb << 20:  # before reading it into memory
            raise InputError(path, f"file too large ({size >> 20} MiB, limit {self.settings.max_file_mb} MiB)")
        data = path.read_bytes()
        doc_id = sha256_hex(data)
        existing = self.find(doc_id)
        if existing:
            return existing, False
        page_dir = self.home.registry_pages / doc_id[:2] / doc_id
        done = []  # (method, text, phash, image path): page images go to disk as they come
        try:
            for n, page in enumerate(iter_pages(path, data, self.settings, self.ocr), start=1):
                image_path = page_dir / f"{n:03d}.png"
                buf = io.BytesIO()
                page.image.save(buf, "PNG", optimize=False)
                atomic.write_bytes(image_path, buf.getvalue())
                done.append((page.method, page.text, str(imagehash.phash(page.image)), image_path))
                del page, buf
        except BaseException:
            for *_, image_path in done:  # a refused document leaves nothing behind
                image_path.unlink(missing_ok=True)
            raise
        texts = [text for _m, text, _h, _p in done]
        letter = meta.extract("\n".join(texts))
        original = self.home.blob_path(self.home.registry_files, doc_id, path.suffix.lower())
        atomic.write_bytes(original, data)
        rows = []
        zones = meta.split_zones(texts)
        titles = meta.split_title(texts)
        for n, ((method, text, phash, image_path), (_, boiler_text), title) in enumerate(
            zip(done, zones, titles, strict=True), start=1
        ):
            rows.append(
                (doc_id, n, method, text, phash, str(image_path.relative_to(self.home.root)), boiler_text, title)
            )
        added_at = utcnow()
        doc = RegisteredDocument(
            id=doc_id,
            source=path.name,
            classification=classification,
            numbers=letter.numbers,
            date=letter.date,
            agency=letter.agency,
            subject=letter.subject,
            signer=letter.signer,
            pages=len(done),
            added_at=added_at,
        )
        with self.db:
            self.db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                (
                    doc.id,
                    doc.source,
                    doc.classification,
                    json.dumps(list(doc.numbers), ensure_ascii=False),
                    doc.date,
                    doc.agency,
                    doc.subject,
                    doc.signer,
                    doc.pages,
                    added_at.isoformat(),
                    str(original.relative_to(self.home.root)),
                ),
            )
            self.db.executemany("INSERT INTO pages VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", rows)
        return doc, True

    def remove(self, doc_id: str) -> RegisteredDocument:
        doc = self.get(doc_id)
        with self.db:
            self.db.execute("DELETE FROM pages WHERE doc_id = ?", (doc.id,))
            self.db.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
        for image in sorted((self.home.registry_pages / doc.id[:2] / doc.id).glob("*.png")):
            image.unlink(missing_ok=True)
        for original in (self.home.registry_files / doc.id[:2]).glob(f"{doc.id}*"):
            original.unlink(missing_ok=True)
        return doc

    # --- reading -------------------------------------------------------------------------------

    def find(self, doc_id: str) -> RegisteredDocument | None:
        """By full id or a unique prefix (at least 6 characters, as `registry list` shows them)."""
        if len(doc_id) < 6:
            return None
        rows = self.db.execute(
            "SELECT * FROM documents WHERE id LIKE ? ORDER BY id LIMIT 2", (doc_id.lower() + "%",)
        ).fetchall()
        return _document(rows[0]) if len(rows) == 1 else None

    def get(self, doc_id: str) -> RegisteredDocument:
        doc = self.find(doc_id)
        if doc is None:
            raise NotFound(f"no registered document with id {doc_id!r}")
        return doc

    def list(self) -> list[RegisteredDocument]:
        return [_document(r) for r in self.db.execute("SELECT * FROM documents ORDER BY added_at, id")]

    def pages(self, doc_id: str | None = None) -> Iterator[StoredPage]:
        sql = "SELECT doc_id, page, method, text, phash, image, boiler, title FROM pages"
        args: tuple = ()
        if doc_id:
            sql, args = sql + " WHERE doc_id = ?", (doc_id,)
        for row in self.db.execute(sql + " ORDER BY doc_id, page", args):
            yield StoredPage(*row)

    def file_path(self, doc_id: str) -> Path:
        (rel,) = self.db.execute("SELECT file FROM documents WHERE id = ?", (self.get(doc_id).id,)).fetchone()
        return self.home.root / rel


def _document(row: tuple) -> RegisteredDocument:
    return RegisteredDocument(
        id=row[0],
        source=row[1],
        classification=row[2],
        numbers=tuple(json.loads(row[3])),
        date=row[4],
        agency=row[5],
        subject=row[6],
        signer=row[7],
        pages=row[8],
        added_at=datetime.fromisoformat(row[9]),
    )
