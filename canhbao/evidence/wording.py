"""What the record says about a match, in sentences, in the record's language.

Detectors describe their findings for analysts (English summaries, signal dictionaries); an inspector
signs a record in Vietnamese, so nothing of that is printed as is: each known signal becomes a sentence,
each status, action and personal-data type a word. Unknown keys are left to metadata.json, never
printed raw. Pure functions of the bundle's metadata.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Mapping, Sequence

from canhbao.core.text import fold

PII_NAMES = {
    "vi": {
        "name": "họ tên",
        "age": "tuổi",
        "address": "địa chỉ",
        "phone": "số điện thoại",
        "email": "thư điện tử",
        "cccd": "số căn cước công dân",
        "cmnd": "số chứng minh nhân dân",
        "health_insurance": "số thẻ bảo hiểm y tế",
        "licence_plate": "biển số xe",
        "patient_code": "mã bệnh nhân",
    },
    "en": {
        "name": "name",
        "age": "age",
        "address": "address",
        "phone": "phone number",
        "email": "e-mail address",
        "cccd": "citizen ID number",
        "cmnd": "old ID card number",
        "health_insurance": "health insurance number",
        "licence_plate": "licence plate",
        "patient_code": "patient code",
    },
}
CATEGORIES = {
    "vi": {"basic": "dữ liệu cá nhân cơ bản", "sensitive": "dữ liệu cá nhân nhạy cảm"},
    "en": {"basic": "basic personal data", "sensitive": "sensitive personal data"},
}
STATUSES = {
    "vi": {"open": "mới", "acknowledged": "đã tiếp nhận", "confirmed": "đã xác nhận vi phạm", "dismissed": "đã bác bỏ"},
    "en": {"open": "open", "acknowledged": "acknowledged", "confirmed": "confirmed", "dismissed": "dismissed"},
}
TIERS = {
    "vi": {"matched": "trùng khớp", "suggested": "gần giống"},
    "en": {"matched": "matched", "suggested": "similar"},
}
DETECTORS = {
    "vi": {
        "leak": "đối chiếu văn bản nội bộ",
        "pii": "phát hiện dữ liệu cá nhân",
        "fakenews": "đối chiếu tin giả",
        "analyst": "cán bộ thu thập thủ công",
    },
    "en": {
        "leak": "internal document matching",
        "pii": "personal data detection",
        "fakenews": "fake news matching",
        "analyst": "captured by an analyst",
    },
}
ACTIONS = {
    "vi": {
        "captured": "thu thập bài đăng",
        "analysed": "phân tích, phát hiện",
        "created": "tạo cảnh báo",
        "acknowledged": "tiếp nhận cảnh báo",
        "confirmed": "xác nhận vi phạm",
        "dismissed": "bác bỏ cảnh báo",
        "reopened": "mở lại cảnh báo",
        "assigned": "phân công xử lý",
        "note": "ghi chú",
        "exported": "lập hồ sơ chứng cứ",
        "export": "lập hồ sơ chứng cứ",
        "export_refused": "từ chối xuất hồ sơ",
        "check": "kiểm tra gỡ bỏ",
        "takedown_up": "kiểm tra gỡ bỏ: còn trên mạng",
        "takedown_removed": "kiểm tra gỡ bỏ: đã gỡ",
        "takedown_changed": "kiểm tra gỡ bỏ: đã thay đổi",
        "takedown_unreachable": "kiểm tra gỡ bỏ: không truy cập được",
        "updated": "cập nhật cảnh báo",
    },
    "en": {
        "captured": "post captured",
        "analysed": "analysed",
        "created": "alert created",
        "acknowledged": "alert acknowledged",
        "confirmed": "violation confirmed",
        "dismissed": "alert dismissed",
        "reopened": "alert reopened",
        "assigned": "assigned",
        "note": "note",
        "exported": "evidence exported",
        "export": "evidence exported",
        "export_refused": "export refused",
        "check": "takedown check",
        "takedown_up": "takedown check: still up",
        "takedown_removed": "takedown check: removed",
        "takedown_changed": "takedown check: changed",
        "takedown_unreachable": "takedown check: unreachable",
        "updated": "alert updated",
    },
}
# details keys of custody entries worth printing, and how; the rest stays in custody.jsonl
DETAIL_KEYS = {
    "vi": {
        "url": "địa chỉ",
        "from_status": "từ trạng thái",
        "to_status": "sang trạng thái",
        "from": "từ trạng thái",
        "to": "sang trạng thái",
        "note": "ghi chú",
        "assignee": "người được giao",
        "file": "tệp",
        "sha256": "SHA-256",
        "unmasked": "không che dữ liệu cá nhân",
        "key": "khoá ký",
        "state": "trạng thái",
        "http_status": "mã HTTP",
        "score": "điểm",
        "reason": "lý do",
    },
    "en": {
        "url": "URL",
        "from_status": "from",
        "to_status": "to",
        "from": "from",
        "to": "to",
        "note": "note",
        "assignee": "assignee",
        "file": "file",
        "sha256": "SHA-256",
        "unmasked": "unmasked",
        "key": "signing key",
        "state": "state",
        "http_status": "HTTP status",
        "score": "score",
        "reason": "reason",
    },
}
YES_NO = {"vi": ("có", "không"), "en": ("yes", "no")}
MASKING = {
    "vi": {False: "dữ liệu cá nhân đã được che", True: "dữ liệu cá nhân KHÔNG được che"},
    "en": {False: "personal data masked", True: "personal data NOT masked"},
}
_TAKEDOWN_STATES = {
    "vi": {"up": "còn trên mạng", "removed": "đã gỡ", "changed": "đã thay đổi", "unreachable": "không truy cập được"},
    "en": {"up": "still up", "removed": "removed", "changed": "changed", "unreachable": "unreachable"},
}


def num(x: float, lang: str, digits: int = 2) -> str:
    """0.88 -> '0,88' in Vietnamese (decimal comma)."""
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "vi" else s


def pct(x: float, lang: str) -> str:
    return f"{round(100 * x)}%"


def quote(text: str, lang: str) -> str:
    return f"“{text}”"


def detector(name: str, lang: str) -> str:
    return DETECTORS[lang].get(name, name)


def _as_written(term: str, text: str) -> str:
    """A detector's folded term ("benh nhan") as the post wrote it ("bệnh nhân"), when it occurs there."""
    folded = "".join(fold(c)[:1] or c for c in text).lower()  # one char per char: positions line up
    at = folded.find(term.lower()) if len(folded) == len(text) else -1
    return text[at : at + len(term)] if at >= 0 else term


