"""File -> pages (image + text): PDF (text layer, or rasterised and OCRed when it has none), images
(PNG/JPEG/TIFF, every TIFF frame), DOCX and TXT (laid out on A4 pages by the sample renderer, so a
typed letter gets page images and perceptual hashes like a scan would)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence

from canhbao.core.errors import InputError
from canhbao.core.images import load_image
from canhbao.media.settings import OcrSettings
from canhbao.registry.settings import RegistrySettings

PDF, IMAGE, DOCX, TEXT = "pdf", "image", "docx", "text"
KINDS = {".pdf": PDF, ".png": IMAGE, ".jpg": IMAGE, ".jpeg": IMAGE, ".tif": IMAGE, ".tiff": IMAGE,
         ".docx": DOCX, ".txt": TEXT}
# A PDF page with less extracted text than this is a scan: rasterise and OCR it.
MIN_TEXT_LAYER_CHARS = 40
RENDER_DPI = 150
MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    image: Image.Image
    text: str
    method: str  # text-layer | ocr | rendered


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if not kind:
        raise InputError(path, f"unknown document type '{path.suffix or '(none)'}'; expected {', '.join(sorted(KINDS))}")
    return kind


def read_pages(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> list[Page]:
    """Pages of one document; InputError (naming the file) if it is empty, truncated or unreadable."""
    if not data:
        raise InputError(path, "empty file")
    if len(data) > MAX_BYTES:
        raise InputError(path, f"file too large ({len(data) // (1024 * 1024)} MiB)")
    kind = kind_of(path)
    pages = {PDF: _pdf, IMAGE: _image, DOCX: _docx, TEXT: _text}[kind](path, data, settings, ocr)
    if not pages or not any(p.text.strip() for p in pages):
        raise InputError(path, "no readable text found in the document")
    return pages


def _ocr_page(path: Path, img: Image.Image, ocr: OcrSettings) -> Page:
    from canhbao.media.reader import OcrTimeout, read_document

    try:
        text, _ = read_document(img, ocr)
    except OcrTimeout as exc:
        raise InputError(path, str(exc)) from None
    return Page(img, text, "ocr")


def _pdf(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> list[Page]:
    import pymupdf as fitz

    try:
        doc = fitz.open(stream=data, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises its own FileDataError / RuntimeError variants
        raise InputError(path, f"not a readable PDF ({exc})") from None
    pages = []
    try:
        if doc.page_count == 0:
            raise InputError(path, "PDF has no pages")
        if doc.page_count > settings.max_pdf_pages:
            raise InputError(path, f"PDF has {doc.page_count} pages (limit {settings.max_pdf_pages})")
        for page in doc:
            text = page.get_text("text")
            scanned = len(text.strip()) < MIN_TEXT_LAYER_CHARS
            pix = page.get_pixmap(dpi=200 if scanned else RENDER_DPI, colorspace=fitz.csRGB, alpha=False)
            img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            pages.append(_ocr_page(path, img, ocr) if scanned else Page(img, text, "text-layer"))
    except InputError:
        raise
    except Exception as exc:  # truncated or damaged content streams surface while rendering
        raise InputError(path, f"damaged PDF ({exc})") from None
    finally:
        doc.close()
    return pages


def _image(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> list[Page]:
    first = load_image(data, name=str(path))  # size/bomb/corruption checks
    frames = [first]
    if path.suffix.lower() in (".tif", ".tiff"):
        with Image.open(io.BytesIO(data)) as tif:
            frames = [f.convert("RGB") for i, f in zip(range(settings.max_pdf_pages), ImageSequence.Iterator(tif))]
    return [_ocr_page(path, img, ocr) for img in frames]


def _docx(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> list[Page]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError variants
        raise InputError(path, f"not a readable DOCX ({exc.__class__.__name__})") from None
    parts = []
    for block in document.iter_inner_content():  # in document order: letter headers are often a table
        if hasattr(block, "rows"):
            for row in block.rows:
                seen: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each once
                    if cell.text not in seen:
                        seen.append(cell.text)
                parts += seen
        else:
            parts.append(block.text)
    return _render("\n".join(parts))


def _text(path: Path, data: bytes, settings: RegistrySettings, ocr: OcrSettings) -> list[Page]:
    try:
        return _render(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None


def _render(text: str) -> list[Page]:
    from canhbao.registry.render import render_layout, strip_markup

    return [Page(p.image, p.text, "rendered") for p in render_layout(strip_markup(text))]
