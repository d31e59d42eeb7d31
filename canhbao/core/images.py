"""Safe image loading: every media file from the internet is hostile until proven otherwise."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from canhbao.core.errors import InputError

# 50 megapixels is a 7000x7000 photo; anything larger from a social network is a decompression bomb.
MAX_PIXELS = 50_000_000
MAX_BYTES = 40 * 1024 * 1024
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


def load_image(
    source: Path | str | bytes, *, name: str | None = None, max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_BYTES
) -> Image.Image:
    """Decode an image fully (RGB) or raise InputError naming it. Checks size before decoding pixels
    (and, for a path, the file's size before reading it)."""
    label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
    try:
        if not isinstance(source, bytes) and Path(source).stat().st_size > max_bytes:
            raise InputError(
                label,
                f"file too large ({Path(source).stat().st_size // (1024 * 1024)} MiB > "
                f"{max_bytes // (1024 * 1024)} MiB)",
            )
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(label, f"cannot read ({exc.strerror or exc})") from None
    if not data:
        raise InputError(label, "empty file")
    if len(data) > max_bytes:
        raise InputError(label, f"file too large ({len(data) // (1024 * 1024)} MiB > {max_bytes // (1024 * 1024)} MiB)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > max_pixels:
                raise InputError(
                    label, f"image too large ({w}x{h} pixels, limit {max_pixels:,}); possible decompression bomb"
                )
            img.load()
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(label, "image too large; possible decompression bomb") from None
    except UnidentifiedImageError:
        raise InputError(label, "not a recognised image format") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(label, f"corrupt or truncated image ({exc})") from None
    if img.mode != "RGB":
        img = img.convert("RGB")
    return img
