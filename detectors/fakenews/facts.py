"""What makes a claim specific, and whether a post agrees on it (pure functions).

Embeddings see topic: "a hospital in Hà Nội found 12 cases" and "a hospital in Đà Nẵng found 30 cases" sit
close together. A claim's specifics are its numbers (dates included: "12/3" gives 12 and 3) and its names
(runs of capitalised syllables: places, people, organisations, "Bạch Mai", "Bộ Y tế" -> "Y"... are cut at
lower-case words, so "Bộ Y" is kept whole only when written so). Comparison is on folded lower-case text, so
a post typed without tone marks still agrees.

`agreement(claim, post)` says which specifics of the claim the post carries, which it lacks, and whether
the post states other specifics of the same kind instead (a conflict: same subject, different facts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from canhbao.core.text import fold

_NUMBER = re.compile(r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?")
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:\n‼⁉]\s*|[\"“(]\s*)$")


@dataclass(frozen=True)
class Specifics:
    numbers: frozenset[str]
    names: frozenset[str]  # folded lower-case, space-joined syllables

    def __bool__(self) -> bool:
        return bool(self.numbers or self.names)

    def without(self, common: frozenset[str]) -> "Specifics":
        return Specifics(self.numbers - common, self.names - common)


def topic_specifics(claims: list[Specifics], share: float = 0.1, at_least: int = 3) -> frozenset[str]:
    """Numbers and names that many claims share ("covid", "19" in a bank of Covid-19 rumours): they name
    the bank's topic, not what makes one claim specific, and are not required of a post."""
    counts: dict[str, int] = {}
    for c in claims:
        for item in c.numbers | c.names:
            counts[item] = counts.get(item, 0) + 1
    limit = max(at_least, share * len(claims))
    return frozenset(k for k, n in counts.items() if n >= limit)


def _number(raw: str) -> str:
    digits = raw.replace(".", "").replace(",", "") if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw) else raw
    return digits.replace(",", ".").lstrip("0") or "0"


_SCALE = {
    "tỷ": 10**9,
    "ty": 10**9,
    "tỉ": 10**9,
    "triệu": 10**6,
    "trieu": 10**6,
    "tr": 10**6,
    "nghìn": 1000,
    "nghin": 1000,
    "ngàn": 1000,
    "ngan": 1000,
    "k": 1000,
}
_SCALED = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(tỷ|tỉ|ty|triệu|trieu|tr|nghìn|nghin|ngàn|ngan|k)(?:\s*(\d)(?!\d))?(?!\w)", re.I
)


def _scaled(m: re.Match) -> str:
    """ "1 triệu 8" / "1,8 triệu" / "1tr8" -> "1800000": amounts as people write them."""
    scale = _SCALE[m.group(2).lower()]
    value = float(m.group(1).replace(",", ".")) * scale + (int(m.group(3)) * scale // 10 if m.group(3) else 0)
    return str(int(round(value)))


# Codes that mix letters and digits (Covid-19, SARS-CoV-2, F0, 5G, CO2) name a thing, not a fact about it;
# hours ("0h", "21h30") stay numbers.
_CODE = re.compile(r"(?<![\w-])(?!\d+[hHgG]\d*(?!\w))(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w]+(?:-[\w]+)*")


def specifics(text: str) -> Specifics:
    found: list[str] = []

    def take(m: re.Match[str]) -> str:
        found.append(_scaled(m))
        return " "

    text = _CODE.sub(" ", text)
    text_rest = _SCALED.sub(take, text)
    numbers = frozenset(found + [_number(m.group()) for m in _NUMBER.finditer(text_rest)])
    names: set[str] = set()
    run: list[tuple[str, bool]] = []

    def flush() -> None:
        if run and (len(run) >= 2 or not run[0][1]):
            names.add(fold(" ".join(w for w, _ in run)).lower())
        run.clear()

    last = 0
    for m in _TOKEN.finditer(text):
        word = m.group()
        gap = text[last : m.start()]
        if run and gap.strip():  # punctuation or digits between: a new run
            flush()
        capital = word[0].isupper() and (not word.isupper() or len(word) <= 5)
        if capital and (len(word) > 1 or run):  # a lone capital letter only inside a name ("Bộ Y tế")
            at_start = not run and bool(_SENTENCE_START.search(text[: m.start()]))
            run.append((word, at_start))
        else:
            flush()
        last = m.end()
    flush()
    return Specifics(numbers, frozenset(names))


@dataclass(frozen=True)
class Agreement:
    shared: tuple[str, ...]  # claim specifics the post carries
    missing: tuple[str, ...]  # claim specifics the post lacks
    conflict: bool  # the post states other numbers/names where the claim's are missing

    @property
    def agrees(self) -> bool:
        return not self.missing

    def describe(self) -> str:
        if self.agrees:
            return ""
        return (
            ("post states other facts; " if self.conflict else "")
            + "claim's "
            + ", ".join(self.missing)
            + " not in post"
        )


def words(text: str) -> set[str]:
    """The folded lower-case syllables of a text."""
    return set(_TOKEN.findall(fold(text).lower()))


def _words(text: str) -> str:
    return " " + " ".join(_TOKEN.findall(fold(text).lower())) + " "


def agreement(claim: Specifics, post_text: str, passage: Specifics | None = None) -> Agreement:
    """Which of the claim's specifics `post_text` carries; a conflict when what `passage` (default: the whole
    post) states instead differs."""
    whole = specifics(post_text)
    post = passage if passage is not None else whole
    words = _words(post_text)
    shared, missing = [], []
    conflict = False
    if claim.numbers:
        have = claim.numbers & whole.numbers
        shared += sorted(have)
        lost = sorted(claim.numbers - whole.numbers)
        missing += lost
        conflict |= bool(lost) and bool(post.numbers - claim.numbers)
    for name in sorted(claim.names):
        # a name is carried when its syllables appear together in the post (any case, tone marks or not)
        (shared if f" {name} " in words else missing).append(name)
    lost_names = [n for n in missing if not n[0].isdigit()]
    post_names = {n for n in post.names if f" {n} " not in _words(" ".join(claim.names))}
    conflict |= bool(lost_names) and bool(post_names)
    return Agreement(tuple(shared), tuple(missing), conflict)
