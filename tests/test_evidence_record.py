"""The PDF record an inspector signs: Vietnamese throughout (English only with --lang en), numbered like a
biên bản without gaps, signals in sentences, derived times approximate, real dates in the PDF and the ZIP;
hostile field sizes (a 30,000-character author, an unbreakable 20,000-character token) still export.

The pages are rendered to PNG (pdftoppm) under $CANHBAO_TEST_OUTPUT (default: the test's tmp folder)
for a person to look at."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from canhbao.core.alerts import alert_from_finding
from canhbao.core.audit import AuditLog
from canhbao.core.errors import InputError
from canhbao.core.posts import PostStore
from canhbao.core.records import ClaimRef, Finding
from canhbao.evidence import export
from canhbao.evidence.browser import png_size
from canhbao.evidence.settings import EvidenceSettings
from canhbao.testing import evidence_world as sample

SETTINGS = EvidenceSettings(screenshot_live=False)
NOW = datetime(2026, 11, 30, 9, 15, 42, tzinfo=timezone.utc)  # 16:15:42 in Hà Nội


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    base = os.environ.get("CANHBAO_TEST_OUTPUT")
    path = Path(base) / "evidence-record" if base else tmp_path_factory.mktemp("record")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def records(evidence_world, renderer, out_dir):
    home, _site, store, cases = evidence_world
    done = {
        kind: export.export(
            home,
            store,
            cases[kind].alert.id,
            SETTINGS,
            out_dir=out_dir / kind,
            actor="thanh.tra.lan",
            renderer=renderer,
            now=NOW,
        )
        for kind in ("leak", "pii", "fake")
    }
    done["fake_en"] = export.export(
        home,
        store,
        cases["fake"].alert.id,
        SETTINGS,
        out_dir=out_dir / "fake_en",
        actor="thanh.tra.lan",
        renderer=renderer,
        now=NOW,
        lang="en",
    )
    # Only an unmasked export (an allowed role) carries the page's WARC and WACZ.
    lead = replace(SETTINGS, roles={"truong.doan": ("inspector_lead",)})
    done["leak_unmasked"] = export.export(
        home,
        store,
        cases["leak"].alert.id,
        lead,
        out_dir=out_dir / "leak_u",
        actor="truong.doan",
        renderer=renderer,
        now=NOW,
        unmasked=True,
    )
    return done


def read(result) -> dict[str, bytes]:
    with zipfile.ZipFile(result.zip_path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def pdf_pages(result, out_dir: Path, name: str) -> tuple[str, list[Path]]:
    """pdftotext of the record, and its pages as PNG files (kept for a person to look at)."""
    pdf = out_dir / f"{name}.pdf"
    pdf.write_bytes(read(result)["report.pdf"])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out_dir / name)], check=True)
    return text, sorted(out_dir.glob(f"{name}-*.png"))


# Tokens that are not words of a language: identifiers, file names, URLs, hashes, units, acronyms.
ALLOWED = {
    "SHA",
    "PDF",
    "ZIP",
    "WARC",
    "WACZ",
    "HTML",
    "OCR",
    "RFC",
    "UTC",
    "Ed25519",
    "Facebook",
    "JSON",
    "CCCD",
    "canhbao",
    "CANHBAO",
    "pHash",
    "byte",
    "COVID",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
}
COMMAND = "canhbao evidence verify"  # quoted in the record as the command to type
# A Vietnamese syllable written without tone marks still has this shape; English words mostly do not.
SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"(uye|uya|ươ|ưa|ia|iê|yê|ua|uô|oa|oă|oe|uâ|uơ|uy|[aăâeêioôơuưy])"
    r"(i|y|o|u|ch|nh|ng|c|m|n|p|t)?$",
    re.IGNORECASE,
)


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Words in `text` that are not Vietnamese: ASCII-only tokens that cannot be a Vietnamese syllable."""
    bad = []
    for token in re.findall(r"\S+", text.replace(COMMAND, "")):
        if re.search(r"[/@:.\\_=#\d]", token.strip(".,;:()“”\"'")) or token.strip(".,;:()“”\"'|") in allowed:
            continue  # URLs, paths, file names, times, ids, hashes, numbers
        for word in re.findall(r"[^\W\d_]+", token):
            if word in allowed or not word.isascii() or len(word) == 1:  # initials of masked names
                continue
            if not SYLLABLE.match(word.lower()):
                bad.append(word)
    return bad


