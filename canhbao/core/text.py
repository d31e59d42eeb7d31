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


# Terminal safety: crawled text is attacker-controlled. ANSI/VT escape sequences (CSI, OSC, ...) could
# clear the screen, retitle the window or hide lines; C1 controls (U+0080-U+009F) act as escapes on some
# terminals; bidirectional overrides reorder what is shown (the "Trojan Source" trick).
_ESCAPE_SEQ = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.?)"
    r"|\x9b[0-?]*[ -/]*[@-~]",
    re.DOTALL,
)
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def for_terminal(text: str, *, newlines: bool = True) -> str:
    """`text` with escape sequences removed and other control characters shown as U+FFFD; with
    `newlines=False` line breaks and tabs become spaces (one record per line)."""
    text = _UNSAFE.sub("\ufffd", _ESCAPE_SEQ.sub("", text))
    return text if newlines else text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def json_for_terminal(line: str) -> str:
    """A JSON text with the characters `json.dumps(ensure_ascii=False)` leaves raw but a terminal acts on
    (C1 controls, bidi overrides) written as \\u escapes: still the same JSON value."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
