"""What happens to a document page on its way to Facebook or Zalo, reproduced deterministically.

Each function takes a rendered page (`canhbao.testing.samples.render_layout(text)[i].image`, RGB, white A4) and
returns the image that would reach a social network; the same `seed` always gives the same pixels.
Used by the tests, `bench/leak_quality.py`, `bench/leak_speed.py` and the demo.

    app_screenshot(page, caption)   page inside a mobile app (status bar, app bar, poster, caption, buttons)
    crop_header(page)               only the top of the letter: agency, motto, number, date, subject
    crop_band(page, seed)           a band of body paragraphs from the middle: no number visible
    downscale_jpeg(page)            shrunk to ~45 % and saved as heavy JPEG (quality 30)
    rotate(page, seed)              turned by 2-5 degrees (direction from the seed), white corners
    phone_photo(page, seed)         printed page photographed on a desk: perspective, uneven light, blur, noise
    redact(page, boxes)             black bars over the number and the signature (`sensitive_boxes(layout)`)
    low_contrast(page, seed)        greyscale, faded ink on grey paper
    stamp_scribble(page, seed)      a red round seal, a signature flourish and pen marks over the text
    small_screenshot(page, seed)    a phone screenshot shared again as a small thumbnail (~480 px wide)
    quote_post(text, seed)          a text post quoting two or three sentences with the poster's own words
    news_post(title, number, seed)  a news-style post repeating a document's number and title, quoting nothing

Non-documents for the gate: `synthetic_photo(seed)` and `meme(photo, caption)`.
"""

from __future__ import annotations

import io
import random
import re
import textwrap
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from canhbao.testing.samples import PageLayout, font

Box = tuple[int, int, int, int]

TRANSFORMS = ("screenshot", "header", "band", "jpeg", "rotate", "photo", "redact", "lowcontrast")
# added with the registry-scale bench; kept out of TRANSFORMS so the older benchmarks keep their cases
MORE_TRANSFORMS = ("stamps", "smallshot")


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    """Round-trip through JPEG (what every upload does)."""
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def app_screenshot(
    page: Image.Image, caption: str = "Văn bản mới nhất, mọi người xem nhé!", *, app: str = "facebook", seed: int = 0
) -> Image.Image:
    """A 1080x2340 phone screenshot of a post showing `page`, with status bar, app bar and caption."""
    rng = random.Random(seed)
    width, height = 1080, 2340
    bar = {"facebook": (24, 119, 242), "zalo": (0, 104, 255)}.get(app, (24, 119, 242))
    shot = Image.new("RGB", (width, height), (240, 242, 245))
    d = ImageDraw.Draw(shot)
    d.rectangle((0, 0, width, 70), fill=(0, 0, 0))
    d.text((40, 18), f"{rng.randint(7, 22)}:{rng.randint(10, 59)}", fill="white", font=font(30))
    d.rectangle((0, 70, width, 200), fill=bar)
    d.text((40, 105), app.capitalize(), fill="white", font=font(50, bold=True))
    d.rectangle((0, 200, width, height), fill="white")
    d.ellipse((30, 230, 130, 330), fill=(rng.randint(80, 200), rng.randint(80, 200), rng.randint(80, 200)))
    d.text(
        (150, 240),
        rng.choice(["Nguyễn Văn A", "Tin Nóng 24h", "Góc Nhìn Dân Sinh"]),
        fill="black",
        font=font(34, bold=True),
    )
    d.text((150, 288), f"{rng.randint(1, 23)} giờ · Công khai", fill=(101, 103, 107), font=font(26))
    y = 360
    for line in textwrap.wrap(caption, 52)[:4]:
        d.text((30, y), line, fill="black", font=font(34))
        y += 48
    y += 20
    inner = width - 20
    scaled = page.resize((inner, round(page.height * inner / page.width)), Image.Resampling.LANCZOS)
    bottom = height - 220
    shot.paste(scaled.crop((0, 0, inner, min(scaled.height, bottom - y))), (10, y))
    d.rectangle((0, bottom, width, height), fill="white")
    d.line((30, bottom + 10, width - 30, bottom + 10), fill=(206, 208, 212), width=2)
    for i, label in enumerate(("Thích", "Bình luận", "Chia sẻ")):
        d.text((80 + i * 340, bottom + 40), label, fill=(101, 103, 107), font=font(32, bold=True))
    return jpeg(shot, 85)


