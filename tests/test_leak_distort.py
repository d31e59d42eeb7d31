"""canhbao.distort: deterministic for a seed, different across seeds, and doing what each name says."""

import numpy as np
import pytest

from canhbao.testing import distort
from canhbao.testing.samples import render_layout


@pytest.fixture(scope="module")
def layout(seeds):
    return render_layout(seeds[0].text)[0]


@pytest.mark.parametrize("name", distort.TRANSFORMS)
def test_same_seed_same_pixels(layout, name):
    a, b = distort.apply(name, layout, seed=3), distort.apply(name, layout, seed=3)
    assert a.size == b.size and np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("name", ["screenshot", "band", "rotate", "photo", "lowcontrast"])
def test_seed_changes_the_result(layout, name):
    a, b = distort.apply(name, layout, seed=1), distort.apply(name, layout, seed=2)
    assert a.size != b.size or not np.array_equal(np.asarray(a), np.asarray(b))


def test_what_each_transformation_does(layout):
    page = layout.image
    assert distort.app_screenshot(page).size == (1080, 2340)
    assert distort.crop_header(page).height == round(page.height * 0.30)
    top, bottom = distort.band_bounds(seed=5)
    assert 0.38 <= top and bottom <= 0.70 + 1e-9
    assert distort.downscale_jpeg(page).width == round(page.width * 0.45)
    assert max(distort.phone_photo(page, seed=1).size) == 2048
    grey = np.asarray(distort.low_contrast(page, seed=1).convert("L"))
    assert np.percentile(grey, 0.5) >= 85 and np.percentile(grey, 99.5) <= 220  # faded ink on grey paper
    boxes = distort.sensitive_boxes(layout)
    assert len(boxes) == 1  # page 1 shows the number; the signer is on page 2
    redacted = np.asarray(distort.redact(page, boxes).convert("L"))
    left, top_, right, bottom_ = boxes[0]
    assert redacted[top_ + 2 : bottom_ - 2, left:right].max() < 30  # the number is under a black bar


def test_quote_post_quotes_the_body(seeds):
    text = seeds[0].text
    post = distort.quote_post(text, seed=1, sentences=2)
    quoted = post.split('"')[1]
    assert quoted in " ".join(text.split()) and "CỘNG HÒA" not in quoted and len(quoted.split()) >= 24
