"""Registry: ingestion of every supported format (real PyMuPDF, python-docx, Tesseract), metadata,
idempotent add, list/show/remove through the CLI, one-line errors for bad files."""

import io
import json
import subprocess
import sys

from PIL import Image

from canhbao.core.audit import AuditLog
from canhbao.registry import Registry
from canhbao.testing.samples import FONT_DIRS, render_layout


def _seed(seeds, prefix):
    return next(s for s in seeds if s.name.startswith(prefix))


def _noto():
    from pathlib import Path

    return next(str(Path(d, "NotoSerif-Regular.ttf")) for d in FONT_DIRS if Path(d, "NotoSerif-Regular.ttf").exists())


def _text_pdf(text, path):
    import pymupdf

    doc = pymupdf.open()
    for chunk in (text[:1800], text[1800:3600]):
        page = doc.new_page()
        page.insert_textbox(page.rect + (50, 50, -50, -50), chunk, fontsize=9, fontname="noto", fontfile=_noto())
    doc.save(path)


def _scanned_pdf(image, path):
    import pymupdf

    buf = io.BytesIO()
    image.save(buf, "PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=buf.getvalue())
    doc.save(path)


def test_txt_is_rendered_to_pages_with_metadata(home, seeds, tmp_path, state):
    seed = _seed(seeds, "001")
    path = tmp_path / "cv5246.txt"
    path.write_text(seed.text, encoding="utf-8")
    with Registry.open(home) as reg:
        doc, added = reg.add(path, "confidential")
        assert added and doc.pages == len(render_layout(seed.text))
        assert doc.numbers == ("5246/SYT-VP", "10613/BYT-TT-KT")
        assert doc.date == "2021-12-31" and doc.classification == "confidential"
        pages = list(reg.pages(doc.id))
        assert [p.page for p in pages] == list(range(1, doc.pages + 1))
        assert all((home.root / p.image).is_file() and len(p.phash) == 16 for p in pages)
        assert len(pages[0].text.split()) > 100 and pages[0].method == "rendered"
        assert "Nơi nhận" in "".join(p.boiler for p in pages) and "10613/BYT-TT-KT" in pages[0].title
        assert reg.file_path(doc.id).read_bytes() == path.read_bytes()
        # the same bytes again: a no-op, even under another name
        copy = tmp_path / "copy.txt"
        copy.write_bytes(path.read_bytes())
        again, added = reg.add(copy)
        assert not added and again.id == doc.id and len(reg.list()) == 1


def test_pdf_text_layer_docx_png_and_scanned_pdf(home, seeds, tmp_path):
    import docx

    seed = _seed(seeds, "000")
    page1 = render_layout(seed.text)[0]
    _text_pdf(seed.text, tmp_path / "letter.pdf")
    _scanned_pdf(page1.image, tmp_path / "scan.pdf")
    page1.image.save(tmp_path / "scan.png")
    d = docx.Document()
    head, body = seed.text.split("Kính gửi", 1)
    header = d.add_table(rows=1, cols=2)  # the usual two-column header: agency | motto, number | date
    header.cell(0, 0).text = "UBND TỈNH KIÊN GIANG\nVĂN PHÒNG\nSố: 6564 /VP-KGVX"
    header.cell(
        0, 1
    ).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nKiên Giang, ngày 30 tháng 8 năm 2021"
    for para in (
        "V/v chấn chỉnh sử dụng thông tin liên quan công tác phòng, chống dịch bệnh Covid-19.\n\nKính gửi" + body
    ).split("\n\n"):
        d.add_paragraph(para)
    d.save(tmp_path / "letter.docx")
    with Registry.open(home) as reg:
        results = {name: reg.add(tmp_path / name)[0] for name in ("letter.pdf", "scan.pdf", "scan.png", "letter.docx")}
        for name, doc in results.items():
            assert doc.numbers == ("6564/VP-KGVX",), name
            assert doc.date == "2021-08-30", name
        assert results["letter.docx"].agency == "UBND TỈNH KIÊN GIANG / VĂN PHÒNG"
        assert results["letter.docx"].signer == "Trần Công Danh"
        methods = {name: {p.method for p in reg.pages(doc.id)} for name, doc in results.items()}
    assert methods == {
        "letter.pdf": {"text-layer"},
        "scan.pdf": {"ocr"},
        "scan.png": {"ocr"},
        "letter.docx": {"rendered"},
    }


def test_multipage_tiff(home, seeds, tmp_path):
    pages = [p.image.convert("L") for p in render_layout(_seed(seeds, "004").text)]
    pages[0].save(tmp_path / "scan.tif", save_all=True, append_images=pages[1:])
    with Registry.open(home) as reg:
        doc, _ = reg.add(tmp_path / "scan.tif")
    assert doc.pages == len(pages) and doc.signer == "Phạm Văn Hòa"


def _cli(home, *args):
    return subprocess.run(
        [sys.executable, "-m", "canhbao", "--home", str(home.root), *args], capture_output=True, text=True, timeout=300
    )


def test_cli_add_list_show_remove_and_bad_inputs(home, seeds, tmp_path, state):
    good = tmp_path / "letter.txt"
    good.write_text(_seed(seeds, "002").text, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.xyz").write_text("x")
    _text_pdf("Số: 1/ABC\n" + "nội dung " * 50, tmp_path / "full.pdf")
    (tmp_path / "truncated.pdf").write_bytes((tmp_path / "full.pdf").read_bytes()[:300])
    Image.new("L", (9000, 9000)).save(tmp_path / "bomb.png")
    bad = ["empty.txt", "notes.xyz", "truncated.pdf", "bomb.png"]
    r = _cli(home, "registry", "add", str(good), *[str(tmp_path / b) for b in bad])
    assert r.returncode == 0, r.stderr
    errors = r.stderr.strip().splitlines()
    assert len(errors) == len(bad)
    for name, line in zip(bad, errors, strict=True):
        assert name in line
    assert "added" in r.stdout
    r = _cli(home, "registry", "list", "--json")
    (doc,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert doc["numbers"] == ["5028/CAT-ANMCNC"] and doc["source"] == "letter.txt"
    shown = json.loads(_cli(home, "registry", "show", doc["id"][:12]).stdout)
    assert shown["pages"] == len(shown["page_list"]) >= 2
    r = _cli(home, "registry", "remove", doc["id"])
    assert r.returncode == 0 and _cli(home, "registry", "list").stdout == ""
    assert not (home.registry_pages / doc["id"][:2] / doc["id"]).exists() or not any(
        (home.registry_pages / doc["id"][:2] / doc["id"]).iterdir()
    )
    actions = [(e.action, e.target) for e in AuditLog(home.audit_log).entries()]
    assert actions == [("registry.add", doc["id"]), ("registry.remove", doc["id"])]
    assert _cli(home, "registry", "show", "ffffffffffff").returncode != 0
    only_bad = _cli(home, "registry", "add", str(tmp_path / "empty.txt"))
    assert only_bad.returncode != 0 and "empty.txt" in only_bad.stderr
