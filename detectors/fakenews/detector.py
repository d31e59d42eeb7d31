"""Fake news: posts repeating a known false claim (claim bank), and posts a classifier finds likely fake.

Findings:
- a claim at or above the `matched` similarity raises `fake_news` with `target` = the best claim's id
  and every claim above `suggested` in `claims`;
- claims only in the `suggested` tier are listed in the section for a human, and raise a finding only
  with `alert_suggested: true`;
- the classifier alone raises `fake_news` with `target="classifier"` only at `classifier_alert`
  probability or above (default 0.9): it learns outlets' style, not truth (bench/fakenews_quality.py), so a
  lone style score is weak evidence and stays quiet unless it is very sure.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace

from canhbao.core import config
from canhbao.core.errors import NotFound
from canhbao.core.home import Home
from canhbao.core.records import FAKE_NEWS, ClaimRef, Finding, Subject
from canhbao.detectors.base import Detector, Example, Report
from canhbao.detectors.fakenews.claim_match import FEATURES, ClaimIndex, Thresholds, Tiers
from canhbao.embedding import Embedder, EmbeddingSettings

log = logging.getLogger(__name__)


# The learned tier score ("learned" point of bench/fakenews_quality.py, fitted on its dev split; optional, see
# config/fakenews.yaml and docs/fakenews.md): claim_match.FEATURES -> weight, and the bias; tiers 0.5 / 0.5.
TIER_MODEL = {
    "bias": -10.952,
    "cos": 2.669,
    "cov": -0.821,
    "flip": -1.74,
    "aside": 0.223,
    "extra": -1.459,
    "negpost": 0.151,
    "negclaim": 0.504,
    "denial": -2.805,
    "contrast": -3.411,
    "prec": 9.153,
    "margin": 5.793,
    "cmargin": 8.959,
}


@dataclass(frozen=True)
class FakenewsSettings:
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    # Score of the best passage: e5 cosine by default; the lexical view and the polarity and specifics
    # penalties (claim_match.py) are the "scored" point of bench/fakenews_quality.py, a `tier_model`
    # (TIER_MODEL) its "learned" point, both set on its dev split (config/fakenews.yaml, docs/fakenews.md).
    suggested: float = 0.90
    matched: float = 0.93
    lexical_weight: float = 0.0  # share of the IDF-weighted, tone-mark-blind lexical coverage
    negation_penalty: float = 0.0  # taken when words post and claim share are negated in only one of them
    negation_words: int = 2  # how many such words make a polarity flip
    aside_penalty: float = 0.0  # taken when one of post and claim negates only words the other never uses
    specifics_penalty: float = 0.0  # taken when the matching passage states numbers or names the claim lacks
    top_k: int = 3
    max_passages: int = 48
    alert_suggested: bool = False
    classifier_alert: float = 0.9  # 1.0 = the classifier never raises alone
    # Tiers for the claims of one source (the `source` column of the bank), e.g. {"AFP": {...}}
    per_source: dict[str, Tiers] = field(default_factory=dict)

    check_facts: bool = True  # `matched` needs the post to carry the claim's numbers and names (facts.py)
    # The learned tier score (claim_match.FEATURES -> weight, and "bias"); {} = the linear scores above
    tier_model: dict[str, float] = field(default_factory=dict)

    def validate(self) -> None:
        Tiers(self.suggested, self.matched).validate()
        weights = (self.lexical_weight, self.negation_penalty, self.aside_penalty, self.specifics_penalty)
        if not all(0.0 <= w <= 1.0 for w in weights):
            raise ValueError("lexical_weight and the penalties must be within 0..1")
        unknown = set(self.tier_model) - set(FEATURES) - {"bias"}
        if unknown:
            raise ValueError(f"tier_model: unknown features {sorted(unknown)} (known: {', '.join(FEATURES)}, bias)")
        if self.top_k < 1 or self.max_passages < 1 or self.negation_words < 1:
            raise ValueError("top_k, max_passages and negation_words must be at least 1")

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(
            tiers=Tiers(self.suggested, self.matched),
            lexical_weight=self.lexical_weight,
            negation_penalty=self.negation_penalty,
            specifics_penalty=self.specifics_penalty,
            negation_words=self.negation_words,
            aside_penalty=self.aside_penalty,
            top_k=self.top_k,
            max_passages=self.max_passages,
            by_source=dict(self.per_source),
            check_facts=self.check_facts,
            tier_model=dict(self.tier_model),
        )


@dataclass(frozen=True)
class ClaimSection:
    id: str
    text: str
    similarity: float
    tier: str
    disagreement: str = ""


@dataclass(frozen=True)
class ClassifierSection:
    probability: float
    threshold: float
    version: str


@dataclass(frozen=True)
class FakenewsSection:
    """The detector's section of `detect --json`."""

    score: float
    label: str  # matched | suggested | likely_fake | no_match
    claims: tuple[ClaimSection, ...] = ()
    classifier: ClassifierSection | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["claims"] = [{k: v for k, v in c.items() if k != "disagreement" or v} for c in out["claims"]]
        if self.classifier is None:
            del out["classifier"]
        return out


