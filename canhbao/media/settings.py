"""Settings of the media stage: document gate, page rectification, OCR (`config/media.yaml`, env
`CANHBAO_MEDIA__*`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from canhbao.core import config


@dataclass(frozen=True)
class OcrSettings:
    lang: str = "vie"
    timeout_s: float = 60.0
    # Tesseract reads best at ~12 pt / 150 dpi, where the gate measures text lines ~16 px thick; smaller
    # text is upscaled to that (never above max_upscale), much larger text downscaled (faster, same result).
    target_line_px: float = 16.0
    max_upscale: float = 2.5
    max_ocr_pixels: int = 12_000_000

    def validate(self) -> None:
        if self.timeout_s <= 0 or self.target_line_px <= 0 or self.max_upscale < 1:
            raise ValueError("timeout_s and target_line_px must be > 0, max_upscale >= 1")


@dataclass(frozen=True)
class GateSettings:
    """Document-vs-photo gate: run on a small copy, so a photo costs milliseconds and never reaches OCR."""

    side_px: int = 900  # longest side of the copy the gate looks at
    min_text_lines: int = 5  # distinct rows of line-like blobs of text
    min_text_area: float = 0.02  # fraction of the image those lines cover
    min_line_px: float = 5.5  # thinner text lines (in original pixels) cannot be OCRed anyway

    def validate(self) -> None:
        if self.side_px < 200 or self.min_text_lines < 1:
            raise ValueError("side_px must be >= 200 and min_text_lines >= 1")


@dataclass(frozen=True)
class MediaSettings:
    ocr: OcrSettings = field(default_factory=OcrSettings)
    gate: GateSettings = field(default_factory=GateSettings)
    # One post image (`detect`, the scan's media stage): larger files, or images whose header declares
    # more pixels, are refused with one line before being decoded.
    max_image_mb: int = 40
    max_image_megapixels: int = 50

    def validate(self) -> None:
        if self.max_image_mb < 1 or self.max_image_megapixels < 1:
            raise ValueError("max_image_mb and max_image_megapixels must be at least 1")


def load_settings() -> MediaSettings:
    return config.load("media", MediaSettings)
