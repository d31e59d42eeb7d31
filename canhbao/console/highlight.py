"""Which lines of a registered page a posted image repeats (and vice versa), with their boxes.

Lines and boxes come from Tesseract (`image_to_data`, cached per image digest under the data home);
the comparison is pure: a line counts as matched when most of its 3-word shingles (diacritics folded,
since OCR swaps tone marks) occur in the other side's text.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from canhbao.core.atomic import write_text
from canhbao.core.records import sha256_hex
from canhbao.core.text import words

N = 3
MIN_SHARE = 0.5  # half of a line's shingles found on the other side


@dataclass(frozen=True)
class Line:
    text: str
    left: float  # fractions of the image size, for CSS percentages
    top: float
    width: float
    height: float


def shingles(text: str) -> set[tuple[str, ...]]:
    w = words(text, diacritics=False)
    return {tuple(w[i : i + N]) for i in range(len(w) - N + 1)}


def matched(lines: Sequence[Line], other_text: str) -> list[bool]:
    other = shingles(other_text)
    out = []
    for line in lines:
        own = shingles(line.text)
        out.append(bool(own) and len(own & other) / len(own) >= MIN_SHARE)
    return out


def ocr_lines(image_path: Path, cache_dir: Path, lang: str = "vie") -> list[Line]:
    data = image_path.read_bytes()
    cached = cache_dir / f"lines-{sha256_hex(data)[:32]}.json"
    if cached.exists():
        return [Line(**d) for d in json.loads(cached.read_text("utf-8"))]
    import io

    import pytesseract
    from PIL import Image

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    image = Image.open(io.BytesIO(data)).convert("L")
    width, height = image.size
    table = pytesseract.image_to_data(image, lang=lang, output_type=pytesseract.Output.DICT)
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(table["text"]):
        if word.strip():
            groups.setdefault((table["block_num"][i], table["par_num"][i], table["line_num"][i]), []).append(i)
    lines = []
    for idx in groups.values():
        left = min(table["left"][i] for i in idx)
        top = min(table["top"][i] for i in idx)
        right = max(table["left"][i] + table["width"][i] for i in idx)
        bottom = max(table["top"][i] + table["height"][i] for i in idx)
        lines.append(
            Line(
                " ".join(table["text"][i] for i in idx),
                left / width,
                top / height,
                (right - left) / width,
                (bottom - top) / height,
            )
        )
    write_text(cached, json.dumps([asdict(x) for x in lines], ensure_ascii=False))
    return lines
