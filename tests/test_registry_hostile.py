"""`registry add` with hostile files in the batch: each is one line on stderr, the good ones are registered,
and memory stays bounded (measured in a child process with an address-space limit)."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from canhbao.core.errors import InputError
from canhbao.media.settings import OcrSettings
from canhbao.registry import ingest
from canhbao.registry.settings import RegistrySettings

REPO = Path(__file__).resolve().parents[1]


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for para in text.split("\n"):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_bomb(path: Path, unpacked: int = 200 << 20) -> Path:
    """A real DOCX whose document.xml is replaced by one paragraph of `unpacked` bytes of text: a few
    hundred KB on disk (deflate packs repeated letters ~1000:1), hundreds of MB once opened."""
    good = zipfile.ZipFile(io.BytesIO(docx_bytes("PLACEHOLDER")))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in good.infolist():
            data = good.read(info)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"PLACEHOLDER")
                with zout.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(head)
                    chunk = b"A" * (1 << 20)
                    for _ in range(unpacked >> 20):
                        fh.write(chunk)
                    fh.write(tail)
            else:
                zout.writestr(info, data)
    return path


def tiff_frames(path: Path, frames: int = 40, size: tuple[int, int] = (5000, 5000)) -> Path:
    """Bilevel frames with Group 4 compression: each 25 MP (under the per-image limit), the file tiny."""
    page = Image.new("1", size, 1)
    page.save(path, compression="group4", save_all=True, append_images=[page] * (frames - 1))
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory, seeds):
    d = tmp_path_factory.mktemp("batch")
    big = d / "big.txt"
    with open(big, "w", encoding="utf-8") as fh:  # 50 MB of plausible text
        line = "Công văn số 123/BYT về việc tăng cường phòng chống dịch bệnh trên địa bàn tỉnh. " * 10 + "\n"
        while fh.tell() < 50 << 20:
            fh.write(line * 100)
    bomb = docx_bomb(d / "bomb.docx")
    tif = tiff_frames(d / "frames.tif")
    good_txt = d / "good.txt"
    good_txt.write_text(seeds[1].text, encoding="utf-8")
    good_docx = d / "good.docx"
    good_docx.write_bytes(docx_bytes(seeds[2].text))
    return [big, bomb, tif, good_txt, good_docx]


def test_hostile_files_are_small_on_disk_and_huge_inside(batch):
    big, bomb, tif = batch[:3]
    assert big.stat().st_size >= 50 << 20
    assert bomb.stat().st_size < 1 << 20
    with zipfile.ZipFile(bomb) as zf:
        assert zf.getinfo("word/document.xml").file_size > 200 << 20
    assert tif.stat().st_size < 2 << 20
    with Image.open(tif) as im:
        assert im.n_frames == 40


def test_a_batch_with_three_hostile_files_registers_the_two_good_ones(batch, tmp_path):
    """Run as the CLI in a child process under a 3 GiB address-space limit; report its peak RSS."""
    home = tmp_path / "home"
    env = {**os.environ, "CANHBAO_HOME": str(home)}
    limit = 3 << 30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    # VmHWM, not ru_maxrss: Linux carries the forking parent's (pytest's) high-water mark into the child's.
    code = (
        "import sys; from canhbao.cli import main; rc = main(sys.argv[1:]); "
        "hwm = next(ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')).split()[1]; "
        "print('RSS', hwm, file=sys.stderr); sys.exit(rc)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "registry", "add", *map(str, batch)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=cap,
    )
    err = [ln for ln in run.stderr.splitlines() if not ln.startswith("RSS")]
    rss_kib = int(next(ln for ln in run.stderr.splitlines() if ln.startswith("RSS")).split()[1])
    assert run.returncode == 0, run.stderr[-3000:]
    added = [ln for ln in run.stdout.splitlines() if "  added  " in ln]
    assert len(added) == 2 and "good.txt" in added[0] and "good.docx" in added[1], run.stdout
    assert len(err) == 3, err  # one line per hostile file, no traceback
    for line, name in zip(err, ("big.txt", "bomb.docx", "frames.tif"), strict=True):
        assert line.startswith("canhbao: ") and name in line, line
    assert "Traceback" not in run.stderr
    print(f"registry add peak RSS: {rss_kib // 1024} MiB")
    assert rss_kib < 512 * 1024, f"{rss_kib // 1024} MiB"


@pytest.mark.parametrize(
    "setting, value, make, expect",
    [
        ("max_text_chars", 1000, lambda d: d / "t.txt", "characters (limit 1,000)"),
        ("max_pdf_pages", 2, lambda d: d / "t.txt", "pages (limit 2)"),
    ],
)
def test_limits_come_from_settings(tmp_path, seeds, setting, value, make, expect):
    path = make(tmp_path)
    path.write_text(seeds[0].text * 3, encoding="utf-8")
    settings = RegistrySettings(**{setting: value})
    with pytest.raises(InputError, match=expect.replace("(", r"\(").replace(")", r"\)")):
        list(ingest.iter_pages(path, path.read_bytes(), settings, OcrSettings()))


def test_a_huge_pdf_page_is_rendered_within_the_pixel_limit(tmp_path):
    import pymupdf as fitz

    doc = fitz.open()
    page = doc.new_page(width=14400, height=14400)  # 200 x 200 inches: 900 MP at 150 dpi
    page.insert_text((72, 72), "Công văn số 123/BYT-KCB về việc phòng chống dịch " * 3, fontsize=400)
    data = doc.tobytes()
    settings = RegistrySettings(max_page_megapixels=12)
    pages = list(ingest.iter_pages(tmp_path / "big.pdf", data, settings, OcrSettings()))
    assert len(pages) == 1 and pages[0].image.width * pages[0].image.height <= 12_000_000
