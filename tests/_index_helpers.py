"""Alerts for the index tests, built the way the scan builds them (`core.alerts.alert_from_finding`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from canhbao.core.alerts import alert_from_finding
from canhbao.core.records import ClaimRef, DocumentRef, Finding, Media, PiiEntity, Post

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)

TEXTS = {
    "leak": "Công văn số 1234/BYT-KCB của Bộ Y tế về việc tăng cường phòng chống dịch, lưu hành nội bộ",
    "pii_exposure": "Bệnh nhân Nguyễn Văn [HỌ TÊN] số CCCD [CCCD] điều trị tại Bệnh viện Bạch Mai",
    "fake_news": "Tin đồn uống nước chanh nóng chữa khỏi ung thư đang lan truyền trên mạng",
    "manual_capture": "Bài đăng cán bộ thu thập khi tuần tra mạng, chưa bộ phát hiện nào cảnh báo",
}


def make_alert(
    n: int = 0,
    kind: str = "leak",
    *,
    score: float = 0.9,
    platform: str = "facebook",
    source: str = "fb-page-1",
    hours: int = 0,
    text: str | None = None,
    number: str = "1234/BYT-KCB",
):
    post = Post(
        source=source,
        platform=platform,
        post_id=f"p{n}",
        url=f"https://www.facebook.com/post/{n}",
        captured_at=T0 + timedelta(hours=hours),
        text="UNMASKED Nguyễn Văn An 012345678901",
        author="Trang tin A",
        media=(Media(url=f"https://cdn/x{n}.jpg", sha256=f"{n:064x}"),),
    )
    if kind == "leak":
        finding = Finding(
            type="leak",
            detector="leak",
            score=score,
            target=f"doc{n % 3}",
            summary=f"Văn bản {number} bị đăng công khai",
            document=DocumentRef(id=f"doc{n % 3}", source="cv.pdf", numbers=(number,), subject="phòng chống dịch"),
        )
    elif kind == "pii_exposure":
        finding = Finding(
            type="pii_exposure",
            detector="pii",
            score=score,
            summary="Lộ CCCD và tên bệnh nhân",
            entities=(PiiEntity("CCCD", 30, 42, 0.99, "basic"), PiiEntity("HEALTH", 50, 60, 0.8, "sensitive")),
        )
    elif kind == "manual_capture":
        finding = Finding(
            type="manual_capture",
            detector="analyst",
            score=1.0,
            summary="capture:html by can.bo.a on may-tram-1: tuần tra",
            signals={
                "provenance": {
                    "actor": "can.bo.a",
                    "machine": "may-tram-1",
                    "method": "capture:html",
                    "note": "tuần tra",
                },
                "detector_alerts": [],
                "personal_data": False,
            },
        )
    else:
        finding = Finding(
            type="fake_news",
            detector="fakenews",
            score=score,
            target="claim7",
            summary="Giống tin giả đã được bác bỏ",
            claims=(ClaimRef(id="claim7", text="nước chanh chữa ung thư", similarity=0.88, tier="matched"),),
        )
    masked = text if text is not None else TEXTS[kind]
    return alert_from_finding(post, finding, masked, now=T0 + timedelta(hours=hours))
