"""The media stage: image file -> MediaText (document or photo, OCR text, perceptual hash).

Baseline implementation: decode safely, hash, OCR with Tesseract (Vietnamese). The leak issue
refines the document/photo gate and the page rectification; the interface stays `read(path) -> MediaText`.
"""

from __future__ import annotations

import os
from pathlib import Path

import imagehash

from canhbao.core.home import Home
from canhbao.core.images import load_image
from canhbao.core.records import MediaText, sha256_hex

# Tesseract's OpenMP threading is 6x slower on 2 cores than one thread per process (shared/NOTES.md).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class MediaReader:
    @classmethod
    def from_home(cls, home: Home) -> "MediaReader":
        return cls()

    def read(self, path: Path) -> MediaText:
        import pytesseract

        data = Path(path).read_bytes()
        sha = sha256_hex(data)
        img = load_image(data, name=str(path))
        text = pytesseract.image_to_string(img.convert("L"), lang="vie")
        kind = "document" if len(text.split()) >= 20 else "photo"
        return MediaText(sha256=sha, kind=kind, text=text if kind == "document" else "",
                         phash=str(imagehash.phash(img)))
