"""The pure layer under every store: index documents, merge on re-upsert, lifecycle, shared mappings."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from _index_helpers import make_alert

from canhbao.core import records
from canhbao.core.errors import CanhbaoError
from canhbao.core.records import AlertEvent, Post
from canhbao.index import documents


@pytest.mark.parametrize("kind", records.ALERT_TYPES)
def test_alert_document_round_trips_and_fits_the_mapping(kind):
    alert = make_alert(3, kind)
    doc = documents.alert_doc(alert)
    assert documents.alert_from_doc(json.loads(json.dumps(doc))) == alert
    props = documents.resource("alerts.json")["template"]["mappings"]["properties"]
    assert set(doc) <= set(props), set(doc) - set(props)  # dynamic: strict would refuse anything else
    assert doc["captured_at"] == "2026-11-01T08:00:00.000000Z"
    assert "UNMASKED" not in json.dumps(doc, ensure_ascii=False)


def test_document_fields_for_filters_and_kibana():
    doc = documents.alert_doc(make_alert(1, "leak", number="5/CV-UBND"))
    assert doc["document_number"] == ["5/CV-UBND"] and doc["document_id"] == "doc1"
    assert doc["closed"] is False and doc["status"] == "open"
    assert doc["media_sha256"] == [f"{1:064x}"]
    pii = documents.alert_doc(make_alert(2, "pii_exposure"))
    assert pii["pii_types"] == ["CCCD", "HEALTH"] and pii["document_number"] == []
    fake = documents.alert_doc(make_alert(2, "fake_news"))
    assert fake["claim_ids"] == ["claim7"]


def test_mapping_types_text_fields_have_a_folded_subfield():
    tpl = documents.resource("alerts.json")["template"]
    props = tpl["mappings"]["properties"]
    for name in ("masked_text", "summary", "document_subject"):
        assert props[name]["fields"]["folded"]["analyzer"] == "vi_folded"
    assert "asciifolding" in tpl["settings"]["analysis"]["analyzer"]["vi_folded"]["filter"]
    for name in ("type", "status", "platform", "source", "post_url", "document_number", "assignee", "media_sha256"):
        assert props[name]["type"] == "keyword"
    assert props["score"]["type"] == "float" and props["captured_at"]["type"] == "date"
    assert tpl["mappings"]["dynamic"] == "strict" and props["finding"]["enabled"] is False
    posts = documents.resource("posts.json")["template"]["mappings"]["properties"]
    assert "text" not in posts and posts["masked_text"]["fields"]["folded"]


def test_post_document_never_carries_the_unmasked_text():
    alert = make_alert(1)
    post = Post(
        source="s",
        platform="facebook",
        post_id="9",
        url="https://f/9",
        captured_at=alert.captured_at,
        text="Nguyễn Văn An 012345678901",
        engagement={"likes": 3},
    )
    doc = documents.post_doc(post, "[HỌ TÊN] [CCCD]")
    assert "012345678901" not in json.dumps(doc, ensure_ascii=False)
    assert doc["masked_text"] == "[HỌ TÊN] [CCCD]"
    props = documents.resource("posts.json")["template"]["mappings"]["properties"]
    assert set(doc) <= set(props)


def test_merge_keeps_analyst_state_and_notes_a_changed_detection():
    old = documents.transition(make_alert(1, score=0.7), "acknowledged", actor="an", note="xem")
    old = documents.assign(old, "binh", actor="an")
    rerun = make_alert(1, score=0.7)
    same = documents.merge(rerun, old)
    assert (same.status, same.assignee, same.notes) == (old.status, "binh", ("xem",))
    assert same.history == old.history
    changed = documents.merge(make_alert(1, score=0.95), old)
    assert changed.score == 0.95 and changed.status == "acknowledged"
    assert changed.history[:-1] == old.history and changed.history[-1].action == "updated"
    assert documents.merge(rerun, None) == rerun


def test_transitions_follow_records_transitions():
    a = make_alert(1)
    acked = documents.transition(a, "acknowledged", actor="an", note="đang xem")
    assert acked.history[-1] == replace(
        acked.history[-1],
        action="acknowledged",
        from_status="open",
        to_status="acknowledged",
        actor="an",
        note="đang xem",
    )
    assert acked.notes == ("đang xem",)
    done = documents.transition(acked, "confirmed", actor="an")
    assert done.status == "confirmed" and documents.alert_doc(done)["closed"] is True
    with pytest.raises(CanhbaoError, match="cannot go from confirmed to dismissed"):
        documents.transition(done, "dismissed", actor="an")
    with pytest.raises(CanhbaoError, match="cannot go from acknowledged to acknowledged"):
        documents.transition(acked, "acknowledged", actor="an")
    with pytest.raises(CanhbaoError, match="to bogus"):
        documents.transition(a, "bogus", actor="an")
    assert documents.transition(done, "open", actor="an").history[-1].action == "reopened"


def test_record_and_check():
    a = make_alert(1)
    noted = documents.record(a, AlertEvent(at=a.created_at, actor="an", action="note", note="gọi lại"))
    assert noted.notes == ("gọi lại",) and len(noted.history) == 2
    exported = documents.record(a, AlertEvent(at=a.created_at, actor="an", action="exported", note="x.zip"))
    assert exported.notes == ()
    with pytest.raises(CanhbaoError, match="unknown type"):
        documents.check_alert(replace(a, type="spam"))
    with pytest.raises(CanhbaoError, match="outside 0..1"):
        documents.check_alert(replace(a, score=3.0))


def test_evidence_link_only_after_an_export():
    a = make_alert(1)
    tpl = "https://evidence.local/alerts/{id}"
    assert "evidence_url" not in documents.alert_doc(a, tpl)
    exported = documents.record(a, AlertEvent(at=a.created_at, actor="an", action="exported", note="x.zip"))
    assert documents.alert_doc(exported, tpl)["evidence_url"] == f"https://evidence.local/alerts/{a.id}"
    assert "evidence_url" not in documents.alert_doc(exported)
