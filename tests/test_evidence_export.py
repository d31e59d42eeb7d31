"""Export evidence for a leak, a PII and a fake-news alert; read the bundles back with real tools
(pdftotext, pdffonts, pdfimages, pdftoppm, warcio, PIL)."""

from __future__ import annotations

import bisect
import gzip
import io
import json
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from canhbao.core.audit import AuditLog
from canhbao.core.records import sha256_hex
from canhbao.evidence import bundle, export, wacz
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings()
# The full page (raw HTML, WARC, WACZ, full-page screenshots) is only in unmasked exports by an allowed role.
LEAD = EvidenceSettings(roles={"chief.minh": ("inspector_lead",)})


@pytest.fixture(scope="module")
def exported(evidence_world, renderer, tmp_path_factory):
    home, _site, store, cases = evidence_world
    out = tmp_path_factory.mktemp("out")
    leak = export.export(
        home,
        store,
        cases["leak"].alert.id,
        LEAD,
        out_dir=out,
        unpacked=True,
        unmasked=True,
        actor="chief.minh",
        renderer=renderer,
    )
    pii = export.export(
        home, store, cases["pii"].alert.id, SETTINGS, out_dir=out, actor="inspector.lan", renderer=renderer
    )
    fake = export.export(
        home,
        store,
        cases["fake"].alert.id,
        LEAD,
        out_dir=out,
        lang="en",
        unmasked=True,
        actor="chief.minh",
        renderer=renderer,
    )
    return {"leak": leak, "pii": pii, "fake": fake}


def members(result) -> dict[str, bytes]:
    with zipfile.ZipFile(result.zip_path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    cmd = ["pdftotext", "-layout", str(path), "-"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return done.stdout


def test_leak_bundle_holds_the_post_as_seen_and_metadata(exported, evidence_world):
    case = evidence_world[3]["leak"]
    files = members(exported["leak"])
    media = case.post.media[0]
    assert {
        "metadata.json",
        "report.pdf",
        "post/text.txt",
        "post/page.html",
        "post/screenshot-capture.png",
        "post/screenshot-live.png",
        "capture/capture.warc.gz",
        "capture/live.warc.gz",
        "custody.jsonl",
        "public_key.pem",
        "manifest.sha256",
        "manifest.sha256.sig",
        "capture/capture.wacz",
        f"media/{media.sha256}.png",
    } <= set(files)
    assert sha256_hex(files[f"media/{media.sha256}.png"]) == media.sha256  # the original bytes
    meta = json.loads(files["metadata.json"])
    assert meta["alert"]["id"] == case.alert.id and meta["alert"]["type"] == "leak"
    assert meta["post"]["url"] == case.post.url and meta["post"]["author"] == "Tin Nóng 24h"
    for when in (
        meta["post"]["published_at"],
        meta["post"]["captured_at"],
        meta["alert"]["confirmed_at"],
        meta["export"]["at"],
    ):
        assert datetime.fromisoformat(when).tzinfo is not None, when
    doc = meta["match"]["document"]
    assert doc["numbers"] == ["6564/VP-KGVX"] and doc["page"] == 1 and "chấn chỉnh" in doc["subject"]
    assert meta["match"]["score"] == case.alert.finding.score > 0.5 and meta["match"]["detector"] == "leak"
    assert meta["match"]["media_sha256"] == media.sha256
    assert meta["match"]["signals"]["via"] in ("text", "phash")
    assert meta["missing"] == [] and meta["live"]["reachable"] is True
    assert bundle.verify(exported["leak"].zip_path).ok


def test_screenshots_render_the_captured_page_with_its_image(exported):
    files = members(exported["leak"])
    for name in ("post/screenshot-capture.png", "post/screenshot-live.png"):
        with Image.open(io.BytesIO(files[name])) as im:
            assert im.width == SETTINGS.viewport_width
            # The letter image (~900 px tall) is on the page only if the replay served it from the capture.
            assert im.height > 1000, (name, im.size)
            assert im.convert("L").getextrema()[0] < 60  # dark text pixels, not a blank page


def test_warc_replays_the_post_and_its_media(exported, evidence_world):
    case = evidence_world[3]["leak"]
    files = members(exported["leak"])
    seen = {}
    for record in ArchiveIterator(io.BytesIO(files["capture/capture.warc.gz"])):
        if record.rec_type == "response":
            seen[record.rec_headers.get_header("WARC-Target-URI")] = record.content_stream().read()
    assert "Văn bản nội bộ của Sở Y tế vừa bị lộ" in seen[case.post.url].decode("utf-8")
    assert sha256_hex(seen[case.post.media[0].url]) == case.post.media[0].sha256
    live = [r.rec_type for r in ArchiveIterator(io.BytesIO(files["capture/live.warc.gz"]))]
    assert "response" in live and "request" in live


def test_wacz_index_points_at_the_records(exported, evidence_world):
    case = evidence_world[3]["leak"]
    with zipfile.ZipFile(io.BytesIO(members(exported["leak"])["capture/capture.wacz"])) as wz:
        package = json.loads(wz.read("datapackage.json"))
        for res in package["resources"]:
            assert res["hash"] == "sha256:" + sha256_hex(wz.read(res["path"])), res["path"]
        pages = [json.loads(line) for line in wz.read("pages/pages.jsonl").splitlines()]
        assert pages[1]["url"] == case.post.url == package["mainPageURL"]
        found = set()
        for line in wz.read("indexes/index.cdx").decode().splitlines():
            key, ts, fields = line.split(" ", 2)
            fields = json.loads(fields)
            assert key == wacz.surt(fields["url"]) and key.startswith("1,0,0,127:") and len(ts) == 14
            warc = wz.read(f"archive/{fields['filename']}")
            start = int(fields["offset"])
            record = next(iter(ArchiveIterator(io.BytesIO(warc[start : start + int(fields["length"])]))))
            assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
            found.add(fields["url"])
    assert {case.post.url, case.post.media[0].url} <= found


def test_pdf_record_in_vietnamese_with_embedded_fonts_and_images(exported, evidence_world, tmp_path):
    case = evidence_world[3]["leak"]
    files = members(exported["leak"])
    text = pdf_text(files["report.pdf"], tmp_path)
    for expected in (
        "BIÊN BẢN GHI NHẬN CHỨNG CỨ ĐIỆN TỬ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        case.alert.id,
        "Lộ lọt văn bản nội bộ",
        "6564/VP-KGVX",
        "Thời điểm thu thập",
        "chief.minh",
        "21:30:00 30/08/2021 (UTC+07:00)",
        "CHUỖI LƯU GIỮ CHỨNG CỨ",
        "analyst.tuan",
        sha256_hex(files["custody.jsonl"]),
    ):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and any("NotoSerif" in r for r in rows)
    assert all(r.split()[-5] == "yes" for r in rows), fonts  # every font embedded
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "report.pdf")], capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert len(images) >= 3  # capture screenshot, live screenshot, the leaked page
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"), str(tmp_path / "p")],
        check=True,
    )
    with Image.open(next(tmp_path.glob("p*.png"))) as page:
        assert page.convert("L").getextrema()[0] < 80  # the page has printed text on it


