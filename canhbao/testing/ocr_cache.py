"""OCR results of benchmark images, cached on disk per image hash (benches use the default media settings), so a benchmark rerun
(after a matcher change) only re-matches: Tesseract is ~1 s per image and the benches OCR hundreds.

The cache is `$CANHBAO_BENCH_CACHE/ocr` (default ~/.cache/canhbao-bench/ocr). Never used by the product."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from canhbao.core.records import MediaText

_READER = None


def cache_dir() -> Path:
    return Path(os.environ.get("CANHBAO_BENCH_CACHE", Path.home() / ".cache" / "canhbao-bench")) / "ocr"


def read(args: tuple[str, bytes]) -> tuple[str, MediaText]:
    """(name, image bytes) -> (name, what the media reader reads from it); picklable for a process pool."""
    global _READER
    from canhbao.media.reader import MediaReader

    _READER = _READER or MediaReader()
    name, data = args
    path = cache_dir() / f"{hashlib.sha256(data).hexdigest()}.pkl"  # benches read with the default settings
    if path.exists():
        try:
            return name, pickle.loads(path.read_bytes())
        except Exception:  # a damaged entry is re-read
            pass
    media = _READER.read_bytes(data, name=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(media))
    tmp.replace(path)
    return name, media
