"""Leak detection end to end with real Tesseract: seeds 000-002 registered, 003-004 not.

One image per transformation of `canhbao.distort` (the bench covers breadth), look-alike letters that
share a registered letter's header, recipients, closing and signer, quoting and ordinary text posts.
"""

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from canhbao.core.home import Home
from canhbao.core.records import Post, Subject
from canhbao.detectors.leak.detector import LeakDetector
from canhbao.media.reader import MediaReader
from canhbao.registry import Registry
from canhbao.testing import distort
from canhbao.testing.samples import TOPIC_POSTS, lookalike_letter, render_layout

REGISTERED = ("000", "001", "002")


@pytest.fixture(scope="module")
def world(tmp_path_factory, seeds):
    """A home with three seeds registered (as TXT files), the detector and the media reader."""
    root = tmp_path_factory.mktemp("leak")
    home = Home.resolve(root / "home")
    ids = {}
    with Registry.open(home) as reg:
        for seed in seeds:
            if seed.name[:3] in REGISTERED:
                path = root / f"{seed.name}.txt"
                path.write_text(seed.text, encoding="utf-8")
                ids[seed.name[:3]] = reg.add(path)[0].id
    return home, ids, LeakDetector.from_home(home), MediaReader()


def _seed(seeds, prefix):
    return next(s for s in seeds if s.name.startswith(prefix))


def _image_subject(reader, img, tmp_path, name="post.jpg"):
    path = tmp_path / name
    img.save(path, quality=92)
    media = reader.read(path)
    post = Post(source="test", platform="file", post_id=name, url=path.as_uri(), captured_at=datetime.now(timezone.utc))
    return Subject(post, (media,))


def _text_subject(text):
    return Subject(
        Post(
            source="test",
            platform="file",
            post_id="t",
            url="file:///t",
            captured_at=datetime.now(timezone.utc),
            text=text,
        )
    )


# (transformation, seed, page) - every transformation once, spread over the registered seeds
POSITIVES = [
    ("screenshot", "000", 0),
    ("header", "001", 0),
    ("band", "002", 0),
    ("jpeg", "001", 1),
    ("rotate", "000", 0),
    ("photo", "002", 0),
    ("redact", "000", 0),
    ("lowcontrast", "002", 1),
]


@pytest.mark.parametrize("transform,prefix,page", POSITIVES)
def test_transformed_pages_are_attributed(world, seeds, tmp_path, transform, prefix, page):
    home, ids, detector, reader = world
    layout = render_layout(_seed(seeds, prefix).text)[page]
    subject = _image_subject(reader, distort.apply(transform, layout, seed=7), tmp_path)
    report = detector.detect(subject)
    assert report.section["matched"], report.section
    assert report.section["document"]["id"] == ids[prefix]
    assert report.section["page"] == page + 1
    (finding,) = report.findings
    assert finding.type == "leak" and finding.target == ids[prefix] and finding.document.page == page + 1
    assert finding.media_sha256 == subject.media[0].sha256 and 0.5 <= finding.score <= 1.0
    assert f"trang {page + 1}" in finding.summary
    json.dumps(report.section)  # JSON-serialisable signals


def test_header_crop_reports_the_number_seen(world, seeds, tmp_path):
    _, ids, detector, reader = world
    layout = render_layout(_seed(seeds, "000").text)[0]
    report = detector.detect(_image_subject(reader, distort.apply("header", layout), tmp_path))
    assert report.section["matched"] and report.section["signals"]["number_seen"] == ["6564/VP-KGVX"]


@pytest.mark.parametrize(
    "case", ["unregistered-photo", "unregistered-screenshot", "unregistered-lastpage", "lookalike-000", "lookalike-001"]
)
def test_unregistered_and_lookalike_images_do_not_match(world, seeds, tmp_path, case):
    _, _, detector, reader = world
    kind, prefix = case.rsplit("-", 1) if case.startswith("lookalike") else (case, None)
    if case == "unregistered-photo":
        img = distort.apply("photo", render_layout(_seed(seeds, "003").text)[0], seed=3)
    elif case == "unregistered-lastpage":  # a nearly blank page: its pHash is close to other blank-ish pages
        img = distort.apply("jpeg", render_layout(_seed(seeds, "003").text)[-1], seed=0)
    elif case == "unregistered-screenshot":
        img = distort.apply("screenshot", render_layout(_seed(seeds, "004").text)[0], seed=4)
    else:
        text = lookalike_letter(_seed(seeds, prefix), variant=int(prefix))
        img = distort.downscale_jpeg(render_layout(text)[0].image, scale=0.8, quality=60)
    subject = _image_subject(reader, img, tmp_path)
    assert subject.media[0].kind == "document"  # it did go through OCR
    report = detector.detect(subject)
    assert not report.section["matched"] and not report.findings, report.section