def test_pii_export_is_masked_and_withholds_raw_captures(exported, evidence_world, tmp_path):
    files = members(exported["pii"])
    text = files["post/text.txt"].decode()
    assert "0912345678" not in text and "Nguyễn Thị Hoa" not in text and "SĐT [PHONE" in text
    assert not any(n.startswith(("media/", "capture/")) or n == "post/page.html" for n in files)
    meta = json.loads(files["metadata.json"])
    kinds = {t["type"] for t in meta["match"]["pii_types"]}
    assert kinds == {"name", "age", "phone", "cccd"}
    assert any("WARC records" in w for w in meta["withheld"]) and meta["export"]["unmasked"] is False
    pdf = pdf_text(files["report.pdf"], tmp_path)
    assert "0912345678" not in pdf and "Nguyễn Thị Hoa" not in pdf and "dữ liệu cá nhân đã được che" in pdf
    assert "số căn cước công dân (1 lần)" in pdf and "dữ liệu cá nhân cơ bản" in pdf
    assert bundle.verify(exported["pii"].zip_path).ok


def test_unmasked_export_needs_an_allowed_role(evidence_world, renderer, tmp_path):
    home, _site, store, cases = evidence_world
    alert_id = cases["pii"].alert.id
    with pytest.raises(export.NotAllowed, match="inspector.lan"):
        export.export(home, store, alert_id, SETTINGS, out_dir=tmp_path, unmasked=True, actor="inspector.lan")
    assert not list(tmp_path.iterdir())
    assert [e.action for e in AuditLog(home.audit_log).entries(alert_id)][-1] == "evidence.export_refused"
    allowed = EvidenceSettings(roles={"chief.minh": ("inspector_lead",)}, screenshot_live=False)
    done = export.export(
        home, store, alert_id, allowed, out_dir=tmp_path, unmasked=True, actor="chief.minh", renderer=renderer
    )
    files = members(done)
    assert "0912345678" in files["post/text.txt"].decode() and "capture/capture.warc.gz" in files
    assert "KHÔNG che dữ liệu cá nhân" in pdf_text(files["report.pdf"], tmp_path)