def test_vietnamese_record_has_no_english_and_contiguous_sections(records, evidence_world, out_dir):
    cases = evidence_world[3]
    for kind in ("leak", "pii", "fake"):
        text, pages = pdf_pages(records[kind], out_dir, f"record-{kind}-vi")
        assert pages and all(p.stat().st_size > 5000 for p in pages)
        post = cases[kind].post
        quoted = " ".join([post.author, post.source, post.text, *(c.text for c in cases[kind].alert.finding.claims)])
        allowed = ALLOWED | set(re.findall(r"[^\W\d_]+", quoted))  # what the post itself says is quoted as is
        assert english_words(text, allowed) == [], (kind, english_words(text, allowed)[:60])
        numerals = re.findall(r"^\s*([IVX]+)\. [A-ZĐÀ-Ỹ]", text, re.M)
        roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
        assert numerals == roman[: len(numerals)] and len(numerals) >= 5, (kind, numerals)
        for expected in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "BIÊN BẢN",
            "NGƯỜI LẬP BIÊN BẢN",
            "ngày 30 tháng 11 năm 2026",
            "16:15:42 30/11/2026 (UTC+07:00)",
            "KẾT QUẢ ĐỐI CHIẾU",
        ):
            assert expected in text, (kind, expected)
        for python_value in ("{'", "': ", "True", "False", "None", "×"):
            assert python_value not in text, (kind, python_value)
    pii_text = pdf_pages(records["pii"], out_dir, "record-pii-vi")[0]
    assert "số căn cước công dân" in pii_text and "dữ liệu cá nhân nhạy cảm" in pii_text


def test_english_only_when_asked(records, out_dir):
    text, _ = pdf_pages(records["fake_en"], out_dir, "record-fake-en")
    assert "RECORD OF ELECTRONIC EVIDENCE" in text and "CHAIN OF CUSTODY" in text and "verified false claim" in text


def test_custody_has_one_row_per_act(records):
    rows = [json.loads(line) for line in read(records["leak"])["custody.jsonl"].splitlines()]
    confirms = [r for r in rows if r["action"] in ("confirmed", "alert.confirmed")]
    assert len(confirms) == 1 and confirms[0]["hash"] and confirms[0]["alert_history"]["action"] == "confirmed"