def crop_header(page: Image.Image, fraction: float = 0.30) -> Image.Image:
    """The top `fraction` of the page (number, date, agency, subject), as a screenshot of it would be."""
    return page.crop((0, 0, page.width, round(page.height * fraction)))


def band_bounds(*, seed: int = 0, height: float = 0.30) -> tuple[float, float]:
    """Top and bottom (fractions of the page height) of the band `crop_band` cuts for `seed`."""
    top = random.Random(seed).uniform(0.38, max(0.38, 0.70 - height))
    return top, top + height


def crop_band(page: Image.Image, *, seed: int = 0, height: float = 0.30) -> Image.Image:
    """A horizontal band from the middle of the body (somewhere in 38-70 % of the page height)."""
    top, bottom = band_bounds(seed=seed, height=height)
    return page.crop((0, round(page.height * top), page.width, round(page.height * bottom)))


def downscale_jpeg(page: Image.Image, scale: float = 0.45, quality: int = 30) -> Image.Image:
    small = page.resize((round(page.width * scale), round(page.height * scale)), Image.Resampling.LANCZOS)
    return jpeg(small, quality)


def rotate(page: Image.Image, *, seed: int = 0, degrees: float | None = None) -> Image.Image:
    rng = random.Random(seed)
    angle = degrees if degrees is not None else rng.choice((-1, 1)) * rng.uniform(2.0, 5.0)
    return jpeg(page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"), 85)


def phone_photo(page: Image.Image, *, seed: int = 0) -> Image.Image:
    """The printed page lying on a desk, photographed at an angle under a lamp, shared at 2048 px."""
    rng = np.random.default_rng(seed)
    pw, ph = page.size
    cw, ch = round(pw * 1.35), round(ph * 1.25)
    # desk: brown wood-like stripes with noise
    base = np.array([120, 85, 55], dtype=np.float32) * rng.uniform(0.7, 1.1)
    stripes = np.sin(np.linspace(0, rng.uniform(20, 60), cw))[None, :, None] * 12
    desk = np.clip(base + stripes + rng.normal(0, 8, (ch, cw, 1)), 0, 255)
    # page corners jittered by up to 6 % of the page size: perspective
    x0, y0 = (cw - pw) / 2, (ch - ph) / 2
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    j = lambda: rng.uniform(-0.06, 0.06)  # noqa: E731
    dst = np.array(
        [
            [x0 + j() * pw, y0 + j() * ph],
            [x0 + pw + j() * pw, y0 + j() * ph],
            [x0 + pw + j() * pw, y0 + ph + j() * ph],
            [x0 + j() * pw, y0 + ph + j() * ph],
        ],
        dtype=np.float32,
    )
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(np.asarray(page, dtype=np.float32), m, (cw, ch), flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.ones((ph, pw), np.float32), m, (cw, ch))[..., None]
    img = warped * inside + desk * (1 - inside)
    # lamp: brighter at one point, falling off to ~60 %, plus a warm tint
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    lx, ly = rng.uniform(0, cw), rng.uniform(0, ch)
    dist = np.sqrt((xx - lx) ** 2 + (yy - ly) ** 2) / max(cw, ch)
    light = (1.0 - 0.45 * np.clip(dist, 0, 1))[..., None]
    img = img * light * np.array([1.0, 0.97, 0.9], dtype=np.float32)
    img = np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    out = Image.fromarray(img).filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 1.1))))
    scale = 2048 / max(out.size)
    out = out.resize((round(out.width * scale), round(out.height * scale)), Image.Resampling.LANCZOS)
    return jpeg(out, 80)


_NUMBER_LINE = re.compile(r"^\s*Số\s*:", re.IGNORECASE)


def sensitive_boxes(layout: PageLayout) -> list[Box]:
    """Where the number (`Số: ...`) and the signature block (signer's name) sit on a rendered page."""
    boxes = [box for text, box in layout.lines if _NUMBER_LINE.match(text)]
    named = [(text, box) for text, box in layout.lines if text.strip()]
    if named:
        text, box = named[-1]
        words = text.split()
        if 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words[-3:]):
            boxes.append(box)
    return boxes


