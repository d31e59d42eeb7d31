"""The media stage: image file -> MediaText (document or photo, OCR text, perceptual hash).

1. Gate (milliseconds, on a small grey copy): count horizontal text-line blobs. Photos and memes have few,
   so they stop here and never reach OCR.
2. Rectify documents: find the page quadrilateral of a phone photo and undo the perspective, flatten
   uneven light and low contrast (divide by the estimated background), deskew by projection profiles,
   upscale small text to the size Tesseract reads best.
3. OCR with Tesseract `vie`, one thread per process (OMP_THREAD_LIMIT=1; see shared/NOTES.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import imagehash
import numpy as np
from PIL import Image

from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.images import load_image
from canhbao.core.records import MediaText, sha256_hex
from canhbao.media.settings import GateSettings, MediaSettings, OcrSettings, load_settings

# Tesseract's OpenMP threading is 6x slower on 2 cores than one thread per process (shared/NOTES.md).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass(frozen=True)
class Gate:
    is_document: bool
    text_lines: int
    text_area: float
    line_px: float  # median height of a text line in the original image's pixels (0 if none)


def gate(grey: np.ndarray, settings: GateSettings = GateSettings()) -> Gate:
    """Document or not, from line-like blobs of dark strokes on a lighter background (or the reverse)."""
    h, w = grey.shape
    scale = min(1.0, settings.side_px / max(h, w))
    small = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    strokes = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, kernel)
    _, mask = cv2.threshold(strokes, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if strokes.max() < 40:  # flat image: no strokes at all
        return Gate(False, 0, 0.0, 0.0)
    lines = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (11, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    bw, bh, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    # a text line: long, a few pixels thick (area / width, so a line tilted by rotation or perspective
    # still counts), with strokes filling a fair share of its thickness band
    thick = area / np.maximum(bw, 1)
    ok = (bw >= 30) & (bw >= 5 * thick) & (thick >= 2.5) & (thick <= 30) & (bh <= 4 * thick + 0.1 * bw)
    # distinct rows of text: a meme's two captions break into many blobs but only two rows
    tops = np.sort(stats[1:, cv2.CC_STAT_TOP][ok] + bh[ok] / 2)
    rows = int(1 + (np.diff(tops) > 1.5 * np.median(thick[ok])).sum()) if ok.any() else 0
    count = min(int(ok.sum()), rows)
    text_area = float(area[ok].sum()) / float(small.size)
    line_px = float(np.median(thick[ok])) / scale if count else 0.0
    # text thinner than min_line_px is unreadable even upscaled: roof tiles, fences, meme outlines
    is_doc = (
        count >= settings.min_text_lines and text_area >= settings.min_text_area and line_px >= settings.min_line_px
    )
    return Gate(is_doc, count, round(text_area, 4), round(line_px, 1))


def find_page_quad(grey: np.ndarray) -> np.ndarray | None:
    """Corners of a bright page lying on a darker background (a phone photo), or None."""
    h, w = grey.shape
    scale = 600 / max(h, w)
    small = cv2.resize(grey, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    blur = cv2.GaussianBlur(small, (7, 7), 0)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    if not 0.15 * small.size < area < 0.92 * small.size:
        return None  # no page, or the page fills the frame already (scan, screenshot)
    quad = cv2.approxPolyDP(cv2.convexHull(c), 0.02 * cv2.arcLength(c, True), True)
    if len(quad) != 4:
        return None
    quad = _order(quad.reshape(4, 2).astype(np.float32) / scale)
    margin = 0.02 * max(h, w)
    on_border = (quad[:, 0] < margin) | (quad[:, 0] > w - margin) | (quad[:, 1] < margin) | (quad[:, 1] > h - margin)
    if _axis_aligned(quad) or on_border.sum() >= 2:
        return None  # a screenshot or a crop (white app area merged with the page): unwarping would add error
    return quad


def _axis_aligned(quad: np.ndarray, tolerance_deg: float = 1.0) -> bool:
    tl, tr, br, bl = quad
    angles = [np.degrees(np.arctan2(abs(b[1] - a[1]), abs(b[0] - a[0]))) for a, b in ((tl, tr), (bl, br))]
    angles += [90 - np.degrees(np.arctan2(abs(b[1] - a[1]), abs(b[0] - a[0]))) for a, b in ((tl, bl), (tr, br))]
    return max(angles) <= tolerance_deg


def _order(pts: np.ndarray) -> np.ndarray:
    """top-left, top-right, bottom-right, bottom-left."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def unwarp(grey: np.ndarray, quad: np.ndarray) -> np.ndarray:
    tl, tr, br, bl = quad
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    return cv2.warpPerspective(
        grey,
        cv2.getPerspectiveTransform(quad, dst),
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )


