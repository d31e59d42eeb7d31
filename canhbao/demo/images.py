"""Images for the demo site: letters as they reach social media (via canhbao.distort) and ordinary photos."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from canhbao.demo.content import DemoImage
from canhbao.samples import Seed, render_pages


def ordinary_photo(seed: int, size: tuple[int, int] = (960, 720)) -> Image.Image:
    """A photo-like picture with no text: sky, sun, hills, players as blobs, sensor noise."""
    rng = random.Random(seed)
    w, h = size
    sky = np.linspace([90, 150, 230], [200, 225, 250], h // 2).astype(np.uint8)
    ground = np.linspace([60, 140, 60], [30, 90, 30], h - h // 2).astype(np.uint8)
    arr = np.concatenate([sky, ground])[:, None, :].repeat(w, axis=1)
    img = Image.fromarray(arr, "RGB")
    draw = ImageDraw.Draw(img)
    draw.ellipse([w * 0.75, h * 0.08, w * 0.88, h * 0.25], fill=(255, 230, 120))
    for _ in range(9):
        x, y = rng.uniform(0.05, 0.95) * w, rng.uniform(0.55, 0.9) * h
        colour = tuple(rng.randrange(40, 255) for _ in range(3))
        draw.ellipse([x - 18, y - 60, x + 18, y], fill=colour)
        draw.ellipse([x - 12, y - 85, x + 12, y - 60], fill=(230, 190, 160))
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    noise = np.random.default_rng(seed).normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8), "RGB")


def make_image(spec: DemoImage, seeds: dict[str, Seed], index: int, out: Path) -> Path:
    """Write the picture for `spec` to `out` (JPEG, as social networks serve them) and return the path."""
    if spec.kind == "photo":
        img = ordinary_photo(index)
    else:
        from canhbao import distort

        page = render_pages(seeds[spec.seed].text)[spec.page]
        img = distort.apply(spec.transform, page, seed=index, caption=spec.caption)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(out, "JPEG", quality=85)
    return out
