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
    "so nha": "house",
    "can ho": "house",
    "ngo": "street",
    "ngach": "street",
    "hem": "street",
    "kiet": "street",
    "duong": "street",
    "dai lo": "street",
    "pho": "street",
    "thon": "hamlet",
    "xom": "hamlet",
    "ap": "hamlet",
    "ban": "hamlet",
    "to dan pho": "hamlet",
    "tdp": "hamlet",
    "khu pho": "hamlet",
    "khu": "hamlet",
    "kp": "hamlet",
    "khom": "hamlet",
    "to": "hamlet",
    "khu do thi": "hamlet",
    "kdt": "hamlet",
    "khu tap the": "hamlet",
    "ktt": "hamlet",
    "ky tuc xa": "hamlet",
    "ktx": "hamlet",
    "khu dan cu": "hamlet",
    "kdc": "hamlet",
    "toa nha": "hamlet",
    "chung cu": "hamlet",
    "toa": "hamlet",
    "phuong": "ward",
    "xa": "ward",
    "thi tran": "ward",
    "dac khu": "ward",
    "p.": "ward",
    "tt.": "ward",
    "quan": "district",
    "huyen": "district",
    "thi xa": "district",
    "q.": "district",
    "h.": "district",
    "tx.": "district",
    "thanh pho": "province",
    "tp.": "province",
    "tp": "province",
    "tinh": "province",
}
# How each keyword is written with its tone marks; written otherwise ("phó", "bạn", "tô") it is another word.
SPELLING = {
    "so nha": "số nhà",
    "can ho": "căn hộ",
    "ngo": "ngõ",
    "ngach": "ngách",
    "hem": "hẻm",
    "kiet": "kiệt",
    "duong": "đường",
    "dai lo": "đại lộ",
    "pho": "phố",
    "thon": "thôn",
    "xom": "xóm",
    "ap": "ấp",
    "ban": "bản",
    "to dan pho": "tổ dân phố",
    "khu pho": "khu phố",
    "khom": "khóm",
    "to": "tổ",
    "khu do thi": "khu đô thị",
    "kdt": "kđt",
    "khu tap the": "khu tập thể",
    "ky tuc xa": "ký túc xá",
    "khu dan cu": "khu dân cư",
    "toa nha": "tòa nhà",
    "chung cu": "chung cư",
    "toa": "tòa",
    "phuong": "phường",
    "xa": "xã",
    "thi tran": "thị trấn",
    "dac khu": "đặc khu",
    "quan": "quận",
    "huyen": "huyện",
    "thi xa": "thị xã",
    "thanh pho": "thành phố",
    "tinh": "tỉnh",
}
_KW = re.compile(
    r"(?<![\w.])(%s)(?=[\s\d]|(?<=\.)\w)" % "|".join(re.escape(k) for k in sorted(KEYWORDS, key=len, reverse=True))
)
_NUMBER = re.compile(r"\s*(\d+[a-z]?(?:[/\-]\d+[a-z]?)*)(?![\w])")
_HOUSE = re.compile(
    r"(?<![\w])(?:(?<!co )(?:so|sn(?!\s*(?:19|20)\d\d(?!\d)))\s*\d+[a-z]?(?:/\d+[a-z]?)*(?=[\s,])"
    r"|(?<!\d[ .\-])\d+[a-z]?(?:/\d+[a-z]?)*(?=\s+(?:duong|pho|ngo|hem|kiet|ngach)\s))"
)
_RESIDENCE = re.compile(
    r"(?<![\w])(?:tru tai|tru o|tru|ngu tai|ngu o|ngu|dia chi(?: thuong tru| tam tru)?(?: tai| o)?|song tai|song o|"
    r"o tai|que o|que quan|que|tam tru tai|thuong tru tai|thuong tru|tam tru|cu tru tai|tru quan tai|noi o|"
    r"nguoi dan)\s*:?\s+"
)
# A residence cue right before a unit keyword ("trú tại xã ...", "(30 tuổi) ở xã ...").
_RESIDENCE_BEFORE = re.compile(
    r"(?<![\w])(?:tru|ngu|que|song|dia chi(?: thuong tru| tam tru)?|thuong tru|tam tru|tuoi\)?|nha)"
    r"(?: tai| o)?\s*:?\s*$"
)
# A person then their home in brackets: "anh Trần Tiến Tùng (Đông Anh, Hà Nội)", "N.Q.T (Ba Đình, Hà Nội)".
_PERSON_PAREN = re.compile(r"(?<![\w])[A-ZĐÀ-Ỹ][^\s(]{0,12} \(")
_UNIT_WORDS = {"xa", "phuong", "huyen", "quan", "tinh", "tp", "thon", "ubnd", "xom"}  # (not "tran": "Trần")
# A relative's or friend's house: "về nhà ông bà ngoại tại Xuân An, Thanh Khê (Thanh Hà)", "nhà bạn ở Hà Đông".
_HOUSE_OF = re.compile(r"(?<![\w])nha(?: [a-z]+){0,3} (?:tai|o) ")
# Where a notice puts the place without a cue word: "Nữ; 56 tuổi; Cẩm Lệ, Đà Nẵng", "BN 19 (Ba Đình, Hà Nội)",
# and a bare "ở" ("ở Nam Từ Liêm, Hà Nội"); only known unit names are taken there.
_NOTICE = re.compile(
    r"(?:(?<![\w])(?:tuoi|nam|nu)\s*[;,]\s*|(?<![\w])tuoi\)?\s+(?:tai|o)\s+|(?<![\w])(?:bn|benh nhan)\s*(?:so\s*)?\d+\s*\(\s*|(?<![\w])o\s+)"
)
# A going word right before a chain of known units without keywords (round 11): "từng đến Bạch Đằng, Chí Linh".
_WENT_TO = re.compile(r"(?<![\w])(?:den|toi|ve|ghe)\s+(?=[^\W\d_])")
# A place someone went: a venue word (written with its tone marks) then a capitalised name, after a verb of
# going or being ("đi chợ Cẩm An", "đến khách sạn Sheraton", "tại quán karaoke Sunny").
VENUES = (
    "chợ",
    "khu chợ",
    "quán",
    "cửa hàng",
    "siêu thị",
    "khách sạn",
    "nhà hàng",
    "nhà thuốc",
    "hiệu thuốc",
    "bãi biển",
    "khu vui chơi",
    "chung cư",
    "tiệm",
    "quán karaoke",
    "quán cà phê",
    "quán ăn",
    "quán tóc",
    "nhà nghỉ",
    "trung tâm thương mại",
    "cửa hàng xe máy",
    "phòng tập",
    "sân bóng",
    "nhà văn hóa",
    "chùa",
    "nhà thờ",
    # more places of tracing itineraries (round 7): shops, services and venues people go to
    "ngân hàng",
    "bưu điện",
    "tiệm vàng",
    "cây xăng",
    "nhà sách",
    "công viên",
    "bến xe",
    "quán bar",
    "quán nhậu",
    "quán cơm",
    "quán bún",
    "quán phở",
    "phòng trà",
    "spa",
    "thẩm mỹ viện",
    "resort",
    "sân vận động",
    "trung tâm anh ngữ",
    "trung tâm ngoại ngữ",
    "trung tâm tiệc cưới",
    "nhà hàng tiệc cưới",
    "tiệm bánh",
    "tiệm tóc",
    # round 8: workshops and more shops of urgent notices
    "xưởng",
    "gara",
    "tiệm thuốc",
    # round 9 (tuning set: the round-7/8 parts): more places of itineraries
    "sân golf",
    "phố đi bộ",
    "kho",
    "nhà trọ",
    "khu nhà trọ",
    "phòng trọ",
    # round 11 (tuning set: the round-9 part): "hát tại karaoke Olala"
    "karaoke",
)
# The venue words as one alternation, longest first ("quán bar" before "quán").
_VENUE_ALT = "|".join(sorted(map(re.escape, VENUES), key=len, reverse=True))
_VENUE = re.compile(r"(?<![\w])((?i:%s))(?: [a-zà-ỹđ]+){0,2} (?=[A-ZĐÀ-Ỹ])" % _VENUE_ALT)
_GOING = re.compile(
    r"(?:den|di|tai|o|qua|vao|mua|an|ghe|toi|choi|trong|nhan vien|mo|tham quan|va|ve|ra|chu|phuc vu|le|du|"
    r"phong toa|cach ly)\s+$"
)  # ("chủ nhà hàng X": the patient's own venue; "đón về khách sạn X"; "ra quán X"; "đi lễ nhà thờ X")
# A list item of an urgent notice that opens with a venue: "- Quán miến lươn: ...", "2. Quán thịt xiên nướng (...)".
_ITEM_VENUE = re.compile(
    r"(?:^|\n)[ \t]*(?:[-–•+*]|\d{1,2}[.)])[ \t]*(?:[^\W\d_]+[ \t]+){0,4}?((?i:%s))(?=[ \t])" % _VENUE_ALT
)
# The same item without a bullet, on a line that ends with when the patient was there (round 11): "Khách sạn
# Sheraton, 88 Đồng Khởi, từ ngày 13/5.", "Hẻm 637 Quang Trung, từ ngày 13/5."
_LINE_VENUE = re.compile(r"(?:^|\n)[ \t]*((?:%s))(?=[ \t])" % "|".join(v.capitalize() for v in _VENUE_ALT.split("|")))
_TIMED_LINE = re.compile(r"^[^\n]{3,140}?,?\s+(?:tu|vao|luc)\s+(?:ngay\s+)?\d{1,2}(?:h|\s*gio|[/\-.]\d{1,2}|\s+den)")
# A list item of an urgent notice naming a place by its own name, then its house number and street or "địa chỉ":
# "- Ocean Golf tầng 2 số 559 Kim Mã", "- Xích bia 68 Nguyên Hồng", "- Vinmart trong Vincom Phạm Ngọc Thạch: địa chỉ".
_ITEM_NAMED = re.compile(
    r"(?:^|\n)[ \t]*(?:[-–•+*]|\d{1,2}[.)])[ \t]*([A-ZĐÀ-Ỹ][^\n:;,()]{1,50}?)((?: tầng \d+)?)"
    r"(?=:\s*(?:địa chỉ|Địa chỉ)|\s+(?:số\s*)?\d+[a-z]?(?:/\d+[a-z]?)*\s+[A-ZĐÀ-Ỹ])"
)
_FACILITY_WORDS = re.compile(
    r"(?<![\w])(?:benh vien|phong kham|tram y te|trung tam y te|ttyt|cong ty|ubnd|khu cach ly|co so cach ly|"
    r"cong an|truong|chuyen bay|chuyen xe|xe khach|tuyen)(?![\w])"
)
# An unnamed venue placed by a unit, after a going word: "ra quán cà phê khu 5", "đi chợ ở huyện Kim Thành".
_VENUE_UNIT = re.compile(
    r"(?<![\w])(?:%s)(?: [a-zà-ỹđ]+){0,2}? (?:ở |tại )?(khu|thôn|xóm|ấp|tổ|phường|xã|thị trấn|huyện|quận)"
    r"(?: (\d+[a-z]?)(?![\w]))?" % _VENUE_ALT
)
# Where a venue's lower-case name stops, as written: "nhà hàng Thế giới bò tươi | 2 tháng nay", "quán X | từ".
_NAME_STOP = frozenset(
    "từ trên ở tại và với cùng để rồi sau lúc vào ngày có không là thì nhưng được trong khoảng đến hàng mỗi của "
    "này do địa thời".split()
)
# Units named as an office or its head, not as anyone's home: "Chủ tịch UBND quận Tân Phú", "Công an huyện".
_ORG_BEFORE = re.compile(
    r"(?:ubnd|uy ban nhan dan|hdnd|chu tich|bi thu|cong an|trung tam y te|benh vien|so y te|ban chi dao|"
    r"cdc|toa an|tand|vien kiem sat|uy ban|truong|phong giao duc|so|cuc|chi cuc|tram y te|tyt|ttyt|"
    r"canh sat|can bo|tru so|dai su quan|ban quan ly|bo chi huy quan su)\s*$"
)
# "56 Hàng Chiếu", "số 35 Lê Duẩn": a house number then a street name without its keyword.
_NUMBERED_STREET = re.compile(
    r"(?<![\w/.,\-])(?<!\d[ .\-])(?<!co )(?:so |sn |k(?=\d))?\d+[a-z]?(?:/\d+[a-z]?)* (?=[^\W\d_])"
)  # ("K882 Trường Chinh": a "kiệt" of Đà Nẵng written K and its number; "cơ sở 2" is a branch, round 11)
_NOT_HAMLET = re.compile(r"(?:^|\s)(?:nhat|co|van|phien|can|kich|tai|xuat|nguyen|ban|hoc)\s+$")
_GAP = re.compile(r"^[\s,\-–]{0,3}$")
# A venue then where it is: "cửa hàng Hưng Mobile trên đường Phạm Ngũ Lão", "quán cơm bà Nga ở Hội An".
_VENUE_GAP = re.compile(
    r"^ (?:tren|o|tai|thuoc|gan [^,.;()]{0,25}? thuoc) $|^ ?\($|^ \([^()]{1,40}\), ?$"
)  # also "cây xăng X gần chân cầu Hàn thuộc P. Y", "Quán X (quán có cây bơ), TP Lào Cai"
# Offices and health facilities named before a unit: "Phòng khám Đa khoa FV Sài Gòn - Quận 1",
# "nhân viên y tế phường Hà Khẩu", "Trung tâm Y tế phường 5 (quận Gò Vấp)".
_FACILITY_BEFORE = re.compile(
    r"(?:benh vien|khu cach ly|co so cach ly|diem cach ly|cach ly tap trung|khu dieu tri|(?:dua vao |da )?cach ly tai)"
    r"([^.;:()]{0,60})$"
)  # round 11: "đưa vào cách ly tại Trường Cao đẳng nghề ..., quận Nam Từ Liêm" ("cách ly tại nhà ở X" is a home)
# An authority, or a checkpoint, named before a unit, no going or home word between: "Nhà chức trách huyện Cẩm
# Giàng", "Ban Chỉ đạo phòng chống dịch COVID-19 quận Hoàn Kiếm", "lực lượng chức năng P.Tân An", "các chốt
# phòng dịch ở TT.Nếnh": the unit is who acts or where they stand, not anyone's place.
_AUTHORITY_BEFORE = re.compile(
    r"(?:ban chi dao|nha chuc trach|luc luong chuc nang|chinh quyen|cong an|ubnd|uy ban nhan dan|chot)"
    r"([^.;:()]{0,40})$"
)
_MEASURE = re.compile(r"(?<![\w])(?:phong toa|cach ly|thiet lap|khoanh vung|gian cach)(?![\w])")
# A unit that acts as an authority: "phường An Cư, quận Ninh Kiều, TP Cần Thơ ra thông báo khẩn".
_ACTS_AFTER = re.compile(
    r"^\s*(?:(?:cung|da|vua|tiep tuc) )*(?:ra thong bao|thong bao khan|phat thong bao|ban hanh|quyet dinh|"
    r"co quyet dinh|chi dao|yeu cau|de nghi|xac dinh|cho biet|cho phong toa|lap chot|trien khai|khan truong)(?![\w])"
)  # round 11: "phường Bắc Sơn cũng xác định ...", "Huyện An Dương đã cho phong tỏa ..." (the subject acting)
_MOVED = re.compile(r"(?<![\w])(?:roi|sau do|tiep tuc|di|den|ve|an|mua|nha|tru|ngu|que|song|o tai|ghe|choi)(?![\w])")
_OFFICE_NAMED = re.compile(
    r"(?<![\w])(?i:phòng khám|y tế|bệnh viện|công ty|khu công nghiệp|kcn|trạm|trung tâm|ubnd)"
    r"(?: +\(?(?:[A-ZĐÀ-Ỹ0-9][^\s,;.()]*|đa|khoa|phường|quận|xã|huyện|[\-–]))*(?: *,)? *\(? *$"
)
# Where a venue's lower-case tail also stops: the verbs of an itinerary ("chợ Cồn | mua rau", "quán X | ăn sáng").
_TAIL_STOP = _NAME_STOP | frozenset(
    "mua bán ăn uống gặp chơi làm khám về đi nghỉ ngồi hát dự lấy gửi nhận chở đón thăm lúc khoảng rồi sau".split()
)
_CAPWORD = re.compile(r"[^\W\d_](?:[\w&.’'-]*\w)?")  # also "Co.opmart", "HH2", "CT4A"


