"""Person names in Vietnamese text: a private person's name, not an official's, a public figure's or a place's.

Capitalisation carries names in Vietnamese (common nouns are lower case), so a candidate is a run of
capitalised words; what makes it a *private person's* name is a surname, a kinship or patient word before it,
or (for a single given name) its place in the sentence. Officials quoted in their role, titled public figures,
foreign public figures, places, institutions and bylines are not (docs/pii-guideline.md).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from canhbao.core.text import fold as pii_fold
from canhbao.detectors.pii import gazetteer, people
from canhbao.detectors.pii.lexicon import (
    _GIVEN_FOLDED,
    _INSTITUTION_HEADS,
    _THING_FOLDED,
    BARE_STOP,
    BARE_STOP_SPELLED,
    COMPOUNDS,
    GIVEN_NAMES,
    HISTORICAL,
    HONORIFICS,
    INSTITUTION_SPELLED,
    NOT_NAME_WORDS,
    NOT_NAMES,
    OFFICIAL_TITLES,
    PATIENT_CUES,
    PATIENT_HONORIFICS,
    PERSON_VERBS,
    PRIVATE_HONORIFICS,
    PROFESSIONS,
    PUBLIC_FIGURES,
    SPELLED,
    SURNAMES,
    SURNAMES_SPELLED,
    THING_HEADS,
)
from canhbao.detectors.pii.patterns import Span
from canhbao.detectors.pii.people import Candidate, Role

__all__ = ["HONORIFICS", "OFFICIAL_TITLES", "SURNAMES", "names", "syllable"]

_SCHOOL = re.compile(r"^truong (?:dai|cao|trung|tieu|thpt|thcs|mam|chuyen)(?![\w])")
# Lower case only after a naming cue: after "bệnh nhân" lower-case words are the sentence ("bệnh nhân không sốt").
_CUED_NAME = re.compile(r"(?<![\w])(ho ten|ho va ten|ten)\s*:?\s+([a-z]+)(?: [a-z]+){1,3}(?=[\s,.;:()]|$)")
# A title right after the name: "ông Nguyễn Công Chánh, Phó chủ tịch UBND", "ông Đặng Văn Hải - Giám đốc CDC".
_TITLE_AFTER = re.compile(r"^\s*[,\-–(]\s*(?:nguyen |nguyen la |cuu )?(%s)(?![\w])")
# Quoted in a role: "ông Long cho biết", "”, ông Tuấn nói", "ông Phương nhận xét", "đồng chí Vương Đình Huệ".
_SPEAKS = re.compile(
    r"^\s+(?:cung\s+)?(?:cho biet|cho hay|khang dinh|thong tin|thong bao|nhan dinh|nhan manh|de nghi|yeu cau|"
    r"nhan xet|danh gia|giai thich|ly giai|cho rang|phat bieu|tra loi|bay to|noi them|viet|canh bao|"
    r"khuyen cao|thua nhan|xac nhan|tuyen bo)(?![\w])"
)
_QUOTE_BEFORE = re.compile(r"[\"”»']\s*,?\s*(?:ong|ba)\s+$")
_WORD = re.compile(r"[^\W\d_]+")
# "N.H.N.", "L.T.D", "Ng.Th.Th.Ng.", "H.Ng.D." (a letter, or a capital and a lower-case letter, per syllable).
_INITIALS = re.compile(r"(?<![\w.])[A-ZĐ][a-zđ]?\.(?:[A-ZĐ][a-zđ]?\.){1,4}(?:[A-ZĐ][a-zđ]?(?![\w.]))?(?![\w])")
_BYLINE = re.compile(r"(?:thuc hien|anh|bai|nguon|tac gia|pv|btv)\s*:\s*$")
# One Vietnamese syllable, folded: onset, vowel cluster, final consonant. A capitalised word that is not one
# ("Zelensky", "Abe", "Trudeau") is foreign.
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|uay|uoi|uou|ieu|yeu|oai|oay|oeo|ai|ao|au|ay|eo|eu|ia|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|ie"
    r"|[aeiouy])(?:ch|ng|nh|[cmnpt])?$"
)
# An age right beside the name, or a naming phrase before it: what makes a foreign name a private person's
# ("Tibor, 52 tuổi", "ông Maeda, 70 tuổi", "có tên là Vali", "Năm 19 tuổi, Alma Faz").
_AGE_AFTER = re.compile(r"^\s*[,(]\s*(?:\d{1,3}\s*tuoi|sinh nam|sn\s*\d)")
_AGE_BEFORE = re.compile(r"\d{1,3}\s*tuoi\s*,\s*$")
# A patient number right after the name: "Nguyễn Thị Hoa (BN 99)", "Trần Văn B - bệnh nhân 1234".
_CODE_AFTER = re.compile(r"^\s*[(,\-–]\s*(?:bn|benh nhan|ca benh)\s*(?:so\s*)?\d")
_NATIONALITY_AFTER = re.compile(r"^\s*\(\s*(?:nguoi|quoc tich)\s")
_CLAUSE_END = re.compile(r"[,;:!?()\"“”«»]|\.\s")


def syllable(word: str) -> bool:
    """Whether a folded word is one Vietnamese syllable."""
    return bool(_SYLLABLE.match(word))


def _cap(word: str) -> bool:
    return word[:1].isupper()


def _preceding_words(sh: str, start: int, n: int = 3) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", sh[max(0, start - 10 * n) : start])[-n:])


def _clause_before(sh: str, start: int, n: int = 10) -> str:
    """The last `n` words before `start` within its clause (a comma or a full stop ends a clause)."""
    window = sh[max(0, start - 10 * n) : start]
    cut = [m.end() for m in _CLAUSE_END.finditer(window)]
    return " ".join(re.findall(r"[a-z0-9]+", window[cut[-1] if cut else 0 :])[-n:])


def _ends_with(phrase: str, cues: tuple[str, ...] | dict[str, str]) -> str:
    """The longest cue `phrase` ends with, or ""."""
    hits = [c for c in cues if phrase == c or phrase.endswith(" " + c)]
    return max(hits, key=len) if hits else ""


def names(text: str, sh: str) -> Iterator[Span]:
    gaz = gazetteer.load()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    candidates: list[Candidate] = []
    i = 0
    while i < len(words):
        if not _cap(text[words[i][0] : words[i][1]]):
            i += 1
            continue
        j = i + 1  # extend over capitalised words separated by one space
        while (
            j < len(words)
            and j - i < 4
            and _cap(text[words[j][0] : words[j][1]])
            and text[words[j - 1][1] : words[j][0]] == " "
        ):
            j += 1
        cand, taken = _name_run(text, sh, words[i:j], gaz)
        if cand:
            candidates.append(cand)
        span = cand.span if cand else None
        i = j if span or taken else i + 1
    cast = people.cast(candidates)
    found = people.resolve(candidates, cast)
    yield from found
    yield from _mentions(text, sh, found, cast)
    for m in _CUED_NAME.finditer(sh):
        # "ten nguyen thi lan": a name written in lower case, recognisable only after a cue and a surname
        if m.group(2) in SURNAMES and text[m.start(2) : m.end(2)].lower() != "là":  # "tên là Vali"
            yield Span("name", m.start(2), m.end(), 0.85)
    yield from _initials(text, sh)


def _initials(text: str, sh: str) -> Iterator[Span]:
    """Persons named by initials: dotted, spaced, run together after a kinship word, two letters, one letter."""
    for m in _INITIALS.finditer(text):
        if _BYLINE.search(sh[max(0, m.start() - 14) : m.start()]):
            continue  # "Thực hiện: N.K.", "Ảnh: P.T": a journalist's byline
        if _ends_with(_preceding_words(sh, m.start(), 3), _INITIALLED_THINGS) and not _patient(
            sh, m.start(), m.end(), ""
        ):
            continue  # "trường tiểu học N.Đ.C", "công ty T.H.": an institution's initials
        yield Span("name", m.start(), m.end(), 0.9 if _honorific(text, sh, m.start()) else 0.8)
    for m in _SPACED_INITIALS.finditer(text):
        # "P. T. Y, sinh năm 2000", "T. T. Đ. (mã số BN 911000": initials written with spaces between them
        if _BYLINE.search(sh[max(0, m.start() - 14) : m.start()]) or _ends_with(
            _preceding_words(sh, m.start(), 3), _INITIALLED_THINGS
        ):
            continue
        yield Span("name", m.start(), m.end(), 0.85)
    for m in _CAPS_INITIALS.finditer(text):
        # "bà ĐTS bán cá", "anh VLQ. (44 tuổi": initials run together after a kinship or patient word
        if m.group(1).rstrip(".").upper() not in _ACRONYMS:
            yield Span("name", m.start(1), m.end(1), 0.85)
    for m in _TWO_LETTERS.finditer(text):
        # "Bệnh nhân số 876: N.C , Giới tính: Nam": two initials with one dot, a name only beside a patient cue
        if (
            _PATIENT_SLOT.search(sh[max(0, m.start() - 24) : m.start()])
            or _patient(sh, m.start(), m.end(), "") == "name"
        ):
            yield Span("name", m.start(), m.end(), 0.8)
    for m in _ONE_INITIAL.finditer(text):
        # "yêu cầu B. phải viết giấy nhận nợ": one initial mid-sentence, the sentence going on in lower case
        if not _ends_with(_preceding_words(sh, m.start(), 1), _LETTER_HEADS) and not _ends_with(
            _preceding_words(sh, m.start(), 2), _LETTER_HEADS
        ):
            yield Span("name", m.start(), m.end(), 0.8)


def _honorific(text: str, sh: str, start: int) -> str:
    """The kinship/patient word right before `start`, written as one (lower case: "Bắc Giang" is no "bác";
    with its tone marks: "bơ vơ" is no "vợ"), or ""."""
    before = _preceding_words(sh, start)
    cue = _ends_with(before, SPELLED)
    if not cue or before.endswith(("dan ong", "dan ba", "nguoi anh", "nguoi em")):
        return ""
    window = text[max(0, start - 30) : start]
    last = list(re.finditer(r"[^\W\d_]+", window))
    if not last:
        return ""
    word = last[-1].group()
    if window[last[-1].end() :].strip() or "\n" in window[last[-1].end() :]:
        return ""  # punctuation or a line break between: "chính chủ. Liên hệ" is no "chú Liên"
    written = " ".join(m.group() for m in last[-len(cue.split()) :]).lower()
    if written != SPELLED[cue] and (written != cue or _has_marks(window)):
        return ""
    sentence_start = not window[: last[-1].start()].strip() or window[: last[-1].start()].rstrip()[-1] in ".!?:\n"
    return cue if word.islower() or word == "BN" or word.lower() in ("họ", "tên") or sentence_start else ""


def _has_marks(window: str) -> bool:
    return any(ord(c) > 127 and c.isalpha() for c in window)


def _place(gaz: gazetteer.Gazetteer, text: str, start: int, end: int) -> str:
    """The administrative level of the place `text[start:end]` would name, tone marks compared where the text
    has them: "bà Huệ" is no "Huế"."""
    written = text[start:end]
    return gaz.level_as_written(written) if _has_marks(text) else gaz.level(written)


def _stop(text: str, start: int, end: int, key: str) -> bool:
    """Whether the word `text[start:end]` (folded: `key`) names no person alone (BARE_STOP), tone marks
    compared where the text has them: "Huế" does, "Huệ" does not."""
    spelled = BARE_STOP_SPELLED.get(key)
    if key not in BARE_STOP:
        return False
    return not (spelled and _has_marks(text) and gazetteer.spelled_key(text[start:end]) != spelled)


def _trim(text: str, sh: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The run without trailing codes ("F1", "A2") and institution abbreviations; empty if one is inside."""
    while run and text[run[-1][1] : run[-1][1] + 1].isdigit():
        run = run[:-1]
    while run and sh[run[-1][0] : run[-1][1]] in NOT_NAME_WORDS:
        run = run[:-1]
    return [] if any(sh[s:e] in NOT_NAME_WORDS for s, e in run) else run


