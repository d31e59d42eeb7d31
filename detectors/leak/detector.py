"""Leak detector: does a post (its text, or the OCR text and pHash of its images) reproduce a registered
internal document? Which one, which page, how sure, and why (`signals`). Pure: the registry index is
loaded once in `from_home`; `detect` only reads it.

Its report section is a `LeakSection` (typed here, a plain mapping in `detect --json`). A post that only
repeats a registered document's title or template text gets `matched: false` with the nearest page, the
reason and, for a title, an analyst hint in `signals`; it raises no finding."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from canhbao.core.home import Home
from canhbao.core.records import LEAK, DocumentRef, Finding, Subject
from canhbao.detectors.base import Detector, Example, Report
from canhbao.detectors.leak.background import PACKAGED as PACKAGED_TABLE
from canhbao.detectors.leak.background import Background
from canhbao.detectors.leak.matcher import LeakIndex, Match
from canhbao.detectors.leak.settings import OFF, PACKAGED, LeakSettings, load_settings

DEGRADED = (
    "leak detector DEGRADED: no background table (config/leak.yaml background: none); template text "
    "of published documents is learned from the registry only, so false alerts on shared wording are "
    "more likely"
)


@dataclass(frozen=True)
class LeakDocument:
    id: str
    source: str
    numbers: tuple[str, ...]
    subject: str
    classification: str


@dataclass(frozen=True)
class LeakSection:
    """The leak detector's section of a report: the matched document and page, or none (with the nearest
    page under `signals["nearest"]` when there was one)."""

    matched: bool
    score: float
    document: LeakDocument | None = None
    page: int | None = None
    signals: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.document is not None:
            out["document"]["numbers"] = list(self.document.numbers)
        return out


def load_background(settings: LeakSettings) -> tuple[Background, str]:
    """The configured background table and a degraded-mode notice ('' when none). A missing or mismatched
    table is a ConfigError naming it and the rebuild command."""
    k = settings.match.shingle_words
    if settings.background == OFF:
        return Background.empty(k), DEGRADED
    path = PACKAGED_TABLE if settings.background == PACKAGED else Path(settings.background).expanduser()
    return Background.load(path, k), ""


class LeakDetector(Detector):
    name = "leak"
    # 2: template model (document-specific shingles only; title/legal bases and template text never match)
    version = "2"
    order = 10
    # State: the Kiên Giang letter 6564/VP-KGVX (seed 000) registered (`for_examples`).
    EXAMPLES = (
        Example(
            "Lộ công văn nội bộ: Trên địa bàn tỉnh Kiên Giang, qua công tác nắm tình hình trên không gian mạng "
            "của ngành Công an tỉnh (tại Công văn số 999/CAT-PA05 ngày 16/8/2021) đã phát hiện một số văn bản, "
            "thông tin nội bộ của cơ quan chức năng liên quan đến các bệnh nhân (F0) được một số cá nhân đăng "
            "tải trên các trang mạng xã hội Facebook, Zalo",
            True,
            "a paragraph of the registered letter quoted",
        ),
        Example(
            "Tren dia ban tinh Kien Giang, qua cong tac nam tinh hinh tren khong gian mang cua nganh Cong an "
            "tinh (tai Cong van so 999/CAT-PA05 ngay 16/8/2021) da phat hien mot so van ban, thong tin noi bo "
            "cua co quan chuc nang lien quan den cac benh nhan (F0) duoc mot so ca nhan dang tai",
            True,
            "the same quote typed without diacritics",
        ),
        Example(
            "Công an tỉnh vừa nhắc nhở người dân không chia sẻ thông tin sai sự thật về dịch Covid-19 trên mạng "
            "xã hội. Ai đăng tin giả có thể bị xử phạt theo Nghị định 15/2020/NĐ-CP.",
            False,
            "a post on the letter's topic that quotes nothing",
        ),
        Example(
            "Kính gửi: Các sở, ban, ngành tỉnh; Ủy ban nhân dân các huyện, thành phố. Nơi nhận: Như trên; Lưu: VT.",
            False,
            "administrative boilerplate every letter carries",
        ),
        Example(
            "Văn phòng UBND tỉnh vừa có văn bản số 6564/VP-KGVX về việc chấn chỉnh sử dụng thông tin liên quan "
            "công tác phòng, chống dịch bệnh Covid-19. Mọi người lưu ý nhé.",
            False,
            "a news post repeating the registered letter's number and title (at most an analyst hint)",
        ),
        Example(
            "Điều 3. Hiệu lực thi hành. Nghị định này có hiệu lực thi hành kể từ ngày ký ban hành. Các Bộ trưởng, "
            "Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ, Chủ tịch Ủy ban nhân dân các tỉnh, "
            "thành phố trực thuộc trung ương chịu trách nhiệm thi hành Nghị định này./.",
            False,
            "the standard closing articles every decree carries",
        ),
    )

    def __init__(self, index: LeakIndex, degraded: str = ""):
        self.index = index
        self.degraded = degraded  # non-empty: announced on stderr by `detect` and `scan` at start

    @classmethod
    def from_home(cls, home: Home, settings: LeakSettings | None = None) -> "LeakDetector":
        from canhbao.registry import Registry

        settings = settings or load_settings()
        background, degraded = load_background(settings)
        with Registry.open(home) as registry:
            return cls(LeakIndex.from_registry(registry, background, settings.match, home.cache), degraded)

    @classmethod
    def for_examples(cls, home: Home) -> "LeakDetector":
        from canhbao.registry import Registry
        from canhbao.testing.samples import load_seeds

        with Registry.open(home) as registry:
            registry.add(load_seeds()[0].path, classification="internal")
        return cls.from_home(home)

    def detect(self, subject: Subject) -> Report:
        best: tuple[Match, str] | None = None
        candidates: list[tuple[str, str, str]] = []  # (media sha or "", text, phash)
        if subject.post.text.strip():
            candidates.append(("", subject.post.text, ""))
        for m in subject.media:
            if m.kind == "document" or m.text.strip():
                candidates.append((m.sha256, m.text, m.phash))
        for sha, text, phash in candidates:
            match = self.index.match_text(text, phash, image=bool(sha))
            if match and (best is None or match.score > best[0].score):
                best = (match, sha)
        if best is None:
            return Report(LeakSection(False, 0.0).to_json())
        match, sha = best
        section = _section(match, sha, subject)
        if not match.matched:
            return Report(section.to_json())
        d = match.doc
        ref = DocumentRef(id=d.id, source=d.source, numbers=d.numbers, subject=d.subject, page=match.page)
        label = d.numbers[0] if d.numbers else d.source
        finding = Finding(
            type=LEAK,
            detector=self.name,
            score=match.score,
            target=d.id,
            media_sha256=sha,
            summary=f"{label} trang {match.page}",
            signals=dict(section.signals),
            document=ref,
        )
        return Report(section.to_json(), (finding,))


def _section(match: Match, sha: str, subject: Subject) -> LeakSection:
    d = match.doc
    signals = dict(match.signals)
    signals["media_sha256"] = sha
    media = next((m for m in subject.media if m.sha256 == sha), None) if sha else None
    if media is not None:
        signals["media_kind"] = media.kind
        signals["prep"] = list(media.prep)
    document = LeakDocument(d.id, d.source, tuple(d.numbers), d.subject, d.classification)
    if not match.matched:  # the closest page is evidence for the analyst, not an attribution
        signals["nearest"] = {**asdict(document), "numbers": list(d.numbers), "page": match.page}
        return LeakSection(False, match.score, None, None, signals)
    return LeakSection(True, match.score, document, match.page, signals)
