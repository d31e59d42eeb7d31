"""The background table: in how many published documents each text shingle occurs, and in how many of one
issuer and kind at most. It is how the matcher learns template text (legal bases, standard closing
articles, recipient lists) that documents of one office or one kind share, so that such text never carries
a match. Built once by `scripts/build_background.py` from the published corpus and shipped as package
data (`data/background.npz`); the raw corpus is not needed at run time.

Compact: keys are the top 32 bits of the 64-bit shingle hash (a chance collision with ~10^6 keys in 2^32
costs a query shingle its weight with probability 2e-4, harmless), stored sorted and delta-encoded.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from canhbao.core.atomic import atomic_open
from canhbao.core.errors import ConfigError
from canhbao.detectors.leak.fingerprint import params, shingle_set

PACKAGED = Path(__file__).with_name("data") / "background.npz"
REBUILD = "python scripts/build_background.py"


@dataclass(frozen=True)
class Background:
    keys: np.ndarray  # sorted uint32 (top half of the shingle hash)
    counts: np.ndarray  # uint16: documents containing the shingle
    group_max: np.ndarray  # uint16: most documents of one issuer+kind group containing it
    docs: int
    groups: Mapping[str, int] = field(default_factory=dict)  # issuer|kind -> documents
    params: Mapping[str, object] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def empty(cls, k: int = 3) -> "Background":
        z = np.zeros(0, np.uint32)
        return cls(z, z.astype(np.uint16), z.astype(np.uint16), 0, {}, params(k), "none")

    @classmethod
    def build(cls, docs: Iterable[tuple[str, str]], k: int, source: str = "") -> "Background":
        """From (text, group) pairs: one count per document, however often the shingle repeats in it."""
        per_group: dict[str, list[np.ndarray]] = defaultdict(list)
        for text, group in docs:
            per_group[group].append(np.unique((shingle_set(text, k) >> np.uint64(32)).astype(np.uint32)))
        if not per_group:
            return cls.empty(k)
        all_keys = np.unique(np.concatenate([s for sets in per_group.values() for s in sets]))
        counts = np.zeros(all_keys.size, np.int64)
        group_max = np.zeros(all_keys.size, np.int64)
        for sets in per_group.values():
            keys, n = np.unique(np.concatenate(sets), return_counts=True)
            pos = np.searchsorted(all_keys, keys)
            counts[pos] += n
            group_max[pos] = np.maximum(group_max[pos], n)
        cap = np.iinfo(np.uint16).max
        return cls(
            all_keys,
            np.minimum(counts, cap).astype(np.uint16),
            np.minimum(group_max, cap).astype(np.uint16),
            sum(len(s) for s in per_group.values()),
            {g: len(s) for g, s in sorted(per_group.items())},
            params(k),
            source,
        )

    def lookup(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents, most of one group) for 64-bit shingle hashes `q`; zeros where unseen."""
        if not self.keys.size:
            z = np.zeros(q.shape, np.int64)
            return z, z
        top = (q >> np.uint64(32)).astype(np.uint32)
        pos = np.clip(np.searchsorted(self.keys, top), 0, self.keys.size - 1)
        hit = self.keys[pos] == top
        return (
            np.where(hit, self.counts[pos], 0).astype(np.int64),
            np.where(hit, self.group_max[pos], 0).astype(np.int64),
        )

    # --- storage ----------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        meta = {
            "params": dict(self.params),
            "docs": self.docs,
            "groups": dict(self.groups),
            "source": self.source,
            "keys": int(self.keys.size),
        }
        deltas = np.diff(self.keys, prepend=np.uint32(0)).astype(np.uint32)
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            deltas=deltas,
            counts=self.counts,
            group_max=self.group_max,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb") as fh:
            fh.write(buf.getvalue())

    @classmethod
    def load(cls, path: Path, k: int) -> "Background":
        """The table at `path`; ConfigError (naming the file and the rebuild command) if it is missing,
        unreadable, or was built with other shingle parameters than the matcher's."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError("leak", "background", f"background table {path} not found; rebuild it with `{REBUILD}`")
        try:
            with np.load(path) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                keys = np.cumsum(z["deltas"], dtype=np.uint64).astype(np.uint32)
                counts, group_max = z["counts"], z["group_max"]
        except Exception as exc:  # a truncated or foreign file: numpy/zipfile/json raise many kinds
            raise ConfigError(
                "leak", "background", f"background table {path} is unreadable ({exc}); rebuild it with `{REBUILD}`"
            ) from None
        want = params(k)
        if meta.get("params") != want:
            raise ConfigError(
                "leak",
                "background",
                f"background table {path} was built with {meta.get('params')}, "
                f"the matcher uses {want}; rebuild it with `{REBUILD}`",
            )
        if not (keys.size == counts.size == group_max.size == meta.get("keys")):
            raise ConfigError(
                "leak", "background", f"background table {path} is inconsistent; rebuild it with `{REBUILD}`"
            )
        return cls(keys, counts, group_max, int(meta["docs"]), meta.get("groups", {}), want, meta.get("source", ""))
