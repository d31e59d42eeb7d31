from datetime import datetime, timezone

from canhbao.core.alerts import alert_from_finding
from canhbao.core.records import Finding, Media, MediaText, Post
from canhbao.pipeline.ledger import Ledger, content_hash


def _post(pid, text="t", shas=()):
    return Post(
        source="s",
        platform="telegram",
        post_id=pid,
        url=f"https://t.me/s/x/{pid}",
        captured_at=datetime(2021, 8, 30, tzinfo=timezone.utc),
        text=text,
        media=tuple(Media(url=f"u{s}", sha256=s) for s in shas),
    )


def _alert(post, target="d"):
    return alert_from_finding(post, Finding(type="leak", detector="leak", score=0.9, target=target), "masked")


def test_batch_commit_is_idempotent(tmp_path, state):
    ledger = Ledger(tmp_path / "l.sqlite", state=state)
    posts = [_post("1"), _post("2")]
    alerts = [_alert(posts[0])]
    assert ledger.commit_batch(posts, alerts) == 1
    assert list(ledger.unanalysed(posts)) == []
    assert ledger.commit_batch(posts, alerts) == 0  # a re-run duplicates nothing
    assert ledger.counts()["alerts"] == 1 and [a.id for a in ledger.pending()] == [alerts[0].id]


def test_changed_post_is_analysed_again(tmp_path, state):
    ledger = Ledger(tmp_path / "l.sqlite", state=state)
    ledger.commit_batch([_post("1", "old")], [])
    edited = _post("1", "new text")
    assert content_hash(edited) != content_hash(_post("1", "old"))
    assert [p.post_id for p in ledger.unanalysed([edited])] == ["1"]
    # engagement or capture time changes do not trigger re-analysis
    assert list(ledger.unanalysed([_post("1", "old")])) == []


def test_outbox_marks_indexed_and_rescan_requeues(tmp_path, state):
    ledger = Ledger(tmp_path / "l.sqlite", state=state)
    post = _post("1")
    a = _alert(post)
    ledger.commit_batch([post], [a])
    ledger.mark_indexed([a.id])
    assert ledger.pending() == []
    assert ledger.upsert_alerts([a, _alert(post, "other")]) == 1
    assert {x.id for x in ledger.pending()} == {a.id, _alert(post, "other").id}


def test_media_text_cached_by_sha(tmp_path, state):
    ledger = Ledger(tmp_path / "l.sqlite", state=state)
    ledger.put_media([MediaText(sha256="a" * 64, kind="document", text="Số: 1/UBND")])
    got = ledger.media_texts(["a" * 64, "b" * 64])
    assert list(got) == ["a" * 64] and got["a" * 64].text == "Số: 1/UBND"