def redact(page: Image.Image, boxes: Sequence[Box], pad: int = 6) -> Image.Image:
    """Black bars over `boxes` (what posters do to hide who sent and who signed)."""
    out = page.copy()
    d = ImageDraw.Draw(out)
    for left, top, right, bottom in boxes:
        d.rectangle((left - pad, top - pad // 2, right + pad, bottom), fill="black")
    return out


def low_contrast(page: Image.Image, *, seed: int = 0) -> Image.Image:
    """Greyscale, ink faded to mid-grey on grey paper (a bad photocopy of a photocopy)."""
    rng = random.Random(seed)
    lo, hi = rng.randint(95, 120), rng.randint(190, 215)
    grey = ImageOps.grayscale(page)
    lut = [round(lo + (hi - lo) * v / 255) for v in range(256)]
    return jpeg(grey.point(lut).convert("RGB"), 75)


def stamp_scribble(page: Image.Image, *, seed: int = 0) -> Image.Image:
    """A red round seal over the lower part, a signature flourish and a few pen strokes and circles across
    the text (what a signed, annotated printout looks like)."""
    rng = random.Random(seed)
    out = page.convert("RGB").copy()
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    w, h = out.size
    r = round(w * rng.uniform(0.09, 0.12))
    cx, cy = round(w * rng.uniform(0.55, 0.75)), round(h * rng.uniform(0.55, 0.85))
    red = (200, 30, 40, 170)
    for k in (0, 10, 14):
        d.ellipse((cx - r + k, cy - r + k, cx + r - k, cy + r - k), outline=red, width=5 if k == 0 else 2)
    d.text((cx - r // 2, cy - 12), "ĐÃ KÝ", fill=red, font=font(max(14, r // 4), bold=True))
    d.polygon([(cx, cy - r // 3), (cx + r // 10, cy - r // 8), (cx - r // 10, cy - r // 8)], fill=red)
    ink = (20, 40, 160, 210)
    for _ in range(rng.randint(3, 6)):  # pen strokes: underlines, circles, a cross-out
        x0, y0 = rng.randrange(w // 10, w * 8 // 10), rng.randrange(h // 10, h * 9 // 10)
        if rng.random() < 0.5:
            d.line([(x0, y0), (x0 + rng.randrange(80, w // 2), y0 + rng.randrange(-8, 8))], fill=ink, width=3)
        else:
            d.ellipse((x0, y0, x0 + rng.randrange(80, 260), y0 + rng.randrange(30, 70)), outline=ink, width=3)
    pts = [(cx - r + i * 12, cy + r // 2 + round(18 * np.sin(i * rng.uniform(0.6, 1.2)))) for i in range(14)]
    d.line(pts, fill=ink, width=4, joint="curve")  # the signature
    out.paste(layer, (0, 0), layer)
    return jpeg(out, 85)


def small_screenshot(page: Image.Image, *, seed: int = 0, width: int = 480) -> Image.Image:
    """`app_screenshot`, then shrunk to `width` px wide and re-encoded, as a screenshot re-shared in a chat."""
    shot = app_screenshot(page, seed=seed, app=("zalo", "facebook")[seed % 2])
    small = shot.resize((width, round(shot.height * width / shot.width)), Image.Resampling.LANCZOS)
    return jpeg(small, 70)


_NEWS_OPENERS = (
    "Vừa qua, {issuer} đã ban hành {number} {title}.",
    "{number} {title} vừa được ban hành.",
    "Mới đây, {number} {title} đã được ký ban hành, có nhiều điểm mới đáng chú ý.",
)
_NEWS_BODIES = (
    "Văn bản gồm nhiều chương, điều; người dân và doanh nghiệp cần lưu ý các quy định mới.",
    "Theo cơ quan soạn thảo, văn bản nhằm hoàn thiện thể chế và tạo thuận lợi cho người dân.",
    "Các cơ quan, đơn vị đang khẩn trương triển khai để văn bản sớm đi vào cuộc sống.",
)


def news_post(title: str, number: str = "", *, issuer: str = "", seed: int = 0) -> str:
    """A news-style post that repeats a document's number and title (trích yếu) and quotes none of its body."""
    rng = random.Random(seed)
    lead = rng.choice(_NEWS_OPENERS).format(
        issuer=issuer or "cơ quan có thẩm quyền", number=f"văn bản số {number}" if number else "văn bản", title=title
    )
    return f"{lead[0].upper()}{lead[1:]} {rng.choice(_NEWS_BODIES)} Xem chi tiết tại đây."


_SENTENCE = re.compile(r"(?<=[.;:])\s+")
_OPENERS = (
    "Mọi người đọc mà xem, văn bản nội bộ đây:",
    "Nghe nói có công văn này, ai biết thật không?",
    "Share cho mọi người cùng biết:",
    "Trích nguyên văn:",
)
_CLOSERS = ("Thật không thể tin nổi!", "Các bạn nghĩ sao?", "Chia sẻ để nhiều người biết.", "")


def quote_post(text: str, *, seed: int = 0, sentences: int = 2, skip_heading: bool = False) -> str:
    """A post that quotes `sentences` consecutive sentences of the body of `text`, with the poster's words around.
    `skip_heading`: not from the title and legal bases either (`Căn cứ ...`: public citations, not content)."""
    from canhbao.registry.meta import heading_lines, split_zones

    rng = random.Random(seed)
    if skip_heading:
        lines = text.splitlines()
        text = "\n".join(ln for ln, h in zip(lines, heading_lines(lines), strict=False) if not h)
    content = split_zones([text])[0][0]  # the body, not the header or closing formulas
    body = [s.strip() for s in _SENTENCE.split(" ".join(content.split())) if len(s.split()) >= 12]
    if not body:
        raise ValueError("no quotable sentences in the text")
    start = rng.randrange(max(1, len(body) - sentences + 1))
    quoted = " ".join(body[start : start + sentences])
    return f'{rng.choice(_OPENERS)} "{quoted}" {rng.choice(_CLOSERS)}'.strip()


def synthetic_photo(*, seed: int = 0, size: tuple[int, int] = (1280, 960)) -> Image.Image:
    """A photo-like image (smooth colour fields, shapes, texture, noise): a non-document for the gate."""
    rng = np.random.default_rng(seed)
    w, h = size
    low = rng.uniform(0, 255, (6, 8, 3)).astype(np.float32)
    img = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(pil)
    for _ in range(int(rng.integers(5, 15))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(20, 200))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)((x - r, y - r, x + r, y + r // 2), fill=colour)
    arr = np.asarray(pil.filter(ImageFilter.GaussianBlur(2)), dtype=np.float32)
    arr = np.clip(arr + rng.normal(0, 10, arr.shape), 0, 255).astype(np.uint8)
    return jpeg(Image.fromarray(arr), 85)


def meme(
    photo: Image.Image, caption: str = "KHI SẾP HỎI BÁO CÁO ĐÂU", bottom: str = "NHƯNG MÀ HÔM NAY LÀ THỨ BẢY"
) -> Image.Image:
    """Impact-style meme: a photo with a short caption at the top and bottom."""
    out = photo.copy()
    d = ImageDraw.Draw(out)
    f = font(max(24, out.width // 18), bold=True)
    for text, y in ((caption, 20), (bottom, out.height - out.width // 18 - 40)):
        w = d.textlength(text, font=f)
        d.text(((out.width - w) / 2, y), text, fill="white", font=f, stroke_width=3, stroke_fill="black")
    return jpeg(out, 85)


def apply(name: str, layout: PageLayout, *, seed: int = 0) -> Image.Image:
    """One named transformation (see TRANSFORMS) of a rendered page, for benchmarks and the demo."""
    page = layout.image
    if name == "screenshot":
        return app_screenshot(page, seed=seed, app=("facebook", "zalo")[seed % 2])
    if name == "header":
        return jpeg(crop_header(page), 85)
    if name == "band":
        return jpeg(crop_band(page, seed=seed), 85)
    if name == "jpeg":
        return downscale_jpeg(page)
    if name == "rotate":
        return rotate(page, seed=seed)
    if name == "photo":
        return phone_photo(page, seed=seed)
    if name == "redact":
        return jpeg(redact(page, sensitive_boxes(layout)), 85)
    if name == "lowcontrast":
        return low_contrast(page, seed=seed)
    if name == "stamps":
        return stamp_scribble(page, seed=seed)
    if name == "smallshot":
        return small_screenshot(page, seed=seed)
    raise ValueError(f"unknown transformation {name!r}; known: {', '.join(TRANSFORMS + MORE_TRANSFORMS)}")