def test_photo_is_not_ocred_and_not_matched(world, tmp_path):
    _, _, detector, reader = world
    subject = _image_subject(reader, distort.synthetic_photo(seed=1), tmp_path)
    assert subject.media[0].kind == "photo" and subject.media[0].text == ""
    assert not detector.detect(subject).section["matched"]


@pytest.mark.parametrize("prefix,seed", [("000", 0), ("001", 1), ("002", 2), ("000", 3)])
def test_text_post_quoting_a_registered_letter_matches(world, seeds, prefix, seed):
    _, ids, detector, _ = world
    report = detector.detect(_text_subject(distort.quote_post(_seed(seeds, prefix).text, seed=seed)))
    assert report.section["matched"] and report.section["document"]["id"] == ids[prefix]
    assert report.findings[0].media_sha256 == ""


def test_quote_without_diacritics_matches(world, seeds):
    from canhbao.core.text import fold

    _, ids, detector, _ = world
    report = detector.detect(_text_subject(fold(distort.quote_post(_seed(seeds, "002").text, seed=5))))
    assert report.section["matched"] and report.section["document"]["id"] == ids["002"]


def test_text_posts_that_must_not_match(world, seeds):
    _, _, detector, _ = world
    negatives = list(TOPIC_POSTS)
    negatives += [distort.quote_post(_seed(seeds, p).text, seed=1) for p in ("003", "004")]
    negatives += [lookalike_letter(s, v) for s in seeds for v in range(4)]
    # only boilerplate of a registered letter: header, recipients, closing, signer
    s0 = _seed(seeds, "000").text
    negatives.append(
        s0[: s0.index("V/v")] + s0[s0.index("Kính gửi") : s0.index("Theo báo")] + s0[s0.index("Nơi nhận") :]
    )
    for text in negatives:
        report = detector.detect(_text_subject(text))
        assert not report.section["matched"], (text[:200], report.section)


