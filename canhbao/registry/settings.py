"""Settings of the document registry (`config/registry.yaml`, env `CANHBAO_REGISTRY__*`)."""

from __future__ import annotations

from dataclasses import dataclass

from canhbao.core import config


@dataclass(frozen=True)
class RegistrySettings:
    max_pdf_pages: int = 300  # also the most frames read from a multi-page TIFF


def load_settings() -> RegistrySettings:
    return config.load("registry", RegistrySettings)