def match_sentences(alert_type: str, m: Mapping[str, Any], lang: str, text: str = "") -> list[str]:
    """The finding as sentences: what the post matches and on what grounds. `text`: the post text shown
    in the record, to quote detector terms as written."""
    s = m.get("signals") or {}
    out: list[str] = []
    vi = lang == "vi"
    if alert_type == "leak" and "document" in m:
        d = m["document"]
        number = ", ".join(d.get("numbers") or ()) or d.get("source", "")
        out.append(
            f"Bài đăng chứa nội dung trùng với trang {d.get('page')} của văn bản nội bộ đã đăng ký {number}."
            if vi
            else f"The post reproduces page {d.get('page')} of the registered internal document {number}."
        )
        if s.get("via") == "phash":
            out.append(
                f"Ảnh trong bài đăng trùng với ảnh trang văn bản đã đăng ký (sai khác "
                f"{s.get('phash_distance')}/64 bit theo mã băm cảm nhận)."
                if vi
                else f"An image in the post is the same picture as the registered page (perceptual hash "
                f"{s.get('phash_distance')}/64 bits apart)."
            )
        elif "shingles_matched" in s:
            out.append(
                f"{s['shingles_matched']} cụm ba từ của bài đăng trùng với văn bản, đoạn trùng liên tiếp dài "
                f"nhất gồm {s.get('longest_run', 0)} cụm; phần trùng chiếm "
                f"{pct(float(s.get('containment', 0)), lang)} nội dung đặc trưng của bài đăng."
                if vi
                else f"{s['shingles_matched']} three-word sequences of the post match the document, the longest "
                f"unbroken run being {s.get('longest_run', 0)}; they are "
                f"{pct(float(s.get('containment', 0)), lang)} of the post's distinctive text."
            )
        for n in s.get("number_seen") or ():
            out.append(
                f"Số, ký hiệu văn bản {n} xuất hiện trong bài đăng."
                if vi
                else f"The document number {n} appears in the post."
            )
        if s.get("date_seen"):
            out.append(
                "Ngày ban hành của văn bản xuất hiện trong bài đăng."
                if vi
                else "The document's date appears in the post."
            )
        if s.get("media_kind") == "document" or s.get("media_sha256"):
            out.append(
                "Nội dung được đọc từ ảnh đính kèm bằng nhận dạng ký tự quang học (OCR)."
                if vi
                else "The text was read from the attached image by optical character recognition (OCR)."
            )
    elif alert_type == "pii_exposure":
        kinds = [
            f"{PII_NAMES[lang].get(t['type'], t['type'])} ({t['count']} {'lần' if vi else 'time(s)'})"
            for t in m.get("pii_types", [])
        ]
        cats = sorted({t["category"] for t in m.get("pii_types", [])})
        if kinds:
            out.append(
                (
                    f"Bài đăng nêu {', '.join(kinds)} của một người, thuộc loại "
                    f"{' và '.join(CATEGORIES[lang].get(c, c) for c in cats)}."
                )
                if vi
                else (
                    f"The post gives {', '.join(kinds)} of one person ("
                    f"{' and '.join(CATEGORIES[lang].get(c, c) for c in cats)})."
                )
            )
        terms = [quote(_as_written(t, text), lang) for t in (s.get("health_terms") or [])[:6] if t != "patient_code"]
        if terms:
            out.append(
                f"Các thông tin đó đi kèm nội dung về tình trạng sức khỏe ({', '.join(terms)}), là dữ liệu "
                "cá nhân nhạy cảm."
                if vi
                else f"They come with health information ({', '.join(terms)}), which is sensitive personal data."
            )
        if s.get("advert") is False:
            out.append("Bài đăng không có dấu hiệu là tin quảng cáo." if vi else "The post is not an advertisement.")
    elif alert_type == "fake_news":
        for c in m.get("claims", []):
            where = f" ({c['url']})" if c.get("url") else ""
            out.append(
                f"Nội dung {TIERS[lang].get(c.get('tier', ''), c.get('tier', ''))} với thông tin sai sự thật "
                f"đã được xác minh {quote(c.get('text', ''), lang)}{where}, độ tương đồng "
                f"{num(float(c.get('similarity', 0)), lang)}."
                if vi
                else f"The post {TIERS[lang].get(c.get('tier', ''), c.get('tier', ''))} the verified false claim "
                f"{quote(c.get('text', ''), lang)}{where}, similarity "
                f"{num(float(c.get('similarity', 0)), lang)}."
            )
        if s.get("classifier") is not None:
            out.append(
                f"Mô hình phân loại ước tính xác suất là tin giả bằng {num(float(s['classifier']), lang)}."
                if vi
                else f"The classifier puts the probability of fake news at {num(float(s['classifier']), lang)}."
            )
    return out