def test_fake_news_record_in_english(exported, evidence_world, tmp_path):
    files = members(exported["fake"])
    meta = json.loads(files["metadata.json"])
    claim = meta["match"]["claims"][0]
    assert claim["id"] == evidence_world[3]["fake"].alert.finding.target and meta["export"]["lang"] == "en"
    assert claim["tier"] == "matched" and claim["verdict"] == "false" and 0 < claim["similarity"] <= 1
    text = pdf_text(files["report.pdf"], tmp_path)
    for expected in (
        "RECORD OF ELECTRONIC EVIDENCE",
        "Fake news",
        "Uống nước chanh nóng diệt được virus corona",
        "CHAIN OF CUSTODY",
        "matched",
    ):
        assert expected in text, expected


def test_every_export_is_audited_and_on_the_alert(exported, evidence_world):
    home, _site, store, cases = evidence_world
    for kind, result in exported.items():
        alert_id = cases[kind].alert.id
        audit = [e for e in AuditLog(home.audit_log).entries(alert_id) if e.action == "evidence.export"]
        assert result.sha256 in {e.details["sha256"] for e in audit}
        assert any(ev.action == "exported" and result.sha256 in ev.note for ev in store.get(alert_id).history)
        custody = [json.loads(line) for line in members(result)["custody.jsonl"].splitlines()]
        actions = [c["action"] for c in custody]
        assert actions[0] == "captured" and "analysed" in actions and "alert.confirmed" in actions
        assert "confirmed" not in actions  # the history event is folded into its audit entry
        assert actions[-1] == "exported" and custody[-1]["actor"] == (
            "inspector.lan" if kind == "pii" else "chief.minh"
        )
    assert AuditLog(home.audit_log).verify() == []


def test_unpacked_copy_matches_and_checks_with_sha256sum(exported):
    d = exported["leak"].dir_path
    on_disk = sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())
    assert on_disk == sorted(exported["leak"].files)
    subprocess.run(["sha256sum", "--quiet", "-c", "manifest.sha256"], cwd=d, check=True)
    assert bundle.verify(d).ok


def _wacz_file(result, tmp_path) -> Path:
    path = tmp_path / "capture.wacz"
    path.write_bytes(members(result)["capture/capture.wacz"])
    return path


def test_wacz_passes_wacz_validate(exported, tmp_path):
    tool = Path(sys.executable).parent / "wacz"  # py-wacz, Webrecorder's reference tool (test extra)
    run = subprocess.run(
        [str(tool), "validate", "-f", str(_wacz_file(exported["leak"], tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_wacz_index_is_the_one_py_wacz_makes(exported, tmp_path):
    """`wacz create` over the same WARC files gives the same keys, times, URLs, offsets and lengths."""
    ours = _wacz_file(exported["leak"], tmp_path)
    with zipfile.ZipFile(ours) as wz:
        warcs = []
        for name in wz.namelist():
            if name.startswith("archive/"):
                warcs.append(tmp_path / name.split("/", 1)[1])
                warcs[-1].write_bytes(wz.read(name))
        our_lines = wz.read("indexes/index.cdx").decode().splitlines()
    ref = tmp_path / "ref.wacz"
    subprocess.run(
        [str(Path(sys.executable).parent / "wacz"), "create", "-o", str(ref), *map(str, warcs)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with zipfile.ZipFile(ref) as rz:
        raw = rz.read("indexes/index.cdx.gz")
    ref_lines = gzip.decompress(raw).decode().splitlines()

    def rows(lines):
        out = set()
        for line in lines:
            key, ts, fields = line.split(" ", 2)
            f = json.loads(fields)
            if f.get("mime") == "application/warc-fields":
                continue  # warcinfo records: py-wacz indexes them, replay does not use them
            out.add((key, ts, f["url"], f["offset"], f["length"], f["filename"]))
        return out

    assert rows(our_lines) == rows(ref_lines)


def test_replay_finds_the_captured_post_by_its_url(exported, evidence_world):
    """What a replayer does: SURT of the URL asked for, binary search in the sorted CDXJ, read the record
    at its offset in the archive file; it is the page and the image as captured."""
    case = evidence_world[3]["leak"]
    files = members(exported["leak"])
    with zipfile.ZipFile(io.BytesIO(files["capture/capture.wacz"])) as wz:
        lines = wz.read("indexes/index.cdx").decode().splitlines()
        assert lines == sorted(lines)
        keys = [line.split(" ", 1)[0] for line in lines]

        def replay(url: str) -> bytes:
            key = wacz.surt(url)
            i = bisect.bisect_left(keys, key)
            assert i < len(keys) and keys[i] == key, f"{url}: no capture under {key}"
            fields = json.loads(lines[i].split(" ", 2)[2])
            data = wz.read(f"archive/{fields['filename']}")
            start = int(fields["offset"])
            record = next(iter(ArchiveIterator(io.BytesIO(data[start : start + int(fields["length"])]))))
            return record.content_stream().read()

        assert replay(case.post.url) == files["post/page.html"]
        assert sha256_hex(replay(case.post.media[0].url)) == case.post.media[0].sha256
