"""Match a post against the claim bank: best passage per claim; embedding, lexical view, polarity, facts.

Each claim is embedded twice, as written and without tone marks; each post is cut into passages
(`fakenews_text.passages`) and each passage meets the better of the two. Two scores per claim:

    rank = (1 - lexical_weight) * cosine + lexical_weight * lexical coverage          (orders the claims)
    tier = rank - negation_penalty * [words both use are negated on one side only]
                - aside_penalty * [one side negates only words the other never uses]
                - specifics_penalty * [the passage states a number or name the claim lacks]  (meets the tiers)

each taken at the claim's best passage. With a `tier_model` (the default, config/fakenews.yaml) both scores are
instead one learned score, a logistic regression over features of each (passage, claim) pair:

    tier = rank = sigmoid(bias + sum of weight * feature)        (FEATURES; max over the passages)

fitted on the dev split of bench/fakenews_quality.py by cross-validation grouped by claim (docs/fakenews.md). Lexical coverage is the IDF-weighted share of the claim's folded
syllables, syllable pairs and normalised numbers found in the passage (IDF over the bank, function syllables
dropped): it carries unaccented and re-typed posts, which the embedding ranks poorly. The penalties separate
the same subject from the same claim: the true version ("... nhưng không diệt được virus", "..., nhưng không
thay được vắc xin"), another age group, another province. A negation counts by what it governs
(`text.negated_words`), so a rumour that says "not" about one of the claim's words ("cả nhà không ai đi
tiêm") is not taken for its denial. Then the facts (`facts.agreement`) gate the tiers. The weights and tiers
are set on the dev split of bench/fakenews_quality.py (config/fakenews.yaml, docs/fakenews.md); all weights 0
is cosine only. Everything here is numpy over vectors and sparse matrices computed once per bank.
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


# Features of the learned tier score, per (passage, claim): e5 cosine (the better of the claim as written and
# unaccented); lexical coverage (below); the negation flip / aside and extra-specifics flags of the penalties;
# whether only the passage (negpost) or only the claim (negclaim) negates something; whether only the passage
# carries a denial / contrast cue (text.denies, text.contrasts); and precision: the share of the passage's
# content syllables that the claim uses (a same-subject post brings words of its own); margin / cmargin: the
# cosine / coverage less the best other claim's on the same passage (a post on one claim stands out from the
# bank; near-duplicate claims in a bank lower each other's margins, so deduplicate the bank).
FEATURES = (
    "cos",
    "cov",
    "flip",
    "aside",
    "extra",
    "negpost",
    "negclaim",
    "denial",
    "contrast",
    "prec",
    "margin",
    "cmargin",
)


def _margin(x: np.ndarray) -> np.ndarray:
    """(passages, claims): each value less the largest other claim's value in its row (0 with one claim)."""
    if x.shape[1] < 2:
        return np.zeros_like(x)
    top = np.sort(x, axis=1)[:, -2:]
    other = np.where(x >= top[:, 1:2], top[:, 0:1], top[:, 1:2])
    return x - other


@dataclass(frozen=True)
class Thresholds:
    tiers: Tiers = field(default_factory=Tiers)
    lexical_weight: float = 0.0
    negation_penalty: float = 0.0
    specifics_penalty: float = 0.0  # taken when the passage states numbers or names the claim does not
    negation_words: int = 2  # shared words negated on one side only that make a polarity flip
    aside_penalty: float = 0.0  # taken when one side negates only words the other never uses
    top_k: int = 3
    max_passages: int = 48
    # claim source -> tiers: a bank imported from one fact-checker can be trusted more or less
    by_source: Mapping[str, Tiers] = field(default_factory=dict)
    check_facts: bool = True
    # feature -> weight, plus "bias": the learned tier score replaces rank/tier above; {} = the linear scores
    tier_model: Mapping[str, float] = field(default_factory=dict)

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


