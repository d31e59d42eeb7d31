"""The records that flow between stages, defined once.

source -> Post (+Media) -> MediaText (OCR) -> Finding -> Alert -> index / evidence.

All records are frozen dataclasses and JSON-serialisable with `to_dict` / `from_dict`, so a stage can
write its output to the data home and the next stage (or an Airflow task in another process) can read it.
Records never hold unmasked personal data except `Post.text` and `MediaText.text`, which live only in
the data home's post store and the evidence store; alerts and index documents carry `masked_text`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Mapping, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

# --- alert types and lifecycle ---------------------------------------------------------------------

LEAK = "leak"
PII_EXPOSURE = "pii_exposure"
FAKE_NEWS = "fake_news"
MANUAL_CAPTURE = "manual_capture"  # an analyst captured or imported the post by hand (no detector needed)
ALERT_TYPES = (LEAK, PII_EXPOSURE, FAKE_NEWS, MANUAL_CAPTURE)


@dataclass(frozen=True)
class AlertTypeLabel:
    """How an alert type is named to people, per language: `short` in the console and notifications,
    `record` in the evidence record. One table, so a new alert type is named in one place."""

    short: Mapping[str, str]
    record: Mapping[str, str]


ALERT_TYPE_LABELS: Mapping[str, AlertTypeLabel] = {
    LEAK: AlertTypeLabel(
        {"vi": "Lộ văn bản", "en": "Document leak"}, {"vi": "Lộ lọt văn bản nội bộ", "en": "Leaked internal document"}
    ),
    PII_EXPOSURE: AlertTypeLabel(
        {"vi": "Lộ thông tin bệnh nhân", "en": "Patient data"},
        {"vi": "Lộ dữ liệu cá nhân người bệnh", "en": "Exposed patient personal data"},
    ),
    FAKE_NEWS: AlertTypeLabel(
        {"vi": "Tin giả", "en": "Fake news"}, {"vi": "Tin giả, tin sai sự thật", "en": "Fake news"}
    ),
    MANUAL_CAPTURE: AlertTypeLabel(
        {"vi": "Thu thập thủ công", "en": "Manual capture"},
        {"vi": "Cán bộ thu thập thủ công", "en": "Captured by an analyst"},
    ),
}

OPEN, ACKNOWLEDGED, CONFIRMED, DISMISSED = "open", "acknowledged", "confirmed", "dismissed"
ALERT_STATUSES = (OPEN, ACKNOWLEDGED, CONFIRMED, DISMISSED)
# An analyst may confirm or dismiss straight from open; a closed alert can only be reopened.
TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    OPEN: (ACKNOWLEDGED, CONFIRMED, DISMISSED),
    ACKNOWLEDGED: (CONFIRMED, DISMISSED),
    CONFIRMED: (OPEN,),
    DISMISSED: (OPEN,),
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


# --- what crawlers produce --------------------------------------------------------------------------


@dataclass(frozen=True)
class Media:
    """One image (or other file) attached to a post. `sha256` is empty until it has been downloaded."""

    url: str
    sha256: str = ""
    path: str = ""  # relative to the data home root (media/ab/<sha>.jpg)
    mime: str = ""
    size: int = 0
    error: str = ""  # why it could not be fetched or stored; the post is kept regardless


@dataclass(frozen=True)
class Post:
    """A public post as captured. The same record for every platform."""

    source: str  # source id from config/sources.yml ("file" for local inputs)
    platform: str  # facebook | zalo | telegram | news | web | file
    post_id: str
    url: str
    captured_at: datetime
    text: str = ""
    author: str = ""  # display name as shown publicly
    author_url: str = ""
    published_at: datetime | None = None
    media: tuple[Media, ...] = ()
    engagement: Mapping[str, int] = field(default_factory=dict)
    raw_html: str = ""  # path (relative to the data home) of the raw HTML capture
    warc: str = ""  # path (relative to the data home) of the WARC file holding the capture
    # The time as the page showed it ("3 giờ", "Hôm qua lúc 21:30") when `published_at` was derived from
    # it; "" when the source gave the moment itself. Evidence prints derived times as approximate.
    published_text: str = ""

    @property
    def key(self) -> str:
        """Stable identity across re-crawls: the same post is the same key."""
        return f"{self.source}:{self.post_id}"


# --- what the media stage produces ------------------------------------------------------------------


@dataclass(frozen=True)
class MediaText:
    """The readable content of one media file, computed once per SHA-256 and shared by every post."""

    sha256: str
    kind: str  # document | photo | unreadable
    text: str = ""  # OCR text (unmasked: never indexed)
    phash: str = ""
    error: str = ""
    prep: tuple[str, ...] = ()  # what was done before OCR (e.g. "page-quad", "deskew 2.5", "upscale 2.0")


# --- registry and claim bank --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredDocument:
    """An internal document we watch for. `id` is the SHA-256 of the original file."""

    id: str
    source: str  # original file name
    classification: str = "internal"
    numbers: tuple[str, ...] = ()
    date: str = ""  # ISO date of the letter
    agency: str = ""
    subject: str = ""
    signer: str = ""
    pages: int = 0
    added_at: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """A known false claim and its debunk."""

    id: str
    text: str
    verdict: str = "false"
    source: str = ""
    date: str = ""
    url: str = ""
    debunk: str = ""


# --- what detectors produce ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRef:
    id: str
    source: str
    numbers: tuple[str, ...] = ()
    subject: str = ""
    page: int | None = None


@dataclass(frozen=True)
class ClaimRef:
    id: str
    text: str
    similarity: float
    tier: str  # suggested | matched
    verdict: str = ""
    url: str = ""
    disagreement: str = ""  # claim specifics (numbers, names) the post lacks or contradicts; "" = agrees


@dataclass(frozen=True)
class PiiEntity:
    """A span of personal data. Offsets into the analysed text; the value itself is never stored here."""

    type: str
    start: int
    end: int
    score: float
    category: str  # basic | sensitive (Decree 13/2023)


@dataclass(frozen=True)
class Finding:
    """One thing a detector found in one post (or in one of its media)."""

    type: str  # one of ALERT_TYPES
    detector: str
    score: float  # 0..1, how sure
    target: str = ""  # what was matched (registry document id, claim id); part of the alert identity
    media_sha256: str = ""  # the media it was found in; "" = the post text
    summary: str = ""  # one line for humans, never with unmasked personal data
    signals: Mapping[str, Any] = field(default_factory=dict)  # why: JSON-serialisable, masked
    document: DocumentRef | None = None
    claims: tuple[ClaimRef, ...] = ()
    entities: tuple[PiiEntity, ...] = ()


# --- what analysts work with ------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertEvent:
    """One entry of an alert's audit trail."""

    at: datetime
    actor: str
    action: str  # created | updated | acknowledged | confirmed | dismissed | reopened | assigned | note | exported
    note: str = ""
    from_status: str = ""
    to_status: str = ""


