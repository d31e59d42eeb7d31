"""Media stage: the document/photo gate, page rectification, OCR and bad inputs (real OpenCV, Tesseract)."""

import io

import numpy as np
import pytest
from PIL import Image

from canhbao.core.errors import InputError
from canhbao.media.reader import MediaReader, find_page_quad, gate, skew_angle, to_grey
from canhbao.testing import distort
from canhbao.testing.samples import render_layout


@pytest.fixture(scope="module")
def page(seeds):
    return render_layout(seeds[0].text)[0]


def _sample_photos():
    from sklearn.datasets import load_sample_images

    return [Image.fromarray(a) for a in load_sample_images().images]


def test_gate_rejects_photos_and_memes():
    images = _sample_photos() + [distort.synthetic_photo(seed=s) for s in range(4)]
    images += [distort.meme(img) for img in images[:4]]
    for img in images:
        assert not gate(to_grey(img)).is_document


@pytest.mark.parametrize("transform", distort.TRANSFORMS)
def test_gate_accepts_every_document_transformation(page, transform):
    g = gate(to_grey(distort.apply(transform, page, seed=2)))
    assert g.is_document and g.text_lines >= 5


def test_rectification_finds_the_page_and_the_skew(page):
    photo = to_grey(distort.phone_photo(page.image, seed=4))
    quad = find_page_quad(photo)
    assert quad is not None
    h, w = photo.shape
    # the page covers most of the frame but not all of it (the desk shows around it)
    area = 0.5 * abs(np.dot(quad[:, 0], np.roll(quad[:, 1], 1)) - np.dot(quad[:, 1], np.roll(quad[:, 0], 1)))
    assert 0.4 * h * w < area < 0.9 * h * w
    assert find_page_quad(to_grey(page.image)) is None  # a scan fills the frame: nothing to undo
    tilted = to_grey(distort.rotate(page.image, degrees=3.5))
    assert abs(skew_angle(tilted) + 3.5) <= 0.5


def test_read_photo_is_fast_path_and_document_is_ocred(page, tmp_path):
    reader = MediaReader()
    distort.synthetic_photo(seed=9).save(tmp_path / "photo.jpg")
    photo = reader.read(tmp_path / "photo.jpg")
    assert photo.kind == "photo" and photo.text == "" and len(photo.phash) == 16
    distort.apply("photo", page, seed=1).save(tmp_path / "doc.jpg")
    doc = reader.read(tmp_path / "doc.jpg")
    assert doc.kind == "document" and "page-quad" in doc.prep
    assert "6564" in doc.text and "Kiên Giang" in doc.text


@pytest.mark.parametrize(
    "name,data,problem",
    [
        ("empty.png", b"", "empty file"),
        ("junk.jpg", b"not an image at all", "not a recognised image"),
    ],
)
def test_bad_inputs_name_the_file(tmp_path, name, data, problem):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError) as err:
        MediaReader().read(tmp_path / name)
    assert name in str(err.value) and problem in str(err.value) and "\n" not in str(err.value)


def test_truncated_and_bomb_images(tmp_path):
    buf = io.BytesIO()
    distort.synthetic_photo(seed=1).save(buf, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buf.getvalue()[:3000])
    Image.new("L", (10000, 8000)).save(tmp_path / "bomb.png")
    for name in ("cut.jpg", "bomb.png"):
        with pytest.raises(InputError, match=name):
            MediaReader().read(tmp_path / name)
    with pytest.raises(InputError, match="missing.jpg"):
        MediaReader().read(tmp_path / "missing.jpg")


def test_detect_batch_limits_come_from_config(tmp_path, home, config_dir, capsys):
    """config/media.yaml bounds post images: a file over max_image_mb is refused before it is read, an image
    over max_image_megapixels before it is decoded; each is one line and the rest of the batch is checked."""
    from canhbao.cli import main

    (config_dir / "media.yaml").write_text("max_image_mb: 1\nmax_image_megapixels: 4\n")
    Image.new("L", (3000, 2000)).save(tmp_path / "six_mp.png")  # 6 MP, a few KB
    (tmp_path / "two_mb.jpg").write_bytes(b"\xff\xd8" + bytes(2 << 20))
    (tmp_path / "post.txt").write_text("Uống nước chanh nóng diệt được virus corona, chia sẻ ngay!", encoding="utf-8")
    rc = main(
        [
            "--home",
            str(home.root),
            "detect",
            str(tmp_path / "six_mp.png"),
            str(tmp_path / "two_mb.jpg"),
            str(tmp_path / "post.txt"),
            "--only",
            "pii",
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 0 and len(out.splitlines()) == 1 and "post.txt" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "six_mp.png" in lines[0] and "limit 4,000,000" in lines[0]
    assert "two_mb.jpg" in lines[1] and "file too large" in lines[1]


def test_ocr_timeout_is_an_error_naming_the_image_not_an_empty_text(tmp_path):
    """A page Tesseract cannot finish in time must not look like a blank page (that would hide a leak)."""
    from canhbao.media.settings import MediaSettings, OcrSettings

    page = render_layout("Văn bản mật " * 400)[0]
    path = tmp_path / "page.png"
    page.image.save(path)
    reader = MediaReader(MediaSettings(ocr=OcrSettings(timeout_s=0.01)))
    with pytest.raises(InputError, match=r"page\.png: OCR timed out after 0\.01 s"):
        reader.read(path)
