"""Pure pieces of the server path: query DSL, lifecycle policies, template bodies."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from canhbao.core.errors import CanhbaoError
from canhbao.index import queries
from canhbao.index.base import AlertQuery
from canhbao.index.elasticsearch_store import ilm_policy
from canhbao.index.opensearch_store import ism_policy

POLICY = {"rollover": {"max_age": "30d", "max_primary_shard_size": "10gb"}, "delete_after": "730d"}


def test_search_body_filters_text_and_sort():
    q = AlertQuery(
        status=("open",),
        type=("leak", "fake_news"),
        since=datetime(2026, 11, 1, 7, tzinfo=timezone.utc),
        text="Bộ Y-tế!",
        document_number="12/BYT",
        min_score=0.5,
        sort="-score",
        limit=20,
        offset=40,
    )
    body = queries.search_body(q)
    f = body["query"]["bool"]["filter"]
    assert {"terms": {"status": ["open"]}} in f and {"terms": {"type": ["leak", "fake_news"]}} in f
    assert {"range": {"captured_at": {"gte": "2026-11-01T07:00:00.000000Z"}}} in f
    assert {"term": {"document_number": "12/BYT"}} in f and {"range": {"score": {"gte": 0.5}}} in f
    (text,) = body["query"]["bool"]["must"]
    sq = text["simple_query_string"]
    assert sq["query"] == "bộ y tế" and sq["flags"] == "NONE" and sq["default_operator"] == "and"
    assert "masked_text.folded" in sq["fields"] and "summary" in sq["fields"]
    assert body["sort"] == [{"score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert (body["from"], body["size"]) == (40, 20)
    assert queries.search_body(AlertQuery())["query"] == {"match_all": {}}


def test_bad_sort_and_count_field_are_refused():
    with pytest.raises(CanhbaoError, match="sort 'name'"):
        queries.search_body(AlertQuery(sort="name"))
    with pytest.raises(CanhbaoError, match="count_by 'masked_text'"):
        queries.count_body("masked_text", None)
    body = queries.count_body("platform", AlertQuery(type=("leak",)))
    assert body["size"] == 0 and body["aggs"]["by"]["terms"]["field"] == "platform"
    buckets = [{"key": "b", "doc_count": 1}, {"key": "a", "doc_count": 3}]
    assert queries.counts({"aggregations": {"by": {"buckets": buckets}}}) == {"a": 3, "b": 1}


def test_lifecycle_policies():
    ilm = ilm_policy(POLICY)
    assert ilm["phases"]["hot"]["actions"]["rollover"] == {"max_age": "30d", "max_primary_shard_size": "10gb"}
    assert ilm["phases"]["delete"] == {"min_age": "730d", "actions": {"delete": {}}}
    ism = ism_policy("x-alerts-*", POLICY)["policy"]
    hot, delete = ism["states"]
    assert hot["actions"][0]["rollover"] == {"min_index_age": "30d", "min_primary_shard_size": "10gb"}
    assert hot["transitions"] == [{"state_name": "delete", "conditions": {"min_index_age": "730d"}}]
    assert delete["actions"] == [{"delete": {}}]
    assert ism["ism_template"][0]["index_patterns"] == ["x-alerts-*"]
