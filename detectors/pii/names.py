"""Person names in Vietnamese text: a private person's name, not an official's, a public figure's or a place's.

Capitalisation carries names in Vietnamese (common nouns are lower case), so a candidate is a run of
capitalised words; what makes it a *private person's* name is a surname, a kinship or patient word before it,
or (for a single given name) its place in the sentence. Officials quoted in their role, titled public figures,
foreign public figures, places, institutions and bylines are not (docs/pii-guideline.md).
"""

from __future__ import annotations

import re
from typing import Iterator

from canhbao.detectors.pii import gazetteer
from canhbao.detectors.pii.patterns import Span

# Common Vietnamese surnames (folded): ~99% of the population carries one of these.
SURNAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh mai truong cao lam luong "
    "ha trinh doan la ta thai chu kieu tang quach luu to vuong khuc nghiem chau kim ung au thach lai mac "
    "phung tieu tong giang chung nong lo dam dieu diep hua lang lu ong ton tu bach "
    "khong luc ninh phi than thieu trieu".split()
)
# Words before a name that mark a person (folded).
HONORIFICS = (
    "ong",
    "ba",
    "anh",
    "chi",
    "em",
    "chau",
    "co",
    "chu",
    "bac",
    "cu",
    "be",
    "benh nhan",
    "bn",
    "ho ten",
    "ho va ten",
    "ten",
    "nguoi benh",
    "f0",
    "f1",
    "vo",
    "chong",
    "tai xe",
    "co giao",
    "thay",
)
# Titles before a name in public office: a public figure acting in office is not whom the rules protect.
OFFICIAL_TITLES = (
    "bo truong",
    "thu truong",
    "thu tuong",
    "chu tich",
    "pho chu tich",
    "giam doc",
    "pho giam doc",
    "bi thu",
    "pho bi thu",
    "tong bi thu",
    "cuc truong",
    "vu truong",
    "truong ban",
    "bac si",
    "bs",
    "pgs",
    "gs",
    "ts",
    "ths",
    "dai ta",
    "thuong ta",
    "trung ta",
    "thieu tuong",
    "nha bao",
    "phat ngon vien",
    "dai dien",
    "giam doc so",
    "truong phong",
    "ca si",
    "dien vien",
    "tac gia",
    "giao su",
    "pho giao su",
    "tien si",
    "thac si",
    "luat su",
    "dong chi",
    "hieu truong",
    "pho hieu truong",
    "chanh an",
    "tong thu ky",
    "uy vien",
    "truong khoa",
    "pho truong khoa",
    "chanh van phong",
    "tham tan",
    "dai su",
    "tong giam doc",
    "thu truong",
    "chu nhiem",
    "truong tram",
    "giam doc trung tam",
    "trung tuong",
    "thuong tuong",
    "dai tuong",
    "ky su",
)

# Capitalised words that start sentences or name institutions, never part of a person's name.
NOT_NAME_WORDS = frozenset("covid sars cov ncov ubnd bv cdc who tp tt bhyt cccd cmnd sdt f0 f1 f2 bn".split())
NOT_NAMES = frozenset(
    (
        "vu han",
        "ho chi minh",
        "duong tinh",
        "am tinh",
        "thai lan",
        "trung quoc",
        "han quoc",
        "nhat ban",
        "an do",
        "hong kong",
        "dai loan",
        "ha lan",
        "ba lan",
        "tay ban nha",
        "bo dao nha",
        "thuy dien",
        "thuy si",
    )
)

# Lower case only after a naming cue: after "bệnh nhân" lower-case words are the sentence ("bệnh nhân không sốt").
_CUED_NAME = re.compile(r"(?<![\w])(ho ten|ho va ten|ten)\s*:?\s+([a-z]+)(?: [a-z]+){1,3}(?=[\s,.;:()]|$)")
# A title right after the name: "ông Nguyễn Công Chánh, Phó chủ tịch UBND", "ông Đặng Văn Hải - Giám đốc CDC".
_TITLE_AFTER = re.compile(r"^\s*[,\-–(]\s*(?:nguyen |nguyen la |cuu )?(%s)(?![\w])")
# Quoted in a role: "ông Long cho biết", "”, ông Tuấn nói", "đồng chí Vương Đình Huệ".
_SPEAKS = re.compile(
    r"^\s+(?:cung\s+)?(?:cho biet|cho hay|khang dinh|thong tin|thong bao|nhan dinh|nhan manh|de nghi|yeu cau)(?![\w])"
)
_QUOTE_BEFORE = re.compile(r"[\"”»']\s*,?\s*(?:ong|ba)\s+$")
_WORD = re.compile(r"[^\W\d_]+")
# "N.H.N.", "L.T.D", "Ng.Th.Th.Ng.", "H.Ng.D." (a letter, or a capital and a lower-case letter, per syllable).
_INITIALS = re.compile(r"(?<![\w.])[A-ZĐ][a-zđ]?\.(?:[A-ZĐ][a-zđ]?\.){1,4}(?:[A-ZĐ][a-zđ]?(?![\w.]))?(?![\w])")
_BYLINE = re.compile(r"(?:thuc hien|anh|bai|nguon|tac gia|pv|btv)\s*:\s*$")