def _cap_words(text: str, pos: int, limit: int = 4) -> int:
    """End of the run of capitalised words (or an all-caps abbreviation) starting at `pos`, or `pos`."""
    end = pos
    for _ in range(limit):
        m = _CAPWORD.match(text, pos)
        if not m or not m.group()[0].isupper():
            break
        end = pos = m.end()
        if text[pos : pos + 1] != " ":
            break
        pos += 1
    return end


def _components(text: str, sh: str, gaz: gazetteer.Gazetteer) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, kind, validated) for every address component."""
    yield from _keyword_components(text, sh, gaz)
    for m in _HOUSE.finditer(sh):
        yield m.start(), m.end(), "house", False
    yield from _numbered_streets(text, sh, gaz)
    yield from _cued(text, sh, gaz)


def _keyword_components(text: str, sh: str, gaz: gazetteer.Gazetteer) -> Iterator[tuple[int, int, str, bool]]:
    """Components opened by a unit keyword ("ngõ 102 Trường Chinh", "xã Tân Lập")."""
    for m in _KW.finditer(sh):
        written = text[m.start() : m.end()].lower()
        spelled = SPELLING.get(m.group(1), m.group(1))
        if written not in (m.group(1), spelled):
            continue
        if written != spelled and _has_marks(text, m.start()):
            continue  # tone marks all around but none here: "Ban Chỉ đạo" is a committee, not "bản"
        if m.group(1) == "ban" and _NOT_HAMLET.search(sh[max(0, m.start() - 8) : m.start()]):
            continue  # "Nhật Bản", "về cơ bản", "văn bản": the word "bản" in another word
        after_kw = m.end() + (text[m.end() : m.end() + 1] == " ")  # "TP.Hội An" is glued, "TOÀN TỈNH" spaced
        if text[m.start() : _cap_words(text, after_kw)].isupper() and m.end() - m.start() > 2:
            continue  # "TOÀN TỈNH TỪ 0H ĐÊM NAY": shouting, not an address
        kind = KEYWORDS[m.group(1)]
        if m.group(1) == "h." and not (m.end() < len(text) and text[m.end()].isupper()):
            continue  # "H.Cẩm Giàng" is glued; "anh H. đi" is an initial
        pos = m.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
        num = _NUMBER.match(sh, pos)
        if num and kind != "province":
            end = num.end()
            if kind == "street" and text[end : end + 1] == " ":
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
        if m.group(1) == "h." and not validated:
            continue  # "H.Ng.D.": initials, not a district
        if kind in ("ward", "district", "province") and not validated:
            # an unknown name after an admin keyword: keep only the first word's evidence
            yield m.start(), end, kind, False
        else:
            yield m.start(), end, kind, validated


def _numbered_streets(text: str, sh: str, gaz: gazetteer.Gazetteer) -> Iterator[tuple[int, int, str, bool]]:
    """A house number then a street name without its keyword ("56 Hàng Chiếu")."""
    for m in _NUMBERED_STREET.finditer(sh):
        end = _cap_words(text, m.end())
        name = text[m.end() : end]
        foreign = sh[m.end() : end] == name.lower() and _has_marks(text, m.start())  # "hạt giống số 5 Pablo Carreno"
        route = re.search(r"(?:tuyen|chuyen|so hieu|xe buyt|lo)\s*$", sh[max(0, m.start() - 10) : m.start()])
        if route:
            continue  # "xe buýt tuyến 2 Thanh Hà – Hải Dương": a route, not a house
        if end - m.end() >= 4 and " " in name and not foreign and gaz.level(sh[m.end() : end]) != "province":
            yield m.start(), end, "street", True  # "04 Quảng Nam" is a count of cases, not a house


def _cued(text: str, sh: str, gaz: gazetteer.Gazetteer) -> Iterator[tuple[int, int, str, bool]]:
    """Places named without a unit keyword: after a residence cue, in a notice's slots, after a venue word."""
    for m in _RESIDENCE.finditer(sh):
        if sh.startswith("ngu", m.start()) and text[m.start() : m.start() + 3].lower() == "ngữ":
            continue  # "trung tâm anh ngữ ở TP.HCM": "ngữ" (language) folds to "ngu" as "ngụ" (lives) does
        end = _cap_words(text, m.end())
        if end > m.end() and gaz.level(sh[m.end() : end]):
            yield m.end(), end, "cue", True
        elif end > m.end() and (unit := _known_unit_chain(text, sh, m.end(), gaz)):
            yield m.end(), unit, "cue", True  # "quê ở Nhân Lư, Cẩm Chế (Thanh Hà)": unknown hamlets, known district
    yield from _homes(text, sh, gaz)
    for m in _NOTICE.finditer(sh):
        if m.group().startswith("o") and text[m.start()] != "ở":
            continue  # folded "o" is also "ô", "ơ"; only "ở" means "lives in"
        unit = _known_unit_chain(text, sh, m.end(), gaz, bare_o=m.group().startswith("o"))
        if unit and m.group().startswith("o") and _provinces_only(sh, m.end(), unit, gaz):
            continue  # "3 chuyến xe ở Bình Định, Quảng Ngãi, Đà Nẵng": provinces alone after "ở" are regions
        if unit:
            yield m.end(), unit, "cue", True
    for m in _WENT_TO.finditer(sh):
        unit = _known_unit_chain(text, sh, m.end(), gaz)
        if re.search(r"(?<![\w])tu [^,.;:()]{1,40}$", sh[max(0, m.start() - 42) : m.start()]):
            continue  # "lộ trình từ Tân Sơn Nhất đến Đồng Nai, Bình Dương": a route between areas
        if unit and "," in text[m.end() : unit] and not _provinces_only(sh, m.end(), unit, gaz):
            yield m.end(), unit, "cue", True  # "từng đến Bạch Đằng, Chí Linh, Hải Dương": a place inside a province
    yield from _venues(text, sh)


