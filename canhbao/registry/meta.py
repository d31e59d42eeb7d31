"""Metadata read from the letter itself: number(s), date, issuing agency, subject (`V/v ...`), signer.

Vietnamese administrative letters (Decree 30/2020/ND-CP) put these in fixed places: the agency in
capitals top left, `Số: 6564/VP-KGVX` under it, `<place>, ngày 30 tháng 8 năm 2021` top right,
`V/v <subject>` under the number, and the signer's name last. The patterns tolerate OCR damage:
dropped tone marks (`So`, `Sổ`), spaces around the slash, en dashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from canhbao.core.text import fold, squash

# "Số: 6564 /VP-KGVX", "So 5246/SYT - VP", "Số: 35 /TB-STTTT", "Số: 20/2025/TT-BQP"
_SUFFIX = r"((?:\d{4}\s*/\s*)?[A-ZĐ][A-ZĐ0-9]*(?:\s*[-–]\s*[A-ZĐ0-9][A-ZĐa-z0-9]*)*)"
# laws and resolutions write "Luật số: 121/2025/QH15", "Nghị quyết số: 93/2025/UBTVQH15"
_NUMBER = re.compile(
    r"(?m)^[\s*]*(?:(?:Lu[aậ]t|Ngh[iị] quy[eế]t|Ph[aá]p l[eệ]nh)\s+s[oốổ]\s*:|"
    r"S[oốổỗồớờơợở0]\s*[:.;]?)\s*(\d{1,6})\s*/\s*" + _SUFFIX
)
# a number cited in running text: "Công văn số 10613/BYT-TT-KT"
_CITED = re.compile(r"\b(\d{1,6})\s*/\s*(?=(?:\d{4}\s*/\s*)?[A-ZĐ]{2})" + _SUFFIX)
_DATE = re.compile(r"ng[aà]y\s+(\d{1,2})\s+th[aá]ng\s+(\d{1,2})\s+n[aă]m\s+(\d{4})", re.IGNORECASE)
_LOOSE_DATE = re.compile(r"ngay.*nam \d{4}")
_RANKS = re.compile(r"^(?:Đại|Thượng|Trung|Thiếu)\s+(?:tá|tướng|úy)\s+")
_SUBJECT = re.compile(r"^\s*V\s*/\s*v\.?\s*(.+)$", re.IGNORECASE)
_MOTTO = ("cong hoa xa hoi", "doc lap", "tu do", "hanh phuc")
_CLOSERS = ("ky boi", "co quan:", "ngay ky", "noi nhan", "luu", "nhu tren")


@dataclass(frozen=True)
class LetterMeta:
    numbers: tuple[str, ...] = ()
    date: str = ""
    agency: str = ""
    subject: str = ""
    signer: str = ""


def canonical_number(num: str, suffix: str) -> str:
    """'6564', 'VP - KGVX' -> '6564/VP-KGVX' (spaces dropped, en dash -> hyphen)."""
    suffix = re.sub(r"\s+", "", suffix).replace("–", "-")
    return f"{int(num)}/{suffix}"


def number_key(number: str) -> str:
    """Comparison key for a number: folded, alphanumerics only ('5246/SYT-VP' -> '5246SYTVP')."""
    return re.sub(r"[^0-9A-Z]", "", fold(number).upper())


def find_numbers(text: str) -> list[str]:
    """Numbers in `Số: ...` position, in order, without repeats."""
    return _unique(canonical_number(m.group(1), m.group(2)) for m in _NUMBER.finditer(text))


def cited_numbers(text: str) -> list[str]:
    """Every number-like `123/ABC-XY` in the text (headers and citations alike)."""
    return _unique(canonical_number(m.group(1), m.group(2)) for m in _CITED.finditer(text))


def find_dates(text: str) -> list[str]:
    out = []
    for m in _DATE.finditer(text):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            out.append(f"{y:04d}-{mo:02d}-{d:02d}")
    return _unique(out)


def extract(text: str) -> LetterMeta:
    lines = [squash(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    dates = find_dates(text)
    return LetterMeta(
        numbers=tuple(find_numbers(text)),
        date=dates[0] if dates else "",
        agency=_agency(lines),
        subject=_subject(lines),
        signer=_signer(lines),
    )


def _agency(lines: list[str]) -> str:
    """Capitalised lines at the top before the motto or the number: 'UBND TỈNH KIÊN GIANG / VĂN PHÒNG'."""
    out = []
    for line in lines[:8]:
        folded = fold(line).lower()
        if any(m in folded for m in _MOTTO) or _NUMBER.search(line):
            break
        if line.isupper() and len(line) > 2:
            out.append(line)
    return " / ".join(out)


def _subject(lines: list[str]) -> str:
    """'V/v ...' and its continuation lines (up to the date, Kính gửi, or a blank-free paragraph start)."""
    for i, line in enumerate(lines[:30]):
        m = _SUBJECT.match(line)
        if not m:
            continue
        parts = [m.group(1)]
        for nxt in lines[i + 1 : i + 4]:
            folded = fold(nxt).lower()
            if (
                _DATE.search(nxt)
                or _LOOSE_DATE.search(folded)
                or folded.startswith(("kinh gui", "so:", "so "))
                or len(nxt) > 90
            ):
                break
            parts.append(nxt)
        return squash(" ".join(parts)).rstrip(".")
    for line in lines[:30]:  # a THÔNG BÁO / QUYẾT ĐỊNH: title line, then "Về việc ..."
        if fold(line).lower().startswith("ve viec"):
            return squash(line)
    return ""


def _signer(lines: list[str]) -> str:
    """The signer's name: the last line of the first letter that looks like a personal name."""
    end = len(lines)
    for i, line in enumerate(lines):  # a forwarded letter starts with a signature stamp block
        if fold(line).lower().startswith("ky boi") and i > 5:
            end = i
            break
    for line in reversed(lines[:end]):
        folded = fold(line).lower()
        if any(folded.startswith(c) for c in _CLOSERS) or line.startswith("-") or line.isupper():
            continue
        words = _RANKS.sub("", line).split()
        if 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words) and not any(ch.isdigit() for ch in line):
            return line
        if len(words) > 6:
            break
    return ""


