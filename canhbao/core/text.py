"""Vietnamese text normalisation shared by every detector.

OCR drops or swaps tone marks (`Số` -> `Sổ`) and posters write without diacritics ("bo y te"), so text
is compared in two forms: NFC with diacritics, and folded to ASCII. `đ` is not decomposed by Unicode,
hence the explicit table.
"""

from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Strip Vietnamese diacritics: 'Cộng hòa Đảng' -> 'Cong hoa Dang'."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def squash(text: str) -> str:
    """Collapse runs of white space to one space."""
    return _SPACE.sub(" ", text).strip()


def normalize(text: str, *, diacritics: bool = True) -> str:
    """Lower-case words separated by single spaces, punctuation removed; optionally folded to ASCII."""
    text = nfc(text).lower()
    if not diacritics:
        text = fold(text)
    return squash(_NON_WORD.sub(" ", text).replace("_", " "))


def words(text: str, *, diacritics: bool = True) -> list[str]:
    return normalize(text, diacritics=diacritics).split()