def _venues(text: str, sh: str) -> Iterator[tuple[int, int, str, bool]]:
    """Places visited named by a venue word, an urgent notice's item, or an unnamed venue and its unit."""
    for m in _VENUE.finditer(text):
        between = text[m.end(1) : m.end()].lower().split()
        if any(w in _NAME_STOP for w in between):
            continue  # "nhà hàng với anh H.": the capital is a person, not the venue's name
        if _GOING.search(sh[max(0, m.start() - 12) : m.start()]) and sh[m.end() : m.end() + 4] not in ("tet", "tet "):
            end = _cap_words(text, m.end())  # ("chợ Tết" is the New Year market, anybody's)
            if end == m.end() + 1 and text[end : end + 1] == ".":
                end += 1  # "hiệu thuốc cô P.": an initial keeps its dot
            if end > m.end():
                yield m.start(), _lower_tail(text, sh, end) if " " not in text[m.end() : end] else end, "venue", True
    yield from _notice_items(text, sh)
    for m in _VENUE_UNIT.finditer(text):
        if _GOING.search(sh[max(0, m.start() - 12) : m.start()]):
            end = m.end() if m.group(2) else _cap_words(text, m.end(1) + 1)
            if m.group(2) or end > m.end(1) + 1:
                yield m.start(), end, "venue", True  # "ra quán cà phê khu 5"