@dataclass(frozen=True)
class Scores:
    """Per claim: `rank` orders the claims, `tier` meets the tiers (module docstring), both at the claim's best
    passage; `negation` / `specifics` say whether that passage took the penalty."""

    rank: np.ndarray
    tier: np.ndarray
    passages: list[str]
    negation: np.ndarray
    specifics: np.ndarray


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
        self._negated = [ft.negated_words(t) for t in texts]
        self._content = [facts.words(t) - ft.STOP for t in texts]
        self._common = common
        self._claim_denies = np.array([ft.denies(t) for t in texts], dtype=bool)
        self._claim_contrasts = np.array([ft.contrasts(t) for t in texts], dtype=bool)
        # claims x numbers and claims x folded syllables: which claims already state a passage's specifics
        self._numbers = {x: j for j, x in enumerate(sorted(set().union(*(f.numbers for f in found))))}
        self._syllables = {x: j for j, x in enumerate(sorted({w for t in texts for w in facts.words(t)}))}
        self._claim_numbers = np.zeros((n, len(self._numbers)), dtype=bool)
        self._claim_syllables = np.zeros((n, len(self._syllables)), dtype=bool)
        for i, (f, t) in enumerate(zip(found, texts, strict=True)):
            self._claim_numbers[i, [self._numbers[x] for x in f.numbers]] = True
            self._claim_syllables[i, [self._syllables[w] for w in facts.words(t)]] = True
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
        """Rank score of every claim against its best passage of `text` (orders the claims)."""
        return self.scores(text).rank

    def _coverage(self, parts: list[str], found: list[facts.Specifics]) -> np.ndarray:
        """(passages, claims): IDF-weighted share of each claim's grams present in each passage."""
        rows: list[int] = []
        cols: list[int] = []
        for i, p in enumerate(parts):
            idx = sorted({self._vocab[g] for g in ft.grams(p, found[i].numbers) if g in self._vocab})
            rows += [i] * len(idx)
            cols += idx
        present = sparse.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(parts), len(self._vocab))
        )
        return np.asarray((present @ self._lexical.T).todense(), dtype=np.float32)

    def _polarity_flips(self, parts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Two (passages, claims) masks. Flipped: at least `negation_words` words that passage and claim share
        are negated in one of them only (the true version: "... nhưng không tiêu diệt được virus"). Aside: one
        of them negates only words the other never uses, and the other negates nothing (the true version
        adding a denial: "súc miệng nước muối giữ vệ sinh, nhưng không thay được vắc xin"). A negation sharing
        one word with the claim is neither ("cả nhà không ai đi tiêm" under "tiêm vắc xin gây vô sinh"), nor is
        a negation that governs no word (the question "... có đúng không?")."""
        flipped = np.zeros((len(parts), len(self.claims)), dtype=bool)
        aside = np.zeros_like(flipped)
        for i, p in enumerate(parts):
            negated, content = ft.negated_words(p), facts.words(p) - ft.STOP
            for j, (n, c) in enumerate(zip(self._negated, self._content, strict=True)):
                if negated or n:
                    flipped[i, j] = len((negated ^ n) & content & c) >= self.thresholds.negation_words
                    aside[i, j] = (bool(negated) and not n and not negated & c) or (
                        bool(n) and not negated and not n & content
                    )
        return flipped, aside

    def _extra_specifics(self, found: list[facts.Specifics]) -> np.ndarray:
        """(passages, claims): the passage states a number, or a name whose syllables the claim does not
        contain (bank-wide topic specifics aside): another hospital, another age group, another count."""
        out = np.zeros((len(found), len(self.claims)), dtype=bool)
        for i, f in enumerate(found):
            has = np.ones(len(self.claims), dtype=bool)
            for x in f.numbers - self._common:
                has &= self._claim_numbers[:, self._numbers[x]] if x in self._numbers else False
            for name in f.names - self._common:
                for w in name.split():
                    has &= self._claim_syllables[:, self._syllables[w]] if w in self._syllables else False
            out[i] = ~has
        return out

    def pair_features(self, parts: list[str], cos: np.ndarray, found: list[facts.Specifics]) -> dict[str, np.ndarray]:
        """FEATURES of every (passage, claim) pair, each a (passages, claims) float array."""
        flipped, aside = self._polarity_flips(parts)
        negated = np.array([bool(ft.negated_words(p)) for p in parts])[:, None]
        claim_negates = np.array([bool(n) for n in self._negated])[None, :]
        content = [facts.words(p) - ft.STOP for p in parts]
        prec = np.array([[len(w & c) / max(len(w), 1) for c in self._content] for w in content], dtype=np.float32)
        cov = self._coverage(parts, found)
        out = {
            "cos": cos,
            "cov": cov,
            "flip": flipped,
            "aside": aside,
            "extra": self._extra_specifics(found),
            "negpost": negated & ~claim_negates,
            "negclaim": ~negated & claim_negates,
            "denial": np.array([ft.denies(p) for p in parts])[:, None] & ~self._claim_denies[None, :],
            "contrast": np.array([ft.contrasts(p) for p in parts])[:, None] & ~self._claim_contrasts[None, :],
            "prec": prec,
            "margin": _margin(cos),
            "cmargin": _margin(cov),
        }
        return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}

    def _learned(self, parts: list[str], cos: np.ndarray, found: list[facts.Specifics]) -> Scores:
        """The learned tier score (FEATURES, `tier_model`): rank = tier, at the passage scoring highest."""
        model = self.thresholds.tier_model
        features = self.pair_features(parts, cos, found)
        z = np.full(cos.shape, model.get("bias", 0.0), dtype=np.float64)
        for name in FEATURES:
            z += model.get(name, 0.0) * features[name]
        best = z.argmax(axis=0)
        cols = np.arange(len(self.claims))
        score = (1 / (1 + np.exp(-z[best, cols]))).astype(np.float32)
        flipped, aside, extra = (features[k] > 0 for k in ("flip", "aside", "extra"))
        penalised = flipped & (model.get("flip", 0.0) < 0) | aside & (model.get("aside", 0.0) < 0)
        extra &= model.get("extra", 0.0) < 0
        return Scores(score, score, [parts[i] for i in best], penalised[best, cols], extra[best, cols])

    def scores(self, text: str) -> Scores:
        """Every claim against its best passage of `text`: the rank score and the tier score."""
        n = len(self.claims)
        th = self.thresholds
        parts = ft.passages(text, th.max_passages) if n and text.strip() else []
        if not parts:
            zero, no = np.zeros(n, dtype=np.float32), np.zeros(n, dtype=bool)
            return Scores(zero, zero, [""] * n, no, no)
        vecs = self.embedder.encode(parts)
        rank = np.maximum(vecs @ self._vecs.T, vecs @ self._folded.T)  # (passages, claims)
        found = [facts.specifics(p) for p in parts]
        if th.tier_model:
            return self._learned(parts, rank, found)
        if th.lexical_weight > 0:
            rank = (1 - th.lexical_weight) * rank + th.lexical_weight * self._coverage(parts, found)
        no = np.zeros(rank.shape, dtype=bool)
        flipped, aside = self._polarity_flips(parts) if th.negation_penalty or th.aside_penalty else (no, no)
        extra = self._extra_specifics(found) if th.specifics_penalty else no
        tier = rank - th.negation_penalty * flipped - th.aside_penalty * aside - th.specifics_penalty * extra
        best = tier.argmax(axis=0)
        cols = np.arange(n)
        return Scores(
            np.clip(rank.max(axis=0), 0.0, 1.0),
            np.clip(tier[best, cols], 0.0, 1.0),
            [parts[i] for i in best],
            flipped[best, cols] & (th.negation_penalty > 0) | aside[best, cols] & (th.aside_penalty > 0),
            extra[best, cols],
        )

    def best_passages(self, text: str) -> tuple[np.ndarray, list[str]]:
        """(tier score of every claim against its best passage, that passage per claim)."""
        s = self.scores(text)
        return s.tier, s.passages

    def agreement(self, i: int, text: str, passage: str) -> facts.Agreement:
        """Claim i's specifics against the post: carried anywhere in the post; contradicted only by what the
        passage that matched the claim says (a long post's other sentences have numbers of their own)."""
        return facts.agreement(self._specifics[i], text, facts.specifics(passage))

    def match(self, text: str) -> list[ClaimRef]:
        """The top-k claims at or above the `suggested` threshold, best first."""
        s = self.scores(text)
        out: list[ClaimRef] = []
        lowest = min([self.thresholds.suggested, *(t.suggested for t in self.thresholds.by_source.values())])
        for i in np.argsort(-s.rank):  # the tier score is at most the rank score
            if len(out) >= self.thresholds.top_k or s.rank[i] < lowest:
                break
            agreement = self.agreement(i, text, s.passages[i]) if self.thresholds.check_facts else None
            tier = self.thresholds.tier(float(s.tier[i]), self.claims[i].source, agreement)
            if tier:
                c = self.claims[i]
                notes = [agreement.describe()] if agreement is not None and not agreement.agrees else []
                if s.negation[i]:
                    notes.append("post and claim differ in what they say 'not' about (penalised)")
                if s.specifics[i]:
                    notes.append("post states numbers or names the claim lacks (penalised)")
                out.append(
                    ClaimRef(
                        id=c.id,
                        text=c.text,
                        similarity=round(float(s.tier[i]), 4),
                        tier=tier,
                        verdict=c.verdict,
                        url=c.url,
                        disagreement="; ".join(notes),
                    )
                )
        return out
