"""Takedown tracking against the site on 127.0.0.1: up, changed, removed (404/410/"content isn't
available"), unreachable; captures of each state; time from confirmation to removal on the alert."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
import zipfile

import pytest

from canhbao.core.audit import AuditLog
from canhbao.core.posts import PostStore
from canhbao.evidence import export, takedown
from canhbao.evidence.fetch import Fetched
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings(screenshot_live=False, fetch_timeout_s=5, roles={"chief.minh": ("inspector_lead",)})


def _without_diacritics(text: str) -> str:
    """The post as a page that lost its diacritics: written here, independently of canhbao's own folding."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# (HTTP status, page body, expected state). "{crawled}" is the page exactly as the crawler stored it,
# "{text}" the stored post's text, "{plain}" that text without diacritics; status 0 = no answer.
PAGES = [
    (200, "{crawled}", "up"),
    (200, "<div>Sức Khỏe Mỗi Ngày · 2 giờ</div><div>{text}</div><footer>Thích · Bình luận</footer>", "up"),
    (200, "<div>{plain}</div>", "up"),  # diacritics dropped
    (200, "<div>Bài viết đã được chỉnh sửa: xin lỗi mọi người</div>", "changed"),
    (404, "Not found", "removed"),
    (410, "", "removed"),
    (200, "<h2>This content isn't available right now</h2>", "removed"),
    (200, "<p>Nội dung này hiện không khả dụng</p>", "removed"),
    (503, "busy", "unreachable"),
    (429, "slow down", "unreachable"),
    (0, "", "unreachable"),
    (200, "<script>var t='{text}'</script><p>other</p>", "changed"),  # scripts are not text
]


@pytest.mark.parametrize("status, body, state", PAGES)
def test_classify_against_the_stored_post(evidence_world, status, body, state):
    home, _site, _store, cases = evidence_world
    post = PostStore(home.posts_db).get(cases["fake"].alert.post_key)  # the record the capture stored
    assert post.text.strip() and post.raw_html
    crawled = (home.root / post.raw_html).read_text(encoding="utf-8")
    page = body.format(crawled=crawled, text=post.text, plain=_without_diacritics(post.text))
    got = (
        Fetched(post.url, status, "text/html", page.encode())
        if status
        else Fetched(post.url, 0, error="connection refused")
    )
    assert takedown.classify(got, post, SETTINGS.removed_markers)[0] == state


def test_up_then_removed_with_time_since_confirmation(evidence_world, renderer, tmp_path):
    home, site, store, cases = evidence_world
    case = cases["leak"]
    post = PostStore(home.posts_db).get(case.alert.post_key)
    first = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot", renderer=renderer)
    assert first.state == "up" and first.http_status == 200
    assert {c.rsplit("-", 1)[-1] for c in first.captures} == {"up.warc.gz", "up.png"}
    again = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot")
    assert again.state == "up" and again.captures == ()  # no change, no new capture or event
    site.take_down(case.path, status=404)
    gone = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot", renderer=renderer)
    assert gone.state == "removed" and gone.http_status == 404 and gone.since_confirmed_s >= 0
    assert "after confirmation" in gone.note and any(c.endswith("removed.warc.gz") for c in gone.captures)
    for name in gone.captures:
        assert (takedown.folder(home, case.alert.id) / name).stat().st_size > 0
    events = [ev for ev in store.get(case.alert.id).history if ev.action.startswith("takedown_")]
    assert [ev.action for ev in events] == ["takedown_up", "takedown_removed"]
    assert "up -> removed" in events[-1].note and "after confirmation" in events[-1].note
    audit = [e for e in AuditLog(home.audit_log).entries(case.alert.id) if e.action == "takedown.check"]
    assert [e.details["state"] for e in audit] == ["up", "removed"]
    assert [c["state"] for c in takedown.checks(home, case.alert.id)] == ["up", "up", "removed"]

    # The evidence bundle exported afterwards carries the checks, their captures and the removal time.
    # unmasked by an allowed role: the takedown captures are whole pages (a masked export keeps checks.jsonl)
    done = export.export(
        home, store, case.alert.id, SETTINGS, out_dir=tmp_path, renderer=renderer, unmasked=True, actor="chief.minh"
    )
    with zipfile.ZipFile(done.zip_path) as zf:
        meta = json.loads(zf.read("metadata.json"))
        custody = [json.loads(x) for x in zf.read("custody.jsonl").splitlines()]
        names = zf.namelist()
    assert meta["takedown"][-1]["state"] == "removed" and "takedown/checks.jsonl" in names
    assert any(n.startswith("takedown/") and n.endswith("-removed.warc.gz") for n in names)
    # one custody row per act: the alert-history event rides inside the audit entry that hashes it
    assert any(
        c["action"] == "takedown.check"
        and c["alert_history"]["action"] == "takedown_removed"
        and "after confirmation" in c["alert_history"]["note"]
        for c in custody
    )


def test_changed_and_gone_410_and_unreachable(evidence_world):
    home, site, store, cases = evidence_world
    case = cases["fake"]
    post = PostStore(home.posts_db).get(case.alert.post_key)
    site.serve_post(
        case.path,
        post_id=post.post_id,
        author=post.author,
        text="Xin lỗi, tin này không đúng.",
        published=post.published_at,
        images={},
    )
    check = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot")
    assert check.state == "changed" and check.text_sha256
    site.take_down(case.path, status=410)
    check = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot")
    assert check.state == "removed" and check.http_status == 410
    moved = dataclasses.replace(store.get(case.alert.id), post_url="http://127.0.0.1:9/gone")
    check = takedown.check_alert(home, store, moved, post, SETTINGS, actor="bot")
    assert check.state == "unreachable" and "no answer" in check.note
