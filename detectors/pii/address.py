"""Addresses: chains of components (house number, lane, street, hamlet, ward, district, province).

A component is a keyword ("ngõ", "thôn", "phường", "P.", "TP") followed by a number or capitalised
words; names after administrative keywords are checked against the gazetteer, which separates
"xã Tân Lập" from "xã hội". Components separated only by commas/dashes form one address; a bare unit
name after a comma ("..., Hà Nội") or after a residence cue ("trú tại Đông Anh") extends or starts one.
Runs on the shadow text of `pii_patterns.shadow` (same offsets, folded).
"""

from __future__ import annotations

import re
from typing import Iterator

from canhbao.detectors.pii import gazetteer
from canhbao.detectors.pii.patterns import Span

# keyword (folded) -> kind; "street" and "hamlet" are below the administrative levels.
KEYWORDS = {
    "so nha": "house", "ngo": "street", "ngach": "street", "hem": "street", "kiet": "street",
    "duong": "street", "pho": "street", "thon": "hamlet", "xom": "hamlet", "ap": "hamlet", "ban": "hamlet",
    "to dan pho": "hamlet", "tdp": "hamlet", "khu pho": "hamlet", "kp": "hamlet", "khom": "hamlet",
    "to": "hamlet", "khu do thi": "hamlet", "chung cu": "hamlet", "toa": "hamlet", "phuong": "ward",
    "xa": "ward", "thi tran": "ward", "dac khu": "ward", "p.": "ward", "tt.": "ward", "quan": "district",
    "huyen": "district", "thi xa": "district", "q.": "district", "tx.": "district", "thanh pho": "province",
    "tp.": "province", "tp": "province", "tinh": "province",
}
# How each keyword is written with its tone marks; written otherwise ("phó", "bạn", "tô") it is another word.
SPELLING = {
    "so nha": "số nhà", "ngo": "ngõ", "ngach": "ngách", "hem": "hẻm", "kiet": "kiệt", "duong": "đường",
    "pho": "phố", "thon": "thôn", "xom": "xóm", "ap": "ấp", "ban": "bản", "to dan pho": "tổ dân phố",
    "khu pho": "khu phố", "khom": "khóm", "to": "tổ", "khu do thi": "khu đô thị", "chung cu": "chung cư",
    "toa": "tòa", "phuong": "phường", "xa": "xã", "thi tran": "thị trấn", "dac khu": "đặc khu",
    "quan": "quận", "huyen": "huyện", "thi xa": "thị xã", "thanh pho": "thành phố", "tinh": "tỉnh",
}
_KW = re.compile(
    r"(?<![\w.])(%s)(?=[\s\d]|(?<=\.)\w)"
    % "|".join(re.escape(k) for k in sorted(KEYWORDS, key=len, reverse=True))
)
_NUMBER = re.compile(r"\s*(\d+[a-z]?(?:[/\-]\d+[a-z]?)*)(?![\w])")
_HOUSE = re.compile(
    r"(?<![\w])(?:(?:so|sn)\s*\d+[a-z]?(?:/\d+[a-z]?)*(?=[\s,])"
    r"|(?<!\d[ .\-])\d+[a-z]?(?:/\d+[a-z]?)*(?=\s+(?:duong|pho|ngo|hem|kiet|ngach)\s))"
)
_RESIDENCE = re.compile(
    r"(?<![\w])(?:tru tai|tru o|dia chi|song tai|song o|o tai|que o|que|"
    r"tam tru tai|thuong tru tai|cu tru tai|noi o)\s*:?\s+"
)
# "56 Hàng Chiếu", "số 35 Lê Duẩn": a house number then a street name without its keyword.
_NUMBERED_STREET = re.compile(r"(?<![\w/.,])(?<!\d[ .\-])(?:so |sn )?\d+[a-z]?(?:/\d+[a-z]?)* (?=[^\W\d_])")
_GAP = re.compile(r"^[\s,\-–]{0,3}$")
_CAPWORD = re.compile(r"[^\W\d_]+")


def _cap_words(text: str, pos: int, limit: int = 4) -> int:
    """End of the run of capitalised words (or an all-caps abbreviation) starting at `pos`, or `pos`."""
    end = pos
    for _ in range(limit):
        m = _CAPWORD.match(text, pos)
        if not m or not m.group()[0].isupper():
            break
        end = pos = m.end()
        if text[pos:pos + 1] != " ":
            break
        pos += 1
    return end


