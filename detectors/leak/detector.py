"""Leak detector: does a post (its text, or the OCR text and pHash of its images) reproduce a registered
internal document? Which one, which page, how sure, and why (`signals`). Pure: the registry index is
loaded once in `from_home`; `detect` only reads it."""

from __future__ import annotations

from typing import Any

from canhbao.core.home import Home
from canhbao.core.records import LEAK, DocumentRef, Finding, Subject
from canhbao.detectors.base import Detector, Example, Report
from canhbao.detectors.leak.matcher import Background, LeakIndex, Match
from canhbao.detectors.leak.settings import LeakSettings, load_settings


class LeakDetector(Detector):
    name = "leak"
    version = "1"
    order = 10
    # State: the Kiên Giang letter 6564/VP-KGVX (seed 000) registered (`for_examples`).
    EXAMPLES = (
        Example("Lộ công văn nội bộ: Trên địa bàn tỉnh Kiên Giang, qua công tác nắm tình hình trên không gian mạng "
                "của ngành Công an tỉnh (tại Công văn số 999/CAT-PA05 ngày 16/8/2021) đã phát hiện một số văn bản, "
                "thông tin nội bộ của cơ quan chức năng liên quan đến các bệnh nhân (F0) được một số cá nhân đăng "
                "tải trên các trang mạng xã hội Facebook, Zalo", True, "a paragraph of the registered letter quoted"),
        Example("Tren dia ban tinh Kien Giang, qua cong tac nam tinh hinh tren khong gian mang cua nganh Cong an "
                "tinh (tai Cong van so 999/CAT-PA05 ngay 16/8/2021) da phat hien mot so van ban, thong tin noi bo "
                "cua co quan chuc nang lien quan den cac benh nhan (F0) duoc mot so ca nhan dang tai", True,
                "the same quote typed without diacritics"),
        Example("Công an tỉnh vừa nhắc nhở người dân không chia sẻ thông tin sai sự thật về dịch Covid-19 trên mạng "
                "xã hội. Ai đăng tin giả có thể bị xử phạt theo Nghị định 15/2020/NĐ-CP.", False,
                "a post on the letter's topic that quotes nothing"),
        Example("Kính gửi: Các sở, ban, ngành tỉnh; Ủy ban nhân dân các huyện, thành phố. Nơi nhận: Như trên; "
                "Lưu: VT.", False, "administrative boilerplate every letter carries"),
    )

    def __init__(self, index: LeakIndex):
        self.index = index

    @classmethod
    def from_home(cls, home: Home, settings: LeakSettings | None = None) -> "LeakDetector":
        from canhbao.registry import Registry

        settings = settings or load_settings()
        background = Background.load(settings.background_dir, settings.match.shingle_words, home.cache)
        with Registry.open(home, shingle_words=settings.match.shingle_words) as registry:
            return cls(LeakIndex.from_registry(registry, background, settings.match))

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
            match = self.index.match_text(text, phash)
            if match and (best is None or match.score > best[0].score):
                best = (match, sha)
        if best is None:
            return Report({"matched": False, "score": 0.0, "document": None, "page": None, "signals": {}})
        match, sha = best
        section = _section(match, sha, subject)
        if not match.matched:
            return Report(section)
        d = match.doc
        ref = DocumentRef(id=d.id, source=d.source, numbers=d.numbers, subject=d.subject, page=match.page)
        label = d.numbers[0] if d.numbers else d.source
        finding = Finding(type=LEAK, detector=self.name, score=match.score, target=d.id, media_sha256=sha,
                          summary=f"{label} trang {match.page}", signals=section["signals"], document=ref)
        return Report(section, (finding,))


def _section(match: Match, sha: str, subject: Subject) -> dict[str, Any]:
    d = match.doc
    signals = dict(match.signals)
    signals["media_sha256"] = sha
    media = next((m for m in subject.media if m.sha256 == sha), None) if sha else None
    if media is not None:
        signals["media_kind"] = media.kind
        signals["prep"] = list(media.prep)
    document = {"id": d.id, "source": d.source, "numbers": list(d.numbers), "subject": d.subject,
                "classification": d.classification}
    if not match.matched:  # the closest page is evidence for the analyst, not an attribution
        signals["nearest"] = {**document, "page": match.page}
        return {"matched": False, "score": match.score, "document": None, "page": None, "signals": signals}
    return {"matched": True, "score": match.score, "document": document, "page": match.page, "signals": signals}
