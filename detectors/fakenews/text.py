"""Text preparation for claim matching and the fake-news classifier (pure functions).

Rumours travel re-typed: without tone marks, in teencode ("ko", "dc", "ng"), with emoji, hashtags and
links, shortened, or buried in a long post. `clean` undoes what can be undone cheaply, `passages` cuts a
post into sentences and pairs of sentences so that a claim inside a long post is compared with the
sentence that carries it, `grams` gives a tone-mark-blind lexical view, `negated_words` what a negation governs, and `signals`
measures the sensational style the classifier uses beside the embedding.
"""

from __future__ import annotations

import re
import unicodedata

from canhbao.core.text import fold, squash

# Teencode and common spellings -> standard Vietnamese (whole words, lower case).
TEENCODE = {
    "ko": "không",
    "k": "không",
    "khong": "không",
    "hok": "không",
    "hem": "không",
    "kg": "không",
    "dc": "được",
    "đc": "được",
    "ng": "người",
    "ngta": "người ta",
    "vs": "với",
    "j": "gì",
    "gi": "gì",
    "bik": "biết",
    "bit": "biết",
    "ck": "chồng",
    "vk": "vợ",
    "mn": "mọi người",
    "mng": "mọi người",
    "nhìu": "nhiều",
    "wa": "quá",
    "qá": "quá",
    "bh": "bây giờ",
    "bjo": "bây giờ",
    "r": "rồi",
    "cx": "cũng",
    "cg": "cũng",
    "trc": "trước",
    "ntn": "như thế nào",
    "lm": "làm",
    "ns": "nói",
    "tp": "thành phố",
    "hcm": "hồ chí minh",
    "hn": "hà nội",
    "sg": "sài gòn",
    "bv": "bệnh viện",
    "byt": "bộ y tế",
    "vacxin": "vắc xin",
    "vaccine": "vắc xin",
    "vacine": "vắc xin",
    "vaccin": "vắc xin",
    "vắcxin": "vắc xin",
    "vắc-xin": "vắc xin",
    "covit": "covid",
    "côvy": "covid",
    "cô-vy": "covid",
    "corona": "corona",
    "sars-cov-2": "covid",
    "ncov": "covid",
    "thik": "thích",
    "iu": "yêu",
    "uh": "ừ",
    "oy": "rồi",
    "rùi": "rồi",
    "lun": "luôn",
    "hông": "không",
    "nhé": "nhé",
}
SENSATIONAL = (
    "nóng",
    "khẩn cấp",
    "khẩn",
    "chia sẻ ngay",
    "share ngay",
    "cảnh báo",
    "sốc",
    "kinh hoàng",
    "bí mật",
    "sự thật",
    "không ai nói",
    "lan truyền",
    "cực nóng",
    "tin mật",
    "rợn người",
    "hãy chia sẻ",
    "đọc ngay",
    "cấp báo",
    "thông tin mật",
    "tiết lộ",
    "động trời",
    "chấn động",
    "nguy hiểm",
    "gấp",
    "xôn xao",
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HASHTAG = re.compile(r"#(\w+)")
_REPEAT = re.compile(r"(\w)\1{2,}")  # "quáaaa" -> "quá"
# Sentence ends, line breaks, bullets, and a colon: a post's lead-in ("Tin từ người nhà làm trong ủy ban: ...")
# frames the claim that follows (the pairs of neighbouring passages keep both together too).
_SENTENCE = re.compile(r"(?<=[.!?…:])\s+|\n+|\s*[•\-–]\s+(?=[A-ZĐÀ-Ỹ])")
_WORDS = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)


def _symbol(c: str) -> bool:
    return unicodedata.category(c) in ("So", "Sk", "Cs", "Co") or 0x1F000 <= ord(c) <= 0x1FFFF or c == "\ufe0f"


_TOKEN = re.compile(r"\S+")


def _unshout(text: str) -> str:
    """Lower-case runs of three or more all-capital words ("KIÊN GIANG SẼ PHONG TỎA"): shouting, which
    the embedding reads as another register; a lone acronym (UBND, F0) stays."""
    tokens = list(_TOKEN.finditer(text))
    caps = [t.group().strip(".,!?:;\"'()").isupper() and sum(c.isalpha() for c in t.group()) >= 2 for t in tokens]
    out, pos, i = [], 0, 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and caps[j]:
            j += 1
        if j - i >= 3:
            start, end = tokens[i].start(), tokens[j - 1].end()
            out += [text[pos:start], text[start:end].lower()]
            pos = end
        i = max(j, i + 1)
    return "".join(out) + text[pos:]