def _unique(items) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


# --- zones: which lines of a letter are its office's boilerplate ----------------------------------------
# Letters of one office share the header (agency, motto, number and date lines), the recipient list, the
# closing (`Nơi nhận`, copies, `Lưu: VT`), the signer's title and name, and the e-signature and arrival
# stamps. Those lines are rare in the background corpus (they are this office's), so rarity alone would
# count them as evidence; the zones mark them so the index gives them no weight. The subject (`V/v ...`)
# and the body are content.

_LONG = 60  # a (wrapped) body paragraph line; header, recipient and stamp lines are shorter


def zone_lines(lines: list[str]) -> list[bool]:
    """For each line, True if it is boilerplate. State carries across the lines of all pages of a file."""
    out, state = [], "header"
    for raw in lines:
        line = raw.strip()
        folded = fold(line).lower()
        if any(m in folded for m in _MOTTO[:2]) or folded.startswith("ky boi"):
            state = "header"  # a (forwarded) letter or a signature stamp starts
        elif folded.startswith("noi nhan"):
            state = "closing"
        elif folded.startswith("kinh gui"):
            state = "recipients"
        elif state == "header" and (_SUBJECT.match(line) or folded.startswith("ve viec")):
            state = "subject"
        elif state == "subject" and (not line or _DATE.search(line) or _LOOSE_DATE.search(folded)):
            state = "header"
        elif state in ("header", "recipients") and len(line) >= _LONG and not line.startswith("-"):
            state = "body"
        out.append(state in ("header", "recipients", "closing") and bool(line))
    return out


def split_zones(page_texts: list[str]) -> list[tuple[str, str]]:
    """Per page: (content text, boilerplate text)."""
    split = [text.splitlines() for text in page_texts]
    flags = zone_lines([line for lines in split for line in lines])
    out, i = [], 0
    for lines in split:
        mine = flags[i : i + len(lines)]
        i += len(lines)
        out.append(
            (
                "\n".join(ln for ln, b in zip(lines, mine, strict=True) if not b),
                "\n".join(ln for ln, b in zip(lines, mine, strict=True) if b),
            )
        )
    return out


# --- title and legal bases: what a document says it is, not what it says ---------------------------------
# The title (trích yếu: the line under NGHỊ ĐỊNH / THÔNG TƯ / QUYẾT ĐỊNH, or a letter's `V/v ...`) and the
# legal bases (`Căn cứ ...`, `Theo đề nghị của ...`, `... ban hành Nghị định ...`) are published with the
# document and repeated by every news item about it: a post showing only them is not a leak of its content.

KINDS = (
    "NGHI DINH",
    "THONG TU",
    "QUYET DINH",
    "NGHI QUYET",
    "LUAT",
    "PHAP LENH",
    "CHI THI",
    "THONG BAO",
    "KE HOACH",
    "CONG DIEN",
    "HUONG DAN",
    "BAO CAO",
    "TO TRINH",
    "QUY CHE",
    "QUY DINH",
    "THONG TU LIEN TICH",
    "NGHI QUYET LIEN TICH",
    "CONG VAN",
)
_PREAMBLE = ("can cu", "theo de nghi", "xet de nghi")
_BODY_START = re.compile(r"^(?:dieu\s+\d|chuong\s+[ivx\d]|phan\s+[ivx\d]|muc\s+\d|[ivx]+\.\s|\d+\.\s)")


def heading_lines(lines: list[str]) -> list[bool]:
    """For each line (all pages of one document, in order), True if it is the title or the legal bases."""
    out = [False] * len(lines)
    state = "top"
    title_left = 0
    for i, raw in enumerate(lines):
        line = raw.strip()
        folded = fold(line).lower()
        if state == "done" or not line:
            continue
        if _BODY_START.match(folded) or folded.startswith(("noi nhan", "kinh gui")):
            state = "done" if state in ("preamble", "title") else state
            continue
        bare = re.sub(r"[^a-z ]", "", folded).strip().upper()
        if state == "top" and (bare in KINDS or _SUBJECT.match(line)):
            state, title_left = "title", 4
            out[i] = bool(_SUBJECT.match(line))
            continue
        if folded.startswith(_PREAMBLE) or (state == "preamble" and " ban hanh " in f" {folded} "):
            state = "preamble"
            out[i] = True
        elif state == "title" and title_left > 0 and not _DATE.search(line):
            out[i] = True
            title_left -= 1
        elif state == "preamble":
            out[i] = True  # a wrapped continuation of a legal basis, or the enacting line
        if i > 80 and state == "top":
            break
    return out


def split_title(page_texts: list[str]) -> list[str]:
    """Per page: its title and legal-basis lines (empty for pages without them)."""
    split = [text.splitlines() for text in page_texts]
    flags = heading_lines([line for lines in split for line in lines])
    out, i = [], 0
    for lines in split:
        mine = flags[i : i + len(lines)]
        i += len(lines)
        out.append("\n".join(ln for ln, f in zip(lines, mine, strict=False) if f))
    return out
