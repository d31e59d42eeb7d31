"""Match a post against the claim bank: best passage per claim, embedding + lexical view + polarity.

Each claim is embedded twice, as written and without tone marks; each post is cut into passages
(`fakenews_text.passages`). With `split_views`, a passage written with tone marks is compared with the
claims as written, one typed without them with the claims' unaccented form only (unaccented Vietnamese all
looks alike to the embedding: unaccented text scores high against any unaccented claim); otherwise with
the better of the two. A claim's score is its best passage's

    (1 - w) * cosine + w * lexical coverage - negation_penalty * [one of the two says "not", the other not]

where lexical coverage is the IDF-weighted share of the claim's syllables, syllable pairs and numbers found
in the passage, tone marks and function syllables ignored (IDF over the bank, so words every claim shares
weigh little). The embedding carries paraphrase; the lexical view carries unaccented and re-typed posts and
keeps a post on the same subject from riding on topic alone; the polarity term separates the true version
("... không diệt được virus") from the rumour. Weights and tiers were chosen on the dev split of
bench/fakenews_quality.py ("scored" operating point; the configured default is still cosine only, see
docs/fakenews.md). Everything here is numpy over vectors and sparse matrices computed once per bank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
from scipy import sparse

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
    negation_penalty: float = 0.0
    split_views: bool = False  # accented passages meet accented claims only, unaccented ones unaccented claims
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
        n = len(texts)
        vecs = embedder.encode(texts + [fold(t) for t in texts]) if n else np.zeros((0, embedder.dim), np.float32)
        self._vecs, self._folded = vecs[:n], vecs[n:]
        found = [facts.specifics(c.text) for c in self.claims]
        common = facts.topic_specifics(found)
        self._specifics = [f.without(common) for f in found]
        self._negated = np.array([ft.negated(t) for t in texts], dtype=bool)
        # lexical view: claims x vocabulary, IDF weights, each row summing to 1
        grams = [ft.grams(t, found[i].numbers) for i, t in enumerate(texts)]
        self._vocab = {g: j for j, g in enumerate(sorted(set().union(*grams)))} if grams else {}
        df = np.zeros(len(self._vocab), np.float32)
        rows: list[int] = []
        cols: list[int] = []
        for i, g in enumerate(grams):
            idx = [self._vocab[x] for x in g]
            rows += [i] * len(idx)
            cols += idx
            df[idx] += 1
        idf = np.log((n + 1) / (df + 1)) + 1
        weights = sparse.csr_matrix((idf[cols], (rows, cols)), shape=(n, len(self._vocab)), dtype=np.float32)
        totals = np.asarray(weights.sum(axis=1)).ravel()
        self._lexical = sparse.csr_matrix(sparse.diags(1 / np.maximum(totals, 1e-9)) @ weights)

    def similarities(self, text: str) -> np.ndarray:
        """Score of every claim against its best passage of `text` (see the module docstring)."""
        return self.best_passages(text)[0]

    def _coverage(self, parts: list[str]) -> np.ndarray:
        """(passages, claims): IDF-weighted share of each claim's grams present in each passage."""
        rows: list[int] = []
        cols: list[int] = []
        for i, p in enumerate(parts):
            idx = sorted({self._vocab[g] for g in ft.grams(p, facts.specifics(p).numbers) if g in self._vocab})
            rows += [i] * len(idx)
            cols += idx
        present = sparse.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(parts), len(self._vocab))
        )
        return np.asarray((present @ self._lexical.T).todense(), dtype=np.float32)

    def best_passages(self, text: str) -> tuple[np.ndarray, list[str]]:
        """(score of every claim against its best passage, that passage per claim)."""
        n = len(self.claims)
        parts = ft.passages(text, self.thresholds.max_passages) if n and text.strip() else []
        if not parts:
            return np.zeros(n, dtype=np.float32), [""] * n
        vecs = self.embedder.encode(parts)
        marked = np.array([ft.accented(p) for p in parts])[:, None]
        accented, folded = vecs @ self._vecs.T, vecs @ self._folded.T  # (passages, claims)
        score = np.where(marked, accented, folded) if self.thresholds.split_views else np.maximum(accented, folded)
        w = self.thresholds.lexical_weight
        if w > 0:
            score = (1 - w) * score + w * self._coverage(parts)
        if self.thresholds.negation_penalty:
            negated = np.array([ft.negated(p) for p in parts])[:, None]
            score = score - self.thresholds.negation_penalty * (negated != self._negated[None, :])
        best = score.argmax(axis=0)
        return np.clip(score.max(axis=0), 0.0, 1.0), [parts[i] for i in best]

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