def action(name: str, lang: str) -> str:
    """'alert.confirmed' / 'confirmed' / 'takedown.check' -> words."""
    key = name.split(".", 1)[-1]
    return ACTIONS[lang].get(key, ACTIONS[lang].get(name, key.replace("_", " ")))


def actor(name: str, lang: str) -> str:
    if name in ("canhbao", "system"):
        return "hệ thống" if lang == "vi" else "the system"
    kind, sep, rest = name.partition(":")
    if sep and kind == "crawler":
        return f"{'trình thu thập' if lang == 'vi' else 'crawler'} {rest}"
    if sep and kind == "detector":
        return f"{'bộ' if lang == 'vi' else ''} {detector(rest, lang)}".strip()
    return name


def custody_note(entry: Mapping[str, Any], lang: str, limit: int = 300) -> str:
    parts = []
    details = entry.get("details") or {}
    for k in DETAIL_KEYS[lang]:  # a fixed order: from/to before the note
        v, label = details.get(k), DETAIL_KEYS[lang][k]
        if (
            v in ("", None, [], {})
            or (k == "to" and "to_status" in details)
            or (k == "from" and "from_status" in details)
        ):
            continue
        if k == "unmasked":
            parts.append(MASKING[lang][bool(v)])
            continue
        if isinstance(v, bool):
            v = YES_NO[lang][0 if v else 1]
        elif k in ("from", "to", "from_status", "to_status"):
            v = STATUSES[lang].get(str(v), v)
        elif k == "state":
            v = _TAKEDOWN_STATES[lang].get(str(v), v)
        elif k == "score" and isinstance(v, (int, float)):
            v = num(float(v), lang)
        parts.append(f"{label}: {v}")
    if entry.get("hash"):
        parts.append(f"{'mã băm nhật ký' if lang == 'vi' else 'audit hash'}: {str(entry['hash'])[:16]}…")
    return cut("; ".join(parts), limit)


