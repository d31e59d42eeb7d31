"""Publication times as pages show them, resolved against the capture time, in the source's timezone.

Platforms serve a Vietnamese user their interface in Vietnamese or English: relative ("2 giờ", "2 hrs",
"Hôm qua lúc 21:30", "Yesterday at 3:00 PM") and absolute ("30 tháng 8 lúc 14:05", "June 4 at 5:33 PM",
"2 June at 01:24", "12/03/2025 08:15"). `dateparser` reads all of these; this module is the thin wrapper
around it: machine formats first (ISO 8601, RFC 822, exact and cheap), Facebook's bare "<n> <unit>" read
as "<n> <unit> ago", dates without a year never in the future (a post seen on 2 January saying
"30 tháng 12" is last year's), and numeric dates day-first as Vietnamese pages write them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import dateparser

from canhbao.core.text import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LANGUAGES = ("vi", "en")
_JUST_NOW = {"vua xong", "just now", "bay gio", "now"}
# "2 giờ", "5 phút", "3 ngày", "2 hrs", "5m", "1d": Facebook's "ago"-less relative times.
_BARE = re.compile(r"^(\d+)\s*([^\W\d]+)$")
_VI_UNITS = {"giay", "phut", "gio", "ngay", "tuan", "thang", "nam"}
_HAS_YEAR = re.compile(r"\b\d{4}\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b")


def parse_time(text: str | None, captured_at: datetime, tz: ZoneInfo = VN) -> datetime | None:
    """The moment `text` denotes, seen at `captured_at` (aware), aware; None when it is not a time."""
    if not text or not text.strip():
        return None
    raw = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip(" .·")
    absolute = _absolute(raw, tz)
    if absolute is not None:
        return absolute
    now = captured_at.astimezone(tz)
    folded = fold(raw).lower()
    if folded in _JUST_NOW:
        return now
    m = _BARE.match(folded)
    if m:
        raw = f"{raw} trước" if m.group(2) in _VI_UNITS else f"{raw} ago"
    elif not re.search(r"\d|hom|yesterday|today", folded):
        return None  # "không rõ", "tháng 8": no day to read (dateparser would invent one)
    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": str(tz),
        "TO_TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        "STRICT_PARSING": False,
        "REQUIRE_PARTS": ["day"] if not m else [],
    }
    try:
        t = dateparser.parse(raw, languages=list(LANGUAGES), settings=settings)
    except (ValueError, OverflowError):
        return None
    if t is None:
        return None
    t = t.astimezone(tz)
    if t > now + timedelta(hours=1) and not _HAS_YEAR.search(raw):
        try:
            t = t.replace(year=t.year - 1)  # "24 tháng 12" seen in November: last December
        except ValueError:
            return None
    return t


def _absolute(raw: str, tz: ZoneInfo) -> datetime | None:
    """ISO 8601 (Telegram, Graph API, sitemaps) or RFC 822 (RSS). Naive values are local time."""
    iso = raw.replace("Z", "+00:00")
    if re.match(r"^\d{4}-\d{2}-\d{2}", iso):
        iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # Graph API: +0000
        try:
            t = datetime.fromisoformat(iso)
        except ValueError:
            return None
        return t if t.tzinfo else t.replace(tzinfo=tz)
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", raw):
        try:
            t = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        return t if t.tzinfo else t.replace(tzinfo=tz)
    return None


def utc(t: datetime | None) -> datetime | None:
    return t.astimezone(timezone.utc) if t else None
