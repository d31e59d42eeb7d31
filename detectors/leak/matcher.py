"""The in-memory index the leak detector matches against, built once from the registry, and the decision.

Template model. Documents of one issuer or one kind share much of their wording: the header and motto, the
legal bases (`Căn cứ ...`), the standard closing articles (`Hiệu lực thi hành`, `Trách nhiệm thi hành`,
`Tổ chức thực hiện`), recipient lists; an amending decree repeats the decree it amends; every news item
repeats a document's title. Such text says nothing about WHICH document a post shows. So a shingle
(3 folded words) is evidence for a registered document only in proportion to how specific it is to it:
  * weight 1 if no other document has it: not another registered document (document frequency over the
    registry, learned as documents are added) and not a published one (the background table, learned from a
    corpus grouped by issuer and kind);
  * `shared_weight` if exactly one other document has it; 0 if more (template text);
  * 0 inside the registered document's own boilerplate zones (header, recipients, closing, signer) and its
    title and legal bases (`meta.split_title`): a title alone never raises an alert, it is an analyst hint.
Only shingles inside runs of consecutive matches count: a quote or an OCRed page gives long runs, a post
that merely shares stock phrases gives scattered short ones.

Decision: enough document-specific shingles (fewer when the registered number is in view), making up enough of
the query's own non-template text; another document's number in the number position means another document.
A page that rests on template text only is returned as "nearest, not matched" with the reason in `signals`.

Text lookups are numpy `searchsorted` calls over sorted shingle arrays: a few milliseconds at 100,000 pages.
Image evidence: 64-bit pHash per registered page; a re-shared copy of the same page image is within a few bits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from canhbao.core.records import RegisteredDocument
from canhbao.detectors.leak.background import Background
from canhbao.detectors.leak.fingerprint import shingle_seq, shingle_set
from canhbao.detectors.leak.settings import MatchSettings
from canhbao.registry import meta

# Phrases every Vietnamese administrative letter carries (Decree 30/2020/ND-CP layout): template whatever the
# registry or the background table hold.
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

MAX_CANDIDATES = 5
# reasons a nearest page is not a match (signals["reason"])
OTHER_NUMBER = "another document's number is in the number position"
TITLE_ONLY = "only the title or legal bases of the registered document"
TEMPLATE_ONLY = "only template text shared with other documents of the same issuer or kind"
TOO_LITTLE = "too little document-specific text"
DILUTED = "document-specific text is a small part of the post"
FOREIGN = "the image shows document text that is not on this page"


@dataclass(frozen=True)
class PageRef:
    doc_id: str
    page: int


@dataclass(frozen=True)
class PagePrint:
    """A registered page's fingerprint: its distinct shingles, and the subset in template zones
    (boilerplate, title, legal bases) and in the title itself."""

    shingles: np.ndarray
    zones: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    title: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))


@dataclass(frozen=True)
class Match:
    """The best-supported registered page for one query text or image, and why."""

    doc: RegisteredDocument
    page: int
    score: float
    matched: bool
    signals: Mapping[str, object] = field(default_factory=dict)


def page_print(text: str, boiler: str, title: str, k: int) -> PagePrint:
    """`title`: the document's title and legal bases (all its pages'): zero weight wherever on the page."""
    s = shingle_set(text, k)
    zones = np.intersect1d(np.union1d(shingle_set(boiler, k), shingle_set(title, k)), s, assume_unique=True)
    return PagePrint(s, zones, np.intersect1d(shingle_set(title, k), s, assume_unique=True))


def _number_keys(numbers: Sequence[str]) -> list[str]:
    return [meta.number_key(n) for n in numbers if n]


def _edits(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _close(a: str, b: str) -> bool:
    """Same number up to one OCR slip (insert, delete or substitute one character) after the leading digits."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or len(a) < 6:
        return False
    digits = re.match(r"\d+", a), re.match(r"\d+", b)
    return (
        _edits(a, b) <= 1 and digits[0] is not None and digits[1] is not None and digits[0].group() == digits[1].group()
    )


def _lead(key: str) -> str:
    m = re.match(r"\d+", key)
    return m.group() if m else key[:3]


def _other(seen: str, own: Sequence[str]) -> bool:
    """`seen` is clearly not one of `own` (more than two edits from each: not an OCR slip)."""
    return all(_edits(seen, k) > 2 for k in own)