def _notice_items(text: str, sh: str) -> Iterator[tuple[int, int, str, bool]]:
    """The items of an urgent notice: opened by a venue word (after a bullet, or on a line that says when the
    patient was there), or a place named by its own name then its number and street."""
    for m in _ITEM_VENUE.finditer(text):
        end = _lower_tail(text, sh, m.end(1), limit=6, capitals=True)
        if end > m.end(1):
            yield m.start(1), end, "venue", True
    for m in _LINE_VENUE.finditer(text):
        if _TIMED_LINE.match(sh, m.start(1)):
            end = _lower_tail(text, sh, m.end(1), limit=6, capitals=True)
            if end > m.end(1):
                yield m.start(1), end, "venue", True
    for m in _ITEM_NAMED.finditer(text):
        if not _FACILITY_WORDS.search(sh[m.start(1) : m.end(1)]):
            yield m.start(1), m.end(2), "venue", True  # "- Ocean Golf tầng 2 số 559 Kim Mã", "- Vinmart ...: địa chỉ"


def _homes(text: str, sh: str, gaz: gazetteer.Gazetteer) -> Iterator[tuple[int, int, str, bool]]:
    """A person's home in brackets after their name, and a relative's house."""
    for m in _PERSON_PAREN.finditer(text):
        if set(sh[max(0, m.start() - 25) : m.start()].split()[-3:]) & _UNIT_WORDS:
            continue  # "Chủ tịch xã Duy Ninh (Quảng Ninh, Quảng Bình)": a unit's own province, not a home
        unit = _known_unit_chain(text, sh, m.end(), gaz)
        if unit and "," in text[m.end() : unit] and text[unit : unit + 1] == ")":
            yield m.end(), unit, "cue", True
    for m in _HOUSE_OF.finditer(sh):
        unit = _known_unit_chain(text, sh, m.end(), gaz)
        if unit:
            yield m.end(), unit, "cue", True


