"""How rumours get re-typed, as deterministic functions: used by bench/fakenews_quality.py and the tests.

Each takes a claim and returns a post a person could have written from it.
"""

from __future__ import annotations

import random
import re

from canhbao.core.text import fold

# The reverse of detectors/fakenews_text.TEENCODE for the words people actually abbreviate.
ABBREVIATE = {
    "không": "ko", "được": "dc", "người": "ng", "với": "vs", "biết": "bik", "mọi người": "mn",
    "nhiều": "nhìu", "quá": "wa", "rồi": "r", "cũng": "cx", "trước": "trc", "vắc xin": "vacxin",
    "Covid-19": "covit", "thành phố": "tp",
}
FRAMES = (
    "🔥🔥 NÓNG: {} 😱😱 #covid19 #chiasengay", "‼️ {} 👉 share cho cả nhà biết nhé ❤️ #tinnong",
    "#CanhBao {}!!! 🙏🙏", "😭 {} 🆘 #chiase",
)


def no_diacritics(text: str, rng: random.Random) -> str:
    return fold(text)


def teencode_typos(text: str, rng: random.Random) -> str:
    """Abbreviations, then one or two typos (a dropped, doubled or swapped letter) in longer words."""
    for word, short in ABBREVIATE.items():
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", short, text, flags=re.I)
    words = text.split()
    for i in rng.sample(range(len(words)), k=min(2, len(words))):
        w = words[i]
        if len(w) < 4:
            continue
        j = rng.randrange(1, len(w) - 1)
        op = rng.choice(("drop", "double", "swap"))
        words[i] = (
            w[:j] + w[j + 1 :]
            if op == "drop"
            else w[:j] + w[j] + w[j:] if op == "double" else w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
        )
    return " ".join(words)


def emoji_hashtags(text: str, rng: random.Random) -> str:
    return rng.choice(FRAMES).format(text)


def shouting(text: str, rng: random.Random) -> str:
    """Half of the claim in capitals and a burst of exclamation marks: how rumours shout."""
    words = text.split()
    half = len(words) // 2
    return " ".join(words[:half]).upper() + " " + " ".join(words[half:]) + "!!!"


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
    "teencode_typos": teencode_typos,
    "emoji_hashtags": emoji_hashtags,
    "shouting": shouting,
    "shortened": shorten,
}