def _public(text: str, sh: str, start: int, end: int, full: str, honorific: str, patient: str) -> str:
    """Named as nobody's private person: a byline, a historical or well-known public figure, a title in office,
    a quoted official. A patient context (`patient`: "name" when the name itself is a patient's, "clause" when
    its clause is about patients) keeps a private namesake of a public figure or a street a name.
    The reason: "title" (in office or public life), "quoted" (quoted as officials are, nothing more), "other"
    (no person: a byline, a place), "" (not public)."""
    if _BYLINE.search(sh[max(0, start - 14) : start]) or full in NOT_NAMES or _closing_byline(text, start, end):
        return "other"  # "Ảnh: Nguyên Khôi", "Việt Nam", an article's last line "Hoàng Lam"
    if patient == "name":
        return ""  # "bệnh nhân Phạm Văn Đồng", "BN Lê Quang Liêm, 30 tuổi": the patient wins
    private = honorific in PRIVATE_HONORIFICS or patient == "clause"
    if (full in HISTORICAL and not private) or (full in PUBLIC_FIGURES and not private):
        return "title"  # "từ Phạm Văn Đồng đến T20", "con gái của Phi Nhung", "Lê Quang Liêm (elo 2.620)"
    context = " " + _clause_before(sh, start) + " "  # "Chủ tịch Ủy ban nhân dân tỉnh Lâm Minh Thành"
    titles = [t for t in OFFICIAL_TITLES if not (patient and t in PROFESSIONS)]  # "BN 183 là phóng viên X"
    if not honorific and any(f" {t} " in context for t in titles):
        return "title"
    if re.search(r"(?<![\w])đ/c\.?\s*$", text[max(0, start - 6) : start].lower()):
        return "title"  # "Đ/c Đỗ Khắc Bằng": "đồng chí" as written in notices, an official's form of address
    return _in_role(sh, start, end, " " + _preceding_words(sh, start, 10), patient)


