"""Sample data: the 2021 letters in `../shared/seeds/` and a renderer that turns a letter's text into
A4 page images, as a scanner or a "print to image" would. Used by the demo, the tests and the benchmarks.

The seed directory is `$CANHBAO_SEEDS`, else `shared/seeds` beside the repository.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from canhbao.core.errors import ConfigError

FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu")
FONTS = {False: ("NotoSerif-Regular.ttf", "DejaVuSerif.ttf"), True: ("NotoSerif-Bold.ttf", "DejaVuSerif-Bold.ttf")}
A4_MM = (210, 297)


def seeds_dir() -> Path:
    env = os.environ.get("CANHBAO_SEEDS")
    path = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    if not path.is_dir():
        raise ConfigError("CANHBAO_SEEDS", "", f"sample letters not found at {path}; set CANHBAO_SEEDS to the seeds folder")
    return path


@dataclass(frozen=True)
class Seed:
    name: str  # file stem, e.g. 000_35efa774e88aa303
    path: Path
    text: str  # markup (**bold**, *italic*) removed


def load_seeds() -> list[Seed]:
    return [Seed(p.stem, p, strip_markup(p.read_text(encoding="utf-8"))) for p in sorted(seeds_dir().glob("*.txt"))]


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


def render_pages(text: str, *, dpi: int = 150, font_pt: float = 12.0) -> list[Image.Image]:
    """Lay `text` out on A4 pages (white, black serif text, 2 cm margins). Header lines in capitals are bold."""
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    margin = round(20 / 25.4 * dpi)
    size = round(font_pt / 72 * dpi)
    line_h = round(size * 1.45)
    regular, bold = font(size), font(size, bold=True)
    chars = max(20, int((width - 2 * margin) / (size * 0.5)))
    lines: list[tuple[str, bool]] = []
    for para in text.splitlines():
        is_header = para.strip().isupper() and len(para.strip()) > 3
        wrapped = textwrap.wrap(para, chars) or [""]
        lines += [(w, is_header) for w in wrapped]
    per_page = (height - 2 * margin) // line_h
    pages = []
    for start in range(0, max(1, len(lines)), per_page):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        y = margin
        for line, is_bold in lines[start:start + per_page]:
            draw.text((margin, y), line, fill=(20, 20, 20), font=bold if is_bold else regular)
            y += line_h
        pages.append(page)
    return pages
