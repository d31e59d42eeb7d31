"""Alerts are built from a finding and the masking step's output: deterministic ids, and no raw personal data
anywhere in the alert, with the masked text made by the real PII detector (not supplied by the test)."""

import json
from datetime import datetime, timezone

from canhbao.core.alerts import alert_from_finding
from canhbao.core.records import Media, Post, Subject, to_dict
from canhbao.detectors.pii import PiiDetector, PiiSettings
from canhbao.pipeline.analyze import Analysis
from canhbao.pipeline.masking import mask_step

RAW = ("Nguyễn Văn An", "0912 345 678", "079201001234")


def test_alert_is_deterministic_and_carries_only_masked_text():
    post = Post(
        source="zalo_oa_x",
        platform="zalo",
        post_id="77",
        url="https://zalo.me/x/77",
        captured_at=datetime(2021, 9, 1, tzinfo=timezone.utc),
        text="Bệnh nhân Nguyễn Văn An, 45 tuổi, SĐT 0912 345 678, CCCD 079201001234, dương tính F0",
        media=(Media(url="u", sha256="c" * 64),),
    )
    subject = Subject(post)
    report = PiiDetector(PiiSettings()).detect(subject)
    assert report.findings, "the detector must see the exposure"
    masked = mask_step(Analysis(post.url, "post", subject, {"pii": report}))
    a1 = alert_from_finding(post, report.findings[0], masked.text)
    a2 = alert_from_finding(post, report.findings[0], masked.text)
    assert a1.id == a2.id and a1.status == "open" and a1.media_sha256 == ("c" * 64,)
    assert a1.history[0].action == "created"
    assert {"name", "phone", "cccd"} <= set(masked.entity_types)
    dumped = json.dumps(to_dict(a1), ensure_ascii=False)
    assert not [raw for raw in RAW if raw in dumped], dumped


def test_masking_step_masks_even_when_the_pii_detector_did_not_run():
    post = Post(
        source="s",
        platform="web",
        post_id="1",
        url="https://example.org/1",
        captured_at=datetime(2021, 9, 1, tzinfo=timezone.utc),
        text="Liên hệ chị Lan 0912 345 678",
    )
    masked = mask_step(Analysis(post.url, "post", Subject(post), {}))
    assert masked.by == "fallback" and "0912 345 678" not in masked.text
