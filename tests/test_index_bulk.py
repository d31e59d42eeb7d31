"""Parallel bulk indexing on the real OpenSearch test node: chunks in flight at once, refresh switched off
during a large upsert and restored after, every alert stored once (analyst state kept)."""

from __future__ import annotations

from dataclasses import replace

from _index_helpers import make_alert


def _refresh_interval(store) -> str | None:
    settings = store.client.indices.get_settings(index=store.alias())
    return next(iter(settings.values()))["settings"]["index"].get("refresh_interval")


def test_parallel_bulk_with_refresh_paused_stores_each_alert_once(server_store_factory):
    store = server_store_factory("opensearch", bulk_chunk=50, bulk_threads=4, bulk_pause_refresh_at=300)
    store.setup()
    kinds = ("leak", "pii_exposure", "fake_news")
    alerts = [make_alert(i, kinds[i % 3]) for i in range(900)]
    store.upsert(alerts[:30])
    store.transition(alerts[0].id, "confirmed", actor="analyst", note="đã xác minh")  # before the big upsert
    seen = []
    store.on_chunk = lambda attempt: seen.append(_refresh_interval(store))
    # the same alert twice in one upsert (as a re-scan can send it): merged before sending, stored once
    result = store.upsert(alerts[:701] + [replace(alerts[700], score=0.99)] + alerts[701:])
    store.on_chunk = None
    assert result.failed == () and result.indexed == 900
    assert set(seen) == {"-1"}  # every chunk went in with refresh off
    assert _refresh_interval(store) == "1s"  # and it is back afterwards
    assert store.count_by("type") == {"fake_news": 300, "leak": 300, "pii_exposure": 300}
    assert store.get(alerts[0].id).status == "confirmed"
    assert store.get(alerts[700].id).score == 0.99
    small = store.upsert(alerts[:10])  # below the threshold: refresh is never touched
    assert small.indexed == 10 and _refresh_interval(store) == "1s"


def test_bulk_session_pauses_refresh_once_for_several_upserts_and_setup_restores_it(server_store_factory):
    store = server_store_factory("opensearch", bulk_chunk=50, bulk_threads=4, bulk_pause_refresh_at=200)
    store.setup()
    alerts = [make_alert(i, "leak") for i in range(240)]
    with store.bulk_session(len(alerts)):  # as the index stage runs its batches
        assert _refresh_interval(store) == "-1"
        first = store.upsert(alerts[:120])
        assert _refresh_interval(store) == "-1"  # not switched back on between batches
        assert first.indexed == 120 and store.count_by("type") == {"leak": 120}  # searchable at once
        store.upsert(alerts[120:])
    assert _refresh_interval(store) == "1s" and store.count_by("type") == {"leak": 240}
    with store.bulk_session(10):  # a small run leaves the refresh alone
        assert _refresh_interval(store) == "1s"
    store._pause_refresh(True)  # a run killed with the refresh off ...
    store.setup()  # ... is repaired by the next run's setup
    assert _refresh_interval(store) == "1s"