_NEXT_WORD = re.compile(r" ([^\W\d_]+)")


def _lower_tail(text: str, sh: str, end: int, limit: int = 3, capitals: bool = False) -> int:
    """Extend a venue's name over the words that follow it ("Thế | giới bò tươi") up to a function word, a
    number or punctuation; `capitals` also takes capitalised words ("Quán | ăn bún đậu mắm tôm 173 Thái Hà")."""
    pos = end
    for _ in range(limit):
        m = _NEXT_WORD.match(text, pos)
        if not m or (m.group(1)[0].isupper() and not capitals) or m.group(1).lower() in _TAIL_STOP:
            break
        pos = m.end()
    return pos


_UNIT_NEXT = re.compile(r"[ ]*,[ ]*(?:phuong|xa|quan|huyen|thi xa|thi tran|thanh pho|tinh|tp\.?|p\.|q\.)[ \w]")


def _known_unit_chain(text: str, sh: str, pos: int, gaz: gazetteer.Gazetteer, bare_o: bool = False) -> int:
    """End of a place named by known units at `pos` ("Cẩm Lệ, Đà Nẵng"; an unknown first name is allowed when a
    known unit follows: "Giáp Nhị, Hoàng Mai"), or 0. After a bare "ở", one province alone is a region, not a
    home ("10 ca ở Đà Nẵng")."""
    end = _cap_words(text, pos)
    if end == pos:
        return 0
    level = gaz.level(sh[pos:end])
    extended = _extend_with_units(text, sh, end, gaz)
    if not level and extended == end:
        # unknown names then a unit with its keyword: "địa chỉ Nguyễn Bá Lân, Bắc Mỹ An, quận Ngũ Hành Sơn"
        more = end
        while (m := re.match(r"[ ]*,[ ]*", text[more:])) and _cap_words(text, more + m.end()) > more + m.end():
            more = _cap_words(text, more + m.end())
        return more if _UNIT_NEXT.match(sh, more) else 0
    if bare_o and level == "province" and extended == end:
        return 0
    return extended