def _components(text: str, sh: str, gaz: gazetteer.Gazetteer) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, kind, validated) for every address component."""
    for m in _KW.finditer(sh):
        written = text[m.start():m.end()].lower()
        spelled = SPELLING.get(m.group(1), m.group(1))
        if written not in (m.group(1), spelled):
            continue
        if written != spelled and _has_marks(text, m.start()):
            continue  # tone marks all around but none here: "Ban Chỉ đạo" is a committee, not "bản"
        if text[m.start():_cap_words(text, m.end() + 1)].isupper() and m.end() - m.start() > 2:
            continue  # "TOÀN TỈNH TỪ 0H ĐÊM NAY": shouting, not an address
        kind = KEYWORDS[m.group(1)]
        pos = m.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
        num = _NUMBER.match(sh, pos)
        if num and kind != "province":
            end = num.end()
            if kind == "street" and text[end:end + 1] == " ":
                end = (
                    _cap_words(text, end + 1) if _cap_words(text, end + 1) > end + 1 else end
                )  # "ngõ 102 Trường Chinh"
            yield m.start(), end, kind, kind in ("ward", "district", "hamlet", "street")
            continue
        end = _cap_words(text, pos)
        if end == pos:
            continue
        name = sh[pos:end]
        validated = kind in ("street", "house", "hamlet") or bool(gaz.level(name))
        if kind in ("ward", "district", "province") and not validated:
            # an unknown name after an admin keyword: keep only the first word's evidence
            yield m.start(), end, kind, False
        else:
            yield m.start(), end, kind, validated
    for m in _HOUSE.finditer(sh):
        yield m.start(), m.end(), "house", False
    for m in _NUMBERED_STREET.finditer(sh):
        end = _cap_words(text, m.end())
        if end - m.end() >= 4 and " " in text[m.end():end]:
            yield m.start(), end, "street", True
    for m in _RESIDENCE.finditer(sh):
        end = _cap_words(text, m.end())
        if end > m.end() and gaz.level(sh[m.end():end]):
            yield m.end(), end, "cue", True


def _has_marks(text: str, pos: int, radius: int = 60) -> bool:
    """Whether the text around `pos` is written with Vietnamese diacritics."""
    window = text[max(0, pos - radius):pos + radius]
    return any(ord(c) > 127 and c.isalpha() for c in window)


def addresses(text: str, sh: str) -> Iterator[Span]:
    gaz = gazetteer.load()
    comps = sorted(set(_components(text, sh, gaz)))
    chains: list[list[tuple[int, int, str, bool]]] = []
    for c in comps:
        if chains and (c[0] < chains[-1][-1][1] or _GAP.match(text[chains[-1][-1][1]:c[0]])):
            chains[-1].append(c)
        else:
            chains.append([c])
    for chain in chains:
        start, end = chain[0][0], max(c[1] for c in chain)
        end = _extend_with_units(text, sh, end, gaz)
        kinds = {c[2] for c in chain}
        if len(chain) >= 2 and kinds != {"house"}:
            score = 0.95
        elif kinds <= {"house"}:
            continue  # "số 12" alone is any number
        elif chain[0][3] and kinds & {"street", "hamlet", "ward", "district", "cue"}:
            score = 0.85
        elif chain[0][3]:
            score = 0.5  # a province alone: a place, rarely an address
        else:
            score = 0.55
        if end > chain[-1][1] and score < 0.9:
            score = 0.9
        if text[start:end].isupper() and " " in text[start:end].strip():
            continue  # "TỪ 0H ĐÊM NAY": capitals are shouting or a letterhead, not someone's address
        yield Span("address", start, end, score)


def _extend_with_units(text: str, sh: str, end: int, gaz: gazetteer.Gazetteer) -> int:
    """Follow ', Đông Anh, Hà Nội' after a chain while the names are known units."""
    while True:
        m = re.match(r"[ ]*[,\-–][ ]*", text[end:])
        if not m:
            return end
        pos = end + m.end()
        stop = _cap_words(text, pos)
        if stop == pos or not gaz.level(sh[pos:stop]):
            return end
        end = stop
