"""File -> pages (image + text): PDF (text layer, or rasterised and OCRed when it has none), images
(PNG/JPEG/TIFF, every TIFF frame), DOCX and TXT (laid out on A4 pages by the sample renderer, so a
typed letter gets page images and perceptual hashes like a scan would)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from PIL import Image, ImageSequence

from canhbao.core.archive import check_zip
from canhbao.core.errors import InputError
from canhbao.core.images import load_image
from canhbao.media.settings import OcrSettings
from canhbao.registry.settings import RegistrySettings

PDF, IMAGE, DOCX, TEXT = "pdf", "image", "docx", "text"
KINDS = {
    ".pdf": PDF,
    ".png": IMAGE,
    ".jpg": IMAGE,
    ".jpeg": IMAGE,
    ".tif": IMAGE,
    ".tiff": IMAGE,
    ".docx": DOCX,
    ".txt": TEXT,
}
# A PDF page with less extracted text than this is a scan: rasterise and OCR it.
MIN_TEXT_LAYER_CHARS = 40
RENDER_DPI = 150


@dataclass(frozen=True)
class Page:
    image: Image.Image
    text: str
    method: str  # text-layer | ocr | rendered


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if not kind:
        raise InputError(
            path, f"unknown document type '{path.suffix or '(none)'}'; expected {', '.join(sorted(KINDS))}"
        )
    return kind


def iter_pages(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> Iterator[Page]:
    """Pages one at a time, so memory holds one page image whatever the document's length. Every limit
    is checked before the work it bounds (sizes from headers, not from decoded pixels)."""
    if not data:
        raise InputError(path, "empty file")
    if len(data) > settings.max_file_mb << 20:
        raise InputError(path, f"file too large ({len(data) >> 20} MiB, limit {settings.max_file_mb} MiB)")
    kind = kind_of(path)
    texts = 0
    for n, page in enumerate(
        {PDF: _pdf, IMAGE: _image, DOCX: _docx, TEXT: _text}[kind](path, data, settings, ocr), start=1
    ):
        if n > settings.max_pdf_pages:
            raise InputError(path, f"more than {settings.max_pdf_pages:,} pages (limit {settings.max_pdf_pages:,})")
        texts += len(page.text.strip())
        yield page
    if not texts:
        raise InputError(path, "no readable text found in the document")


def _ocr_page(path: Path, img: Image.Image, ocr: OcrSettings) -> Page:
    from canhbao.media.reader import OcrTimeout, read_document

    try:
        text, _ = read_document(img, ocr)
    except OcrTimeout as exc:
        raise InputError(path, str(exc)) from None
    return Page(img, text, "ocr")


def _pdf(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> Iterator[Page]:
    import pymupdf as fitz

    try:
        doc = fitz.open(stream=data, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises its own FileDataError / RuntimeError variants
        raise InputError(path, f"not a readable PDF ({exc})") from None
    chars, max_px = 0, settings.max_page_megapixels * 1_000_000
    try:
        if doc.page_count == 0:
            raise InputError(path, "PDF has no pages")
        if doc.page_count > settings.max_pdf_pages:
            raise InputError(path, f"PDF has {doc.page_count:,} pages (limit {settings.max_pdf_pages:,})")
        for page in doc.pages():
            text = page.get_text("text")
            chars += len(text)
            if chars > settings.max_text_chars:
                raise InputError(
                    path,
                    f"text layer longer than {settings.max_text_chars:,} characters "
                    f"(limit {settings.max_text_chars:,})",
                )
            scanned = len(text.strip()) < MIN_TEXT_LAYER_CHARS
            dpi = 200 if scanned else RENDER_DPI
            inches = (page.rect.width / 72) * (page.rect.height / 72)
            if inches * dpi * dpi > max_px:  # a poster-sized page: render it smaller, not larger than the limit
                dpi = int((max_px / max(inches, 1e-6)) ** 0.5)
                if dpi < 10:
                    raise InputError(
                        path,
                        f"page {page.number + 1} is {page.rect.width / 72:.0f} x "
                        f"{page.rect.height / 72:.0f} inches; too large to render",
                    )
            pix = page.get_pixmap(dpi=dpi, colorspace=fitz.csRGB, alpha=False)
            img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            del pix
            yield _ocr_page(path, img, ocr) if scanned else Page(img, text, "text-layer")
    except InputError:
        raise
    except Exception as exc:  # truncated or damaged content streams surface while rendering
        raise InputError(path, f"damaged PDF ({exc})") from None
    finally:
        doc.close()


def _image(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> Iterator[Page]:
    """Every frame of a TIFF (a scanned letter), each checked and decoded only when its turn comes;
    frame count and total pixels are read from the headers first."""
    max_px = settings.max_image_megapixels * 1_000_000
    load_image(data, name=str(path), max_pixels=max_px)  # size/bomb/corruption checks of the first frame
    if path.suffix.lower() not in (".tif", ".tiff"):
        yield _ocr_page(path, load_image(data, name=str(path), max_pixels=max_px), ocr)
        return
    with Image.open(io.BytesIO(data)) as tif:
        sizes = []
        for frame in ImageSequence.Iterator(tif):  # headers only: no frame is decoded here
            sizes.append(frame.size)
            if len(sizes) > settings.max_pdf_pages:
                raise InputError(
                    path, f"TIFF has more than {settings.max_pdf_pages:,} frames (limit {settings.max_pdf_pages:,})"
                )
        total = sum(w * h for w, h in sizes)
        if total > settings.max_total_megapixels * 1_000_000:
            raise InputError(
                path,
                f"TIFF has {len(sizes)} frames of {total / 1e6:,.0f} megapixels in all "
                f"(limit {settings.max_total_megapixels:,})",
            )
        for n, (w, h) in enumerate(sizes):
            if w * h > max_px:
                raise InputError(
                    path, f"frame {n + 1} is {w}x{h} pixels (limit {max_px:,}); possible decompression bomb"
                )
            tif.seek(n)
            try:
                frame = tif.convert("RGB")
            except (OSError, ValueError) as exc:
                raise InputError(path, f"frame {n + 1}: corrupt or truncated ({exc})") from None
            yield _ocr_page(path, frame, ocr)


def _docx(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> Iterator[Page]:
    import docx

    check_zip(path, data, max_members=2000, max_bytes=settings.max_docx_unpacked_mb << 20, max_ratio=100)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError variants
        raise InputError(path, f"not a readable DOCX ({exc.__class__.__name__})") from None
    parts, chars = [], 0
    for block in document.iter_inner_content():  # in document order: letter headers are often a table
        if hasattr(block, "rows"):
            for row in block.rows:
                seen: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each once
                    if cell.text not in seen:
                        seen.append(cell.text)
                parts += seen
                chars += sum(map(len, seen))
        else:
            parts.append(block.text)
            chars += len(block.text)
        if chars > settings.max_text_chars:
            raise InputError(
                path, f"text longer than {settings.max_text_chars:,} characters (limit {settings.max_text_chars:,})"
            )
    yield from _render("\n".join(parts))


def _text(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> Iterator[Page]:
    limit = settings.max_text_chars
    if len(data) > 4 * limit + 3:  # UTF-8: at most 4 bytes a character; refused before decoding
        raise InputError(path, f"text of {len(data):,} bytes is longer than {limit:,} characters (limit {limit:,})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    if len(text) > limit:
        raise InputError(path, f"text of {len(text):,} characters (limit {limit:,})")
    yield from _render(text)


def _render(text: str) -> Iterator[Page]:
    from canhbao.registry.render import iter_layout, strip_markup

    for p in iter_layout(strip_markup(text)):
        yield Page(p.image, p.text, "rendered")