@dataclass(frozen=True)
class Alert:
    id: str
    type: str
    score: float
    source: str
    platform: str
    post_id: str
    post_url: str
    captured_at: datetime
    finding: Finding
    masked_text: str = ""
    author: str = ""
    published_at: datetime | None = None
    media_sha256: tuple[str, ...] = ()
    status: str = OPEN
    assignee: str = ""
    notes: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    history: tuple[AlertEvent, ...] = ()

    @property
    def post_key(self) -> str:
        return f"{self.source}:{self.post_id}"


def alert_id(finding_type: str, post_key: str, target: str) -> str:
    """Deterministic: re-running a scan over the same post yields the same id, so stores upsert."""
    return sha256_hex(f"{finding_type}|{post_key}|{target}")[:24]


# --- JSON (de)serialisation -----------------------------------------------------------------------


_FIELDS: dict[type, tuple[str, ...]] = {}


def to_dict(obj: Any) -> Any:
    """Dataclass -> plain JSON types (datetimes as ISO 8601 with offset).

    Hot (every alert indexed, every ledger row): scalars return first and each dataclass's field names are
    looked up once, which makes it about three times faster than asking `dataclasses` every time."""
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    names = _FIELDS.get(type(obj))
    if names is None and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[type(obj)] = tuple(f.name for f in dataclasses.fields(obj))
    if names is not None:
        return {name: to_dict(getattr(obj, name)) for name in names}
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


_HINTS: dict[type, dict[str, Any]] = {}


def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
    """Plain JSON -> dataclass `cls`, converting nested records, tuples and datetimes. Unknown keys are an error."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {sorted(unknown)}")
    return cls(**{k: _convert(hints[k], v) for k, v in data.items()})


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value)
    if tp is datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return value if isinstance(value, tp) else from_dict(tp, value)
    if origin is tuple:
        (item_tp, *_) = typing.get_args(tp)
        return tuple(_convert(item_tp, v) for v in value)
    return value


@dataclass(frozen=True)
class Subject:
    """What detectors examine: one post and the readable content of its media (OCR done once, upstream)."""

    post: Post
    media: tuple[MediaText, ...] = ()

    def texts(self) -> list[tuple[str, str]]:
        """(media sha256 or "" for the post itself, text) for every non-empty text in the post."""
        out = [("", self.post.text)] if self.post.text.strip() else []
        out += [(m.sha256, m.text) for m in self.media if m.text.strip()]
        return out
