"""Leak detector: does a post (its text, or the OCR text and pHash of its images) reproduce a registered
internal document? Which one, which page, how sure, and why (`signals`). Pure: the registry index is
loaded once in `from_home`; `detect` only reads it."""

from __future__ import annotations

from typing import Any

from canhbao.core.home import Home
from canhbao.core.records import LEAK, DocumentRef, Finding, Subject
from canhbao.detectors.base import Detector, Report
from canhbao.detectors.leak.matcher import Background, LeakIndex, Match
from canhbao.detectors.leak.settings import LeakSettings, load_settings


class LeakDetector(Detector):
    name = "leak"
    order = 10

    def __init__(self, index: LeakIndex):
        self.index = index

    @classmethod
    def from_home(cls, home: Home, settings: LeakSettings | None = None) -> "LeakDetector":
        from canhbao.registry import Registry

        settings = settings or load_settings()
        background = Background.load(settings.background_dir, settings.match.shingle_words, home.cache)
        with Registry.open(home, shingle_words=settings.match.shingle_words) as registry:
            return cls(LeakIndex.from_registry(registry, background, settings.match))

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
                          summary=f"{label} p.{match.page}", signals=section["signals"], document=ref)
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
