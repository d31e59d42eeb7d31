"""Run the media stage and every detector over one input: a local file (for `detect`) or a crawled post."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.images import IMAGE_SUFFIXES
from canhbao.core.records import Finding, Media, MediaText, Post, Subject, sha256_hex
from canhbao.detectors.base import Detector, Report, detector_classes
from canhbao.media.reader import MediaReader

TEXT_SUFFIXES = {".txt", ".text", ".md"}
MAX_TEXT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Analysis:
    input: str
    kind: str  # image | text | post
    subject: Subject
    reports: Mapping[str, Report]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.reports.values() for f in r.findings]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input": self.input, "kind": self.kind}
        errors = [m.error for m in self.subject.media if m.error]
        if errors:
            out["errors"] = errors
        out.update({name: dict(report.section) for name, report in self.reports.items()})
        return out

    def summary_line(self) -> str:
        found = self.findings
        if not found:
            return f"{self.input}: nothing found"
        parts = [f"{f.type} {f.score:.2f} {f.summary}".strip() for f in found]
        return f"{self.input}: " + "; ".join(parts)


class Analyzer:
    def __init__(self, reader: MediaReader, detectors: Sequence[Detector]):
        self.reader = reader
        self.detectors = list(detectors)

    @classmethod
    def from_home(cls, home: Home, only: Sequence[str] | None = None) -> "Analyzer":
        classes = detector_classes()
        names = list(only) if only else list(classes)
        unknown = [n for n in names if n not in classes]
        if unknown:
            raise InputError("--only", f"unknown detector(s) {', '.join(unknown)}; known: {', '.join(classes)}")
        detectors = [classes[n].from_home(home) for n in names]
        for d in detectors:  # a detector running without part of its state says so, loudly, once per start
            if d.degraded:
                print(f"canhbao: WARNING: {d.degraded}", file=sys.stderr, flush=True)
        return cls(MediaReader.from_home(home), detectors)

    def run(self, subject: Subject) -> dict[str, Report]:
        return {d.name: d.detect(subject) for d in self.detectors}

    def analyze_path(self, path: str | Path) -> Analysis:
        """A local file as if it were a post: an image post or a text post. Raises InputError if unusable."""
        p = Path(path)
        if not p.is_file():
            raise InputError(p, "no such file" if not p.exists() else "not a regular file")
        suffix = p.suffix.lower()
        now = datetime.now(timezone.utc)
        if suffix in TEXT_SUFFIXES:
            text = _read_text(p)
            post = Post(
                source="file",
                platform="file",
                post_id=sha256_hex(text)[:16],
                url=p.resolve().as_uri(),
                captured_at=now,
                text=text,
            )
            subject, kind = Subject(post), "text"
        elif suffix in IMAGE_SUFFIXES:
            media_text = self.reader.read(p)  # raises InputError for an unreadable image
            media = Media(url=p.resolve().as_uri(), sha256=media_text.sha256, path=str(p.resolve()))
            post = Post(
                source="file",
                platform="file",
                post_id=media_text.sha256[:16],
                url=media.url,
                captured_at=now,
                media=(media,),
            )
            subject, kind = Subject(post, (media_text,)), "image"
        else:
            raise InputError(p, f"unknown input type '{suffix or '(none)'}'; expected an image or a .txt post")
        return Analysis(str(path), kind, subject, self.run(subject))

    def analyze_post(self, post: Post, media_texts: Sequence[MediaText]) -> Analysis:
        subject = Subject(post, tuple(media_texts))
        return Analysis(post.url, "post", subject, self.run(subject))


def _read_text(p: Path) -> str:
    if p.stat().st_size > MAX_TEXT_BYTES:  # before reading it into memory
        raise InputError(p, f"text post too large ({p.stat().st_size:,} bytes > {MAX_TEXT_BYTES:,})")
    data = p.read_bytes()
    if not data.strip():
        raise InputError(p, "empty file")
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(p, f"text post too large ({len(data):,} bytes > {MAX_TEXT_BYTES:,})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(p, f"not UTF-8 text (byte {exc.start})") from None
