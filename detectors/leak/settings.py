"""Settings of the leak matcher (`config/leak.yaml`, env `CANHBAO_LEAK__*`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from canhbao.core import config

# Beside the repository, like the seed letters: shared/data/admin_docs (200 published official letters).
DEFAULT_BACKGROUND = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "admin_docs"


@dataclass(frozen=True)
class MatchSettings:
    shingle_words: int = 3
    # A query must share at least this much rarity-weighted text (sum of IDF of shared shingles, with
    # boilerplate weighing 0) with one page; ~ 8 distinctive 3-word shingles.
    min_evidence: float = 20.0
    # ...and that shared text must be at least this share of the query's own distinctive text, unless the
    # evidence alone is overwhelming (a long quote inside a long post).
    min_containment: float = 0.25
    strong_evidence: float = 60.0
    # Shingles that occur in this share of background letters or registry pages count as boilerplate.
    boilerplate_df: float = 0.05
    # pHash Hamming distance (of 64 bits) at which two page images are the same image (re-encoded/resized).
    phash_max_distance: int = 6
    # Only shingles inside runs of at least this many consecutive matches count (3-word shingles: 6 words).
    min_run: int = 4
    # ...and at least this many distinct shingles (fewer when the registered number is seen too).
    min_shingles: int = 8
    # A registered number seen in the query adds this much evidence (tolerant of OCR diacritic errors).
    number_bonus: float = 12.0
    match_score: float = 0.5

    def validate(self) -> None:
        if not 2 <= self.shingle_words <= 6:
            raise ValueError("shingle_words must be between 2 and 6")
        if not 0 <= self.min_containment <= 1 or not 0 < self.match_score < 1:
            raise ValueError("min_containment must be in 0..1 and match_score in (0, 1)")


@dataclass(frozen=True)
class LeakSettings:
    background_dir: Path | None = DEFAULT_BACKGROUND  # background corpus; missing = built-in boilerplate only
    match: MatchSettings = field(default_factory=MatchSettings)


def load_settings() -> LeakSettings:
    return config.load("leak", LeakSettings)
