"""Render a document's text as A4 page images, as a scanner or a "print to image" would. The registry uses it
to give text-only documents (TXT, DOCX) page images; the tests and the demo use it to make posted letters."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from PIL import Image, ImageDraw, ImageFont

from canhbao.core.errors import ConfigError

FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu")
FONTS = {False: ("NotoSerif-Regular.ttf", "DejaVuSerif.ttf"), True: ("NotoSerif-Bold.ttf", "DejaVuSerif-Bold.ttf")}
A4_MM = (210, 297)


_MARKUP = re.compile(r"\*{1,2}([^*]+)\*{1,2}")


def strip_markup(text: str) -> str:
    return _MARKUP.sub(r"\1", text).replace("\t", "    ").strip()


@lru_cache(maxsize=8)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    for name in FONTS[bold]:
        for d in FONT_DIRS:
            if Path(d, name).exists():
                return ImageFont.truetype(str(Path(d, name)), size)
    raise ConfigError("fonts", "", "no font with Vietnamese glyphs found; install fonts-noto-core")


@dataclass(frozen=True)
class PageLayout:
    """One rendered page: the image, its text, and every line's text with its box (left, top, right, bottom)."""

    image: Image.Image
    lines: tuple[tuple[str, tuple[int, int, int, int]], ...]

    @property
    def text(self) -> str:
        return "\n".join(line for line, _ in self.lines)


def render_pages(text: str, *, dpi: int = 150, font_pt: float = 12.0) -> list[Image.Image]:
    """Lay `text` out on A4 pages (white, black serif text, 2 cm margins). Header lines in capitals are bold."""
    return [page.image for page in render_layout(text, dpi=dpi, font_pt=font_pt)]


def render_layout(
    text: str, *, dpi: int = 150, font_pt: float = 12.0, only: set[int] | None = None
) -> list[PageLayout]:
    """`render_pages` keeping each page's text and line boxes (the registry stores per-page text;
    `canhbao.distort.redact` needs to know where the number and the signature are). `only`: draw just these
    (1-based) pages and return them alone, in order (benchmarks that need one page of a long document)."""
    return list(iter_layout(text, dpi=dpi, font_pt=font_pt, only=only))


def iter_layout(
    text: str, *, dpi: int = 150, font_pt: float = 12.0, only: set[int] | None = None
) -> Iterator[PageLayout]:
    """`render_layout` one page at a time: a long document never holds more than one page image."""
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    margin = round(20 / 25.4 * dpi)
    size = round(font_pt / 72 * dpi)
    line_h = round(size * 1.45)
    regular, bold = font(size), font(size, bold=True)
    for n, page_lines in enumerate(_paginate(text, dpi, font_pt), start=1):
        if only is not None and n not in only:
            continue
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        y = margin
        boxes = []
        for line, is_bold in page_lines:
            f = bold if is_bold else regular
            draw.text((margin, y), line, fill=(20, 20, 20), font=f)
            right = margin + round(draw.textlength(line, font=f)) if line else margin
            boxes.append((line, (margin, y, right, y + line_h)))
            y += line_h
        yield PageLayout(page, tuple(boxes))


def page_texts(text: str, *, dpi: int = 150, font_pt: float = 12.0) -> list[str]:
    """The text of each page `render_layout` would draw, without drawing (the same line breaks)."""
    return ["\n".join(line for line, _ in lines) for lines in _paginate(text, dpi, font_pt)]


def _paginate(text: str, dpi: float, font_pt: float) -> list[list[tuple[str, bool]]]:
    """Lines (text, bold) per page: wrapped to the A4 text width, as many as fit the text height."""
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    margin = round(20 / 25.4 * dpi)
    size = round(font_pt / 72 * dpi)
    line_h = round(size * 1.45)
    chars = max(20, int((width - 2 * margin) / (size * 0.5)))
    lines: list[tuple[str, bool]] = []
    for para in text.splitlines():
        is_header = para.strip().isupper() and len(para.strip()) > 3
        wrapped = textwrap.wrap(para, chars) or [""]
        lines += [(w, is_header) for w in wrapped]
    per_page = (height - 2 * margin) // line_h
    return [lines[start : start + per_page] for start in range(0, max(1, len(lines)), per_page)]