def _closing_byline(text: str, start: int, end: int) -> bool:
    """A name alone on the last line of a text of several lines, after a finished sentence: the byline news
    pages end with."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() or text[end:].strip() or not line_start:
        return False
    before = text[:line_start].rstrip()
    return bool(before) and before[-1] in '.!?"”…)'


def _patient(sh: str, start: int, end: int, honorific: str) -> str:
    """The patient context of a name: "name" when its own cue makes it a patient's or contact's ("bệnh nhân X",
    "BN X", "F1 X", an age or a patient number beside it), "clause" when its clause speaks of patients, else ""."""
    if honorific in PATIENT_HONORIFICS or _aged(sh, start, end) or _CODE_AFTER.match(sh[end : end + 24]):
        return "name"
    clause = " " + _clause_before(sh, start, 14) + " "
    cued = any(f" {c} " in clause for c in PATIENT_CUES) or re.search(r" (?:bn|f[012])\d", clause)  # "BN183 là"
    return "clause" if cued else ""


def _name_run(
    text: str, sh: str, run: list[tuple[int, int]], gaz: gazetteer.Gazetteer
) -> tuple[Candidate | None, bool]:
    """The run as judged by its sentence (its role, and the name reported in it, if any), and whether the run
    is taken whole (a foreign or public name: its tail is not tried again as a name of its own)."""
    run = _trim(text, sh, run)
    if not run:
        return None, False
    if re.search(r"(?<![\w.,])\d+[a-zA-Z]?(?:/\d+)* $", text[max(0, run[0][0] - 12) : run[0][0]]):
        return None, True  # "173 Thái Hà", "số 6 Phan Văn Trị": a street after its house number, not a person
    keys = [sh[s:e] for s, e in run]
    # "Ông Phạm Ngọc Thanh cho biết" opens a sentence with the honorific; "Bà Rịa" is a place
    lead = ""
    if (
        len(run) >= 2
        and keys[0] in _LEADING_HONORIFICS
        and _opens(text, run[0][0])
        and not _place(gaz, text, run[0][0], run[-1][1])
    ):
        lead = keys[0]
        run, keys = run[1:], keys[1:]
    start, end = run[0][0], run[-1][1]
    full = " ".join(keys)
    level = _place(gaz, text, start, end)
    honorific = lead or _honorific(text, sh, start)
    if text[start:end].isupper() and (len(run) >= 2 or len(full) >= 2) and not (honorific and len(full) <= 2):
        return None, False  # all caps: headers, mottos, acronyms ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "EU")
    patient = _patient(sh, start, end, honorific)
    foreign = any(len(k) >= 3 and not syllable(k) for k in keys)

    def judged(role: Role, span: Span | None = None) -> Candidate:
        person = (
            foreign
            or (keys[0] in SURNAMES and len(keys) >= 2 and not level)
            or (len(keys) == 1 and unicodedata.normalize("NFC", text[start:end]).lower() in GIVEN_NAMES)
        )
        return Candidate(start, end, tuple(keys), role, span, person, foreign)

    reason = _public(text, sh, start, end, full, honorific, patient)
    if reason:
        return judged(reason), True  # type: ignore[arg-type]
    if patient != "name" and _not_person(text, sh, start, end, keys, honorific):
        return judged("other"), True
    if foreign:
        # A foreign name: a public figure unless something marks a private person (a patient among them)
        private = honorific in PRIVATE_HONORIFICS or patient == "name" or bool(patient and honorific)
        # "ông Ishikawa Keitam (người Nhật Bản)": news introduces a private foreigner by nationality
        private = private or bool(honorific and _NATIONALITY_AFTER.match(sh[end : end + 20]))
        return (judged("private", Span("name", start, end, 0.8)) if private else judged("foreign")), True
    head = unicodedata.normalize("NFC", text[run[0][0] : run[0][1]]).lower()
    institution = keys[0] in _INSTITUTION_HEADS and (head in INSTITUTION_SPELLED or not _has_marks(text))
    institution = institution or head == "trường"  # "khu cách ly tập trung Trường Quân sự" ("Trương" is a surname)
    if not honorific and (institution or _SCHOOL.match(full)):
        return None, False
    span, taken = _vietnamese(text, sh, start, end, keys, honorific, level)
    if span is None:
        return None, taken
    cued = honorific in PRIVATE_HONORIFICS or bool(patient) or _aged(sh, start, end)
    return judged("private" if cued else "plain", span), taken


def _not_person(text: str, sh: str, start: int, end: int, keys: list[str], honorific: str) -> bool:
    """What the words around a capitalised run make a thing or a place rather than a person: a common noun or
    a title with the next word ("cô Tổ trưởng", "Trưởng Phòng", "lớp Bình dân học vụ"), a place head before it
    ("sông Dương Tử", "ngã tư Trần Não – Lương Định Của"), a name given to an animal, a village or a product
    ("con sư tử biển cái tên Rio", "làng có tên là Xiangjiaba", "mang tên Hayat-Vax"), a province after a
    person word ("nam sinh Hà Nội": where the student comes from)."""
    nxt = re.match(r"[ ]([^\W\d_]+)", text[end : end + 16])
    if " ".join(keys) in COMPOUNDS or (nxt and f"{keys[-1]} {pii_fold(nxt.group(1)).lower()}" in COMPOUNDS):
        return True
    if re.match(r"-[A-ZĐ0-9]", text[end : end + 2]):
        return True  # "Hayat-Vax", "Sputnik-V": a product's name
    if not honorific:
        before = " ".join(re.findall(r"[^\W\d_]+", text[max(0, start - 24) : start].lower())[-2:])
        if _ends_with(
            before if _has_marks(text) else pii_fold(before), THING_HEADS if _has_marks(text) else _THING_FOLDED
        ):
            return True
        if _STREET_CHAIN.search(text[max(0, start - 48) : start]):
            return True
    if honorific in ("ten", "ten la", "co ten") and _NAMED_THING.search(_clause_before(sh, start, 8)):
        return True
    if honorific in _ROLE_WORDS and _place(gazetteer.load(), text, start, end) == "province":
        return True
    return False


def _vietnamese(
    text: str, sh: str, start: int, end: int, keys: list[str], honorific: str, level: str
) -> tuple[Span | None, bool]:
    """A Vietnamese name: a surname and given names, a given name after an honorific, or a bare given name."""
    full = " ".join(keys)
    if keys[0] in SURNAMES and 2 <= len(keys) <= 4:
        if level and not honorific and (len(keys) == 2 or level != "ward") and not _aged(sh, start, end):
            return None, False  # "Hà Nội", "Phan Thiết" (a 3-syllable ward is more often a person's namesake)
        return Span("name", start, end, 0.9 if honorific or len(keys) >= 3 else 0.8), True
    if honorific and len(keys) <= 3 and (level in ("", "ward") or len(full) <= 2):
        if len(full) <= 2 and text[end : end + 1] == ".":
            end += 1  # the abbreviation's dot belongs to it: "bà Nh."
        return Span("name", start, end, 0.8), True  # "chị Lan", "anh Hùng", "anh V.", "bà Nh."
    if not honorific and level in ("", "ward") and _bare(text, sh, start, end, keys, level):
        return Span("name", start, end, 0.7), True  # "bị Khoa bóp cổ", "Tấn đưa Lê về nhà"
    return None, False


def _opens(text: str, start: int) -> bool:
    """Whether the capitalised word at `start` is an honorific opening a sentence ("Ông Phạm Ngọc Thanh cho
    biết"), written with its tone marks ("Chau Beyond" is no "Cháu") and where a sentence starts ("người
    Anh Fiona Sutton" is no "anh")."""
    word = _WORD.match(text, start)
    if not word or not word.group()[1:].islower():
        return False
    before = text[max(0, start - 3) : start].rstrip(" \t")  # a line break opens a sentence (a title line)
    spelled = SPELLED.get(pii_fold(word.group()).lower(), "")
    written = word.group().lower()
    return (not before or before[-1] in '.!?:;"“”(–-\n') and (written == spelled or not _has_marks(text))


def _aged(sh: str, start: int, end: int) -> bool:
    return bool(_AGE_AFTER.match(sh[end : end + 20]) or _AGE_BEFORE.search(sh[max(0, start - 20) : start]))


def _bare(text: str, sh: str, start: int, end: int, keys: list[str], level: str) -> bool:
    """A given name with no honorific, where the sentence itself marks a person: called ("– Tấn ơi"), given an
    age ("Đ (5 tuổi"), or a common given name capitalised in mid-sentence, where Vietnamese capitalises nothing
    but proper nouns ("bị Khoa bóp cổ", "đưa Hảo vào Nam"). Any other capitalised word alone is too weak a sign:
    the first word of many common-noun names is capitalised ("Trạm thu phí", "Giải quần vợt")."""
    if len(keys) > 2 or _stop(text, start, start + len(keys[0]), keys[0]) or " ".join(keys) in BARE_STOP:
        return False
    called = re.match(r"\s+oi(?![\w])", sh[end : end + 5]) and not _kin(text[start:end])
    if not level and (called or _AGE_AFTER.match(sh[end : end + 20])):
        return True
    if _subject(text, start, end, keys):
        return True
    written = unicodedata.normalize("NFC", text[start:end]).lower()
    if len(keys) != 1 or written not in (GIVEN_NAMES if _has_marks(text) else _GIVEN_FOLDED):
        return False
    prev = re.search(r"([^\W\d_]+)(,?)[ \t]*\Z", text[max(0, start - 30) : start])  # not across a line break
    if not prev or not prev.group(1).islower():
        return False  # the start of a sentence or a quote: capitalised anyway (a subject is tried above)
    nxt = re.match(r" ([a-z]+)", sh[end : end + 12])
    if nxt and f"{keys[0]} {nxt.group(1)}" in COMPOUNDS:
        return False
    return not _thing_before(text, start)


def _kin(word: str) -> bool:
    """A kinship word or an honorific as spelled ("Mẹ ơi", "Bà ơi" call a mother, a grandmother)."""
    written = unicodedata.normalize("NFC", word).lower()
    return written in SPELLED.values() or written in _KIN_CALLED


def _subject(text: str, start: int, end: int, keys: list[str]) -> bool:
    """A name opening a sentence or a clause as the subject of a person's act: a given name or a surname used
    alone ("Liên hứa hẹn", "Không may, Lưu bị ông Dư quật ngã"), or two syllables ending in a given name
    ('…Mỹ", Gia Phong nói'). Written with tone marks only: "Lưu ý" is no "Lưu"."""
    if not _has_marks(text):
        return False
    words = [unicodedata.normalize("NFC", w).lower() for w in text[start:end].split()]
    if len(words) == 1:
        ok = words[0] in GIVEN_NAMES or words[0] in SURNAMES_SPELLED
    else:
        ok = len(words) == 2 and words[1] in GIVEN_NAMES and keys[0] not in SURNAMES and keys[0] not in SPELLED
    nxt = re.match(r" ([^\W\d_]+)", text[end : end + 16])
    if not ok or not nxt or nxt.group(1) not in PERSON_VERBS or f"{keys[-1]} {pii_fold(nxt.group(1))}" in COMPOUNDS:
        return False  # "Trang bị thiết bị" is equipping, not Trang
    before = text[max(0, start - 4) : start].rstrip()
    if re.search(r"(?:^|\s)(?:khi|thì|nhưng|rồi|nên)$", text[max(0, start - 12) : start].rstrip()):
        return True  # "sau khi Lưu điều khiển ôtô": a clause opening on a conjunction
    return not before or before[-1] in '.!?:;,"“”'


def _mentions(text: str, sh: str, found: list[Span], cast: people.Cast) -> Iterator[Span]:
    """Later bare mentions of a name found with a cue: "anh Nguyễn Đăng Khoa ... bị Khoa bóp cổ", "Alma Faz,
    19 tuổi ... Faz nhớ lại"; never of a person the text introduced in a public role only."""
    marks = _has_marks(text)

    def form(start: int, end: int) -> str:
        """A word as mentions are matched: as spelled where the text has tone marks ("Huệ" is no "Huế")."""
        return gazetteer.spelled_key(text[start:end]) if marks else sh[start:end]

    given = set()
    for s in found:
        g = sh[s.start : s.end].split()[-1]
        at = s.end - len(g)
        if s.score >= 0.8 and len(g) >= 2 and syllable(g) and not _stop(text, at, s.end, g):
            if not cast.only_public(g):
                given.add(form(at, s.end))
    foreign = {k for k in cast.private if " " not in k and len(k) >= 3 and not syllable(k) and not cast.only_public(k)}
    given |= foreign
    taken = [(s.start, s.end) for s in found]
    phrases = {pii_fold(text[s.start : s.end]).lower() for s in found}
    for m in _WORD.finditer(text):
        if form(m.start(), m.end()) in given and _cap(m.group()) and m.group()[1:].islower():
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                nxt = _WORD.match(text, m.end() + 1)
                if text[m.end() : m.end() + 1] == " " and nxt and _cap(nxt.group()):
                    continue  # part of a longer capitalised name
                prev = re.search(r"([^\W\d_]+) $", text[max(0, m.start() - 30) : m.start()])
                if prev and _cap(prev.group(1)) and not _ordinary_opener(text, m.start() - 1 - len(prev.group(1)), m):
                    continue  # the tail of one: "Nguyễn Công Chánh", "Hoàn Kiếm", "Sáu Trừ"
                if prev and pii_fold(f"{prev.group(1)} {m.group()}").lower() in phrases:
                    continue  # the phrase a name was read in, written in lower case: "châu Âu" after "Châu Âu"
                if sh[m.start() : m.end()] in foreign and _thing_before(text, m.start()):
                    continue  # "chiếc Nissan" after "Tài xế Nissan"
                if _opens_sentence(text, m.start()) and re.search(r"(?<![\w])%s(?![\w])" % m.group().lower(), text):
                    continue  # "Tại đây", "Trí nhớ": capitalised by the sentence, the word is used in lower case too
                yield Span("name", m.start(), m.end(), 0.75)


def _ordinary_opener(text: str, start: int, mention: re.Match[str]) -> bool:
    """Whether the capitalised word at `start`, right before a mention, is an ordinary word capitalised only
    because it opens a sentence or a quote ("Sau Hùng, vợ anh", "Cả Mai và chồng", "“Thằng Hùng nó nói"),
    so that the mention is no tail of a longer name. Spelled with tone marks only: "Sau" and "Sáu" (a nickname,
    "Sáu Trừ") fold alike."""
    word = _WORD.match(text, start)
    if not word or not _opens_sentence(text, start) or not _has_marks(text):
        return False
    written = unicodedata.normalize("NFC", word.group()).lower()
    if (written not in _OPENERS and written not in SPELLED.values()) or pii_fold(written) in _LEADING_HONORIFICS:
        return False  # "Ông Hùng cho biết": the run with its honorific was judged already (here: quoted)
    pair = text[start : mention.end()]
    return not gazetteer.load().level_as_written(pair) and pii_fold(pair).lower() not in COMPOUNDS


def _thing_before(text: str, start: int) -> bool:
    """A lower-case head before `start` that makes the capitalised word a thing or a place ("sông Dương Tử")."""
    before = " ".join(re.findall(r"[^\W\d_]+", text[max(0, start - 24) : start].lower())[-2:])
    marks = _has_marks(text)
    return bool(_ends_with(before if marks else pii_fold(before), THING_HEADS if marks else _THING_FOLDED))


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip(" \t")
    return not before or before[-1] in '.!?:;"“”\n-–'


_OFFICIAL_AFTER = _TITLE_AFTER.pattern % "|".join(sorted(map(re.escape, OFFICIAL_TITLES), key=len, reverse=True))


# Heads after which initials abbreviate an institution or a place, not a person.
# Folded, so heads that fold onto an honorific ("ảnh"/"anh") or a person ("người", "họ") are left out.
_INITIALLED_THINGS = tuple(h for h in _THING_FOLDED if h not in SPELLED and h not in ("nguoi", "ho", "tieng")) + (
    "mam non",
    "tieu hoc",
    "trung hoc",
    "thcs",
    "thpt",
    "hoc",
)
# "ngã tư Trần Não – Lương Định Của": the second street of a crossing.
_STREET_CHAIN = re.compile(r"(?:ngã tư|ngã ba|giao lộ|góc)\s+[^\W\d_]+(?:\s+[^\W\d_]+){0,3}\s*(?:[–-]|và)\s*$", re.I)
# Heads that make a naming cue ("tên", "có tên là") name a thing, an animal or a place, not a person.
_NAMED_THING = re.compile(
    r"(?:^| )(?:con (?!gai|trai|ruot|nuoi|ut|ca |dau|re)\w+|chu (?:cho|meo|chim|khi|voi|ngua|bo|lon|heo)|loai|lang|thon|xa|vaccine|vac xin|thuoc|tau|cong ty|"
    r"san pham|du an|chien dich|phim|sach|bai hat|chuong trinh|giong|benh|khu|toa nha|mang)(?: \w+){0,4} "
    r"(?:mang |co |cai |dat )?ten(?: la)?$"
)
# Person words that are roles rather than forms of address: a province after one is where the person is from.
_ROLE_WORDS = frozenset(
    "nam sinh|nu sinh|tai xe|doi tuong|nan nhan|nghi pham|nghi can|bi can|bi cao|benh nhan|nguoi benh".split("|")
)
# An affiliation after the name: a teacher or an expert quoted in that role ("cô Lê Thị Huyền, giáo viên ...").
_AFFILIATION_AFTER = re.compile(
    r"^\s*[,\-–(]\s*(?:giao vien|giang vien|hieu truong|hieu pho|chuyen gia|nha nghien cuu|"
    r"truong (?:thpt|thcs|tieu hoc|mam non|dai hoc|cao dang|trung hoc))(?![\w])"
)
# Abbreviations that follow a kinship word without being a person ("chị SĐT 09...", "anh CSGT").
_ACRONYMS = frozenset(
    "SĐT ĐT CMND CCCD BHYT BHXH CSGT CSCĐ UBND HĐND CDC TP BV BN TX TT KP KCN GPLX STK ATM ĐH THPT THCS".split()
)
# Initials with spaces between them, at least three letters ("P. T. Y", "L. T. G. P.", "N .T. B"); the last one
# may go without its dot before a comma, a bracket or the end.
_SPACED_INITIALS = re.compile(
    r"(?<![\w.])[A-ZĐ][a-zđ]?\s?\.(?:\s?[A-ZĐ][a-zđ]?\.){0,4}\s[A-ZĐ][a-zđ]?\.(?:\s[A-ZĐ][a-zđ]?(?=\s?[,;:()]|$))?"
    r"(?![\w])|(?<![\w.])[A-ZĐ]\. [A-ZĐ]\. [A-ZĐ](?=\s?[,;:()]|$)"
)
# Initials run together without dots after a kinship, courtesy or patient word: "bà ĐTS", "anh TVCh.".
_CAPS_INITIALS = re.compile(
    r"(?<![\w])(?:ông|bà|anh|chị|em|cháu|cô|chú|bác|cụ|bé|bệnh nhân|BN) ([A-ZĐ]{2,4}(?:[a-z]{1,2})?\.?)(?![\w])"
)
# Two initials with one dot ("N.C"), and the slot of a case notice where a patient's name goes.
_TWO_LETTERS = re.compile(r"(?<![\w.])[A-ZĐ]\.[A-ZĐ](?![\w.])")
_PATIENT_SLOT = re.compile(r"(?:benh nhan|bn|ca benh)\s*(?:so\s*)?\d+\s*:\s*$|(?:benh nhan|bn)\s+$")
# One capital and its dot between two lower-case words: an initial standing for a person named alone.
_ONE_INITIAL = re.compile(r"(?<=[a-zà-ỹđ,] )[A-ZĐ]\.(?= [a-zà-ỹđ])")
# Heads a single letter labels as a category, not a person: "nhóm B.", "vitamin C.", "phòng A."
_LETTER_HEADS = tuple(
    "nhom loai hang khu lop vitamin toa phong khoi muc diem phan dang kieu mau so chu vung tuyen".split()
)
_LEADING_HONORIFICS = frozenset("ong ba anh chi em chau co chu bac cu be".split())
# Kinship words called by ("Ba ơi", "Má ơi") beyond the honorifics of SPELLED.
_KIN_CALLED = frozenset("ba má u bu dì cậu mợ thím dượng con".split())
# Ordinary words, with their tone marks, that open a sentence or a quote right before a name: conjunctions,
# prepositions, adverbs and quantifiers (kinship words and honorifics come from SPELLED).
_OPENERS = frozenset(
    "sau trước cả khi rồi nhưng và còn cũng vì nên thì mà tuy dù nếu hôm từ với cùng theo tại ở đến cho để lúc "
    "bởi hay hoặc chỉ riêng ngay chính nhờ thấy gặp gọi bảo hỏi nghe kể giúp đợi chờ thương hễ giá mỗi "
    "ngoài trong giữa".split()
)


def _in_role(sh: str, start: int, end: int, context: str, patient: str = "") -> str:
    """A person named as an official ("title") or quoted the way spokespeople are ("quoted") rather than as a
    private person, or "" (an affiliation after the name is a role only outside a patient's clause: "bệnh
    nhân có ông X, giáo viên tiếng Anh")."""
    after = sh[end : end + 40]
    if re.match(_OFFICIAL_AFTER, after) or context.endswith(" dong chi"):
        return "title"
    if _AFFILIATION_AFTER.match(after) and not patient:
        return "affiliated"  # a teacher of a school is named in that role here, not introduced as an official
    if re.search(r"(?:^| )theo (?:ong|ba)$", context):
        return "quoted"  # "Theo ông Ngọc, ...": a source quoted for what they know in office
    if re.search(r"(?:^| )(?:ong|ba)$", context):
        # "ông Long cho biết": the officials' way of being quoted; "”, ông Tuấn nói" likewise
        quoted = _SPEAKS.match(after) or (
            re.match(r"^\s+noi(?![\w])", after) and _QUOTE_BEFORE.search(sh[max(0, start - 12) : start])
        )
        return "quoted" if quoted else ""
    return ""
