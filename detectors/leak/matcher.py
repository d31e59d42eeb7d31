"""The in-memory index the leak detector matches against, built once from the registry.

Text evidence: an inverted index (sorted shingle hashes -> page) in numpy arrays, so a lookup is a few
`searchsorted` calls even at 100,000 pages. Each shingle weighs its rarity (IDF over registry pages plus a
background corpus of published official letters); shingles of administrative boilerplate (header, motto,
`Kính gửi`, `Nơi nhận`, `Như trên`, closing formulas) weigh nothing, so two letters that share only that
can never match. Only shingles inside runs of consecutive matches count: a quote or an OCRed page gives
long runs, a post that merely uses the same stock phrases gives scattered short ones.

Image evidence: 64-bit pHash per registered page; a re-shared copy of the same page image is within a few bits.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from canhbao.core.records import RegisteredDocument
from canhbao.detectors.leak.fingerprint import shingle_seq, shingle_set
from canhbao.detectors.leak.settings import MatchSettings
from canhbao.registry import meta

log = logging.getLogger(__name__)

# Phrases every Vietnamese administrative letter carries (Decree 30/2020/ND-CP layout). Works without
# the background corpus; the corpus adds what this list misses.
BOILERPLATE = """
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc
ỦY BAN NHÂN DÂN TỈNH UBND TỈNH VĂN PHÒNG SỞ Y TẾ CÔNG AN TỈNH BỘ Y TẾ
Kính gửi: Như trên; Nơi nhận: Như trên (để thực hiện); Lưu: VT. Lưu VT, Lưu: VT, TH.
Như trên (để phối hợp thực hiện); (để báo cáo); (b/c); Ban Giám đốc Sở; Các phòng chuyên môn, đơn vị trực thuộc Sở
Các sở, ban, ngành tỉnh; Ủy ban nhân dân các huyện, thành phố. UBND các huyện, thị xã, thành phố
Giám đốc các Sở, ban ngành tỉnh; Chủ tịch UBND các huyện, thành phố; Thủ trưởng các đơn vị trực thuộc
CT và các PCT UBND tỉnh; Chủ tịch, các Phó Chủ tịch UBND tỉnh; Lãnh đạo Văn phòng;
KT. CHỦ TỊCH PHÓ CHỦ TỊCH KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC KT. CHÁNH VĂN PHÒNG PHÓ CHÁNH VĂN PHÒNG
KT. BỘ TRƯỞNG THỨ TRƯỞNG TM. ỦY BAN NHÂN DÂN CHỦ TỊCH TRƯỞNG PHÒNG GIÁM ĐỐC
Ký bởi: Cơ quan: Ngày ký: Số và ký hiệu HS: ĐẾN Ngày: Chuyển: Lưu hồ sơ số:
V/v Về việc Thực hiện Công văn số ngày của về việc
đề nghị các cơ quan, đơn vị phối hợp triển khai thực hiện./.
Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời về
để tổng hợp, báo cáo cơ quan có thẩm quyền xem xét, quyết định.
cán bộ, công chức, viên chức và người lao động
thông báo để các cơ quan, đơn vị biết, tổ chức thực hiện./.
"""

TEXT_SUFFIXES = (".txt", ".md")
MAX_VOTE_POSTINGS = 1000


@dataclass(frozen=True)
class PageRef:
    doc_id: str
    page: int


@dataclass(frozen=True)
class Match:
    """The best-supported registered page for one query text or image, and why."""

    doc: RegisteredDocument
    page: int
    score: float
    matched: bool
    signals: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Background:
    """Document frequency of shingles across a corpus of (published, not watched) official letters."""

    keys: np.ndarray  # sorted uint64
    counts: np.ndarray  # int32, parallel to keys
    docs: int

    @classmethod
    def empty(cls) -> "Background":
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int32), 0)

    @classmethod
    def from_texts(cls, texts: Iterable[str], k: int) -> "Background":
        sets = [shingle_set(t, k) for t in texts]
        if not sets:
            return cls.empty()
        keys, counts = np.unique(np.concatenate(sets), return_counts=True)
        return cls(keys, counts.astype(np.int32), len(sets))

    @classmethod
    def load(cls, directory: Path | None, k: int, cache_dir: Path | None = None) -> "Background":
        """Read every .txt under `directory`; cached (npz keyed by names, sizes, mtimes) because it takes seconds."""
        if directory is None or not Path(directory).is_dir():
            if directory is not None:
                log.warning("background corpus %s not found; using the built-in boilerplate list only", directory)
            return cls.empty()
        files = sorted(p for p in Path(directory).rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
        stamp = "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files) + f"|k={k}"
        key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
        cached = cache_dir / f"leak-background-{key}.npz" if cache_dir else None
        if cached and cached.exists():
            with np.load(cached) as z:
                return cls(z["keys"], z["counts"], int(z["docs"]))
        bg = cls.from_texts((p.read_text(encoding="utf-8", errors="replace") for p in files), k)
        if cached:
            from canhbao.core.atomic import atomic_open

            with atomic_open(cached, "wb") as fh:
                np.savez(fh, keys=bg.keys, counts=bg.counts, docs=bg.docs)
        return bg

    def df(self, q: np.ndarray) -> np.ndarray:
        if not self.keys.size:
            return np.zeros(q.shape, np.int32)
        pos = np.clip(np.searchsorted(self.keys, q), 0, self.keys.size - 1)
        return np.where(self.keys[pos] == q, self.counts[pos], 0)


def _number_keys(numbers: Sequence[str]) -> list[str]:
    return [meta.number_key(n) for n in numbers if n]


def _close(a: str, b: str) -> bool:
    """Same number up to one OCR slip (insert, delete or substitute one character) in the part after '/'."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or len(a) < 6:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    digits = re.match(r"\d+", a), re.match(r"\d+", b)
    return prev[-1] <= 1 and digits[0] is not None and digits[1] is not None and digits[0].group() == digits[1].group()


