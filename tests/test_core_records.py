from datetime import datetime, timedelta, timezone

import pytest

from canhbao.core.records import (
    TRANSITIONS,
    Alert,
    ClaimRef,
    DocumentRef,
    Finding,
    Media,
    PiiEntity,
    Post,
    alert_id,
    from_dict,
    to_dict,
)

ICT = timezone(timedelta(hours=7))


def _post():
    return Post(
        source="fb_page_a",
        platform="facebook",
        post_id="123",
        url="https://www.facebook.com/a/posts/123",
        captured_at=datetime(2021, 8, 31, 9, 0, tzinfo=ICT),
        text="Văn bản mật",
        published_at=datetime(2021, 8, 30, 21, 30, tzinfo=ICT),
        media=(Media(url="https://x/y.jpg", sha256="ab" * 32, mime="image/jpeg", size=10),),
        engagement={"likes": 3},
    )


def test_post_round_trips_through_json_with_timezones():
    post = _post()
    again = from_dict(Post, to_dict(post))
    assert again == post
    assert again.published_at.utcoffset() == timedelta(hours=7)
    assert again.key == "fb_page_a:123"


def test_alert_with_nested_finding_round_trips():
    finding = Finding(
        type="leak",
        detector="leak",
        score=0.97,
        target="d1",
        document=DocumentRef(id="d1", source="a.pdf", numbers=("6564/VP-KGVX",), page=1),
        claims=(ClaimRef(id="c", text="t", similarity=0.9, tier="matched"),),
        entities=(PiiEntity(type="phone", start=0, end=10, score=0.9, category="basic"),),
        signals={"containment": 0.8},
    )
    post = _post()
    alert = Alert(
        id=alert_id("leak", post.key, "d1"),
        type="leak",
        score=0.97,
        source=post.source,
        platform=post.platform,
        post_id=post.post_id,
        post_url=post.url,
        captured_at=post.captured_at,
        finding=finding,
    )
    assert from_dict(Alert, to_dict(alert)) == alert


def test_alert_id_is_deterministic_and_distinguishes_targets():
    assert alert_id("leak", "s:1", "d1") == alert_id("leak", "s:1", "d1")
    assert alert_id("leak", "s:1", "d1") != alert_id("leak", "s:1", "d2")
    assert alert_id("leak", "s:1", "d1") != alert_id("pii_exposure", "s:1", "d1")


def test_unknown_field_is_rejected():
    with pytest.raises(ValueError, match="unknown field"):
        from_dict(Media, {"url": "x", "colour": "red"})


def test_closed_alerts_can_only_be_reopened():
    assert TRANSITIONS["confirmed"] == ("open",)
    assert "dismissed" in TRANSITIONS["open"]


def test_every_alert_type_is_named_in_both_languages_in_one_table():
    from canhbao.console.i18n import TEXT
    from canhbao.core.records import ALERT_TYPE_LABELS, ALERT_TYPES
    from canhbao.evidence.labels import LABELS

    assert set(ALERT_TYPE_LABELS) == set(ALERT_TYPES)
    for t, label in ALERT_TYPE_LABELS.items():
        assert label.short.keys() >= {"vi", "en"} and label.record.keys() >= {"vi", "en"}
        assert LABELS["vi"][f"type_{t}"] == label.record["vi"] and TEXT[t] == (label.short["vi"], label.short["en"])