def _provinces_only(sh: str, start: int, end: int, gaz: gazetteer.Gazetteer) -> bool:
    """Whether every name of the chain `sh[start:end]` is a province or city."""
    parts = [p.strip() for p in re.split(r"[,\-–()]", sh[start:end]) if p.strip()]
    return bool(parts) and all(gaz.level(p) == "province" for p in parts)


def _has_marks(text: str, pos: int, radius: int = 60) -> bool:
    """Whether the text around `pos` is written with Vietnamese diacritics."""
    window = text[max(0, pos - radius) : pos + radius]
    return any(ord(c) > 127 and c.isalpha() for c in window)


def addresses(text: str, sh: str) -> Iterator[Span]:
    gaz = gazetteer.load()
    comps = sorted(set(_components(text, sh, gaz)))
    chains: list[list[tuple[int, int, str, bool]]] = []
    for c in comps:
        gap = text[chains[-1][-1][1] : c[0]] if chains else ""
        if chains and (
            c[0] < chains[-1][-1][1]
            or _GAP.match(gap)
            or (chains[-1][-1][2] == "venue" and _VENUE_GAP.match(sh[chains[-1][-1][1] : c[0]]))
        ):
            chains[-1].append(c)
        else:
            chains.append([c])
    for chain in chains:
        start, end = chain[0][0], max(c[1] for c in chain)
        if _ORG_BEFORE.search(sh[max(0, start - 22) : start]) or _office_named_before(text, sh, start):
            continue  # the unit of an office or its head, not a person's place
        end = _extend_with_units(text, sh, end, gaz)
        kinds = {c[2] for c in chain}
        if len(chain) >= 2 and kinds != {"house"}:
            score = 0.95
        elif kinds <= {"house"}:
            continue  # "số 12" alone is any number
        elif kinds == {"street"} and not _NUMBER.match(sh, chain[0][1] - 1) and not _placed(sh, start):
            score = 0.55  # "trên đường Điện Biên Phủ", "trục đường Võ Văn Kiệt": a road, nobody's place
        elif chain[0][3] and kinds & {"street", "hamlet", "ward", "district", "cue", "venue"}:
            score = 0.85
        elif chain[0][3]:
            score = 0.5  # a province alone: a place, rarely an address
        else:
            score = 0.55
        if end > chain[-1][1] and score < 0.9:
            score = 0.9
        if score < 0.85 and _RESIDENCE_BEFORE.search(sh[max(0, start - 40) : start]):
            score = 0.85  # "trú tại xã Đức Lạc", "địa chỉ tại thành phố Hải Dương": a cue says it is someone's home
        if kinds == {"province"} and re.search(r"\(\s*o\s+$", sh[max(0, start - 6) : start]):
            score = 0.85  # "chị Nguyễn Thị Thuyết (ở TP Hạ Long)": a person's city, not the outbreak's region
        if _not_home(sh, start, end, chain[0][2], kinds):
            continue
        if text[start:end].isupper() and " " in text[start:end].strip():
            continue  # "TỪ 0H ĐÊM NAY": capitals are shouting or a letterhead, not someone's address
        yield Span("address", start, end, score)


