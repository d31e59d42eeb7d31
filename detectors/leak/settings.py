"""Settings of the leak matcher (`config/leak.yaml`, env `CANHBAO_LEAK__*`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from canhbao.core import config

PACKAGED = "packaged"
OFF = "none"


@dataclass(frozen=True)
class MatchSettings:
    shingle_words: int = 3
    # Template model. A shingle is document-specific evidence for a registered document only if no other
    # document has it: not another registered document, not a published one in the background table. Seen in
    # exactly one other document (and not twice within one issuer+kind group) it counts `shared_weight`;
    # in more, it is template text and counts nothing.
    shared_weight: float = 0.5
    # Thresholds set on the dev split of bench/leak_registry.py (shared_weight 0.5/0.75, min_specific 6/8,
    # min_containment 0.25/0.30/0.38 compared; fewest false positives at the best recall).
    # Decision: at least this many document-specific shingles inside runs of matches (fewer when the query
    # shows the registered number in the number position)...
    min_specific: float = 6.0
    # ...making up at least this share of the query's own non-template text, unless the specific evidence
    # alone is overwhelming (a long quote inside a long post).
    min_containment: float = 0.38
    strong_specific: float = 40.0
    # A passage that at most this many registered documents share, and no published one, is evidence for the
    # group (a leak of one of them, the page's document named, the others in `also_in`); 1 = off. Set on the dev
    # split of bench/leak_registry.py: 2-3 recover one quote, 4-5 two, 6 adds a false positive (a closing article).
    group_size: int = 4
    # An image whose text has a stretch with at least this many shingles that other documents use, on neither
    # the candidate page nor its neighbours, shows another document's page (`matcher.FOREIGN`). OCR noise makes
    # shingles no document has; on the dev split a registered page's image had at most 3 such (real OCR).
    max_foreign: int = 8
    # pHash Hamming distance (of 64 bits) at which two page images are the same image (re-encoded/resized).
    phash_max_distance: int = 6
    # Only shingles inside runs of at least this many consecutive matches count (3-word shingles: 6 words).
    min_run: int = 4
    # The registered number in the number position (`Số: ...`) of the query halves `min_specific`; another
    # document's number there means another document: never matched.
    number_factor: float = 0.5
    # ...and with the registered number there, a query whose shingles are at least this share in runs on the
    # page (same text, same order) is that page even if all it shows is the heading (`layout_agreement`).
    min_layout: float = 0.5
    # Text read off one image: an unbroken stretch of at least this many of the page's shingles (title and legal
    # bases included) whose rare shingles weigh at least `min_specific` is that page (`layout_specific`).
    # Set on the dev split (`--more-crops`): look-alike images reach 71 (a sibling's shared closing passage, refused
    # as FOREIGN anyway), registered first pages that show only legal bases 116-209.
    layout_run: int = 100
    # ...or such a stretch of which no other registered document has more than this share in the same order (the
    # page's own sequence of common phrases: a title, legal bases, closing articles; `order_share`). Set on the
    # dev split (`--more-dev --holdout`): registered regions 0.16-0.72; look-alikes 0.92 (a closing page with the
    # Government's standard recipients, which other registered decrees also have) and 1.0. Stretches shorter
    # than `layout_run` were tried (40, 60, 80: 3-7 more false positives on dev, siblings' shared passages).
    max_order_share: float = 0.8
    # A post whose words off the registered page include at most this many shingles other documents use (the
    # rest is the poster's own chatter) is matched on `quote_specific` document-specific shingles whatever its
    # containment (`away_known`).
    max_away_known: int = 2
    quote_specific: float = 7.0
    match_score: float = 0.5

    def validate(self) -> None:
        if not 2 <= self.shingle_words <= 6:
            raise ValueError("shingle_words must be between 2 and 6")
        if not 0 <= self.min_containment <= 1 or not 0 < self.match_score < 1:
            raise ValueError("min_containment must be in 0..1 and match_score in (0, 1)")
        if not 0 <= self.max_order_share <= 1:
            raise ValueError("max_order_share must be in 0..1")
        if not 0 <= self.shared_weight <= 1 or not 0 < self.number_factor <= 1:
            raise ValueError("shared_weight must be in 0..1 and number_factor in (0, 1]")


@dataclass(frozen=True)
class LeakSettings:
    # Background table of published documents (template text): "packaged" = the table shipped with the
    # package (`scripts/build_background.py` rebuilds it), a path = another table, "none" = no table, a degraded
    # mode that `canhbao detect` and `canhbao scan` announce on stderr at start.
    background: str = PACKAGED
    match: MatchSettings = field(default_factory=MatchSettings)

    def validate(self) -> None:
        if not self.background.strip():
            raise ValueError(f"background must be '{PACKAGED}', '{OFF}' or the path of a table")


def load_settings() -> LeakSettings:
    return config.load("leak", LeakSettings)
