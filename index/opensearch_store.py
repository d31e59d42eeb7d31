"""OpenSearch 2.x through `opensearch-py`; retention through the ISM plugin when the cluster has it."""

from __future__ import annotations

from typing import Any

import orjson
from opensearchpy.exceptions import SerializationError
from opensearchpy.serializer import JSONSerializer

from canhbao.core.errors import NotFound
from canhbao.index.server_store import BULK_FILTER, ServerStore


class OpenSearchStore(ServerStore):
    engine = "opensearch"

    def _connect(self) -> Any:
        from opensearchpy import OpenSearch

        s = self.settings
        return OpenSearch(
            hosts=[s.url],
            http_auth=(s.username, s.password) if s.username else None,
            verify_certs=s.verify_certs,
            ca_certs=s.ca_certs or None,
            timeout=s.timeout_s,
            max_retries=0,
            retry_on_timeout=False,
            serializer=_OrjsonSerializer(),
        )

    def _status(self, exc: BaseException) -> tuple[int | None, str]:
        from opensearchpy import exceptions as e

        if isinstance(exc, e.ConnectionError):
            return None, ""
        if isinstance(exc, e.TransportError) and isinstance(exc.status_code, int):
            return exc.status_code, str(exc.error)
        return -1, ""

    def _info(self) -> dict[str, Any]:
        return self._call(self.client.info)

    def _bulk(self, ndjson: bytes) -> dict[str, Any]:
        return self._call(self.client.bulk, body=ndjson, params={"filter_path": BULK_FILTER})

    def _mget(self, docs: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call(self.client.mget, body={"docs": docs})

    def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.client.search, index=index, body=body, params={"ignore_unavailable": "true"})

    def _put(self, index: str, doc_id: str, doc: dict[str, Any], seq_no: int, primary_term: int) -> None:
        self._call(
            self.client.index,
            index=index,
            id=doc_id,
            body=doc,
            params={"if_seq_no": seq_no, "if_primary_term": primary_term, "refresh": "true"},
        )

    def _put_template(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.put_index_template, name=name, body=body)

    def _ism(self) -> bool:
        """Is the Index State Management plugin installed (it is in the OpenSearch distribution, not in a
        bare node such as the test runner)?"""
        if not hasattr(self, "_has_ism"):
            plugins = self._call(self.client.cat.plugins, params={"format": "json"})
            self._has_ism = any("index-management" in p.get("component", "") for p in plugins)
        return self._has_ism

    def _put_policy(self, name: str, pattern: str, policy: dict[str, Any]) -> str:
        if not self._ism():
            return (
                f"ISM plugin not installed on {self.settings.url}: retention policy {name} not applied "
                f"(roll over with `rollover`, or install opensearch-index-management)"
            )
        body = ism_policy(pattern, policy)
        path = f"/_plugins/_ism/policies/{name}"
        params: dict[str, Any] = {}
        try:
            current = self._call(self.client.transport.perform_request, method="GET", url=path)
            params = {"if_seq_no": current["_seq_no"], "if_primary_term": current["_primary_term"]}
        except NotFound:
            pass
        self._call(self.client.transport.perform_request, method="PUT", url=path, params=params, body=body)
        return (
            f"ISM policy {name}: rollover at {policy['rollover']['max_age']} or "
            f"{policy['rollover']['max_primary_shard_size']}, delete after {policy['delete_after']}"
        )

    def _lifecycle_settings(self, policy: str, alias: str) -> dict[str, Any]:
        return {"plugins.index_state_management.rollover_alias": alias} if self._ism() else {}

    def _create_index(self, name: str, body: dict[str, Any]) -> None:
        self._call(self.client.indices.create, index=name, body=body)

    def _wait_ready(self, index: str) -> None:
        """Primary shards allocated (yellow), so the first bulk does not meet an inactive shard."""
        self._call(self.client.cluster.health, index=index, params={"wait_for_status": "yellow"})


def ism_policy(pattern: str, policy: dict[str, Any]) -> dict[str, Any]:
    """The engine-neutral policy as an ISM policy (hot with rollover -> delete)."""
    rollover = policy["rollover"]
    return {
        "policy": {
            "description": "canhbao: roll over monthly (or by size), delete after the retention period",
            "default_state": "hot",
            "states": [
                {
                    "name": "hot",
                    "actions": [
                        {
                            "rollover": {
                                "min_index_age": rollover["max_age"],
                                "min_primary_shard_size": rollover["max_primary_shard_size"],
                            }
                        }
                    ],
                    "transitions": [{"state_name": "delete", "conditions": {"min_index_age": policy["delete_after"]}}],
                },
                {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
            ],
            "ism_template": [{"index_patterns": [pattern], "priority": 100}],
        }
    }


class _OrjsonSerializer(JSONSerializer):
    """The client's JSON serializer with orjson: bulk responses (one item per alert) parse several times faster."""

    def loads(self, s: Any) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as e:
            raise SerializationError(s, e) from None

    def dumps(self, data: Any) -> Any:
        if isinstance(data, (str, bytes)):
            return data
        return orjson.dumps(data, default=self.default).decode()