def flatten_light(grey: np.ndarray, line_px: float) -> np.ndarray:
    """Divide by the background (text removed by a closing) so shadows, gradients and grey paper become white."""
    k = int(max(15, min(101, line_px * 2.5))) | 1
    bg = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 4)
    flat = cv2.divide(grey, np.maximum(bg, 1), scale=255)
    # stretch: low-contrast scans end up with mid-grey ink
    lo, hi = np.percentile(flat, (1, 99.5))
    if hi - lo < 10:
        return flat
    return np.clip((flat.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def skew_angle(grey: np.ndarray, max_deg: float = 8.0) -> float:
    """Rotation (degrees) that makes text rows horizontal: the angle maximising row-profile variance."""
    h, w = grey.shape
    scale = min(1.0, 700 / max(h, w))
    small = cv2.resize(grey, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ink = (small < 150).astype(np.float32)
    if ink.mean() < 0.005:
        return 0.0
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D(center, a, 1.0)
        rows = cv2.warpAffine(ink, m, (small.shape[1], small.shape[0])).sum(axis=1)
        return float(np.var(rows))

    coarse = max(np.arange(-max_deg, max_deg + 0.01, 1.0), key=score)
    fine = max(np.arange(coarse - 0.9, coarse + 0.91, 0.3), key=score)
    return round(float(fine), 1)


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(grey, m, (nw, nh), flags=cv2.INTER_CUBIC, borderValue=255)


def prepare(grey: np.ndarray, g: Gate, settings: OcrSettings) -> tuple[np.ndarray, list[str]]:
    """Rectify a document image for OCR; returns the image and the steps taken (for the analyst).
    Rescaling comes before the pixel-heavy steps, so a 24-megapixel photo costs what a scan does."""
    steps = []
    quad = find_page_quad(grey)
    if quad is not None:
        grey = unwarp(grey, quad)
        steps.append("page-quad")
    line_px = g.line_px or settings.target_line_px
    h, w = grey.shape
    factor = min(settings.max_upscale, settings.target_line_px / line_px)
    factor = max(0.5, min(factor, (settings.max_ocr_pixels / (h * w)) ** 0.5))
    if not 0.87 <= factor <= 1.15:
        grey = cv2.resize(
            grey,
            (round(w * factor), round(h * factor)),
            interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA,
        )
        steps.append(f"scale {factor:.2f}")
        line_px *= factor
    grey = flatten_light(grey, line_px)
    steps.append("flatten-light")
    angle = skew_angle(grey)
    if abs(angle) >= 0.3:
        grey = rotate(grey, angle)
        steps.append(f"deskew {angle:+.1f}")
    return grey, steps


class OcrTimeout(RuntimeError):
    """Tesseract ran past `ocr.timeout_s`. Never an empty text: a silent blank page would hide a leak."""


def ocr(grey: np.ndarray, settings: OcrSettings = OcrSettings()) -> str:
    import pytesseract

    try:
        return pytesseract.image_to_string(Image.fromarray(grey), lang=settings.lang, timeout=settings.timeout_s)
    except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
        if "timeout" not in str(exc).lower():
            raise
        raise OcrTimeout(f"OCR timed out after {settings.timeout_s:g} s") from None


def to_grey(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"))


def read_document(img: Image.Image, settings: OcrSettings = OcrSettings()) -> tuple[str, list[str]]:
    """OCR an image known to be a document (registry ingestion): rectify, then OCR."""
    grey = to_grey(img)
    g = gate(grey)
    prepared, steps = prepare(grey, g, settings)
    return ocr(prepared, settings), steps


class MediaReader:
    def __init__(self, settings: MediaSettings | None = None):
        self.settings = settings or MediaSettings()

    @classmethod
    def from_home(cls, home: Home) -> "MediaReader":
        return cls(load_settings())

    def read(self, path: Path | str) -> MediaText:
        """Raises InputError for a file that is not a usable image."""
        limit = self.settings.max_image_mb << 20
        try:
            size = Path(path).stat().st_size
            if size > limit:  # before reading it into memory
                raise InputError(path, f"file too large ({size >> 20} MiB > {self.settings.max_image_mb} MiB)")
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(path, f"cannot read ({exc.strerror or exc})") from None
        return self.read_bytes(data, name=str(path))

    def read_bytes(self, data: bytes, *, name: str) -> MediaText:
        img = load_image(
            data,
            name=name,
            max_pixels=self.settings.max_image_megapixels * 1_000_000,
            max_bytes=self.settings.max_image_mb << 20,
        )
        sha = sha256_hex(data)
        phash = str(imagehash.phash(img))
        grey = to_grey(img)
        g = gate(grey, self.settings.gate)
        if not g.is_document:
            return MediaText(sha256=sha, kind="photo", phash=phash, prep=(f"gate lines={g.text_lines}",))
        prepared, steps = prepare(grey, g, self.settings.ocr)
        try:
            text = ocr(prepared, self.settings.ocr)
        except OcrTimeout as exc:  # the media stage records it as unreadable, with the reason
            raise InputError(name, str(exc)) from None
        return MediaText(
            sha256=sha, kind="document", text=text, phash=phash, prep=(f"gate lines={g.text_lines}", *steps)
        )
