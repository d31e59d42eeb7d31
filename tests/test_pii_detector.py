"""The pii detector on hand-written Vietnamese posts: entities, exposure, masking, no raw values out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canhbao.core.records import MediaText, Post, Subject, to_dict, utcnow
from canhbao.detectors.base import detector_classes
from canhbao.detectors.pii.detector import PiiDetector, PiiSettings, find_entities, mask

CASES = [
    c
    for name in ("pii_labelled", "pii_heldout", "pii_heldout2")
    for c in json.loads((Path(__file__).parent / "data" / f"{name}.json").read_text(encoding="utf-8"))[
        "cases"
    ]
]


def subject(text: str, ocr: str = "") -> Subject:
    post = Post(
        source="t",
        platform="facebook",
        post_id="1",
        url="https://fb.example/1",
        captured_at=utcnow(),
        text=text,
    )
    media = (MediaText(sha256="ab" * 32, kind="document", text=ocr),) if ocr else ()
    return Subject(post, media)


def _covers(found, type_, start, end):
    return any(
        e.type == type_ and min(e.end, end) - max(e.start, start) >= 0.5 * (end - start) for e in found
    )


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_labelled_spans_found(case):
    text = case["text"]
    found = find_entities(text)
    for type_, value in case["spans"]:
        start = text.find(value)
        assert _covers(found, type_, start, start + len(value)), f"{type_} {value!r} missed in {found}"


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_exposure_decision(case):
    report = PiiDetector().detect(subject(case["text"]))
    assert report.section["exposure"] is case["exposure"]
    assert bool(report.findings) is case["exposure"]


def test_mask_initials_keeps_offsets_and_hides_values():
    text = "Nguyễn Văn An, 45 tuổi, SĐT 0912 345 678, ở phường Trúc Bạch"
    masked = mask(text, find_entities(text))
    assert masked.startswith("N***** V** A*, ** tuổi")
    assert "**** *** ***" in masked and "phường T*** B***" in masked
    assert len(masked) == len(text)


def test_mask_placeholder_style():
    text = "Nguyễn Văn An, 45 tuổi"
    assert mask(text, find_entities(text), style="placeholder") == "[NAME], [AGE]"


def test_finding_carries_types_and_offsets_never_values():
    text = CASES[0]["text"]
    report = PiiDetector().detect(subject(text))
    (finding,) = report.findings
    assert finding.type == "pii_exposure" and finding.detector == "pii" and 0 < finding.score <= 1
    blob = json.dumps(to_dict(finding), ensure_ascii=False)
    for _, value in CASES[0]["spans"]:
        assert value not in blob
    assert {"name", "age", "address", "phone", "cccd"} <= set(finding.signals["types"])
    assert all(e.category in ("basic", "sensitive") for e in finding.entities)
    assert report.section["masked_text"] != text and "0912" not in report.section["masked_text"]
    assert mask(text, report.findings) == mask(text, report.section["entities"]) == report.section["masked_text"]


def test_nothing_found_masked_text_is_the_text():
    text = "Chiều nay trời mưa to, các bạn nhớ mang áo mưa khi ra đường nhé."
    report = PiiDetector().detect(subject(text))
    assert report.section == {"exposure": False, "entities": [], "masked_text": text}


def test_ocr_text_offsets_into_joined_text_and_media_attribution():
    post = "Chia sẻ cho mọi người biết:"
    ocr = ("GIẤY XÁC NHẬN KẾT QUẢ XÉT NGHIỆM\nHọ tên: TRẦN VĂN BÌNH\nNăm sinh: 1979\n"
           "Địa chỉ: thôn 2, xã Phú Cát, huyện Quốc Oai\nKết quả: Dương tính")
    report = PiiDetector().detect(subject(post, ocr))
    joined = post + "\n\n" + ocr
    spans = {(e["type"], joined[e["start"]:e["end"]]) for e in report.section["entities"]}
    assert ("name", "TRẦN VĂN BÌNH") in spans and ("age", "Năm sinh: 1979") in spans
    assert any(t == "address" and v.startswith("thôn 2, xã Phú Cát") for t, v in spans)
    (finding,) = report.findings
    assert finding.media_sha256 == "ab" * 32


def test_registered_and_configured(config_dir, home):
    (config_dir / "pii.yaml").write_text("mask_style: placeholder\nmin_score: 0.7\n", encoding="utf-8")
    assert detector_classes()["pii"] is PiiDetector
    detector = PiiDetector.from_home(home)
    assert detector.settings == PiiSettings(mask_style="placeholder", min_score=0.7)
    assert detector.detect(subject("ông Nguyễn Văn An 45 tuổi")).section["masked_text"] == "ông [NAME] [AGE]"


@pytest.mark.slow
def test_patient_notice_photographed_real_ocr(home, tmp_path):
    """An image of a patient notice through the real media stage (Tesseract vie) and the pii detector."""
    from canhbao.pipeline.analyze import Analyzer
    from canhbao.testing.samples import render_pages

    notice = (
        "THÔNG BÁO KHẨN\n\nBệnh nhân Nguyễn Văn Hải, 45 tuổi, trú tại thôn 3, xã Tân Lập, huyện Đan Phượng,\n"
        "thành phố Hà Nội, có kết quả xét nghiệm dương tính với SARS-CoV-2.\n"
        "Số điện thoại người nhà: 0912 345 678. Đề nghị các trường hợp tiếp xúc gần khai báo y tế."
    )
    page = render_pages(notice, dpi=150)[0]
    page.convert("RGB").save(tmp_path / "notice.jpg", quality=80)
    analysis = Analyzer.from_home(home, only=["pii"]).analyze_path(tmp_path / "notice.jpg")
    section = analysis.reports["pii"].section
    text = analysis.subject.media[0].text
    found = {e["type"] for e in section["entities"]}
    assert {"name", "age", "address", "phone"} <= found, (found, text)
    assert section["exposure"] is True
    assert "0912" not in section["masked_text"] and "Hải" not in section["masked_text"]
    assert analysis.findings[0].media_sha256 == analysis.subject.media[0].sha256
