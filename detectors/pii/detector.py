"""Patient-data exposure: personal data that co-occurs with health context (the 2021 letters' concern).

`find_entities(text)` lists personal data (names, ages, patient codes, phones, ID and insurance numbers,
e-mails, licence plates, addresses) with offsets and the Decree 13/2023 category; `masking.mask` hides them
for alerts and indexes behind keyed placeholders; `PiiDetector` raises a `pii_exposure` finding only when identifying
data meets health context (F0, cách ly, dương tính, ...) and the post is not a shop advert.
Findings carry entity types and offsets, never values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from canhbao.core import config
from canhbao.core.home import Home
from canhbao.core.records import PII_EXPOSURE, Finding, PiiEntity, Subject
from canhbao.detectors.base import Detector, Example, Report
from canhbao.detectors.pii import address as pii_address
from canhbao.detectors.pii import names as pii_names
from canhbao.detectors.pii import patterns as pii_patterns
from canhbao.detectors.pii.masking import MaskStyle, load_or_create_key, mask
from canhbao.detectors.pii.patterns import CATEGORY, Span

# On overlap the more specific recognizer wins (an e-mail contains a name, an address a hero's name).
PRIORITY = (
    "email",
    "cccd",
    "health_insurance",
    "phone",
    "cmnd",
    "licence_plate",
    "patient_code",
    "age",
    "address",
    "name",
)
# Identify a person on their own; the rest (age, phone, address, ...) only in combination.
STRONG = frozenset({"name", "cccd", "cmnd", "health_insurance"})

HEALTH_TERMS = (
    "f0",
    "f1",
    "f2",
    "duong tinh",
    "cach ly",
    "benh nhan",
    "dieu tri",
    "tiep xuc gan",
    "covid",
    "sars-cov-2",
    "ncov",
    "tiep xuc",
    "khai bao y te",
    "xet nghiem",
    "nhap vien",
    "ca benh",
    "ca mac",
    "ca nhiem",
    "nhiem benh",
    "mac benh",
    "trieu chung",
    "phong toa",
    "test nhanh",
    "benh nen",
    "cap cuu",
    "tu vong",
    "nghi nhiem",
    "lay nhiem",
    "ly giai",
    "phoi nhiem",
    "truy vet",
    "bn",
    "benh vien",
    "suy ho hap",
    "tho may",
    "ho sot",
    "sot cao",
)
ADVERT_TERMS = (
    "khuyen mai",
    "lien he",
    "hotline",
    "zalo",
    "inbox",
    "dat hang",
    "giam gia",
    "freeship",
    "free ship",
    "ship cod",
    "cua hang",
    "shop",
    "dai ly",
    "uu dai",
    "mua ngay",
    "dat mua",
    "san pham",
    "gia chi",
    "gia ban",
    "gia uu dai",
    "vnd",
    "nhan order",
    "ib ",
    "mua hang",
    "ban le",
    "ban si",
)


@dataclass(frozen=True)
class PiiSettings:
    min_score: float = 0.6  # entities below are neither reported nor masked
    mask_style: MaskStyle = "tagged"  # "[NAME·4f1c2a]"; "placeholder": "[NAME]" (no tag)
    health_terms: tuple[str, ...] = HEALTH_TERMS  # folded (no diacritics), matched as whole words
    advert_terms: tuple[str, ...] = ADVERT_TERMS
    min_weak_types: int = 2  # without a name or ID number, this many distinct identifying types are needed

    def validate(self) -> None:
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError("min_score must be within 0..1")
        if self.mask_style not in ("tagged", "placeholder"):
            raise ValueError("mask_style must be 'tagged' or 'placeholder' (kept initials can be re-identified)")
        if self.min_weak_types < 1:
            raise ValueError("min_weak_types must be at least 1")


def _terms(terms: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(re.escape(t.strip()) for t in terms if t.strip()))


def find_entities(text: str, min_score: float = 0.6) -> list[PiiEntity]:
    """Every personal-data span in `text`, non-overlapping, sorted by offset."""
    sh = pii_patterns.shadow(text)
    spans = [
        s
        for s in (
            *pii_patterns.numbers(text, sh),
            *pii_names.names(text, sh),
            *pii_address.addresses(text, sh),
        )
        if s.score >= min_score
    ]
    spans.sort(key=lambda s: (PRIORITY.index(s.type), -(s.end - s.start), s.start))
    taken: list[Span] = []
    for s in spans:
        if all(s.end <= t.start or s.start >= t.end for t in taken):
            taken.append(s)
    taken.sort(key=lambda s: s.start)
    return [PiiEntity(s.type, s.start, s.end, round(s.score, 3), CATEGORY[s.type]) for s in taken]


@dataclass(frozen=True)
class PiiSection(Mapping[str, Any]):
    """The pii detector's section of a report: typed for the pipeline (`section.masked_text`), and a read-only
    mapping of JSON values for `detect --json` and older callers (`section["masked_text"]`)."""

    exposure: bool
    entities: tuple[PiiEntity, ...]
    masked_text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "exposure": self.exposure,
            "entities": [
                {"type": e.type, "start": e.start, "end": e.end, "score": e.score, "category": e.category}
                for e in self.entities
            ],
            "masked_text": self.masked_text,
        }

    def __getitem__(self, name: str) -> Any:
        return self.as_json()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(("exposure", "entities", "masked_text"))

    def __len__(self) -> int:
        return 3


class PiiDetector(Detector):
    name = "pii"
    version = "2"  # 2: news-style recognition (enumerations, notice form, places visited), tagged masks
    order = 20
    EXAMPLES = (
        Example(
            "Bệnh nhân Nguyễn Văn Hùng, 45 tuổi, ở số 12 đường Lê Lợi, phường Vĩnh Thanh, TP Rạch Giá, "
            "dương tính với Covid-19, SĐT 0912 345 678",
            True,
            "a patient's name, age, address and phone",
        ),
        Example("Hôm nay trời đẹp, cả nhà đi chợ Tết mua hoa mai về chưng.", False, "no personal data"),
        Example(
            "Sở Y tế ghi nhận 12 ca dương tính mới trong ngày, tất cả đã được cách ly.",
            False,
            "health context without anyone identifiable",
        ),
        Example(
            "CA BỆNH 953 (BN953): Nữ, 56 tuổi, Cẩm Lệ, Đà Nẵng; tiếp xúc với bệnh nhân 970 - 973.",
            True,
            "a Ministry of Health case notice: case number, age and home district",
        ),
        Example(
            "Ông Long cho biết bệnh nhân không sốt, đang được cách ly tại bệnh viện.",
            False,
            "an official quoted and lower-case words after 'bệnh nhân': nobody identified",
        ),
    )

    def __init__(self, settings: PiiSettings | None = None, mask_key: bytes | None = None):
        self.settings = settings or PiiSettings()
        self.mask_key = mask_key
        self._health = _terms(self.settings.health_terms)
        self._advert = _terms(self.settings.advert_terms)

    @classmethod
    def from_home(cls, home: Home) -> "PiiDetector":
        from canhbao.detectors.pii import gazetteer

        gazetteer.load()  # once, up front, not on the first post
        return cls(config.load("pii", PiiSettings), load_or_create_key(home.keys / "mask.key"))

    def mask(self, text: str, entities: Iterable[Any]) -> str:
        return mask(text, entities, self.settings.mask_style, self.mask_key)

    def detect(self, subject: Subject) -> Report:
        parts = subject.texts()
        text = "\n\n".join(t for _, t in parts)
        entities = find_entities(text, self.settings.min_score)
        finding = self._exposure(text, entities, parts)
        section = PiiSection(finding is not None, tuple(entities), self.mask(text, entities))
        return Report(section, (finding,) if finding else ())

    def _exposure(self, text: str, entities: list[PiiEntity], parts: list[tuple[str, str]]) -> Finding | None:
        sh = pii_patterns.shadow(text)
        types = sorted({e.type for e in entities})
        # a patient code is itself health context ("BN2718" says its holder is a case)
        health = sorted({m.group() for m in self._health.finditer(sh)} | ({"patient_code"} & set(types)))
        if not health or not types:
            return None
        advert = bool(self._advert.search(sh))
        identifying = set(types) - {"age"}  # an age alone does not single anyone out
        exposed = (
            bool(STRONG & set(types))
            or ("patient_code" in types and len(types) >= 2)
            or (len(identifying) >= self.settings.min_weak_types and not advert)
        )
        if not exposed:
            return None
        strong = STRONG & set(types)
        score = min(0.99, 0.5 + 0.1 * len(types) + (0.1 if strong else 0.0))
        return Finding(
            type=PII_EXPOSURE,
            detector=self.name,
            score=round(score, 3),
            media_sha256=_where(entities, parts),
            summary=f"personal data ({', '.join(types)}) with health context ({', '.join(health[:4])})",
            signals={
                "types": types,
                "health_terms": health,
                "advert": advert,
                "counts": {t: sum(e.type == t for e in entities) for t in types},
            },
            entities=tuple(entities),
        )


def _where(entities: list[PiiEntity], parts: list[tuple[str, str]]) -> str:
    """The part (post text "" or a media sha256) holding most entities."""
    bounds, pos = [], 0
    for sha, t in parts:
        bounds.append((sha, pos, pos + len(t)))
        pos += len(t) + 2
    counts = {sha: sum(lo <= e.start < hi for e in entities) for sha, lo, hi in bounds}
    return max(counts, key=lambda k: (counts[k], k == "")) if counts else ""
