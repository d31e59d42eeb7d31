"""Masked means masked in the whole bundle: a leak alert whose captured feed page also shows another post
naming a patient. The default (masked) export carries the leak post's own element and image, and not one
file of the unpacked bundle holds the patient's data, neither as text nor in its screenshots (OCR); the full
page is withheld with its hash and stays available to an unmasked export by an allowed role."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from PIL import Image

from canhbao.evidence import bundle, export, masked
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings(screenshot_live=False)
PATIENT = ["Nguyễn Văn Hùng", "0912 345 678", "091188001234", "Lê Lợi", "Vĩnh Thanh"]


@pytest.fixture(scope="module")
def feed(evidence_world, seeds):
    from canhbao.testing import evidence_world as sample

    home, site, store, _cases = evidence_world
    return sample.feed_case(home, site, store, seeds[0])


@pytest.fixture(scope="module")
def masked_export(evidence_world, feed, renderer, tmp_path_factory):
    home, _site, store, _ = evidence_world
    return export.export(
        home,
        store,
        feed.alert.id,
        SETTINGS,
        out_dir=tmp_path_factory.mktemp("masked"),
        unpacked=True,
        actor="inspector.lan",
        renderer=renderer,
    )


def _pdf_text(path, tmp_path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_raw_page_really_holds_the_patient(evidence_world, feed):
    home = evidence_world[0]
    raw = (home.root / feed.post.raw_html).read_text(encoding="utf-8")
    assert all(p in raw for p in PATIENT)  # otherwise the test below would prove nothing


def test_no_file_of_the_masked_bundle_holds_the_patient(masked_export, tmp_path):
    root = masked_export.dir_path
    files = [p for p in root.rglob("*") if p.is_file()]
    meta = json.loads((root / "metadata.json").read_text())
    assert {"post/element.html", "post/screenshot-element.png"} <= {str(p.relative_to(root)) for p in files}, (
        meta["withheld"],
        meta["missing"],
    )
    for path in files:
        blob = path.read_bytes()
        texts = [blob.decode("utf-8", "replace")]
        if path.suffix == ".pdf":
            texts.append(_pdf_text(path, tmp_path))
            subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "img")], check=True)
        if path.suffix == ".png":  # what a reader of the screenshot sees, read back by Tesseract
            ocr = masked.image_text(blob)
            assert not masked.identifying(ocr), (path.name, ocr[:300])
            texts.append(ocr)
        for t in texts:
            leaked = [p for p in PATIENT if p in t]
            assert not leaked, (path.name, leaked)
    for img in tmp_path.glob("img-*.png"):  # every picture inside the PDF record, read by Tesseract
        text = masked.image_text(img.read_bytes())
        assert not [p for p in PATIENT if p in text] and "0912" not in text, (img.name, text[:200])
    with zipfile.ZipFile(masked_export.zip_path) as zf:  # the ZIP holds exactly the unpacked files
        assert sorted(zf.namelist()) == sorted(str(p.relative_to(root)) for p in files)
        for name in zf.namelist():
            assert not any(p.encode() in zf.read(name) for p in PATIENT), name


def test_masked_bundle_keeps_the_leak_evidence_and_lists_what_it_withholds(masked_export, feed):
    files = {
        str(p.relative_to(masked_export.dir_path)): p.read_bytes()
        for p in masked_export.dir_path.rglob("*")
        if p.is_file()
    }
    media = feed.post.media[0]
    assert f"media/{media.sha256}.png" in files  # the leaked letter itself (no personal data on it)
    element = files["post/element.html"].decode()
    assert "Công văn nội bộ vừa lộ ra đây" in element and "Trần Thị Bích" not in element
    with Image.open(io.BytesIO(files["post/screenshot-element.png"])) as shot:
        assert shot.height < 1400  # one post, not the feed
    assert not any(n.startswith("capture/") or n == "post/page.html" for n in files)
    meta = json.loads(files["metadata.json"])
    assert any("whole captured page" in w and "sha256" in w for w in meta["withheld"])
    assert any(w.startswith("WARC records") for w in meta["withheld"])
    assert bundle.verify(masked_export.zip_path).ok


def test_unmasked_export_by_an_allowed_role_keeps_the_full_page(evidence_world, feed, renderer, tmp_path):
    home, _site, store, _ = evidence_world
    allowed = EvidenceSettings(roles={"chief.minh": ("inspector_lead",)}, screenshot_live=False)
    full = export.export(
        home, store, feed.alert.id, allowed, out_dir=tmp_path, unmasked=True, actor="chief.minh", renderer=renderer
    )
    with zipfile.ZipFile(full.zip_path) as zf:
        names = set(zf.namelist())
        assert {"post/page.html", "capture/capture.warc.gz", "capture/capture.wacz"} <= names
        assert "Nguyễn Văn Hùng" in zf.read("post/page.html").decode()


def test_element_is_found_by_id_or_by_permalink():
    from datetime import datetime, timezone

    from canhbao.core.records import Post

    post = Post(
        source="s",
        platform="facebook",
        post_id="77",
        url="https://fb.example/posts/77",
        captured_at=datetime(2021, 9, 1, tzinfo=timezone.utc),
    )
    by_link = (
        b'<html><body><article><p>other</p></article><article><a href="https://fb.example/posts/77">'
        b"x</a><p>mine</p></article></body></html>"
    )
    el = masked.post_element(by_link, post)
    assert el is not None and "mine" in el.text and "other" not in el.text
    by_id = b'<html><body><div id="post-77"><p>mine</p></div><div id="post-78">other</div></body></html>'
    assert "other" not in masked.post_element(by_id, post).text
    fb = (
        '<html><body><section><article data-ft=\'{"top_level_post_id": "76"}\'><p>other</p></article>'
        '<article data-ft=\'{"top_level_post_id": "77"}\'><p>mine</p></article></section></body></html>'
    )
    assert "other" not in masked.post_element(fb.encode(), post).text
    tracked = (
        b'<html><body><div class="story"><a href="/posts/76?refid=18">t</a>other</div>'
        b'<div class="story"><a href="/posts/77?refid=18&amp;__tn__=H">t</a>mine</div></body></html>'
    )
    assert "mine" in masked.post_element(tracked, post).text and "other" not in masked.post_element(tracked, post).text
    assert masked.post_element(b"<html><body><p>a feed</p></body></html>", post) is None


def test_metadata_and_custody_of_a_masked_bundle_are_screened(evidence_world, renderer, tmp_path):
    """An analyst's note naming a patient (custody.jsonl) and the poster's display name (metadata.json) are
    masked in a masked bundle and listed with the hash of what they said; an unmasked export keeps them."""
    from canhbao.core.records import AlertEvent, sha256_hex, utcnow
    from canhbao.testing import evidence_world as sample

    home, site, store, cases = evidence_world
    text = "KHẨN: uống nước chanh nóng để diệt virus corona, chia sẻ ngay!"
    post = sample.capture(home, site, path="/posts/6006", post_id="6006", author="Tuấn Khỉ", text=text, images={})
    alert = sample._store(store, post, cases["fake"].alert.finding, sample._masked(post))
    note = "Đã gọi cho chị Nguyễn Thị Hoa, SĐT 0912345678, người đăng lại bài"
    store.record(alert.id, AlertEvent(at=utcnow(), actor="analyst.tuan", action="note", note=note))

    done = export.export(
        home, store, alert.id, SETTINGS, out_dir=tmp_path / "m", unpacked=True, actor="insp", renderer=renderer
    )
    meta_raw = (done.dir_path / "metadata.json").read_text()
    custody_raw = (done.dir_path / "custody.jsonl").read_text()
    pdf = _pdf_text(done.dir_path / "report.pdf", tmp_path)
    for secret in ("Nguyễn Thị Hoa", "0912345678", "Tuấn Khỉ"):
        assert secret not in meta_raw and secret not in custody_raw and secret not in pdf, secret
    assert "[NAME·" in custody_raw and "[AUTHOR·" in meta_raw  # masked with the keyed placeholders
    withheld = json.loads(meta_raw)["withheld"]
    assert any(w.startswith("custody.jsonl /") and sha256_hex(note.encode()) in w for w in withheld), withheld
    assert any(
        w.startswith("metadata.json /post/author") and sha256_hex(b"Tu\xe1\xba\xa5n Kh\xe1\xbb\x89") in w
        for w in withheld
    )
    assert bundle.verify(done.zip_path).ok

    allowed = EvidenceSettings(roles={"chief.minh": ("inspector_lead",)}, screenshot_live=False)
    full = export.export(
        home, store, alert.id, allowed, out_dir=tmp_path / "u", unmasked=True, actor="chief.minh", renderer=renderer
    )
    with zipfile.ZipFile(full.zip_path) as zf:
        assert "Tuấn Khỉ" in zf.read("metadata.json").decode() and note in zf.read("custody.jsonl").decode()


def test_a_masked_bundle_has_a_live_view_of_the_post_alone(evidence_world, feed, renderer, tmp_path):
    """With the live check on, the masked bundle shows the post's own element as it is live now, screened, and
    withholds the live page's WARC; nothing of the other post's patient gets in."""
    from dataclasses import replace

    home, _site, store, _ = evidence_world
    live = replace(SETTINGS, screenshot_live=True, live_timeout_s=10)
    done = export.export(
        home, store, feed.alert.id, live, out_dir=tmp_path, unpacked=True, actor="i", renderer=renderer
    )
    names = {str(p.relative_to(done.dir_path)) for p in done.dir_path.rglob("*") if p.is_file()}
    meta = json.loads((done.dir_path / "metadata.json").read_text())
    assert {"post/live-element.html", "post/screenshot-live-element.png"} <= names, (meta["missing"], meta["live"])
    assert meta["live"]["reachable"] and any(w.startswith("WARC records of the live page") for w in meta["withheld"])
    assert not any(n.startswith("capture/") for n in names)
    assert "Công văn nội bộ vừa lộ ra đây" in (done.dir_path / "post/live-element.html").read_text()
    for path in done.dir_path.rglob("*"):
        if path.is_file():
            blob = path.read_bytes().decode("utf-8", "replace")
            assert not [p for p in PATIENT if p in blob], path.name
    shot = (done.dir_path / "post/screenshot-live-element.png").read_bytes()
    assert not masked.identifying(masked.image_text(shot))