class FakenewsDetector(Detector):
    name = "fakenews"
    version = "2"  # 2: claim tiers check the facts; classifier over TF-IDF, embedding, style and metadata
    order = 30
    # State: the demo's claim bank of five known false claims (`for_examples`); no classifier.
    EXAMPLES = (
        Example(
            "Nghe nói tối nay có máy bay trực thăng rải thuốc khử trùng diệt virus Corona khắp thành phố, "
            "mọi người nhớ đóng kín cửa nha!!!",
            True,
            "a known false claim reworded",
        ),
        Example(
            "Chiều nay UBND phường tổ chức dọn vệ sinh khu phố, mời bà con tham gia đông đủ.",
            False,
            "an ordinary local notice",
        ),
    )

    def __init__(
        self,
        settings: FakenewsSettings,
        embedder: Embedder | None = None,
        index: ClaimIndex | None = None,
        classifier=None,
    ):
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.classifier = classifier

    @classmethod
    def from_home(cls, home: Home) -> "FakenewsDetector":
        from canhbao import embedding
        from canhbao.claims import ClaimBank
        from canhbao.detectors.fakenews import model as fakenews_model

        settings = config.load("fakenews", FakenewsSettings)
        claims = ClaimBank(home.claims_db).all()
        try:
            classifier = fakenews_model.load(home.models)
        except NotFound:
            classifier = None
        if not claims and classifier is None:
            return cls(settings)  # nothing to compare with: do not load a model for nothing
        embedder = embedding.load(settings.embedding, home.cache)
        if classifier is not None and classifier.embedder_id != embedder.id:
            log.warning(
                "fake-news model %s was trained with %s but the configured embedding is %s: "
                "classifier ignored (retrain it)",
                classifier.version,
                classifier.embedder_id,
                embedder.id,
            )
            classifier = None
        index = ClaimIndex(claims, embedder, settings.thresholds) if claims else None
        return cls(settings, embedder, index, classifier)

    @classmethod
    def for_examples(cls, home: Home) -> "FakenewsDetector":
        from canhbao.demo.run import load_claims

        load_claims(home)
        return cls.from_home(home)

    def detect(self, subject: Subject) -> Report:
        parts = subject.texts()
        text = "\n\n".join(t for _, t in parts)
        claims: list[ClaimRef] = self.index.match(text) if self.index and text.strip() else []
        prob = None
        if self.classifier is not None and text.strip():
            from canhbao.detectors.fakenews.model import row_of_post

            row = row_of_post(subject.post)
            prob = float(self.classifier.score_rows([replace(row, text=text)], self.embedder)[0])
        matched = [c for c in claims if c.tier == "matched"]
        if matched:
            label = "matched"
        elif claims:
            label = "suggested"
        elif prob is not None and prob >= self.classifier.threshold:
            label = "likely_fake"
        else:
            label = "no_match"
        score = max([c.similarity for c in claims] + ([prob] if prob is not None else []) + [0.0])
        section = FakenewsSection(
            round(score, 4),
            label,
            tuple(ClaimSection(c.id, c.text, c.similarity, c.tier, c.disagreement) for c in claims),
            ClassifierSection(round(prob, 4), self.classifier.threshold, self.classifier.version)
            if prob is not None
            else None,
        )
        finding = self._finding(claims, prob, parts)
        return Report(section.to_dict(), (finding,) if finding else ())

    def _finding(self, claims: list[ClaimRef], prob: float | None, parts) -> Finding | None:
        media = "" if not parts or parts[0][0] == "" else parts[0][0]
        signals = {
            "classifier": round(prob, 4) if prob is not None else None,
            "model": self.classifier.version if self.classifier is not None else "",
        }
        # what a listed claim's facts disagree on (a `suggested` claim missing its numbers or names)
        disagreement = {c.id: c.disagreement for c in claims if c.disagreement}
        if disagreement:
            signals["disagreement"] = disagreement
        top = claims[0] if claims else None
        if top and (top.tier == "matched" or self.settings.alert_suggested):
            return Finding(
                type=FAKE_NEWS,
                detector=self.name,
                score=top.similarity,
                target=top.id,
                media_sha256=media,
                claims=tuple(claims),
                signals=signals,
                summary=f"repeats known {top.verdict or 'false'} claim {top.id} "
                f"({top.tier}, similarity {top.similarity:.2f})",
            )
        if prob is not None and prob >= self.settings.classifier_alert:
            return Finding(
                type=FAKE_NEWS,
                detector=self.name,
                score=round(prob, 4),
                target="classifier",
                media_sha256=media,
                claims=tuple(claims),
                signals=signals,
                summary=f"likely fake (classifier {prob:.2f}); no known claim matched",
            )
        return None
