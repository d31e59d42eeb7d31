"""Fingerprints of registered pages, derived from the text the registry stores and cached in the data home.

The registry keeps what was read (text, zones, pHash, image); the matcher owns how that becomes shingles. The
cache file is named by the fingerprint parameters (shingle size, tokenizer version), and each entry by a
hash of the page text and zones it came from: changing the parameters or re-reading a page can only cause
a recomputation, never a silent mismatch.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from canhbao.core.atomic import atomic_open
from canhbao.detectors.leak.fingerprint import params
from canhbao.detectors.leak.matcher import PagePrint, PageRef, page_print


def cache_path(cache_dir: Path, k: int) -> Path:
    tag = hashlib.sha256(json.dumps(params(k), sort_keys=True).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"leak-prints-{tag}.npz"


def _entry_key(p, heading: str) -> str:
    h = hashlib.sha256("\x00".join((p.text, p.boiler, heading)).encode("utf-8")).hexdigest()[:20]
    return f"{p.doc_id}:{p.page}:{h}"


def _load(path: Path) -> dict[str, PagePrint]:
    if not path.is_file():
        return {}
    try:
        with np.load(path) as z:
            keys = json.loads(bytes(z["keys"]).decode())
            arrays = [np.split(z[name], z[f"{name}_off"][1:-1]) for name in ("shingles", "zones", "title")]
    except Exception:  # a damaged cache is only a cache: recompute
        return {}
    return {k: PagePrint(s, zn, t) for k, s, zn, t in zip(keys, *arrays, strict=False)}


def _save(path: Path, entries: dict[str, PagePrint]) -> None:
    keys = list(entries)
    data: dict[str, Any] = {"keys": np.frombuffer(json.dumps(keys).encode(), np.uint8)}
    for name in ("shingles", "zones", "title"):
        parts = [getattr(entries[k], name) for k in keys]
        data[name] = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
        data[f"{name}_off"] = np.concatenate([[0], np.cumsum([p.size for p in parts])]).astype(np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "wb") as fh:
        np.savez(fh, **data)


def registry_prints(
    registry, k: int, cache_dir: Path | None = None
) -> tuple[list[PageRef], list[PagePrint], list[str]]:
    """(page refs, fingerprints, pHashes) of every registered page, from the cache where it is current."""
    path = cache_path(cache_dir, k) if cache_dir else None
    cached = _load(path) if path else {}
    refs, prints, hashes, current = [], [], [], {}
    pages = list(registry.pages())
    headings: dict[str, list[str]] = {}
    for p in pages:  # a document's title and legal bases weigh nothing wherever in it they recur
        headings.setdefault(p.doc_id, []).append(p.title)
    for p in pages:
        heading = "\n".join(headings[p.doc_id])
        key = _entry_key(p, heading)
        fp = cached.get(key) or page_print(p.text, p.boiler, heading, k)
        current[key] = fp
        refs.append(PageRef(p.doc_id, p.page))
        prints.append(fp)
        hashes.append(p.phash)
    if path and current.keys() != cached.keys():
        _save(path, current)
    return refs, prints, hashes
