"""Settings of the document registry (`config/registry.yaml`, env `CANHBAO_REGISTRY__*`)."""

from __future__ import annotations

from dataclasses import dataclass

from canhbao.core import config


@dataclass(frozen=True)
class RegistrySettings:
    # Bounds on one registered file; a file beyond any of them is refused with one line, the rest of
    # the batch goes on. Pages are processed one at a time, so memory does not grow with the length.
    max_pdf_pages: int = 300  # pages of any document: PDF pages, TIFF frames, rendered TXT/DOCX pages
    max_file_mb: int = 100
    max_text_chars: int = 300_000  # TXT/DOCX text, PDF text layer (~100 pages of a letter)
    max_page_megapixels: float = 12.0  # a PDF page is rendered at a lower dpi rather than larger than this
    max_image_megapixels: int = 50  # one image or TIFF frame
    max_total_megapixels: int = 800  # all frames of one TIFF
    max_docx_unpacked_mb: int = 50  # DOCX parts unpacked, judged from the ZIP directory (bombs)

    def validate(self) -> None:
        if (
            min(
                self.max_pdf_pages,
                self.max_file_mb,
                self.max_text_chars,
                self.max_image_megapixels,
                self.max_total_megapixels,
                self.max_docx_unpacked_mb,
            )
            < 1
            or self.max_page_megapixels < 1
        ):
            raise ValueError("every max_* limit must be at least 1")


def load_settings() -> RegistrySettings:
    return config.load("registry", RegistrySettings)
