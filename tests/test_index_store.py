"""One behaviour suite for every store: SQLite always, OpenSearch on the real test node, Elasticsearch
when CANHBAO_ES_URL points at one. The `any_store` fixture (conftest) yields a fresh, set-up store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from _index_helpers import T0, make_alert

from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.records import AlertEvent, Post
from canhbao.index import AlertQuery


def corpus():
    return (
        [make_alert(i, "leak", score=0.5 + i / 20, hours=i) for i in range(6)]
        + [make_alert(10 + i, "pii_exposure", score=0.8, platform="zalo", source="zalo-grp", hours=i) for i in range(3)]
        + [
            make_alert(20 + i, "fake_news", score=0.6 + i / 10, platform="news", source="news-x", hours=30 + i)
            for i in range(4)
        ]
    )


def test_upsert_get_search_and_count(any_store):
    alerts = corpus()
    result = any_store.upsert(alerts)
    assert (result.indexed, result.failed) == (13, ())
    assert any_store.get(alerts[2].id) == alerts[2]
    assert len(any_store.search(AlertQuery(limit=100))) == 13
    assert any_store.count_by("type") == {"leak": 6, "fake_news": 4, "pii_exposure": 3}
    by_platform = any_store.count_by("platform", AlertQuery(type=("leak", "pii_exposure")))
    assert by_platform == {"facebook": 6, "zalo": 3}
    assert any_store.count_by("document_number") == {"1234/BYT-KCB": 6}
    assert any_store.count_by("status") == {"open": 13}
    newest = any_store.search(AlertQuery(limit=2))
    assert [a.id for a in newest] == [alerts[-1].id, alerts[-2].id]  # newest captured first
    by_score = any_store.search(AlertQuery(type=("fake_news",), sort="-score"))
    assert [a.score for a in by_score] == sorted((a.score for a in by_score), reverse=True)
    page = any_store.search(AlertQuery(type=("leak",), sort="captured_at", limit=2, offset=2))
    assert [a.id for a in page] == [alerts[2].id, alerts[3].id]
    with pytest.raises(NotFound):
        any_store.get("nope")


def test_filters(any_store):
    alerts = corpus()
    any_store.upsert(alerts)
    assert {a.id for a in any_store.search(AlertQuery(since=T0 + timedelta(hours=30)))} == {
        a.id for a in alerts if a.type == "fake_news"
    }
    assert len(any_store.search(AlertQuery(until=T0 + timedelta(hours=1)))) == 2  # hour 0 of leak and pii
    assert len(any_store.search(AlertQuery(min_score=0.75, type=("leak",)))) == 1
    assert len(any_store.search(AlertQuery(source=("zalo-grp",)))) == 3
    assert len(any_store.search(AlertQuery(platform=("news",), status=("open",)))) == 4
    assert len(any_store.search(AlertQuery(document_number="1234/BYT-KCB"))) == 6
    assert any_store.search(AlertQuery(document_number="99/XX")) == []


@pytest.mark.parametrize(
    "words, expected",
    [
        ("Bộ Y tế", "leak"),
        ("bo y te", "leak"),
        ("BO Y TE", "leak"),
        ("nuoc chanh", "fake_news"),
        ("nước chanh ung thư", "fake_news"),
        ("benh vien bach mai", "pii_exposure"),
        ("Đang lan truyền", "fake_news"),
    ],
)
def test_full_text_with_and_without_diacritics(any_store, words, expected):
    any_store.upsert(corpus())
    found = any_store.search(AlertQuery(text=words))
    assert found and {a.type for a in found} == {expected}


def test_full_text_does_not_see_the_unmasked_post_text(any_store):
    any_store.upsert(corpus())
    assert any_store.search(AlertQuery(text="UNMASKED")) == []
    assert any_store.search(AlertQuery(text="012345678901")) == []


def test_reupsert_updates_never_duplicates_and_keeps_analyst_state(any_store):
    alerts = corpus()
    any_store.upsert(alerts)
    target = alerts[0]
    any_store.transition(target.id, "acknowledged", actor="analyst.an", note="đang kiểm tra")
    any_store.assign(target.id, "analyst.binh", actor="analyst.an")
    rerun = corpus()
    # re-crawled later: another captured_at, a higher score
    rerun[0] = replace(make_alert(0, "leak", score=0.99), captured_at=T0 + timedelta(days=40))
    result = any_store.upsert(rerun)
    assert result.indexed == 13 and result.failed == ()
    assert len(any_store.search(AlertQuery(limit=100))) == 13
    again = any_store.get(target.id)
    assert again.score == 0.99 and again.status == "acknowledged" and again.assignee == "analyst.binh"
    assert again.notes == ("đang kiểm tra",)
    assert [e.action for e in again.history] == ["created", "acknowledged", "assigned", "updated"]
    assert any_store.count_by("status") == {"open": 12, "acknowledged": 1}


def test_bad_items_are_reported_and_the_rest_stored(any_store):
    alerts = corpus()[:4]
    bad = replace(alerts[1], type="spam")
    result = any_store.upsert([alerts[0], bad, alerts[2], alerts[3]])
    assert result.indexed == 3
    assert len(result.failed) == 1
    assert result.failed[0].startswith(f"{bad.id}: ") and "spam" in result.failed[0]


def test_lifecycle_history_and_audit(any_store):
    alerts = corpus()
    any_store.upsert(alerts)
    a = alerts[5]
    any_store.transition(a.id, "acknowledged", actor="analyst.an")
    done = any_store.transition(a.id, "confirmed", actor="analyst.an", note="vi phạm rõ ràng")
    assert done.status == "confirmed" and done.notes == ("vi phạm rõ ràng",)
    assert any_store.get(a.id) == done
    with pytest.raises(CanhbaoError, match="cannot go from confirmed to dismissed"):
        any_store.transition(a.id, "dismissed", actor="analyst.an")
    assert any_store.get(a.id).status == "confirmed"  # refused move changed nothing
    any_store.record(a.id, AlertEvent(at=T0, actor="inspector", action="exported", note="evidence.zip"))
    any_store.record(a.id, AlertEvent(at=T0, actor="analyst.an", action="note", note="đã gửi thanh tra"))
    final = any_store.get(a.id)
    assert [e.action for e in final.history] == ["created", "acknowledged", "confirmed", "exported", "note"]
    assert final.notes == ("vi phạm rõ ràng", "đã gửi thanh tra")
    audit = AuditLog(any_store.audit.path)
    entries = [(e.action, e.actor) for e in audit.entries(a.id)]
    assert entries == [
        ("alert.acknowledged", "analyst.an"),
        ("alert.confirmed", "analyst.an"),
        ("alert.note", "analyst.an"),
    ]
    assert audit.verify() == []
    with pytest.raises(NotFound):
        any_store.transition("missing", "acknowledged", actor="x")
    assert any_store.count_by("status", AlertQuery(type=("leak",))) == {"open": 5, "confirmed": 1}


def test_setup_is_idempotent_and_posts_are_stored_masked(any_store):
    any_store.setup()
    any_store.upsert(corpus()[:2])
    any_store.setup()
    assert len(any_store.search(AlertQuery())) == 2
    post = Post(
        source="s",
        platform="facebook",
        post_id="9",
        url="https://f/9",
        captured_at=T0,
        text="Nguyễn Văn An 012345678901",
    )
    assert any_store.upsert_posts([(post, "[HỌ TÊN] [CCCD]"), (post, "[HỌ TÊN] [CCCD]")]).indexed == 2


def test_claim_and_id_prefix_filters(any_store):
    alerts = corpus()
    any_store.upsert(alerts)
    fake = [a.id for a in alerts if a.type == "fake_news"]
    assert {a.id for a in any_store.search(AlertQuery(claim_id="claim7"))} == set(fake)
    assert any_store.search(AlertQuery(claim_id="claim-none")) == []
    target = alerts[4].id
    found = any_store.search(AlertQuery(id_prefix=target[:6]))
    assert target in [a.id for a in found] and all(a.id.startswith(target[:6]) for a in found)
    assert [a.id for a in any_store.search(AlertQuery(id_prefix=target))] == [target]


def test_retention_forgets_the_poster_on_alerts_and_posts_but_keeps_analyst_state(any_store):
    alerts = corpus()
    any_store.upsert(alerts)
    gone, kept = alerts[0], alerts[1]
    any_store.transition(gone.id, "acknowledged", actor="lan", note="xem sau")
    post = Post(source=gone.source, platform=gone.platform, post_id=gone.post_id, url=gone.post_url, captured_at=T0)
    any_store.upsert_posts([(replace(post, author="Trang tin A"), "[HỌ TÊN]")])

    def label(name):
        return "[AUTHOR·abc123]"

    assert any_store.forget_authors({gone.post_key}, label) == 1
    got = any_store.get(gone.id)
    assert got.author == "[AUTHOR·abc123]" and got.status == "acknowledged" and got.notes == ("xem sau",)
    assert any_store.get(kept.id).author == "Trang tin A"  # a post inside the window keeps its poster
    assert any_store.forget_authors({gone.post_key}, label) == 0  # nothing left to forget
    if hasattr(any_store, "db"):  # SQLite: the posts index row
        (doc,) = any_store.db.execute("SELECT doc FROM posts WHERE key=?", (post.key,)).fetchone()
    else:  # a search server: the posts document
        hits = any_store._search(any_store.alias("posts"), {"query": {"ids": {"values": [post.key]}}})["hits"]["hits"]
        doc = str(hits[0]["_source"])
    assert "Trang tin A" not in doc