def _not_home(sh: str, start: int, end: int, level: str, kinds: set[str]) -> bool:
    """An area named as such, a unit acting as an authority, or a tally by area ("H.Thạch Hà 33, H.Lộc Hà 12")."""
    if _area_not_home(sh, start, level) or _ACTS_AFTER.match(sh[end : end + 24]):
        return True
    return bool(kinds & {"ward", "district", "province", "cue"} and _COUNT_AFTER.match(sh[end : end + 30]))


def _office_named_before(text: str, sh: str, start: int) -> bool:
    """Whether an office or health facility, with its capitalised name, ends right before `start`, or the place
    is where a hospital or quarantine site stands ("Bệnh viện dã chiến số 2 tại huyện Hòa Vang", "cách ly tập
    trung Trường THPT Hồ Nghinh, xã Duy Thành"), no going or home word between."""
    if _OFFICE_NAMED.search(text[max(0, start - 60) : start]):
        return True
    m = _FACILITY_BEFORE.search(sh[max(0, start - 80) : start])
    if m is not None and not _MOVED.search(m.group(1)):
        return True
    m = _AUTHORITY_BEFORE.search(sh[max(0, start - 60) : start])
    if m is None or _MOVED.search(m.group(1)) or _MEASURE.search(m.group(1)):
        return False  # ("UBND huyện phong tỏa thôn Bầu": the authority acts on the patients' hamlet)
    # "Công an xã phát hiện anh X ở thôn Y": a bare "ở"/"tại" after an authority places a person, except where
    # the authority is a checkpoint ("chốt phòng dịch ở TT.Nếnh")
    return m.group().startswith("chot") or not re.search(r"(?<![\w])(?:o|tai)(?![\w])", m.group(1))


