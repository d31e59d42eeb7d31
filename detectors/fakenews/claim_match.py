"""Match a post against the claim bank: best passage per claim, embedding cosine blended with trigrams.

Each claim is embedded twice (as written and without tone marks, so a post typed without diacritics
meets its own kind); each post is cut into passages (`fakenews_text.passages`). A claim's similarity is
its best passage's `(1 - w) * cosine + w * trigram containment`: the embedding carries paraphrase, the
trigrams carry typos and quoted text. Everything here is pure numpy over vectors computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from canhbao.core.records import Claim, ClaimRef
from canhbao.core.text import fold
from canhbao.detectors.fakenews import text as ft
from canhbao.embedding import Embedder


@dataclass(frozen=True)
class Thresholds:
    suggested: float
    matched: float
    lexical_weight: float = 0.3
    top_k: int = 3
    max_passages: int = 48
    # claim source -> (suggested, matched): a bank imported from one fact-checker can be trusted more or less
    by_source: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def tier(self, similarity: float, source: str = "") -> str:
        suggested, matched = self.by_source.get(source, (self.suggested, self.matched))
        return "matched" if similarity >= matched else "suggested" if similarity >= suggested else ""


class ClaimIndex:
    def __init__(self, claims: Sequence[Claim], embedder: Embedder, thresholds: Thresholds):
        self.claims = list(claims)
        self.embedder = embedder
        self.thresholds = thresholds
        texts = [ft.clean(c.text) for c in self.claims]
        variants = texts + [fold(t) for t in texts]
        self._vecs = embedder.encode(variants) if variants else np.zeros((0, embedder.dim), np.float32)
        self._grams = [ft.trigrams(t) for t in texts]

    def similarities(self, text: str) -> np.ndarray:
        """Similarity of every claim to its best passage of `text` (0..1)."""
        n = len(self.claims)
        if not n or not text.strip():
            return np.zeros(n, dtype=np.float32)
        parts = ft.passages(text, self.thresholds.max_passages)
        if not parts:
            return np.zeros(n, dtype=np.float32)
        vecs = self.embedder.encode(parts)
        cos = vecs @ self._vecs.T  # (passages, 2n)
        cos = np.maximum(cos[:, :n], cos[:, n:])
        w = self.thresholds.lexical_weight
        if w > 0:
            grams = [ft.trigrams(p) for p in parts]
            lex = np.array([[ft.containment(c, g) for c in self._grams] for g in grams], dtype=np.float32)
            cos = (1 - w) * cos + w * lex
        return np.clip(cos.max(axis=0), 0.0, 1.0)

    def match(self, text: str) -> list[ClaimRef]:
        """The top-k claims at or above the `suggested` threshold, best first."""
        sims = self.similarities(text)
        out: list[ClaimRef] = []
        for i in np.argsort(-sims):
            if len(out) >= self.thresholds.top_k:
                break
            tier = self.thresholds.tier(float(sims[i]), self.claims[i].source)
            if tier:
                c = self.claims[i]
                out.append(
                    ClaimRef(
                        id=c.id,
                        text=c.text,
                        similarity=round(float(sims[i]), 4),
                        tier=tier,
                        verdict=c.verdict,
                        url=c.url,
                    )
                )
        return out
