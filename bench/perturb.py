"""How rumours get re-typed, as deterministic functions: used by bench/fakenews_quality.py and the tests.

Each takes a claim and returns a post a person could have written from it. None of them is built from the
detector's normaliser (detectors/fakenews/text.py): tone marks are stripped here with unicodedata, typos
follow the QWERTY layout Vietnamese is typed on, and the abbreviations are a list of its own, most of which
the detector's teencode table does not know (`ABBREVIATE`), so a perturbation is not undone by design.
"""

from __future__ import annotations

import random
import re
import unicodedata

# Vietnamese internet abbreviations as seen in comments and posts, written for this bench (not collected by
# a crawl). Deliberately independent of the detector's TEENCODE table. Looked for in VFND (the only lawful
# corpus of real posts here, GPL-3.0: 12 Facebook posts + 262 articles): one "ko" in all of it, so no list
# could be collected from it; what its fake posts do show is obfuscation by combining low lines and look-alike
# letters ("U̲k̲r̲a̲i̲n̲e", "ʟɑɴ", "ĸнι"), not measured here (docs/fakenews.md).
ABBREVIATE = {
    "không": ("k", "ko", "hông", "hk"),
    "được": ("đc", "dk", "dc"),
    "người": ("ng", "ngừi"),
    "với": ("vs", "vz"),
    "biết": ("bít", "bik"),
    "mọi người": ("mn", "mng", "mọi ng"),
    "vậy": ("z", "v", "zậy"),
    "bạn": ("bn", "b"),
    "mình": ("mk", "mik", "mh"),
    "thành phố": ("tp", "t.p"),
    "trước": ("trc",),
    "như thế nào": ("ntn",),
    "bây giờ": ("bh", "bjo"),
    "chồng": ("ck",),
    "vợ": ("vk",),
    "gì": ("j", "gì z"),
    "rồi": ("r", "rùi", "ròi"),
    "cũng": ("cx", "cg"),
    "nhiều": ("nhìu", "nhiu"),
    "thôi": ("thui",),
    "vắc xin": ("vaccine", "vacxin", "vx", "vắcxin"),
    "điện thoại": ("đt", "dt"),
    "tin nhắn": ("tn",),
    "bệnh viện": ("bv", "b.viện"),
    "Covid-19": ("cô vy", "covy", "covid", "cov"),
    "chính phủ": ("cp",),
    "thông tin": ("tt", "thông tinn"),
    "facebook": ("fb",),
    "zalo": ("zl",),
    "ủy ban nhân dân": ("ubnd",),
}
# QWERTY neighbours of each letter (Vietnamese is typed on QWERTY with Telex/VNI)
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOURS: dict[str, str] = {}
for r, row in enumerate(_ROWS):
    for c, ch in enumerate(row):
        near = [row[c - 1] if c > 0 else "", row[c + 1] if c + 1 < len(row) else ""]
        for rr in (r - 1, r + 1):
            if 0 <= rr < len(_ROWS):
                near += [_ROWS[rr][k] for k in (c - 1, c, c + 1) if 0 <= k < len(_ROWS[rr])]
        NEIGHBOURS[ch] = "".join(n for n in near if n)
FRAMES = (
    "🔥🔥 NÓNG: {} 😱😱 #covid19 #chiasengay",
    "‼️ {} 👉 share cho cả nhà biết nhé ❤️ #tinnong",
    "#CanhBao {}!!! 🙏🙏",
    "😭 {} 🆘 #chiase",
)


def strip_marks(text: str) -> str:
    """Unaccented writing (typing with the input method off): combining marks dropped, đ -> d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", bare).replace("đ", "d").replace("Đ", "D")


def no_diacritics(text: str, rng: random.Random) -> str:
    return strip_marks(text)


def keyboard_typos(text: str, rng: random.Random) -> str:
    """One QWERTY-neighbour slip in a third of the longer words (a key next to the intended one), and one
    letter doubled or dropped: how fast thumb typing goes wrong."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    for i in rng.sample(long, k=max(1, len(long) // 3)) if long else []:
        w = words[i]
        spots = [j for j, ch in enumerate(w) if ch.lower() in NEIGHBOURS and 0 < j]
        if spots:
            j = rng.choice(spots)
            slip = rng.choice(NEIGHBOURS[w[j].lower()])
            words[i] = w[:j] + slip + w[j + 1 :]
    if long:
        i = rng.choice(long)
        w, j = words[i], rng.randrange(1, len(words[i]) - 1)
        words[i] = w[:j] + w[j] + w[j:] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def abbreviations(text: str, rng: random.Random) -> str:
    """Each listed word or phrase replaced by one of its abbreviations."""
    for word, shorts in ABBREVIATE.items():
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", lambda m, shorts=shorts: rng.choice(shorts), text, flags=re.I)
    return text


def emoji_hashtags(text: str, rng: random.Random) -> str:
    return rng.choice(FRAMES).format(text)


def shouting(text: str, rng: random.Random) -> str:
    """The whole claim in capitals with a burst of exclamation marks."""
    return text.upper() + " " + "!" * rng.randint(2, 5)


def shorten(text: str, rng: random.Random) -> str:
    """The first two thirds of the words (at least four): how headlines get clipped."""
    words = text.split()
    return " ".join(words[: max(4, round(len(words) * 2 / 3))])


def embed(text: str, rng: random.Random, fillers: list[str]) -> str:
    """The claim as one sentence among three to five unrelated ones."""
    around = rng.sample(fillers, k=rng.randint(3, 5))
    around.insert(rng.randint(1, len(around) - 1), text + ".")
    return " ".join(s if s.endswith((".", "!", "?")) else s + "." for s in around)


PERTURBATIONS = {
    "no_diacritics": no_diacritics,
    "keyboard_typos": keyboard_typos,
    "abbreviations": abbreviations,
    "typos+no_diacritics": lambda t, rng: keyboard_typos(strip_marks(t), rng),
    "emoji_hashtags": emoji_hashtags,
    "shouting": shouting,
    "shortened": shorten,
}
