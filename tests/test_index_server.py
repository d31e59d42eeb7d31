"""Server-only behaviour on the real OpenSearch test node: layout, rollover, concurrency and faults."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from _index_helpers import make_alert

from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError
from canhbao.index import AlertQuery, open_store
from canhbao.index.settings import IndexSettings


@pytest.fixture
def os_store(server_store_factory, tmp_path):
    store = server_store_factory("opensearch", AuditLog(tmp_path / "audit.jsonl"))
    store.setup()
    return store


def test_setup_installs_templates_alias_and_reports_lifecycle(os_store):
    c = os_store.client
    for kind in ("alerts", "posts"):
        tpl = c.indices.get_index_template(name=f"{os_store.prefix}-{kind}")["index_templates"][0]
        assert tpl["index_template"]["index_patterns"] == [f"{os_store.prefix}-{kind}-*"]
        aliases = c.indices.get_alias(index=f"{os_store.prefix}-{kind}")
        assert aliases == {
            f"{os_store.prefix}-{kind}-000001": {"aliases": {f"{os_store.prefix}-{kind}": {"is_write_index": True}}}
        }
    mapping = c.indices.get_mapping(index=f"{os_store.prefix}-alerts-000001")
    props = mapping[f"{os_store.prefix}-alerts-000001"]["mappings"]["properties"]
    assert props["masked_text"]["fields"]["folded"]["analyzer"] == "vi_folded"
    analyzed = c.indices.analyze(
        index=f"{os_store.prefix}-alerts-000001", body={"analyzer": "vi_folded", "text": "Đề nghị Bộ Y tế"}
    )
    assert [t["token"] for t in analyzed["tokens"]] == ["de", "nghi", "bo", "y", "te"]
    # the bare test node has no ISM plugin: setup says so instead of pretending
    assert any("ISM plugin not installed" in line for line in os_store.setup_report)
    os_store.setup()  # idempotent


def test_rollover_keeps_one_copy_per_alert(os_store):
    first = [make_alert(i) for i in range(3)]
    os_store.upsert(first)
    new_index = os_store.rollover()
    assert new_index == f"{os_store.prefix}-alerts-000002"
    result = os_store.upsert([replace(a, score=0.42) for a in first] + [make_alert(i) for i in (7, 8)])
    assert result.indexed == 5 and result.failed == ()
    assert len(os_store.search(AlertQuery())) == 5
    ids = [a.id for a in first] + [make_alert(7).id]
    where = {aid: d["_index"] for aid, d in os_store._find(ids).items()}
    assert {where[a.id] for a in first} == {f"{os_store.prefix}-alerts-000001"}
    assert where[make_alert(7).id] == new_index
    assert {os_store.get(a.id).score for a in first} == {0.42}


def test_partial_bulk_failure_is_reported_item_by_item(os_store):
    old = [make_alert(i) for i in range(3)]
    os_store.upsert(old)
    os_store.rollover()
    first = f"{os_store.prefix}-alerts-000001"
    os_store.client.indices.put_settings(index=first, body={"index.blocks.write": True})  # e.g. read-only
    new = [make_alert(i) for i in (5, 6)]
    result = os_store.upsert([replace(a, score=0.1) for a in old] + new)
    assert result.indexed == 2  # the new ones, in the write index
    assert sorted(f.split(": ", 1)[0] for f in result.failed) == sorted(a.id for a in old)
    assert all("cluster_block_exception" in f for f in result.failed)
    assert {os_store.get(a.id).score for a in old} == {0.9}  # untouched, and said so
    os_store.client.indices.put_settings(index=first, body={"index.blocks.write": False})
    again = os_store.upsert([replace(a, score=0.1) for a in old])
    assert (again.indexed, again.failed) == (3, ()) and {os_store.get(a.id).score for a in old} == {0.1}


def test_concurrent_analyst_change_is_not_overwritten(os_store, server_store_factory):
    a = make_alert(1)
    os_store.upsert([a])
    analyst = type(os_store)(os_store.settings, audit=os_store.audit)  # another process on the same index
    real_find = os_store._find
    fired = []

    def find_then_analyst_acts(ids, indices=None):
        found = real_find(ids, indices)
        if not fired:  # between the scan's read and its write, an analyst acknowledges the alert
            fired.append(analyst.transition(a.id, "acknowledged", actor="analyst.an", note="xem ngay"))
        return found

    os_store._find = find_then_analyst_acts
    result = os_store.upsert([replace(a, score=0.97)])
    assert result.indexed == 1 and result.failed == ()
    final = os_store.get(a.id)
    assert final.score == 0.97 and final.status == "acknowledged" and final.notes == ("xem ngay",)
    assert [e.action for e in final.history] == ["created", "acknowledged", "updated"]


def test_mapping_conflict_is_a_clear_error(server_store_factory):
    store = server_store_factory("opensearch")
    store.client.indices.create(
        index=f"{store.prefix}-alerts-000001",
        body={
            "mappings": {"properties": {"score": {"type": "keyword"}}},
            "aliases": {f"{store.prefix}-alerts": {"is_write_index": True}},
        },
    )
    with pytest.raises(CanhbaoError) as err:
        store.setup()
    msg = str(err.value)
    assert "\n" not in msg and f"{store.prefix}-alerts-000001" in msg and "'score'" in msg
    assert "keyword" in msg and "float" in msg and "mapping conflict" in msg
    other = server_store_factory("opensearch")
    other.client.indices.create(index=f"{other.prefix}-alerts", body={})
    with pytest.raises(CanhbaoError, match="is a concrete index"):
        other.setup()


def test_unreachable_server_at_start(home, config_dir, monkeypatch):
    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "opensearch")
    monkeypatch.setenv("CANHBAO_INDEX__URL", "http://127.0.0.1:9")
    with pytest.raises(CanhbaoError) as err:
        open_store(home)
    assert "\n" not in str(err.value)
    assert str(err.value).startswith("opensearch at http://127.0.0.1:9 is unreachable")
    with pytest.raises(CanhbaoError, match="elasticsearch at http://127.0.0.1:9 is unreachable"):
        open_store(home, IndexSettings(engine="elasticsearch", url="http://127.0.0.1:9"))


def test_open_store_on_opensearch(home, config_dir, monkeypatch, opensearch_node):
    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "opensearch")
    monkeypatch.setenv("CANHBAO_INDEX__URL", opensearch_node.url)
    monkeypatch.setenv("CANHBAO_INDEX__PREFIX", "openstoretest")
    with open_store(home) as store:
        store.setup()
        assert store.upsert([make_alert(1)]).failed == ()
        store.transition(make_alert(1).id, "dismissed", actor="analyst.an")
        assert store.count_by("status") == {"dismissed": 1}
        store.delete_all()
    assert [e.action for e in AuditLog(home.audit_log).entries()] == ["alert.dismissed"]


def test_cli_on_opensearch(home, config_dir, monkeypatch, opensearch_node, capsys):
    from canhbao.cli import main

    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "opensearch")
    monkeypatch.setenv("CANHBAO_INDEX__URL", opensearch_node.url)
    monkeypatch.setenv("CANHBAO_INDEX__PREFIX", "clitest")
    monkeypatch.setenv("CANHBAO_ACTOR", "analyst.an")
    assert main(["index", "setup"]) == 0
    out = capsys.readouterr().out
    assert "template clitest-alerts for clitest-alerts-*" in out and "index ready: opensearch" in out
    with open_store(home) as store:
        store.upsert([make_alert(1, "pii_exposure"), make_alert(2, "leak")])
    assert main(["alerts", "list", "--query", "benh vien", "--json"]) == 0
    (row,) = capsys.readouterr().out.splitlines()
    alert_id = __import__("json").loads(row)["id"]
    assert main(["alerts", "confirm", alert_id, "--note", "lộ dữ liệu"]) == 0
    assert main(["alerts", "list", "--status", "confirmed"]) == 0
    assert capsys.readouterr().out.count("\n") == 2  # the confirm line and the one listed alert
    with open_store(home) as store:
        assert store.get(alert_id).history[-1].actor == "analyst.an"
        store.delete_all()


def test_server_gone_mid_run_reports_every_item(os_store):
    from opensearchpy import OpenSearch

    os_store.upsert([make_alert(0)])
    os_store.client = OpenSearch(hosts=["http://127.0.0.1:9"], max_retries=0)  # the server went away
    alerts = [make_alert(i) for i in range(1, 6)]
    result = os_store.upsert(alerts)
    assert result.indexed == 0 and len(result.failed) == 5
    assert {f.split(": ", 1)[0] for f in result.failed} == {a.id for a in alerts}
    assert all("unavailable" in f for f in result.failed)


@pytest.mark.slow
def test_node_dying_mid_bulk_is_retried_and_nothing_lost(opensearch_node, server_store_factory):
    if not hasattr(opensearch_node, "kill"):
        pytest.skip("external node: cannot kill it")
    # Chunks of 500 one after another, so the kill falls between two chunks as the comments below say; the
    # retries wait up to 8.5 minutes in all, room for the node's restart on a loaded machine.
    store = server_store_factory("opensearch", retries=10, retry_backoff_s=1.0, bulk_chunk=500, bulk_threads=1)
    store.setup()
    kinds = ("leak", "pii_exposure", "fake_news")
    alerts = [make_alert(i, kinds[i % 3]) for i in range(1200)]
    store.upsert(alerts[:100])  # already there before: re-sent below, must not be duplicated
    restarter: list[threading.Thread] = []

    def kill_after_first_chunk(attempt):
        if not restarter:  # the node dies right after the first 500 were acknowledged, then comes back
            opensearch_node.kill()
            restarter.append(threading.Thread(target=opensearch_node.start))
            restarter[0].start()

    store.on_chunk = kill_after_first_chunk
    result = store.upsert(alerts)
    restarter[0].join()
    store.on_chunk = None
    assert result.failed == () and result.indexed == 1200
    assert result.retried >= 500  # the second chunk needed more than one attempt
    counts = store.count_by("type")
    assert counts == {"fake_news": 400, "leak": 400, "pii_exposure": 400}  # all there, none twice
    assert store.get(alerts[-1].id) == alerts[-1]


def test_elasticsearch_client_refuses_opensearch_with_a_clear_error(opensearch_node):
    from canhbao.index.elasticsearch_store import ElasticsearchStore

    with pytest.raises(CanhbaoError) as err:
        ElasticsearchStore(IndexSettings(engine="elasticsearch", url=opensearch_node.url))
    msg = str(err.value)
    assert "\n" not in msg and "not Elasticsearch" in msg and "engine: opensearch" in msg


def test_elasticsearch_templates_carry_the_ilm_policy():
    from canhbao.index.elasticsearch_store import ElasticsearchStore

    store = object.__new__(ElasticsearchStore)  # no server needed to build the template body
    store.settings = IndexSettings(engine="elasticsearch", prefix="police", replicas=1)
    store.prefix = "police"
    body = store.template_body("alerts")
    assert body["index_patterns"] == ["police-alerts-*"]
    index = body["template"]["settings"]["index"]
    assert index["lifecycle"] == {"name": "police-alerts-policy", "rollover_alias": "police-alerts"}
    assert index["number_of_replicas"] == 1
    assert body["template"]["mappings"]["properties"]["masked_text"]["fields"]["folded"]