# Letters that stand in for Latin ones in disguised posts (seen in VFND's fake posts: "ʟɑɴ", "ĸнι", "Пɦυ̛пg",
# "ռhật", "ⵕuốc"): small capitals and hooked IPA letters, Cyrillic, Greek, Armenian look-alikes.
LOOKALIKES = str.maketrans(
    {
        **dict(zip("ᴀɑʙɓƅƈᴄᴅɗᴇəɡɢʜɦɪᴊᴋĸʟᴍɱɴᴏᴘʀɾꜱʂᵴᴛᴜᴠʋᴡʏᴢ", "aabbbccddeegghhijkklmmnoprrssstuvvwyz", strict=True)),
        **dict(zip("ᵭƬⱮ", "đTM", strict=True)),
        **dict(zip("авекмнпорстухѕіјԁԍһѵ", "abekmhnopctyxsijdghv", strict=True)),
        **dict(zip("АВЕКМНПОРСТХЅІЈԀҺѴ", "ABEKMHNOPCTXSIJDHV", strict=True)),
        **dict(zip("αικνορσςτυγηεΑΒΕΗΙΚΜΝΟΡΤΥΧ", "aikvopoctuyneABEHIKMNOPTYX", strict=True)),
        **dict(zip("ռցսօհⵕ", "nguohq", strict=True)),
    }
)
# Marks Vietnamese writes (tone: grave, acute, tilde, hook above, dot below; vowel: circumflex, breve, horn);
# Greek tone marks on look-alike vowels stand for Vietnamese ones. Every other combining mark (low line,
# seagull below, overline, strike-through) only disguises the letters under it.
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_GREEK_MARKS = str.maketrans({"\u0342": "\u0303", "\u0345": "\u0323"})


def _disguised(token: str) -> bool:
    """A word of look-alike letters mixed into Latin ones; a word in Russian or Greek (letters outside the
    look-alike table) is left alone."""
    letters = [c for c in token if c.isalpha()]
    if not any(ord(c) > 0x24F and not 0x1E00 <= ord(c) <= 0x1EFF for c in letters):
        return False
    return all(c < "\u0250" or c.translate(LOOKALIKES) != c or 0x1E00 <= ord(c) <= 0x1EFF for c in letters)


def undisguise(text: str) -> str:
    """NFKC (mathematical and full-width letters), look-alike letters mapped to Latin, combining marks that
    are not Vietnamese dropped: "U̲k̲r̲a̲i̲n̲e" -> "Ukraine", "ʟɑɴ" -> "lan", "кɦôпg" -> "không"."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text)).translate(_GREEK_MARKS)
    text = "".join(c for c in text if not unicodedata.combining(c) or c in _VIETNAMESE_MARKS)
    text = _TOKEN.sub(lambda m: m.group().translate(LOOKALIKES) if _disguised(m.group()) else m.group(), text)
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """Disguised letters undone, links, emoji and '#' removed, shouting lower-cased, repeated letters
    collapsed, teencode expanded, NFC, one line."""
    text = undisguise(text)
    text = _unshout(text)
    text = _URL.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)
    text = "".join(" " if _symbol(c) else c for c in text)
    text = _REPEAT.sub(r"\1", text)
    out = []
    for token in re.split(r"(\s+)", text):
        core = token.strip(".,!?:;\"'()[]…").lower()
        out.append(token.lower().replace(core, TEENCODE[core], 1) if core in TEENCODE else token)
    return squash("".join(out))


def passages(text: str, max_passages: int = 48, min_words: int = 3) -> list[str]:
    """The cleaned post, its sentences and pairs of neighbouring sentences (deduplicated, in order)."""
    sentences = [clean(s) for s in _SENTENCE.split(text)]
    sentences = [s for s in sentences if len(s.split()) >= min_words]
    whole = " ".join(clean(text).split()[:80])
    out = [whole] if whole else []
    out += sentences
    out += [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
    return list(dict.fromkeys(p for p in out if p))[:max_passages]


def words(text: str) -> list[str]:
    """The words (Vietnamese: syllables) of a text, punctuation dropped."""
    return _WORDS.findall(text)


_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)


# Function syllables (folded): grammar, not content; a small bank's IDF cannot tell them apart from content.
STOP = frozenset(
    "va la cua co duoc se cho cac nhung mot o tai thi ma de voi khi nay do ra vao trong tren duoi tu den "
    "da dang bi boi vi nen neu hay hoac cung rat qua lai con di nhu theo ve sau truoc moi nguoi ai gi nao "
    "the thi dau nhe nha a oi ay kia".split()
)


def grams(text: str, numbers: frozenset[str] = frozenset()) -> set[str]:
    """The lexical view: folded lower-case syllables and syllable pairs (Vietnamese words are mostly two
    syllables), plus the text's numbers as normalised by `facts` ("1 triệu 8" = "1.800.000"), marked '#'.
    Blind to tone marks, so a post typed without them meets the claim's words."""
    syllables = _SYLLABLE.findall(fold(clean(text)).lower())
    pairs = {f"{a} {b}" for a, b in zip(syllables, syllables[1:], strict=False) if not (a in STOP and b in STOP)}
    return {w for w in syllables if w not in STOP} | pairs | {"#" + n for n in numbers}


