"""Elasticsearch 8/9 through the official `elasticsearch` client; retention through ILM.

The official client refuses servers that are not Elasticsearch (product check), so this store is
tested against a real Elasticsearch only when CANHBAO_ES_URL is set; the shared code under it is the
same as OpenSearch's.
"""

from __future__ import annotations

from typing import Any

from canhbao.index.server_store import BULK_FILTER, ServerStore


class ElasticsearchStore(ServerStore):
    engine = "elasticsearch"

    def _connect(self) -> Any:
        from elasticsearch import Elasticsearch

        s = self.settings
        auth: dict[str, Any] = {}
        if s.api_key:
            auth["api_key"] = s.api_key
        elif s.username:
            auth["basic_auth"] = (s.username, s.password)
        if s.ca_certs:  # unset: the client's default CA bundle
            auth["ca_certs"] = s.ca_certs
        return Elasticsearch(
            s.url,
            verify_certs=s.verify_certs,
            request_timeout=s.timeout_s,
            max_retries=0,
            retry_on_timeout=False,
            **auth,
        )

    def _status(self, exc: BaseException) -> tuple[int | None, str]:
        import elastic_transport
        from elasticsearch import ApiError, UnsupportedProductError

        if isinstance(exc, UnsupportedProductError):
            return 400, ("not Elasticsearch (the elasticsearch client refuses other products; use engine: opensearch)")
        if isinstance(exc, (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)):
            return None, ""
        if isinstance(exc, ApiError):
            return exc.meta.status, str(exc.error)
        return -1, ""

    def _info(self) -> dict[str, Any]:
        return self._call(self.client.info)

    def _bulk(self, ndjson: bytes) -> dict[str, Any]:
        # bytes pass through the client's NDJSON serializer
        return self._call(self.client.bulk, operations=ndjson, filter_path=BULK_FILTER)

    def _put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._call(self.client.indices.put_settings, index=index, settings=settings)

    def _mget(self, docs: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call(self.client.mget, docs=docs)

    def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.client.search, index=index, body=body, ignore_unavailable=True)

    def _put(self, index: str, doc_id: str, doc: dict[str, Any], seq_no: int, primary_term: int) -> None:
        self._call(
            self.client.index,
            index=index,
            id=doc_id,
            document=doc,
            if_seq_no=seq_no,
            if_primary_term=primary_term,
            refresh=True,
        )

    def _put_template(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.put_index_template, name=name, body=body)

    def _put_policy(self, name: str, pattern: str, policy: dict[str, Any]) -> str:
        self._call(self.client.ilm.put_lifecycle, name=name, policy=ilm_policy(policy))
        return (
            f"ILM policy {name}: rollover at {policy['rollover']['max_age']} or "
            f"{policy['rollover']['max_primary_shard_size']}, delete after {policy['delete_after']}"
        )

    def _lifecycle_settings(self, policy: str, alias: str) -> dict[str, Any]:
        return {"lifecycle": {"name": policy, "rollover_alias": alias}}

    def _create_index(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.create, index=name, aliases=body.get("aliases"))

    def _wait_ready(self, index: str) -> None:
        """Primary shards allocated (yellow), so the first bulk does not meet an inactive shard."""
        self._call(self.client.cluster.health, index=index, wait_for_status="yellow", timeout="30s")


def ilm_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """The engine-neutral policy as an ILM policy (hot with rollover -> delete)."""
    return {
        "_meta": {"owner": "canhbao"},
        "phases": {
            "hot": {"actions": {"rollover": dict(policy["rollover"])}},
            "delete": {"min_age": policy["delete_after"], "actions": {"delete": {}}},
        },
    }