class LeakIndex:
    def __init__(
        self,
        docs: Mapping[str, RegisteredDocument],
        pages: Sequence[PageRef],
        prints: Sequence[PagePrint],
        phashes: Sequence[str],
        background: Background,
        settings: MatchSettings = MatchSettings(),
    ):
        self.settings = settings
        self.docs = dict(docs)
        self.pages = list(pages)
        self.background = background
        doc_index = {d: i for i, d in enumerate(dict.fromkeys(p.doc_id for p in self.pages))}
        self.doc_ids = list(doc_index)
        self.page_doc = np.array([doc_index[p.doc_id] for p in self.pages], dtype=np.int32)
        lengths = np.array([p.shingles.size for p in prints], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(lengths)])
        flat = np.concatenate([p.shingles for p in prints]) if prints else np.zeros(0, np.uint64)
        self.flat = flat  # page order: page c's sorted set is flat[offsets[c]:offsets[c+1]]
        self.zones = [p.zones for p in prints]
        self.titles = [p.title for p in prints]
        owners = np.repeat(np.arange(len(self.pages), dtype=np.int32), lengths)
        order = np.argsort(flat, kind="stable")  # stable: owners (and so documents) ascending within a key
        self.keys, self.owners = flat[order], owners[order]
        # document frequency over the registry: distinct (key, document) pairs per key
        docs_sorted = self.page_doc[self.owners] if self.owners.size else np.zeros(0, np.int32)
        first = np.ones(self.keys.size, bool)
        first[1:] = (self.keys[1:] != self.keys[:-1]) | (docs_sorted[1:] != docs_sorted[:-1])
        pair_keys = self.keys[first]
        self.ukeys, self.udf = np.unique(pair_keys, return_counts=True)
        self.phash = np.array([int(h, 16) if h else 0 for h in phashes], dtype=np.uint64)
        self.boiler = shingle_set(BOILERPLATE, settings.shingle_words)
        self.numbers = {d.id: _number_keys(d.numbers) for d in self.docs.values()}
        self.numbers.update({i: [] for i in self.doc_ids if i not in self.numbers})
        self.all_numbers = {key for keys in self.numbers.values() for key in keys}
        # number -> first pages of the documents bearing it, bucketed by the leading digits (OCR-tolerant lookup)
        first_page: dict[str, int] = {}
        for c, ref in enumerate(self.pages):
            first_page.setdefault(ref.doc_id, c)
        self.by_number: dict[str, list[tuple[str, int]]] = {}
        for doc_id, keys in self.numbers.items():
            for key in keys:
                if doc_id in first_page:
                    self.by_number.setdefault(_lead(key), []).append((key, first_page[doc_id]))

    @classmethod
    def from_registry(cls, registry, background: Background, settings: MatchSettings, cache=None) -> "LeakIndex":
        from canhbao.detectors.leak.prints import registry_prints

        docs = {d.id: d for d in registry.list()}
        refs, prints, hashes = registry_prints(registry, settings.shingle_words, cache)
        return cls(docs, refs, prints, hashes, background, settings)

    # --- weights ---------------------------------------------------------------------------------

    def _frequencies(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(registered documents, background documents, background most-of-one-group, template) per query shingle."""
        pos = np.clip(np.searchsorted(self.ukeys, q), 0, max(0, self.ukeys.size - 1))
        reg = np.where(self.ukeys[pos] == q, self.udf[pos], 0) if self.ukeys.size else np.zeros(q.shape, np.int64)
        bg, bg_group = self.background.lookup(q)
        return reg.astype(np.int64), bg, bg_group, np.isin(q, self.boiler)

    def _weights(self, others: np.ndarray, bg_group: np.ndarray, template: np.ndarray) -> np.ndarray:
        """Specificity of each shingle given how many OTHER documents have it."""
        w = np.where(others <= 0, 1.0, np.where((others == 1) & (bg_group < 2), self.settings.shared_weight, 0.0))
        w[template] = 0.0
        return w

    # --- matching ---------------------------------------------------------------------------------

    def match_text(self, text: str, phash: str = "", image: bool = False) -> Match | None:
        """Best page for `text` (and, for an image, its pHash); None when nothing is even close. `image`: the
        text was read off one image, so all of it should be on the page it shows."""
        s = self.settings
        seq = shingle_seq(text, s.shingle_words)
        best = self._phash_match(phash, seq) if phash else None
        if not seq.size or not self.keys.size:
            return best
        q, inverse = np.unique(seq, return_inverse=True)
        reg, bg, bg_group, template = self._frequencies(q)
        # voters: shingles on exactly one registered document (or two), not template in the background
        vote_w = self._weights(reg - 1 + bg, bg_group, template)
        voting = np.flatnonzero((reg >= 1) & (vote_w > 0))
        candidates: list[int] = []
        if voting.size:
            lo = np.searchsorted(self.keys, q[voting], "left")
            hi = np.searchsorted(self.keys, q[voting], "right")
            owners = np.concatenate([self.owners[a:b] for a, b in zip(lo, hi, strict=True)])
            votes = np.bincount(owners, weights=np.repeat(vote_w[voting], hi - lo), minlength=len(self.pages))
            voters = np.flatnonzero(votes)
            top = min(MAX_CANDIDATES, voters.size)
            best_voted = voters[np.argpartition(votes[voters], -top)[-top:]]
            candidates = [int(c) for c in best_voted[np.argsort(votes[best_voted])[::-1]]]
        seen = _number_keys(meta.find_numbers(text))
        # a registered number in the number position nominates its document's first page (a first page can
        # be all heading and template, with no rare shingle to vote for it)
        candidates += [
            c for x in seen for key, c in self.by_number.get(_lead(x), ()) if _close(x, key) and c not in candidates
        ]
        dates = meta.find_dates(text)
        # a registered number cited in running text ("văn bản số 282/2025/NĐ-CP"), as news posts do
        cited = [
            c
            for x in _number_keys(meta.cited_numbers(text))
            if x not in seen
            for key, c in self.by_number.get(_lead(x), ())
            if key == x
        ]
        scored = [
            self._score(int(c), q, inverse, reg, bg, bg_group, template, seen, dates, image)
            for c in dict.fromkeys(candidates + cited)
        ]
        for m in scored:
            # a page matched on its own document's evidence before one matched for a group it is part of
            if best is None or _rank(m) > _rank(best):
                best = m
        if best is not None and best.matched and "also_in" not in best.signals:
            # other documents matched on exactly the same evidence (a passage two documents share): the post
            # cannot tell them apart, so they are named too
            ties = [m.doc.id for m in scored if m.matched and m.doc.id != best.doc.id and _rank(m) == _rank(best)]
            if ties:
                best = Match(
                    best.doc, best.page, best.score, True, {**best.signals, **self._also_in(list(dict.fromkeys(ties)))}
                )
        if best is not None and not best.matched and cited:
            # nothing matched, but the post names a registered document: it is the nearest, as a hint
            m = self._score(cited[0], q, inverse, reg, bg, bg_group, template, seen, dates, image)
            signals = {
                **m.signals,
                "reason": TITLE_ONLY,
                "cited_number": True,
                "hint": "the post cites a registered document's number and title, not its content",
            }
            best = Match(m.doc, m.page, m.score, False, signals)
        return best

    def _score(
        self,
        c: int,
        q: np.ndarray,
        inverse: np.ndarray,
        reg: np.ndarray,
        bg: np.ndarray,
        bg_group: np.ndarray,
        template: np.ndarray,
        seen: list[str],
        dates: list[str],
        image: bool = False,
    ) -> Match:
        """Document-specific evidence for page `c`, and the decision."""
        s = self.settings
        ref = self.pages[c]
        doc = self.docs[ref.doc_id]
        page_set = self.flat[self.offsets[c] : self.offsets[c + 1]]
        present = np.isin(q, page_set, assume_unique=True)
        in_zone = np.isin(q, self.zones[c], assume_unique=True)
        in_title = np.isin(q, self.titles[c], assume_unique=True)
        own = self.numbers[doc.id]
        # OCR-tolerant, but a number that is exactly another registered document's is that document's
        # (06/2026/TT-BT is not an OCR slip of 06/2026/TT-BCT when both are registered)
        number_seen = [
            n
            for n in doc.numbers
            if any(
                x == meta.number_key(n) or (x not in self.all_numbers and _close(x, meta.number_key(n))) for x in seen
            )
        ]
        other_number = [x for x in seen if own and _other(x, own)] if seen and not number_seen else []
        # the registered number in the number position: the page region is the document's own header, and its
        # title there is the document's (a news post cites a number in running text, not as `Số: ...`)
        zone = in_zone & ~in_title if number_seen else in_zone
        # other documents with the shingle: registry count less this page's document (when it has it)
        w = self._weights(reg - present + bg, bg_group, template | zone)
        hit_seq = present[inverse]
        counted = np.zeros(q.size, bool)
        counted[inverse[_runs(hit_seq, s.min_run)]] = True
        specific = float(w[counted].sum())
        own_text = float(w.sum())
        containment = specific / own_text if own_text else 0.0
        need = s.min_specific * (s.number_factor if number_seen else 1.0)
        enough = specific >= need
        shared_in_runs = int(counted.sum())
        # layout agreement: how much of what the query shows is this page's text, in this page's order. With the
        # registered number in the number position and the title in view it identifies the page even when the
        # region shown is all heading (a first page of legal bases): number, title and layout are the evidence.
        layout = shared_in_runs / q.size
        title_hits = int((counted & in_title).sum())
        by_header = (
            bool(number_seen) and title_hits >= 3 and layout >= s.min_layout and shared_in_runs >= s.min_specific
        )
        # An image of the top of a first page (issuer, motto, `Số: ...`, date) shows no title and no content: the
        # registered number read in the number position, in a region that is this page's heading in this page's
        # order (the issuer's own), is the document-specific evidence.
        by_number = image and bool(number_seen) and layout >= s.min_layout and shared_in_runs >= s.min_run
        # An image shows one page (two, on a screen scrolled across a page break). A stretch of its text that is on
        # neither that page nor its neighbours, yet made of phrases other documents use (document language, not
        # OCR noise: misread words make shingles no document has), is another document's text: the page it shows
        # shares a passage with this one (a sibling of the same issuer) and is not this page.
        # Page layout as evidence (text read off one image): a long unbroken stretch of this page's text, its
        # title and legal bases included. Legal bases and title weigh 0 for a post (a news item repeats a title,
        # an amending decree cites one), but a photo of a first page shows them as one long stretch in the page's
        # own order, and the rare ones (no other document has them) then say which document it is.
        long_run = np.zeros(q.size, bool)
        long_run[inverse[_runs(hit_seq, s.layout_run)]] = True
        w_layout = self._weights(reg - present + bg, bg_group, template | (in_zone & ~in_title))
        layout_specific = float(w_layout[long_run].sum()) if image else 0.0
        foreign = self._foreign(c, q, inverse, reg + bg)[0] if image and not number_seen else 0
        elsewhere = foreign >= s.max_foreign

        def decide(spec: float, cont: float) -> bool:
            return spec >= need and (cont >= s.min_containment or spec >= s.strong_specific)

        longest = _longest(hit_seq)
        by_layout = image and longest >= s.layout_run and layout_specific >= s.min_specific
        # Order as evidence (text read off one image): a title, a list of legal bases or closing articles is
        # made of phrases many documents use, but this page's sequence of them is its own. When the longest
        # stretch of this page's text is long and no other registered document has more than
        # `max_order_share` of it in the same order, the stretch says which page it is.
        order_share = (
            self._order_share(c, q[inverse], hit_seq)
            if image and longest >= s.layout_run and not by_layout and not decide(specific, containment)
            else None
        )
        by_order = order_share is not None and order_share <= s.max_order_share
        # A post's own words around a quote dilute its containment. Posters write chatter ("nghe nói có công văn
        # này", "chia sẻ để nhiều người biết"), phrases no document uses; a look-alike's passage around a shared
        # one is document language that other documents use. So with no more than `max_away_known` shingles of
        # document language off the page, the post's other words are the poster's, and the evidence stands
        # without containment when it reaches `quote_specific`.
        away_known = (
            self._foreign(c, q, inverse, reg + bg)[1]
            if not image and enough and not decide(specific, containment)
            else None
        )
        by_quote = away_known is not None and away_known <= s.max_away_known and specific >= s.quote_specific
        matched = not other_number and (
            by_header
            or by_number
            or (not elsewhere and (by_layout or by_order or by_quote or decide(specific, containment)))
        )
        # A passage that a few registered documents share (and no published one) is still registered content: a
        # quote of it leaks one of them, though nothing in the post says which. Its evidence is counted for that
        # group, the page's document named and the others listed (`also_in`).
        also_in: list[str] = []
        if not matched and not other_number and not elsewhere and s.group_size > 1:
            group = self._group(c, q, counted, reg, bg, present, template | zone)
            if group.size:
                in_group = self._held_by(q, reg, group)
                # a group member's title, legal bases or boilerplate cited in another member's body is still
                # a title (an amending decree cites the one it amends): no evidence for the group either
                titles = np.concatenate([self.titles[p] for p in np.flatnonzero(np.isin(self.page_doc, group))])
                w_g = self._weights(reg - present - in_group + bg, bg_group, template | zone | np.isin(q, titles))
                own_g = float(w_g.sum())
                spec_g = float(w_g[counted].sum())
                cont_g = spec_g / own_g if own_g else 0.0
                if decide(spec_g, cont_g):
                    matched, specific, containment, w = True, spec_g, cont_g, w_g
                    also_in = [self.doc_ids[g] for g in group]
                    enough = True
        if matched:
            score = 0.5 + 0.5 * (1 - math.exp(-(max(specific - need, 0) + 5) / 20))
        else:
            score = 0.49 * min(1.0, specific / need) * min(1.0, containment / max(s.min_containment, 1e-9))
        signals: dict[str, object] = {
            "via": "text",
            "specific": round(specific, 2),
            "containment": round(containment, 3),
            "shingles_matched": shared_in_runs,
            "shingles_query": int(q.size),
            "template_share": round(float((counted & (w == 0)).sum()) / max(1, shared_in_runs), 3),
            "title_shingles": title_hits,
            "layout_agreement": round(layout, 3),
            "longest_run": longest,
            "number_seen": number_seen,
            "date_seen": bool(number_seen and doc.date and doc.date in dates),
        }
        if image:
            signals["layout_specific"] = round(layout_specific, 2)
        if order_share is not None:
            signals["order_share"] = round(order_share, 3)
        if away_known is not None:
            signals["away_known"] = away_known
        rule = _rule(by_header or decide(specific, containment), by_layout, by_number, by_order, by_quote)
        if rule:
            signals["evidence"] = rule
        if also_in:
            signals.update(self._also_in(also_in))
            signals["evidence"] = f"text shared by {len(also_in) + 1} registered documents and no other"
        if image:
            signals["foreign_shingles"] = foreign
        if not matched:
            signals["reason"] = FOREIGN if elsewhere and enough else _reason(other_number, enough, counted, in_title, w)
            if signals["reason"] == TITLE_ONLY:
                signals["hint"] = "the post repeats the title of a registered document, not its content"
        return Match(doc, ref.page, round(min(score, 1.0), 3), matched, signals)

    def _also_in(self, ids: list[str]) -> dict[str, list[str]]:
        """Signals naming other registered documents with the same matched text: ids, and their file names."""
        return {"also_in": ids, "also_in_sources": [self.docs[i].source for i in ids if i in self.docs]}

    def _foreign(self, c: int, q: np.ndarray, inverse: np.ndarray, known: np.ndarray) -> tuple[int, int]:
        """Document language away from page `c`: of the query's shingles on neither page `c` nor the pages next
        to it in the same document, those that other documents have (reg + background > 0): the most in one
        stretch, and how many in all."""
        doc = self.page_doc[c]
        near = [p for p in (c - 1, c, c + 1) if 0 <= p < len(self.pages) and self.page_doc[p] == doc]
        pages = np.concatenate([self.flat[self.offsets[p] : self.offsets[p + 1]] for p in near])
        away = ~np.isin(q, pages)[inverse]
        is_known = (known > 0)[inverse]
        best = cur = 0
        for a, k in zip(away, is_known, strict=True):
            cur = cur + int(k) if a else 0
            best = max(best, cur)
        return best, int((away & is_known).sum())

    def _order_share(self, c: int, seq: np.ndarray, hits: np.ndarray) -> float:
        """The longest stretch of the query on page `c` (its longest run), and the most of it, in the same order,
        that any other registered document has: that share (0 when no other document has a shingle of it).
        Documents are tried from the one holding most of the stretch down, and only while one could beat the
        best so far, so the long posting lists of template shingles are read once, as counts."""
        start, end = _longest_span(hits)
        stretch = seq[start:end]
        u, mult = np.unique(stretch, return_counts=True)
        lo = np.searchsorted(self.keys, u, "left")
        hi = np.searchsorted(self.keys, u, "right")
        if not (hi > lo).any():
            return 0.0
        owners = np.concatenate([self.owners[a:b] for a, b in zip(lo, hi, strict=True)])
        sid = np.repeat(np.arange(u.size), hi - lo)
        pairs = np.unique(sid.astype(np.int64) * len(self.doc_ids) + self.page_doc[owners])
        docs = pairs % len(self.doc_ids)
        bound = np.bincount(docs, weights=mult[pairs // len(self.doc_ids)], minlength=len(self.doc_ids))
        bound[self.page_doc[c]] = 0
        best = 0
        for d in np.argsort(bound)[::-1]:
            if bound[d] <= best:
                break
            held = np.concatenate(
                [self.flat[self.offsets[p] : self.offsets[p + 1]] for p in np.flatnonzero(self.page_doc == d)]
            )
            best = max(best, _longest(np.isin(stretch, held)))
        return best / stretch.size

    def _holders(self, shingles: np.ndarray) -> list[np.ndarray]:
        """The registered documents (indices into `doc_ids`) that have each shingle."""
        lo = np.searchsorted(self.keys, shingles, "left")
        hi = np.searchsorted(self.keys, shingles, "right")
        return [np.unique(self.page_doc[self.owners[a:b]]) for a, b in zip(lo, hi, strict=True)]

    def _held_by(self, q: np.ndarray, reg: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Per query shingle: how many documents of `group` have it. Only shingles few documents have are
        looked at (a weight is non-zero only when at most one document outside the group has the shingle),
        so template shingles' long posting lists are never read."""
        out = np.zeros(q.size, np.int64)
        few = np.flatnonzero((reg >= 1) & (reg <= group.size + 2))
        for i, docs in zip(few, self._holders(q[few]), strict=True):
            out[i] = int(np.isin(docs, group).sum())
        return out

    def _group(
        self,
        c: int,
        q: np.ndarray,
        counted: np.ndarray,
        reg: np.ndarray,
        bg: np.ndarray,
        present: np.ndarray,
        zero: np.ndarray,
    ) -> np.ndarray:
        """The other registered documents that share page `c`'s matched passage, when they are few (at most
        `group_size` documents in all) and no published document has it: empty otherwise."""
        s = self.settings
        others = reg - present
        shared = np.flatnonzero(counted & (others >= 1) & (others < s.group_size) & (bg == 0) & ~zero)
        if shared.size < s.min_run:
            return np.zeros(0, np.int64)
        own = self.page_doc[c]
        docs, counts = np.unique(np.concatenate(self._holders(q[shared])), return_counts=True)
        keep = (docs != own) & (counts >= s.min_run)
        docs = docs[keep]
        return docs if 0 < docs.size < s.group_size else np.zeros(0, np.int64)

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
        q = np.unique(seq)
        for c in np.argsort(dist, kind="stable")[:3]:
            d = int(dist[c])
            if d > self.settings.phash_max_distance:
                break
            page_set = self.flat[self.offsets[c] : self.offsets[c + 1]]
            agree = float(np.isin(q, page_set, assume_unique=True).mean()) if q.size else 0.0
            if q.size >= 20 and agree < 0.5:
                continue
            ref = self.pages[int(c)]
            score = round(0.9 + 0.1 * (1 - d / max(1, self.settings.phash_max_distance)), 3)
            return Match(
                self.docs[ref.doc_id],
                ref.page,
                score,
                True,
                {"via": "phash", "phash_distance": d, "text_agreement": round(agree, 3)},
            )
        return None


def _rule(usual: bool, by_layout: bool, by_number: bool, by_order: bool, by_quote: bool) -> str:
    """The evidence a match rests on when it is not the usual specific text (or number, title and layout)."""
    if usual:
        return ""
    if by_layout:
        return "a long stretch of this page's own text, its title and legal bases included"
    if by_number:
        return "the registered number in the number position of this page's heading"
    if by_order:
        return "a long stretch of this page's text in an order no other registered document has"
    if by_quote:
        return "document-specific text quoted amid words no document uses"
    return ""


def _rank(m: Match) -> tuple[bool, bool, float]:
    return (m.matched, "also_in" not in m.signals, m.score)


def _reason(other_number: list[str], enough: bool, counted: np.ndarray, in_title: np.ndarray, w: np.ndarray) -> str:
    if other_number:
        return OTHER_NUMBER
    if enough:
        return DILUTED
    if (counted & in_title).sum() >= 3:
        return TITLE_ONLY
    if (counted & (w == 0)).sum() >= 8:
        return TEMPLATE_ONLY
    return TOO_LITTLE


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
    start, end = _longest_span(hits)
    return end - start


def _longest_span(hits: np.ndarray) -> tuple[int, int]:
    """[start, end) of the first longest run of True values."""
    best, cur = (0, 0), 0
    for i, h in enumerate(hits):
        cur = cur + 1 if h else 0
        if cur > best[1] - best[0]:
            best = (i - cur + 1, i + 1)
    return best


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