def test_works_without_background_table_in_announced_degraded_mode(home, seeds, tmp_path, monkeypatch):
    monkeypatch.setenv("CANHBAO_LEAK__BACKGROUND", "none")
    for seed in seeds[:3]:
        (tmp_path / f"{seed.name}.txt").write_text(seed.text, encoding="utf-8")
        with Registry.open(home) as reg:
            reg.add(tmp_path / f"{seed.name}.txt")
    detector = LeakDetector.from_home(home)
    assert detector.index.background.docs == 0 and "DEGRADED" in detector.degraded
    assert detector.detect(_text_subject(distort.quote_post(seeds[1].text, seed=2))).section["matched"]
    for s in seeds:
        assert not detector.detect(_text_subject(lookalike_letter(s, 1))).section["matched"]
    (tmp_path / "q.txt").write_text(distort.quote_post(seeds[1].text, seed=2), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "canhbao",
            "--home",
            str(home.root),
            "detect",
            "--only",
            "leak",
            str(tmp_path / "q.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and "WARNING: leak detector DEGRADED" in run.stderr, run.stderr


def test_missing_or_mismatched_background_table_is_an_error_at_start(home, tmp_path, monkeypatch):
    from canhbao.core.errors import ConfigError
    from canhbao.detectors.leak.background import Background

    monkeypatch.setenv("CANHBAO_LEAK__BACKGROUND", str(tmp_path / "missing.npz"))
    with pytest.raises(ConfigError, match="missing.npz.*not found.*build_background"):
        LeakDetector.from_home(home)
    Background.build([("Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025", "CP|NGHI DINH")], 4).save(
        tmp_path / "k4.npz"
    )
    monkeypatch.setenv("CANHBAO_LEAK__BACKGROUND", str(tmp_path / "k4.npz"))
    with pytest.raises(ConfigError, match="shingle_words.: 4.*build_background"):
        LeakDetector.from_home(home)
    (tmp_path / "bad.npz").write_bytes(b"not a table")
    monkeypatch.setenv("CANHBAO_LEAK__BACKGROUND", str(tmp_path / "bad.npz"))
    with pytest.raises(ConfigError, match="unreadable"):
        LeakDetector.from_home(home)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "canhbao",
            "--home",
            str(home.root),
            "detect",
            "--only",
            "leak",
            str(tmp_path / "bad.npz"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "CANHBAO_LEAK__BACKGROUND": str(tmp_path / "k4.npz")},
    )
    assert run.returncode != 0 and "build_background" in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_detect_cli_json_and_bad_inputs(world, seeds, tmp_path):
    home, ids, _, _ = world
    distort.apply("jpeg", render_layout(_seed(seeds, "002").text)[0], seed=1).save(tmp_path / "leak.jpg")
    distort.meme(distort.synthetic_photo(seed=2)).save(tmp_path / "meme.jpg")
    (tmp_path / "quote.txt").write_text(distort.quote_post(_seed(seeds, "000").text, seed=1), encoding="utf-8")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "leak.jpg").read_bytes()[:1500])
    (tmp_path / "x.bin").write_bytes(b"\x00\x01")
    names = ["leak.jpg", "meme.jpg", "quote.txt", "empty.png", "cut.jpg", "x.bin"]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "canhbao",
            "--home",
            str(home.root),
            "detect",
            "--json",
            "--only",
            "leak",
            *[str(tmp_path / n) for n in names],
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    out = {json.loads(line)["input"].rsplit("/", 1)[-1]: json.loads(line) for line in run.stdout.splitlines()}
    assert set(out) == {"leak.jpg", "meme.jpg", "quote.txt"}
    assert out["leak.jpg"]["kind"] == "image" and out["leak.jpg"]["leak"]["document"]["id"] == ids["002"]
    assert out["leak.jpg"]["leak"]["document"]["source"] == f"{_seed(seeds, '002').name}.txt"
    assert out["quote.txt"]["kind"] == "text" and out["quote.txt"]["leak"]["document"]["id"] == ids["000"]
    assert out["meme.jpg"]["leak"]["matched"] is False
    errors = [e for e in run.stderr.strip().splitlines() if e.startswith("canhbao:")]  # not log warnings
    assert len(errors) == 3 and all(any(n in e for e in errors) for n in ("empty.png", "cut.jpg", "x.bin"))
    nothing = subprocess.run(
        [sys.executable, "-m", "canhbao", "--home", str(home.root), "detect", str(tmp_path / "empty.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert nothing.returncode != 0 and "empty.png" in nothing.stderr


def test_leak_of_a_registered_pdf(home, seeds, tmp_path):
    """Registered as a text-layer PDF; the leak is a phone photo of the printed PDF page 2."""
    from pathlib import Path

    import pymupdf
    from PIL import Image

    from canhbao.testing.samples import FONT_DIRS

    fontfile = next(
        str(Path(d, "NotoSerif-Regular.ttf")) for d in FONT_DIRS if Path(d, "NotoSerif-Regular.ttf").exists()
    )
    text = _seed(seeds, "003").text
    doc = pymupdf.open()
    for chunk in (text[:2400], text[2400:4800], text[4800:]):
        page = doc.new_page()
        page.insert_textbox(page.rect + (60, 60, -60, -60), chunk, fontsize=10, fontname="noto", fontfile=fontfile)
    doc.save(tmp_path / "tb35.pdf")
    with Registry.open(home) as reg:
        registered, _ = reg.add(tmp_path / "tb35.pdf", "confidential")
    pix = pymupdf.open(tmp_path / "tb35.pdf")[1].get_pixmap(dpi=150)
    printed = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    subject = _image_subject(MediaReader(), distort.phone_photo(printed, seed=11), tmp_path)
    report = LeakDetector.from_home(home).detect(subject)
    assert report.section["matched"] and report.section["document"]["id"] == registered.id
    assert report.section["page"] == 2 and report.section["document"]["numbers"] == ["35/TB-STTTT"]