class LeakIndex:
    def __init__(self, docs: Mapping[str, RegisteredDocument], pages: Sequence[PageRef],
                 page_shingles: Sequence[np.ndarray], phashes: Sequence[str], background: Background,
                 settings: MatchSettings = MatchSettings(), boilerplate: Sequence[np.ndarray] = ()):
        self.settings = settings
        self.docs = dict(docs)
        self.pages = list(pages)
        self.background = background
        lengths = np.array([s.size for s in page_shingles], dtype=np.int64)
        self.keys = np.concatenate(page_shingles) if page_shingles else np.zeros(0, np.uint64)
        owners = np.repeat(np.arange(len(self.pages), dtype=np.int32), lengths)
        order = np.argsort(self.keys, kind="stable")
        self.keys, self.owners = self.keys[order], owners[order]
        self.phash = np.array([int(h, 16) if h else 0 for h in phashes], dtype=np.uint64)
        # built-in phrases + every registered letter's own header/recipients/closing zones
        self.boiler = np.unique(np.concatenate([shingle_set(BOILERPLATE, settings.shingle_words), *boilerplate]))
        self.numbers = {d.id: _number_keys(d.numbers) for d in self.docs.values()}
        self.numbers.update({i: [] for i in {p.doc_id for p in self.pages} - set(self.numbers)})
        self.total = len(self.pages) + background.docs

    @classmethod
    def from_registry(cls, registry, background: Background, settings: MatchSettings) -> "LeakIndex":
        docs = {d.id: d for d in registry.list()}
        refs, shingles, hashes, boiler = [], [], [], []
        for p in registry.pages():
            refs.append(PageRef(p.doc_id, p.page))
            shingles.append(p.shingles)
            hashes.append(p.phash)
            boiler.append(p.boiler)
        return cls(docs, refs, shingles, hashes, background, settings, boiler)

    # --- weights ---------------------------------------------------------------------------------

    def weights(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weight, posting start, posting end) for sorted distinct query shingles `q`."""
        lo = np.searchsorted(self.keys, q, "left")
        hi = np.searchsorted(self.keys, q, "right")
        df = (hi - lo) + self.background.df(q)
        # IDF scaled so a shingle seen nowhere else weighs 5 whatever the registry size: the evidence
        # thresholds in MatchSettings then mean "about N distinctive shingles" at 10 pages or 100,000
        w = np.log((self.total + 1) / (df + 1)) * (5.0 / math.log(self.total + 2))
        common = df >= max(3.0, self.settings.boilerplate_df * self.total)
        w[common | np.isin(q, self.boiler, assume_unique=True) | (hi == lo)] = 0.0
        return w, lo, hi

    # --- matching ---------------------------------------------------------------------------------

    def match_text(self, text: str, phash: str = "") -> Match | None:
        """Best page for `text` (and, for an image, its pHash); None when nothing is even close."""
        s = self.settings
        seq = shingle_seq(text, s.shingle_words)
        best = self._phash_match(phash, seq) if phash else None
        if not seq.size or not self.keys.size:
            return best
        q, inverse = np.unique(seq, return_inverse=True)
        w, lo, hi = self.weights(q)
        useful = np.flatnonzero(w > 0)
        if not useful.size:
            return best
        # candidate pages: most rare-shingle weight in common. Shingles on more than MAX_VOTE_POSTINGS pages
        # carry little weight and long posting lists, so they do not vote (they still count when scoring).
        sizes = hi - lo
        voting = useful[sizes[useful] <= MAX_VOTE_POSTINGS]
        if not voting.size:
            voting = useful
        heavy = np.setdiff1d(useful, voting, assume_unique=True)
        idx = np.repeat(voting.astype(np.int32), sizes[voting])
        owners = np.concatenate([self.owners[lo[i]:hi[i]] for i in voting])
        votes = np.bincount(owners, weights=w[idx], minlength=len(self.pages))
        voters = np.flatnonzero(votes)  # dense votes are mostly zero ties, which make argpartition crawl
        top = min(5, voters.size)
        candidates = voters[np.argpartition(votes[voters], -top)[-top:]]
        candidates = candidates[np.argsort(votes[candidates])[::-1]]
        seen = self._numbers_seen(text)
        dates = meta.find_dates(text)
        q_weight = float(w.sum())
        heavy_idx = np.repeat(heavy.astype(np.int32), sizes[heavy])
        heavy_owners = np.concatenate([self.owners[lo[i]:hi[i]] for i in heavy]) if heavy.size else owners[:0]
        keep = np.isin(heavy_owners, candidates)
        heavy_idx, heavy_owners = heavy_idx[keep], heavy_owners[keep]
        for c in candidates:
            present = np.zeros(q.size, bool)
            present[idx[owners == c]] = True
            present[heavy_idx[heavy_owners == c]] = True
            m = self._score(int(c), present, inverse, w, q_weight, seen, dates)
            if best is None or m.score > best.score:
                best = m
        return best

    def _score(self, c: int, present: np.ndarray, inverse: np.ndarray, w: np.ndarray, q_weight: float,
               seen: list[str], dates: list[str]) -> Match:
        """Evidence for page `c`: weight of distinct shingles inside runs of consecutive matches, plus the number."""
        s = self.settings
        ref = self.pages[c]
        doc = self.docs[ref.doc_id]
        hit_seq = present[inverse]
        in_run = _runs(hit_seq, s.min_run)
        counted = np.zeros(w.size, bool)
        counted[inverse[in_run]] = True
        text_evidence = float(w[counted].sum())
        own = self.numbers[doc.id]
        number = [k for k in own if any(_close(n, k) for n in seen)]
        # the letter's own number(s) and date in view: strong with some content, worthless alone
        bonus = s.number_bonus * min(len(number), 2) if text_evidence > 0 else 0.0
        if number and doc.date and doc.date in dates:
            bonus += s.number_bonus / 3
        evidence = text_evidence + bonus
        containment = text_evidence / q_weight if q_weight else 0.0
        enough = int(counted.sum()) >= (s.min_shingles // 2 if number else s.min_shingles)
        matched = enough and evidence >= s.min_evidence and (
            containment >= s.min_containment or evidence >= s.strong_evidence)
        if matched:
            score = 0.5 + 0.5 * (1 - math.exp(-(evidence - s.min_evidence + 5) / 40))
        else:
            score = 0.49 * (min(1.0, evidence / s.min_evidence) * min(1.0, containment / max(s.min_containment, 1e-9))
                            * min(1.0, int(counted.sum()) / max(1, s.min_shingles)))
        longest = _longest(hit_seq)
        signals = {"via": "text", "evidence": round(evidence, 2), "containment": round(containment, 3),
                   "shingles_matched": int(counted.sum()), "shingles_query": int(w.size),
                   "longest_run": longest, "number_seen": [n for n in doc.numbers if meta.number_key(n) in number],
                   "date_seen": bool(number and doc.date in dates)}
        return Match(doc, ref.page, round(min(score, 1.0), 3), matched, signals)

    def _numbers_seen(self, text: str) -> list[str]:
        return _number_keys(meta.find_numbers(text) + meta.cited_numbers(text))

    def _phash_match(self, phash: str, seq: np.ndarray) -> Match | None:
        """A re-shared copy of a registered page image. Nearly blank pages (a signature page) all hash alike,
        so the OCR text must agree too: most of its shingles (boilerplate included: it is the same image)
        on that page, unless the image is too small to read at all."""
        if not self.phash.size:
            return None
        try:
            h = np.uint64(int(phash, 16))
        except ValueError:
            return None
        dist = _popcount(self.phash ^ h)
        for c in np.argsort(dist, kind="stable")[:3]:
            d = int(dist[c])
            if d > self.settings.phash_max_distance:
                break
            q = np.unique(seq)
            lo = np.searchsorted(self.keys, q, "left")
            hi = np.searchsorted(self.keys, q, "right")
            on_page = sum(bool((self.owners[a:b] == c).any()) for a, b in zip(lo, hi, strict=True))
            agree = on_page / q.size if q.size else 0.0
            if q.size >= 20 and agree < 0.5:
                continue
            ref = self.pages[int(c)]
            score = round(0.9 + 0.1 * (1 - d / max(1, self.settings.phash_max_distance)), 3)
            return Match(self.docs[ref.doc_id], ref.page, score, True,
                         {"via": "phash", "phash_distance": d, "text_agreement": round(agree, 3)})
        return None


def _runs(hits: np.ndarray, min_run: int) -> np.ndarray:
    """Mask of positions inside runs of at least `min_run` consecutive True values."""
    out = np.zeros(hits.size, bool)
    if not hits.any():
        return out
    padded = np.concatenate([[False], hits, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if end - start >= min_run:
            out[start:end] = True
    return out


def _longest(hits: np.ndarray) -> int:
    best = cur = 0
    for h in hits:
        cur = cur + 1 if h else 0
        best = max(best, cur)
    return best


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