def _area_not_home(sh: str, start: int, level: str) -> bool:
    """An area named as such, not anyone's home: "trên địa bàn phường Thịnh Liệt"; at district level and above
    also its people ("người dân huyện Bắc Trà My") and where an event happened ("phát hiện tại huyện Nam Trà My").
    The people of a hamlet ("bà con thôn Phú Mỹ") are few enough to point at a family, and "(người dân Đà
    Nẵng)" after a name is that person's home."""
    before = sh[max(0, start - 28) : start]
    if re.search(r"dia ban\s+$", before):
        return True
    outbreak = re.search(r"(?:o dich|chum ca benh|vung dich|diem nong)(?: (?:tai|o|cua))*\s+$", before)
    if outbreak and (level in ("district", "province") or outbreak.group().startswith("chum")):
        return (
            True  # an outbreak named by its district or city (a ward's "ổ dịch" stays: the hand-written set has one);
        )
        # a cluster ("chùm ca bệnh tại xã Bình Hải") is named by its place at any level (round 11)
    if re.search(r"(?:nhieu|cac|nhung) (?:noi|dia diem|diem|khu vuc)(?: [a-z]+)? (?:o|tai)\s+$", before):
        return True  # "di chuyển khá nhiều nơi ở Hội An": a region travelled in, no place
    sentence = _SENTENCE_BREAK.split(sh[max(0, start - 160) : start])[-1]
    listed = _SENTENCE_BREAK.split(sh[max(0, start - 400) : start])[-1]
    if _OUTBREAK_LIST.search(listed) and not _HOME_WORD.search(listed):
        return True  # "7 ổ dịch, gồm Phú Vinh (huyện Hoài Đức); Bạch Trữ, xã Tiến Thắng": outbreaks listed, no home
    counted = re.search(r"(?<![\w.,])\d+ (?:ca|truong hop)(?: [a-z0-9]+){0,3} (?:tai|o)\s+$", before)
    if (
        counted
        and level in ("ward", "district", "province", "cue")
        and not re.search(r"(?<![\w])nha (?:tai|o)\s+$", before)
        and not re.search(r"(?<![\w])(?:tru|ngu|cu tru|dia chi|thuong tru|noi o)(?![\w])", sentence)
    ):
        return True  # "03 ca tại huyện Kim Thành": where cases were counted (unless the sentence says it is their home;
        # round 11: a case placed in a hamlet, "1 ca ở thôn An Phước", or "có nhà ở", points at a household)
    measure = re.search(r"(?:gian cach xa hoi|phong toa|cach ly xa hoi|toan bo)(?: (?:tai|o))?\s+$", before)
    if measure and level in ("district", "province"):
        return True  # "giãn cách xã hội toàn bộ huyện Vân Đồn": a measure on an area (a hamlet's is a home)
    people = re.search(r"(?:(?<!\()nguoi dan|ba con|nhan dan)\s+$", before)
    event = re.search(r"(?:phat hien|ghi nhan|xay ra|xuat hien|bung phat) (?:tai|o)\s+$", before)
    return bool(people or event) and level in ("district", "province")


# A sentence ends at ". " or a line break, not at the dot of "tp.", "tx.", "tt.", "p.", "q.", "h." (unit abbreviations).
_SENTENCE_BREAK = re.compile(r"(?<!tp)(?<!tx)(?<!tt)(?<![\s.][pqh])\.\s|\n")
_OUTBREAK_LIST = re.compile(r"(?:o dich|chum ca(?: benh| nhiem)?|diem dich)(?:[^.;:]{0,30}?)(?:,? gom|:)\s")
_HOME_WORD = re.compile(
    r"(?<![\w])(?:(?:tru|ngu|que)(?= (?:tai|o|thon|xom|ap|to|khu|phuong|xa|thi|quan|huyen|tp|duong|pho|so)[\s.])|"
    r"cu tru|dia chi|thuong tru|noi o|que quan)(?![\w])"
)  # ("Bạch Trữ" folds to "bach tru": a home word only before a place)
# A place followed by a count is a tally by area, not anyone's home: "H.Thạch Hà 33, H.Lộc Hà 12", "huyện An Phú
# (65 người)", "TP.Hà Tĩnh có 33 trường hợp".
_COUNT_AFTER = re.compile(
    r"^\s*(?:co\s+|\(\s*)?\d+(?:[.,]\d{3})*(?:\s*(?:ca|nguoi|truong hop|f0|f1|benh nhan))?\s*\)?\s*(?:[,;.]|$|va\s)"
)


def _placed(sh: str, start: int) -> bool:
    """A residence or going cue right before `start` ("nhà ở đường X", "đến phố Y"), or the place opens a line of
    an urgent notice that says when the patient was there ("Hẻm 637 Quang Trung, từ ngày 13/5.")."""
    before = sh[max(0, start - 14) : start]
    if re.search(r"(?:^|\n)[ \t]*(?:[-–•+*]|\d{1,2}[.)])?[ \t]*$", sh[max(0, start - 8) : start]) and _TIMED_LINE.match(
        sh, start
    ):
        return True
    return bool(_GOING.search(before) or re.search(r"(?:tru|ngu|o|nha|song|dia chi)\s*:?\s*$", before))


def _extend_with_units(text: str, sh: str, end: int, gaz: gazetteer.Gazetteer) -> int:
    """Follow ', Đông Anh, Hà Nội' or ' (Thanh Hà, Hải Dương)' after a chain while the names are known units; an
    unknown name is taken when a known unit follows it (", Cẩm Chế (Thanh Hà)")."""
    while True:
        m = re.match(r"[ ]*(?:[,\-–]|\()[ ]*", text[end:])
        if not m:
            return end
        pos = end + m.end()
        stop = _cap_words(text, pos)
        if stop == pos:
            return end
        known = bool(gaz.level(sh[pos:stop]))
        close = stop + 1 if "(" in m.group() and text[stop : stop + 1] == ")" else stop
        if "(" in m.group() and not known and text[stop : stop + 1] != ",":
            return end
        if not known:
            after = _extend_with_units(text, sh, stop, gaz)
            if after == stop:
                return end
            return after
        if "(" in m.group():
            inner = _extend_with_units(text, sh, stop, gaz)
            if text[inner : inner + 1] != ")":
                return end
            end = inner + 1
            continue
        end = close