def test_real_creation_dates_in_pdf_and_zip(records, out_dir):
    pdf = out_dir / "dates.pdf"
    pdf.write_bytes(read(records["leak"])["report.pdf"])
    info = subprocess.run(["pdfinfo", "-isodates", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CreationDate:\s+2026-11-30T09:15:42(Z|\+00)", info), info
    with zipfile.ZipFile(records["leak"].zip_path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 11, 30, 16, 15, 42)}
    with zipfile.ZipFile(records["leak_unmasked"].zip_path) as zf:
        with zipfile.ZipFile(zf.open("capture/capture.wacz")) as wz:
            assert {i.date_time[:3] for i in wz.infolist()} == {(2026, 11, 30)}


def test_derived_publication_time_is_marked_approximate(evidence_world, renderer, out_dir):
    home, _site, store, cases = evidence_world
    case = cases["fake"]
    post = replace(
        case.post, post_id="3003-rel", published_text="3 giờ", published_at=case.post.captured_at - timedelta(hours=3)
    )
    PostStore(home.posts_db).put(post)
    alert = alert_from_finding(post, case.alert.finding, case.alert.masked_text)
    store.upsert([alert])
    done = export.export(
        home, store, alert.id, SETTINGS, out_dir=out_dir / "approx", actor="thanh.tra.lan", renderer=renderer, now=NOW
    )
    text, _ = pdf_pages(done, out_dir, "record-approx")
    line = next(ln for ln in text.splitlines() if "Thời điểm đăng" in ln)
    assert "khoảng" in line and "“3 giờ”" in text
    assert not re.search(r"\d\d:\d\d:\d\d", line)  # not to the second


def test_hostile_field_sizes_still_export(evidence_world, renderer, out_dir):
    """30,000-character author and a 20,000-character unbreakable token used to make the PDF layout
    fail and the screenshot 364 megapixels: the alert could never be exported."""
    home, site, store, _cases = evidence_world
    author = "Tài khoản " + "rấtdài" * 5000
    token = "x" * 20000
    post = sample.capture(
        home,
        site,
        path="/posts/9009",
        post_id="9009",
        author=author,
        text=f"Tin giả: uống nước chanh diệt virus {token} chia sẻ ngay",
        images={},
    )
    finding = Finding(
        type="fake_news",
        detector="fakenews",
        score=0.9,
        target="c1",
        claims=(ClaimRef(id="c1", text="nước chanh diệt virus", similarity=0.9, tier="matched"),),
        summary="repeats known false claim c1",
    )
    alert = alert_from_finding(post, finding, post.text)
    store.upsert([alert])
    done = export.export(
        home, store, alert.id, SETTINGS, out_dir=out_dir / "hostile", actor="thanh.tra.lan", renderer=renderer, now=NOW
    )
    files = read(done)
    shots = [n for n in files if n.startswith("post/screenshot-") and n.endswith(".png")]
    assert shots, sorted(files)  # a masked export screenshots the post's own element
    for name in shots:
        w, h = png_size(files[name])
        assert w <= SETTINGS.viewport_width and h <= SETTINGS.max_screenshot_height, (name, w, h)
    text, pages = pdf_pages(done, out_dir, "record-hostile")
    assert len(pages) < 40
    meta = json.loads(files["metadata.json"])  # a masked export: the poster is a keyed placeholder
    assert meta["post"]["author"].startswith("[AUTHOR·") and any("/post/author" in w for w in meta["withheld"])
    allowed = replace(SETTINGS, roles={"chief.minh": ("inspector_lead",)})
    full = export.export(
        home,
        store,
        alert.id,
        allowed,
        out_dir=out_dir / "hostile-u",
        unmasked=True,
        actor="chief.minh",
        renderer=renderer,
        now=NOW,
    )
    text, pages = pdf_pages(full, out_dir, "record-hostile-u")
    assert "đầy đủ trong metadata.json" in text and len(pages) < 40
    assert json.loads(read(full)["metadata.json"])["post"]["author"] == author  # the full value is kept


def test_export_refused_when_the_audit_chain_is_broken(evidence_world, tmp_path):
    home, _site, store, cases = evidence_world
    log = AuditLog(home.audit_log)
    saved = log.path.read_bytes()
    lines = saved.decode().splitlines(keepends=True)
    entry = json.loads(lines[0])
    entry["actor"] = "someone.else"  # an edited line
    log.path.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n" + "".join(lines[1:]))
    try:
        with pytest.raises(InputError, match="audit log hash chain broken .line 1: content altered"):
            export.export(
                home, store, cases["leak"].alert.id, SETTINGS, out_dir=tmp_path / "x", actor="thanh.tra.lan", now=NOW
            )
        assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
    finally:
        log.path.write_bytes(saved)


def test_legal_basis_lines_come_from_config(evidence_world, renderer, out_dir):
    home, _site, store, cases = evidence_world
    basis = ("Luật An ninh mạng số 24/2018/QH14", "Nghị định số 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân")
    settings = replace(SETTINGS, legal_basis={"vi": basis})
    done = export.export(
        home,
        store,
        cases["pii"].alert.id,
        settings,
        out_dir=out_dir / "basis",
        actor="thanh.tra.lan",
        renderer=renderer,
        now=NOW,
    )
    text, _ = pdf_pages(done, out_dir, "record-basis")
    flat = " ".join(text.split())
    assert all(f"Căn cứ {b};" in flat for b in basis)
    assert flat.index("Căn cứ") < flat.index("Hôm nay, hồi") < flat.index("I. THÔNG TIN")
