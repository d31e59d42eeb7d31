"""Recognizers for Vietnamese personal data: patterns and context words as data, one function per type.

Written by hand rather than on Presidio: Presidio's analyzer needs a spaCy/stanza NLP model for
tokenisation and names (none ships for Vietnamese offline), and every entity here is either a pattern
(phones, ID numbers, plates, codes) or a keyword + capitalised-words rule that Presidio would only wrap.

All patterns run on a *shadow* of the text: same length, lower case, diacritics folded, so offsets are
shared with the original and posts written without tone marks ("benh nhan", "phuong") match too.
Capitalisation, which carries names, is read from the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from canhbao.core.text import fold

# Decree 13/2023/ND-CP, art. 2: ID, insurance and plate numbers are *basic* personal data (clause 3);
# health status is *sensitive* (clause 4), and a patient code reveals it.
CATEGORY = {
    "name": "basic",
    "age": "basic",
    "address": "basic",
    "phone": "basic",
    "email": "basic",
    "cccd": "basic",
    "cmnd": "basic",
    "health_insurance": "basic",
    "licence_plate": "basic",
    "patient_code": "sensitive",
}


@dataclass(frozen=True)
class Span:
    type: str
    start: int
    end: int
    score: float


def shadow(text: str) -> str:
    """Same-length lower-case ASCII-folded copy (a char that folds to nothing is kept as is)."""
    out = []
    for c in text:
        f = fold(unicodedata.normalize("NFC", c)).lower()
        out.append(f if len(f) == 1 else c)
    return "".join(out)


# --- numbers --------------------------------------------------------------------------------------

_SEP = r"[ .\-]?"
# Mobile: 0 or +84/84 then 9 digits starting 3/5/7/8/9. Landline: 02x(x) area code, 11 digits in all.
_PHONE = re.compile(
    r"(?<![\w+])(?:\(?\+?84\)?[ .\-]?|\(?0)(?:[35789]\d(?:" + _SEP + r"\d){7}"
    r"|\(?2\d\)?" + _SEP + r"(?:\d" + _SEP + r"){7}\d)(?![\d])"
)
_CCCD = re.compile(r"(?<![\w])0\d{2}[ .]?\d{3}[ .]?\d{3}[ .]?\d{3}(?![\d])")
_NINE = re.compile(r"(?<![\w])\d{3}[ .]?\d{3}[ .]?\d{3}(?![\d])")
_ID_CONTEXT = re.compile(r"(cmnd|cmt|chung minh|can cuoc|cccd|dinh danh|so id|giay to)\W{0,3}(?:\w+\W{1,3}){0,3}$")
_HEALTH_INS = re.compile(r"(?<![\w])[a-z]{2} ?\d ?\d{2} ?\d{10}(?![\d])")
_EMAIL = re.compile(r"(?<![\w.])[\w.+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+(?![\w])")
_PLATE = re.compile(r"(?<![\w.])\d{2} ?-? ?[a-z][a-z0-9]? ?-? ?(?:\d{3}\.?\d{2}|\d{4})(?![\w])")
_PLATE_CONTEXT = re.compile(r"(bien so|bks|bien kiem soat|xe|o to|xe may|bien)\W{0,3}(?:\w+\W{1,3}){0,2}$")

_AGE = re.compile(
    r"(?<![\w])(?:\d{1,3} ?tuoi|\d{1,2}t(?=[\s,.;)])"
    r"|\d{1,2} thang(?: \d{1,2} ngay)? tuoi|\d{1,2} (?:tuan|ngay) tuoi"  # "2 tháng tuổi", "1 tháng 20 ngày tuổi"
    r"|(?:sinh nam|nam sinh|sn|s\.n\.?|sinh)\s*:?\s*(?:19|20)\d{2}"
    r"|(?:sinh ngay|ngay sinh)\s*:?\s*\d{1,2}[/\-.]\d{1,2}[/\-.](?:19|20)\d{2}"
    r"|(?<=nam, )(?:19|20)\d{2}|(?<=nu, )(?:19|20)\d{2}"
    r"|(?<=[^\W\d_] \()(?:19|20)\d{2}(?=\))"  # "Đoàn Thị Hương (1989)"
    r"|(?<=[^\W\d_] - )(?:19|20)\d{2}(?= -)"  # lists: "Đỗ Văn Kiên - 1961 - Tổ 7"
    r"|(?<=o )tuoi \d{1,3})(?![\d])"  # "qua đời ở tuổi 64"
)
_PATIENT_NUM = r"(?:\d{1,3}(?:[.,]\d{3})+|\d{1,7})"  # seven digits from late 2021 ("BN 1059846")
# A case number after its cue; the span is the number ("bệnh nhân số {17}"), or the whole token when the
# prefix is glued to it ("{BN848}"), as the guideline annotates it.
# (a separator then exactly three digits continues the number, "1.234"; "BN3633,3634" is an enumeration)
_NOT_AFTER_NUMBER = r"(?!\d)(?![,.]\d{1,3}(?!\d))(?! ?(?:tuoi|thang|nam\b|ngay(?! \d)|nguoi|ca\b|trieu|%|/))"
# The disease may be named between the patient word and its number: "bệnh nhân mắc Covid-19 thứ 17", "ca nhiễm
# bệnh thứ 17", "bệnh nhân nhiễm COVID-19 số 589", "ca bệnh Covid-19 thứ 3328" (round 11).
_DISEASE = r"(?:\s+(?:nhiem|mac|duong tinh(?: voi)?))?\s+(?:covid(?:[ \-]?19)?|ncov|sars[ \-]?cov[ \-]?2|benh)"
_PATIENT = re.compile(
    r"(?<![\w])(bn|benh nhan|ca benh|ca nhiem|ca mac|ca duong tinh|ca so|f0|benh nhi|#"
    r"|(?:nguoi|truong hop|ca|benh nhan) thu"
    r"|(?:benh nhan|ca benh|ca nhiem|ca mac|ca)" + _DISEASE + r"\s+(?:so|thu))"
    r"\s*(?:so|thu)?\s*[:#\-]?\s*(?:\(bn\)\s*)?"
    r"(" + _PATIENT_NUM + r")" + _NOT_AFTER_NUMBER
)
# A bare "ca" before a case number of three digits or more: "trong đó ca 3329 là ca lây nhiễm cộng đồng".
_CASE_BARE = re.compile(r"(?<![\w])ca\s+(\d{3,7})" + _NOT_AFTER_NUMBER + r"(?=\s+(?:la|va|,|\(|da|duoc|co)(?![\w]))")
# The rest of an enumeration or range: ", 877", " - 973", "-860", " và BN890", " – BN863".
_PATIENT_MORE = re.compile(
    r"\s*(?:,|-|–|va|den|toi)\s*(?:(?:benh nhan|bn)\s*(?:so)?\s*)?(bn)?(" + _PATIENT_NUM + r")" + _NOT_AFTER_NUMBER
)


# A list of case numbers after "gồm" in a clause about patients: "các bệnh nhân tái dương tính gồm 856, 877, 890".
_PATIENT_LIST = re.compile(
    r"(?<![\w])(?:benh nhan|ca benh|bn|truong hop)(?:[^.;:\d]{0,40})\s(?:gom|la)\s*:?\s*"
    r"(\d{2,6}(?:\s*,\s*\d{2,6}){2,}(?:\s*(?:,|va)\s*\d{2,6})?)" + _NOT_AFTER_NUMBER
)
_PATIENT_RESUMED = re.compile(r"\s*\([^()]{0,60}\)\s*(?:va|,)\s*so\s*(" + _PATIENT_NUM + r")" + _NOT_AFTER_NUMBER)


def _patient_codes(sh: str) -> Iterator[Span]:
    for m in _PATIENT_LIST.finditer(sh):
        for n in re.finditer(r"\d+", m.group(1)):
            yield Span("patient_code", m.start(1) + n.start(), m.start(1) + n.end(), 0.9)
    for m in _CASE_BARE.finditer(sh):
        yield Span("patient_code", m.start(1), m.end(1), 0.85)
    for m in _PATIENT.finditer(sh):
        ordinal = m.group(1).endswith("thu")
        if ordinal and m.group(1) in ("nguoi thu", "truong hop thu", "ca thu", "benh nhan thu"):
            if not re.match(r"\s*(?:nhiem|mac|duong tinh|\(|,|la )", sh[m.end() : m.end() + 14]):
                continue  # "người thứ 17" is a case only when it says so ("người thứ 17 nhiễm COVID-19")
            if re.match(r"\s*la (?:benh nhan|bn)(?![\w])", sh[m.end() : m.end() + 20]) or (
                m.group(1) == "truong hop thu" and re.match(r"\s*la\s", sh[m.end() : m.end() + 5])
            ):
                continue  # "Trường hợp thứ 2 là (bệnh nhân) N.T.N.H.": the place in the notice's list, no case number
        if ordinal and re.match(r"\s*(?:cua|tai|o)\s+(?:tinh|thanh pho|tp|huyen|quan|dia phuong)", sh[m.end() :]):
            continue  # "ca mắc Covid-19 thứ 3 của tỉnh": the province's own count (round 8's decision)
        glued = m.start(2) == m.end(1)  # "BN848", "#17"
        yield Span("patient_code", m.start(1) if glued else m.start(2), m.end(), 0.95)
        pos = m.end()
        while (more := _PATIENT_MORE.match(sh, pos)) is not None:
            yield Span("patient_code", more.start(1) if more.group(1) else more.start(2), more.end(), 0.9)
            pos = more.end()
        # "Bệnh nhân số 730 (được công bố ngày 6/8) và số 935": the enumeration resumes after an aside
        later = _PATIENT_RESUMED.match(sh, pos)
        if later:
            yield Span("patient_code", later.start(1), later.end(1), 0.9)


def _spelled_tuoi(text: str, m: re.Match[str]) -> bool:
    """Whether the folded "tuoi" of an age match is "tuổi", not "tươi" (fresh: "bò tươi 2 tháng"), and a
    leading "tuoi" follows "ở" ("ở tuổi 64"), not "bò" ("bò tươi")."""
    i = m.group().index("tuoi") + m.start()
    if m.group().startswith("tuoi") and text[i - 2 : i - 1].lower() not in ("ở", "o"):
        return False
    return text[i + 1 : i + 2].lower() not in "ưừứửữự" or not text[i + 1 : i + 2]


def numbers(text: str, sh: str) -> Iterator[Span]:
    for m in _PHONE.finditer(sh):
        yield Span("phone", m.start(), m.end(), 0.95)
    for m in _CCCD.finditer(sh):
        ctx = bool(_ID_CONTEXT.search(sh[max(0, m.start() - 40) : m.start()]))
        # The first three digits of a CCCD are the province of birth (001-096).
        if ctx or 1 <= int(m.group()[:3]) <= 96:
            yield Span("cccd", m.start(), m.end(), 0.99 if ctx else 0.85)
    for m in _NINE.finditer(sh):
        if _ID_CONTEXT.search(sh[max(0, m.start() - 40) : m.start()]):
            yield Span("cmnd", m.start(), m.end(), 0.95)
    for m in _HEALTH_INS.finditer(sh):
        if text[m.start() : m.start() + 2].isupper():
            yield Span("health_insurance", m.start(), m.end(), 0.95)
    for m in _EMAIL.finditer(sh):
        yield Span("email", m.start(), m.end(), 0.99)
    for m in _PLATE.finditer(sh):
        ctx = bool(_PLATE_CONTEXT.search(sh[max(0, m.start() - 30) : m.start()]))
        letters = [c for c in text[m.start() : m.end()] if c.isalpha()]
        if letters and letters[0].isupper():
            yield Span("licence_plate", m.start(), m.end(), 0.95 if ctx else 0.8)
    for m in _AGE.finditer(sh):
        # "trẻ từ 5 đến 11 tuổi", "trên 65 tuổi": an age group, nobody's age
        if re.search(r"(?:den|tren|duoi|hon|tu|nhom|lua)\s*$", sh[max(0, m.start() - 6) : m.start()]):
            continue
        if "tuoi" in m.group() and not _spelled_tuoi(text, m):
            continue  # "bò tươi 2 tháng": "tươi" (fresh) folds like "tuổi"
        yield Span("age", m.start(), m.end(), 0.95)
    yield from _patient_codes(sh)