def cut(text: Any, limit: int) -> str:
    """At most `limit` characters, marked when cut (the full value stays in metadata.json)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_EXACT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def is_exact(shown: str) -> bool:
    """Whether a page's time text gives the moment itself (ISO 8601, RFC 822), not an age ("3 giờ") or a
    date without a time, from which the publication time was only derived."""
    shown = (shown or "").strip()
    if not shown or _EXACT.match(shown):
        return True
    try:
        parsedate_to_datetime(shown)
        return True
    except (TypeError, ValueError, IndexError):
        return False


def approximate(t: datetime, shown: str, lang: str, fmt: str) -> str:
    """A derived time, to the minute at best, marked as approximate with what the page showed."""
    return (
        f"khoảng {t.strftime(fmt)} (suy ra từ {quote(cut(shown, 40), lang)} hiển thị trên trang lúc thu thập)"
        if lang == "vi"
        else f"about {t.strftime(fmt)} (derived from {quote(cut(shown, 40), lang)} shown on the page at capture)"
    )


def roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][n - 1]


def join(items: Sequence[str]) -> str:
    return " ".join(items)


# Lines of `missing`/`withheld` (written by collect/export in English for metadata.json and stderr),
# rendered in the record's language. An unknown line is referred to metadata.json rather than printed.
_ITEMS = [
    (
        r"raw HTML capture (\S+): file not found in the data home",
        "bản HTML gốc {0}: không còn trong kho dữ liệu",
        "raw HTML capture {0}: not found in the data home",
    ),
    (
        r"media (\S+) \(sha256 (\S+)\): file purged from the media store",
        "tệp đính kèm {0} (SHA-256 {1}): đã bị xoá khỏi kho lưu trữ theo thời hạn lưu giữ",
        "media {0} (SHA-256 {1}): purged from the media store",
    ),
    (
        r"media (\S+) \(sha256 (\S+)\): never downloaded",
        "tệp đính kèm {0}: chưa được tải về khi thu thập",
        "media {0}: never downloaded",
    ),
    (
        r"media (\S+) \(sha256 (\S+)\): (.+)",
        "tệp đính kèm {0}: không tải được khi thu thập (lỗi kỹ thuật ghi trong metadata.json)",
        "media {0}: could not be fetched ({2})",
    ),
    (
        r"media (\S+): stored file does not match its SHA-256 (\S+); not included",
        "tệp đính kèm {0}: tệp lưu trữ không khớp mã băm SHA-256 {1} nên không đưa vào",
        "media {0}: stored file does not match its SHA-256 {1}; not included",
    ),
    (
        r"WARC capture (\S+): file not found in the data home",
        "tệp lưu trữ WARC {0}: không còn trong kho dữ liệu",
        "WARC capture {0}: not found in the data home",
    ),
    (
        r"WARC capture (\S+): holds no record of (\S+) or its media",
        "tệp lưu trữ WARC {0}: không có bản ghi của {1}",
        "WARC capture {0}: holds no record of {1}",
    ),
    (
        r"WARC capture: none recorded for this post",
        "bản lưu trữ WARC: không có cho bài đăng này",
        "WARC capture: none recorded for this post",
    ),
    (
        r"post (\S+): not in the post store.*",
        "bài đăng {0}: không còn trong kho bài đăng",
        "post {0}: not in the post store",
    ),
    (
        r"screenshot of the captured page: .*",
        "ảnh chụp trang từ bản lưu trữ: không tạo được (lỗi kỹ thuật ghi trong metadata.json)",
        "screenshot of the captured page: could not be made (see metadata.json)",
    ),
    (
        r"post/page\.html and screenshots \(sha256 (\S+)\): contain unmasked personal data",
        "bản HTML và ảnh chụp trang (SHA-256 {0}): chứa dữ liệu cá nhân chưa che",
        "page HTML and screenshots (SHA-256 {0}): contain unmasked personal data",
    ),
    (
        r"media (\S+) \(sha256 (\S+)\): contains unmasked personal data",
        "tệp đính kèm {0} (SHA-256 {1}): chứa dữ liệu cá nhân chưa che",
        "media {0} (SHA-256 {1}): contains unmasked personal data",
    ),
    (
        r"WARC records of (.+): contain unmasked personal data",
        "bản ghi WARC của {0}: chứa dữ liệu cá nhân chưa che",
        "WARC records of {0}: contain unmasked personal data",
    ),
]


def item(line: str, lang: str) -> str:
    for pattern, vi, en in _ITEMS:
        m = re.fullmatch(pattern, line, re.DOTALL)
        if m:
            return cut((vi if lang == "vi" else en).format(*m.groups()), 600)
    return "một mục khác, mô tả trong metadata.json" if lang == "vi" else cut(line, 600)
