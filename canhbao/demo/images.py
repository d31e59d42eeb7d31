"""Images for the demo site: letters as they reach social media, and ordinary photos (canhbao.distort)."""

from __future__ import annotations

from pathlib import Path

from canhbao.demo.content import DemoImage
from canhbao.testing.samples import Seed, render_layout


def make_image(spec: DemoImage, seeds: dict[str, Seed], index: int, out: Path) -> Path:
    """Write the picture for `spec` to `out` (JPEG, as social networks serve them) and return the path."""
    from canhbao.testing import distort

    if spec.kind == "photo":
        img = distort.synthetic_photo(seed=index)
    else:
        img = distort.apply(spec.transform, render_layout(seeds[spec.seed].text)[spec.page], seed=index)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(out, "JPEG", quality=85)
    return out
