"""Takedown tracking against the site on 127.0.0.1: up, changed, removed (404/410/"content isn't
available"), unreachable; captures of each state; time from confirmation to removal on the alert."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import pytest

from canhbao.core.audit import AuditLog
from canhbao.core.posts import PostStore
from canhbao.evidence import export, takedown
from canhbao.evidence.fetch import Fetched
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings(screenshot_live=False, fetch_timeout_s=5, roles={"chief.minh": ("inspector_lead",)})
POST_TEXT = "Bộ Y tế yêu cầu uống nước chanh nóng"


def page(status: int, body: str) -> Fetched:
    return Fetched("http://x/p", status, "text/html", body.encode())


class _Post:
    text = POST_TEXT


@pytest.mark.parametrize("got, state", [
    (page(200, f"<div>KHẨN: {POST_TEXT}!</div>"), "up"),
    (page(200, "<div>KHAN: bo y te yeu cau uong nuoc chanh nong</div>"), "up"),  # diacritics dropped
    (page(200, "<div>Bài viết đã được chỉnh sửa: xin lỗi mọi người</div>"), "changed"),
    (page(404, "Not found"), "removed"),
    (page(410, ""), "removed"),
    (page(200, "<h2>This content isn't available right now</h2>"), "removed"),
    (page(200, "<p>Nội dung này hiện không khả dụng</p>"), "removed"),
    (page(503, "busy"), "unreachable"),
    (page(429, "slow down"), "unreachable"),
    (Fetched("http://x/p", 0, error="connection refused"), "unreachable"),
    (page(200, f"<script>var t='{POST_TEXT}'</script><p>other</p>"), "changed"),  # scripts are not text
])
def test_classify(got, state):
    assert takedown.classify(got, _Post(), SETTINGS.removed_markers)[0] == state


def test_up_then_removed_with_time_since_confirmation(evidence_world, renderer, tmp_path):
    home, site, store, cases = evidence_world
    case = cases["leak"]
    post = PostStore(home.posts_db).get(case.alert.post_key)
    first = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot",
                                 renderer=renderer)
    assert first.state == "up" and first.http_status == 200
    assert {c.rsplit("-", 1)[-1] for c in first.captures} == {"up.warc.gz", "up.png"}
    again = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot")
    assert again.state == "up" and again.captures == ()  # no change, no new capture or event
    site.take_down(case.path, status=404)
    gone = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot",
                                renderer=renderer)
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
    done = export.export(home, store, case.alert.id, SETTINGS, out_dir=tmp_path, renderer=renderer,
                         unmasked=True, actor="chief.minh")
    with zipfile.ZipFile(done.zip_path) as zf:
        meta = json.loads(zf.read("metadata.json"))
        custody = [json.loads(x) for x in zf.read("custody.jsonl").splitlines()]
        names = zf.namelist()
    assert meta["takedown"][-1]["state"] == "removed" and "takedown/checks.jsonl" in names
    assert any(n.startswith("takedown/") and n.endswith("-removed.warc.gz") for n in names)
    # one custody row per act: the alert-history event rides inside the audit entry that hashes it
    assert any(c["action"] == "takedown.check" and c["alert_history"]["action"] == "takedown_removed"
               and "after confirmation" in c["alert_history"]["note"] for c in custody)


def test_changed_and_gone_410_and_unreachable(evidence_world):
    home, site, store, cases = evidence_world
    case = cases["fake"]
    post = PostStore(home.posts_db).get(case.alert.post_key)
    site.serve_post(case.path, post_id=post.post_id, author=post.author, text="Xin lỗi, tin này không đúng.",
                    published=post.published_at, images={})
    check = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot")
    assert check.state == "changed" and check.text_sha256
    site.take_down(case.path, status=410)
    check = takedown.check_alert(home, store, store.get(case.alert.id), post, SETTINGS, actor="bot")
    assert check.state == "removed" and check.http_status == 410
    moved = dataclasses.replace(store.get(case.alert.id), post_url="http://127.0.0.1:9/gone")
    check = takedown.check_alert(home, store, moved, post, SETTINGS, actor="bot")
    assert check.state == "unreachable" and "no answer" in check.note
