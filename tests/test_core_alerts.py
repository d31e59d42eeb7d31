from datetime import datetime, timezone

from canhbao.core.alerts import alert_from_finding
from canhbao.core.records import Finding, Media, Post


def test_alert_is_deterministic_and_carries_only_masked_text():
    post = Post(source="zalo_oa_x", platform="zalo", post_id="77", url="https://zalo.me/x/77",
                captured_at=datetime(2021, 9, 1, tzinfo=timezone.utc), text="Nguyễn Văn An, 45 tuổi, F0",
                media=(Media(url="u", sha256="c" * 64),))
    finding = Finding(type="pii_exposure", detector="pii", score=0.93)
    a1 = alert_from_finding(post, finding, "N*** V** A*, ** tuổi, F0")
    a2 = alert_from_finding(post, finding, "N*** V** A*, ** tuổi, F0")
    assert a1.id == a2.id and a1.status == "open"
    assert "Nguyễn" not in a1.masked_text and a1.media_sha256 == ("c" * 64,)
    assert a1.history[0].action == "created"
