"""Publication times as pages show them, resolved against the capture time.

Facebook, Zalo and forums print Vietnamese relative times ("2 giờ", "Hôm qua lúc 21:30", "3 ngày",
"30 tháng 8 lúc 14:05"); news feeds print RFC 822 or ISO 8601. Local times are read in the configured
timezone (Asia/Ho_Chi_Minh), results are timezone-aware. A date without a year that would lie in the
future is last year's (a post seen on 2 January saying "30 tháng 12").
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from canhbao.core.text import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# unit words (folded, lower-case) -> seconds; English for pages served in English
_UNITS = {
    "giay": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "phut": 60, "p": 60, "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "gio": 3600, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "ngay": 86400, "d": 86400, "day": 86400, "days": 86400,
    "tuan": 7 * 86400, "w": 7 * 86400, "week": 7 * 86400, "weeks": 7 * 86400,
}
_RELATIVE = re.compile(r"^(\d+)\s*([a-z]+)(?:\s+(?:truoc|ago))?$")
_AT = r"(?:\s*(?:luc|at|,)?\s*(\d{1,2})[:h](\d{2}))?"
_DAY_WORD = re.compile(rf"^(hom nay|today|hom qua|yesterday){_AT}$")
_VI_DATE = re.compile(rf"^(\d{{1,2}})\s+thang\s+(\d{{1,2}})(?:,?\s*(?:nam\s+)?(\d{{4}}))?{_AT}$")
_NUM_DATE = re.compile(rf"^(?:(\d{{1,2}})[:h](\d{{2}})\s+)?(\d{{1,2}})[/.-](\d{{1,2}})(?:[/.-](\d{{2,4}}))?{_AT}$")
_JUST_NOW = {"vua xong", "just now", "bay gio", "now"}


def parse_time(text: str | None, captured_at: datetime, tz: ZoneInfo = VN) -> datetime | None:
    """The moment `text` denotes, seen at `captured_at` (aware); None when it is not a time we know."""
    if not text or not text.strip():
        return None
    raw = text.strip()
    absolute = _absolute(raw, tz)
    if absolute is not None:
        return absolute
    s = re.sub(r"\s+", " ", fold(raw).lower().replace("\u00a0", " ")).strip(" .·")
    now = captured_at.astimezone(tz)
    if s in _JUST_NOW:
        return now
    m = _RELATIVE.match(s)
    if m and m.group(2) in _UNITS:
        return now - timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
    m = _DAY_WORD.match(s)
    if m:
        day = now if m.group(1) in ("hom nay", "today") else now - timedelta(days=1)
        return _at(day, m.group(2), m.group(3), default_now=now if m.group(2) is None else None)
    m = _VI_DATE.match(s)
    if m:
        return _date(now, int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), m.group(5))
    m = _NUM_DATE.match(s)
    if m:
        hh, mm = (m.group(1), m.group(2)) if m.group(1) else (m.group(6), m.group(7))
        return _date(now, int(m.group(3)), int(m.group(4)), m.group(5), hh, mm)
    return None


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
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", raw):
        try:
            t = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        return t if t.tzinfo else t.replace(tzinfo=tz)
    return None


def _at(day: datetime, hh: str | None, mm: str | None, *, default_now: datetime | None = None) -> datetime:
    if hh is None:
        return default_now or day.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(hour=int(hh), minute=int(mm or 0), second=0, microsecond=0)


def _date(now: datetime, day: int, month: int, year: str | None, hh: str | None, mm: str | None) -> datetime | None:
    y = int(year) if year else now.year
    if year and y < 100:
        y += 2000
    try:
        t = now.replace(year=y, month=month, day=day, hour=int(hh or 0), minute=int(mm or 0), second=0,
                        microsecond=0)
    except ValueError:  # 31 tháng 2
        return None
    if not year and t > now + timedelta(hours=1):
        try:
            t = t.replace(year=y - 1)
        except ValueError:
            return None
    return t


def utc(t: datetime | None) -> datetime | None:
    return t.astimezone(timezone.utc) if t else None
