"""Text fingerprints: hashed word shingles over diacritic-folded text.

Folding first means OCR tone-mark errors (`Số` -> `Sổ`) and posters typing without diacritics still
produce the same shingles. Hashes are stable across processes (blake2b, not Python's salted `hash`),
because they are stored in the registry database and in the cached background statistics.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from canhbao.core.text import normalize

SHINGLE_WORDS = 3
# Bump when `tokens` or `_h` change: stored background tables and cached page fingerprints carry it, and a
# table made by another version is refused (its hashes would silently never match).
TOKENIZER = "fold-noise1-blake2b64-v1"
# OCR splits "Covid-19" and glues punctuation; single letters and page furniture add noise, not evidence.
_NOISE = re.compile(r"^(?:\d{1,2}|[a-z])$")


def tokens(text: str) -> list[str]:
    """Folded lower-case words with one-character noise removed."""
    return [w for w in normalize(text, diacritics=False).split() if not _NOISE.match(w)]


def _h(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")


def shingle_seq(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Hashes of every k-word shingle, in text order (uint64; repeats kept, so runs can be measured)."""
    words = tokens(text)
    if len(words) < k:
        return np.zeros(0, dtype=np.uint64)
    return np.fromiter((_h(" ".join(words[i : i + k])) for i in range(len(words) - k + 1)), dtype=np.uint64)


def shingle_set(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct shingle hashes, sorted (uint64)."""
    return np.unique(shingle_seq(text, k))


def params(k: int) -> dict[str, object]:
    """What a stored fingerprint depends on; compared on load, never assumed."""
    return {"shingle_words": int(k), "tokenizer": TOKENIZER}