# Negation (with tone marks, and the unambiguous forms without them: folded "chớ"/"đừng" would be "cho"/"dung").
_NEGATION = re.compile(
    r"(?<!\w)(?:không|chẳng|chả|chưa|đừng|chớ|khỏi cần|khỏi phải|vô dụng|vô ích|khong|chang|khoi can|khoi phai)(?!\w)",
    re.I,
)
# "không" inside a word that negates nothing: không khí (air), không gian, không quân, hàng không, không chỉ
_NOT_NEGATION = re.compile(
    r"(?<!\w)(?:(?:không|khong) (?:khí|khi|gian|quân|quan|chỉ|chi|những)|hàng không)(?!\w)", re.I
)


_CLAUSE = re.compile(r"[,.;:!?…\n]+")
# Clause-joining words (folded) where a negation's reach ends: "không diệt được virus nhưng ..."
_JOINS = frozenset("nhung nen vi neu thi ma va con hay hoac tuc".split())


def negated_words(text: str, reach: int = 5) -> frozenset[str]:
    """The folded content syllables a negation governs: up to `reach` syllables after a cue, within its
    clause ("không tiêu diệt được virus" -> tieu, diet, virus); a cue that is a word of its own ("vô dụng")
    governs itself. The matcher compares these with the claim's words, so "cả nhà không ai đi tiêm" (one
    shared word) does not read as denying "tiêm vắc xin gây vô sinh"."""
    out: set[str] = set()
    for clause in _CLAUSE.split(_NOT_NEGATION.sub(" ", clean(text).lower())):
        for m in _NEGATION.finditer(clause):
            taken = [fold(m.group()).split()[-1]] if m.group().startswith("vô ") else []  # vô dụng -> dung
            for w in _SYLLABLE.findall(fold(clause[m.end() :])):
                if w in _JOINS or len(taken) >= reach:
                    break
                taken.append(w)
            out.update(w for w in taken if w not in STOP)
    return frozenset(out)


# Cues of a correction rather than a rumour (folded): an official denial, or a contrast that turns a true
# statement against the rumour ("... giúp dịu cổ họng nhưng không diệt được virus"). Features of the learned
# tier score (claim_match.py), counted only when the claim itself does not use them.
_DENIAL = re.compile(
    r"(?<!\w)(?:khang dinh|bac tin|bac bo|phu nhan|tin don|sai su that|bia dat|khong dung|khong co co so|"
    r"khong co bang chung|thuc te|thuc chat)(?!\w)"
)
_CONTRAST = re.compile(r"(?<!\w)(?:nhung|tuy nhien|song)(?!\w)")


def denies(text: str) -> bool:
    """The text carries an official-denial cue ("khẳng định", "bác tin", "tin đồn", "sai sự thật"...)."""
    return bool(_DENIAL.search(fold(text).lower()))


def contrasts(text: str) -> bool:
    """The text turns on a contrast ("nhưng", "tuy nhiên", "song")."""
    return bool(_CONTRAST.search(fold(text).lower()))


def signals(text: str) -> dict[str, float]:
    """Cheap style signals of a post (each 0..1 or a small count), the classifier's non-embedding features."""
    raw = unicodedata.normalize("NFC", text)
    letters = [c for c in raw if c.isalpha()]
    words = _WORDS.findall(raw)
    lower = clean(raw).lower()
    folded = fold(lower)
    sensational = sum(lower.count(s) + (folded.count(fold(s)) if fold(s) != s else 0) for s in SENSATIONAL)
    caps_words = sum(1 for w in words if len(w) > 1 and w.isupper() and not w.isdigit())
    no_links = _URL.sub("", raw).strip()
    return {
        "sensational": min(sensational, 10) / 10,
        "exclamations": min(raw.count("!") / max(len(words), 1) * 10, 1.0),
        "questions": min(raw.count("?") / max(len(words), 1) * 10, 1.0),
        "caps_ratio": sum(c.isupper() for c in letters) / max(len(letters), 1),
        "caps_words": caps_words / max(len(words), 1),
        "link_only": float(bool(_URL.search(raw)) and len(no_links.split()) < 8),
        "emoji": min(sum(_symbol(c) for c in raw) / max(len(words), 1) * 10, 1.0),
        "short": float(len(words) < 40),
    }
