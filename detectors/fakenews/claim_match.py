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
from canhbao.detectors.fakenews import facts
from canhbao.detectors.fakenews import text as ft
from canhbao.embedding import Embedder


@dataclass(frozen=True)
class Tiers:
    """Similarity tiers of the best passage; the one threshold class (settings, per-source overrides, index)."""

    suggested: float = 0.90
    matched: float = 0.93

    def validate(self) -> None:
        if not 0.0 < self.suggested <= self.matched <= 1.0:
            raise ValueError("need 0 < suggested <= matched <= 1")


@dataclass(frozen=True)
class Thresholds:
    tiers: Tiers = field(default_factory=Tiers)
    lexical_weight: float = 0.0
    top_k: int = 3
    max_passages: int = 48
    # claim source -> tiers: a bank imported from one fact-checker can be trusted more or less
    by_source: Mapping[str, Tiers] = field(default_factory=dict)
    check_facts: bool = True

    @property
    def suggested(self) -> float:
        return self.tiers.suggested

    @property
    def matched(self) -> float:
        return self.tiers.matched

    def tier(self, similarity: float, source: str = "", agreement: facts.Agreement | None = None) -> str:
        """'matched', 'suggested' or ''. With the facts checked: `matched` needs the post to carry every
        specific of the claim; a post stating other specifics instead (same subject, other facts) gets no
        tier; one that only leaves them out stays at most `suggested`."""
        t = self.by_source.get(source, self.tiers)
        tier = "matched" if similarity >= t.matched else "suggested" if similarity >= t.suggested else ""
        if tier and agreement is not None and not agreement.agrees:
            return "" if agreement.conflict else "suggested"
        return tier


class ClaimIndex:
    def __init__(self, claims: Sequence[Claim], embedder: Embedder, thresholds: Thresholds):
        self.claims = list(claims)
        self.embedder = embedder
        self.thresholds = thresholds
        texts = [ft.clean(c.text) for c in self.claims]
        variants = texts + [fold(t) for t in texts]
        self._vecs = embedder.encode(variants) if variants else np.zeros((0, embedder.dim), np.float32)
        self._grams = [ft.trigrams(t) for t in texts]
        found = [facts.specifics(c.text) for c in self.claims]
        common = facts.topic_specifics(found)
        self._specifics = [f.without(common) for f in found]

    def similarities(self, text: str) -> np.ndarray:
        """Similarity of every claim to its best passage of `text` (0..1)."""
        return self.best_passages(text)[0]

    def best_passages(self, text: str) -> tuple[np.ndarray, list[str]]:
        """(similarity of every claim to its best passage, that passage per claim)."""
        n = len(self.claims)
        parts = ft.passages(text, self.thresholds.max_passages) if n and text.strip() else []
        if not parts:
            return np.zeros(n, dtype=np.float32), [""] * n
        vecs = self.embedder.encode(parts)
        cos = vecs @ self._vecs.T  # (passages, 2n)
        cos = np.maximum(cos[:, :n], cos[:, n:])
        w = self.thresholds.lexical_weight
        if w > 0:
            grams = [ft.trigrams(p) for p in parts]
            lex = np.array([[ft.containment(c, g) for c in self._grams] for g in grams], dtype=np.float32)
            cos = (1 - w) * cos + w * lex
        best = cos.argmax(axis=0)
        return np.clip(cos.max(axis=0), 0.0, 1.0), [parts[i] for i in best]

    def agreement(self, i: int, text: str, passage: str) -> facts.Agreement:
        """Claim i's specifics against the post: carried anywhere in the post; contradicted only by what the
        passage that matched the claim says (a long post's other sentences have numbers of their own)."""
        return facts.agreement(self._specifics[i], text, facts.specifics(passage))

    def match(self, text: str) -> list[ClaimRef]:
        """The top-k claims at or above the `suggested` threshold, best first."""
        sims, best = self.best_passages(text)
        out: list[ClaimRef] = []
        lowest = min([self.thresholds.suggested, *(t.suggested for t in self.thresholds.by_source.values())])
        for i in np.argsort(-sims):
            if len(out) >= self.thresholds.top_k or sims[i] < lowest:
                break
            agreement = self.agreement(i, text, best[i]) if self.thresholds.check_facts else None
            tier = self.thresholds.tier(float(sims[i]), self.claims[i].source, agreement)
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
                        disagreement=agreement.describe() if agreement is not None else "",
                    )
                )
        return out