def _cap(word: str) -> bool:
    return word[:1].isupper()


def _preceding_words(sh: str, start: int, n: int = 3) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", sh[max(0, start - 10 * n) : start])[-n:])


def _ends_with(phrase: str, cues: tuple[str, ...]) -> bool:
    return any(phrase == c or phrase.endswith(" " + c) for c in cues)


def names(text: str, sh: str) -> Iterator[Span]:
    gaz = gazetteer.load()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
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
        span = _name_run(text, sh, words[i:j], gaz)
        if span:
            yield span
            i = j
        else:
            i += 1
    for m in _CUED_NAME.finditer(sh):
        # "ten nguyen thi lan": a name written in lower case, recognisable only after a cue and a surname
        if m.group(2) in SURNAMES:
            yield Span("name", m.start(2), m.end(), 0.85)
    for m in _INITIALS.finditer(text):
        if _BYLINE.search(sh[max(0, m.start() - 14) : m.start()]):
            continue  # "Thực hiện: N.K.", "Ảnh: P.T": a journalist's byline
        yield Span("name", m.start(), m.end(), 0.9 if _honorific(text, sh, m.start()) else 0.8)


def _honorific(text: str, sh: str, start: int) -> bool:
    """A kinship/patient word right before `start`, written as one (lower case: "Bắc Giang" is no "bác")."""
    before = _preceding_words(sh, start)
    if not _ends_with(before, HONORIFICS) or before.endswith(("dan ong", "dan ba", "nguoi anh", "nguoi em")):
        return False
    window = text[max(0, start - 30) : start]
    last = list(re.finditer(r"[^\W\d_]+", window))
    if not last:
        return False
    word = last[-1].group()
    if window[last[-1].end() :].strip():
        return False  # punctuation between: "chính chủ. Liên hệ" is no "chú Liên"
    sentence_start = not window[: last[-1].start()].strip() or window[: last[-1].start()].rstrip()[-1] in ".!?:\n"
    return word.islower() or word == "BN" or word.lower() in ("họ", "tên") or sentence_start


def _name_run(text: str, sh: str, run: list[tuple[int, int]], gaz: gazetteer.Gazetteer) -> Span | None:
    while run and text[run[-1][1] : run[-1][1] + 1].isdigit():
        run = run[:-1]  # "F1", "A2": codes, not name syllables
    keys = [sh[s:e] for s, e in run]
    while keys and keys[-1] in NOT_NAME_WORDS:
        keys.pop()
        run = run[:-1]
    if not run or any(k in NOT_NAME_WORDS for k in keys):
        return None
    # "Ông Phạm Ngọc Thanh cho biết" opens a sentence with the honorific; "Bà Rịa" is a place
    first = text[run[0][0] : run[0][1]]
    lead = len(run) >= 2 and keys[0] in _LEADING_HONORIFICS and first[1:].islower() and " ".join(keys) not in gaz
    if lead:
        run, keys = run[1:], keys[1:]
    start, end = run[0][0], run[-1][1]
    full = " ".join(keys)
    honorific = lead or _honorific(text, sh, start)
    if len(run) >= 2 and text[start:end].isupper() and not honorific:
        return None  # all-caps runs are headers, mottos and shouting ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    context = " " + _preceding_words(sh, start, 10)  # "Chủ tịch Ủy ban nhân dân tỉnh Lâm Minh Thành"
    if full in NOT_NAMES or (not honorific and any(f" {t} " in context + " " for t in OFFICIAL_TITLES)):
        return None
    if _in_role(sh, start, end, context):
        return None
    if keys[0] in SURNAMES and 2 <= len(keys) <= 4:
        if full in gaz and len(keys) <= 3 and not honorific:
            return None  # "Hà Nội", "Phan Thiết", a street named after a hero
        return Span("name", start, end, 0.9 if honorific or len(keys) >= 3 else 0.8)
    if honorific and len(keys) <= 3 and (full not in gaz or len(full) <= 2):
        if len(full) <= 2 and text[end : end + 1] == ".":
            end += 1  # the abbreviation's dot belongs to it: "bà Nh."
        return Span("name", start, end, 0.8)  # "chị Lan", "anh Hùng", "anh V.", "bà Nh."
    return None


_OFFICIAL_AFTER = _TITLE_AFTER.pattern % "|".join(sorted(map(re.escape, OFFICIAL_TITLES), key=len, reverse=True))


_LEADING_HONORIFICS = frozenset("ong ba anh chi em chau co chu bac cu be".split())


def _in_role(sh: str, start: int, end: int, context: str) -> bool:
    """A person named as an official or a quoted spokesperson rather than as a private person."""
    after = sh[end : end + 40]
    if re.match(_OFFICIAL_AFTER, after) or context.endswith(" dong chi"):
        return True
    if re.search(r"(?:^| )(?:ong|ba)$", context):
        # "ông Long cho biết": the officials' way of being quoted; "”, ông Tuấn nói" likewise
        return bool(
            _SPEAKS.match(after)
            or (re.match(r"^\s+noi(?![\w])", after) and _QUOTE_BEFORE.search(sh[max(0, start - 12) : start]))
        )
    return False
