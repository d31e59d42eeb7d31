"""What OpenSearch and Elasticsearch stores share: index layout, setup, bulk upsert with retries, reads.

Layout: composable templates for `<prefix>-alerts-*` / `<prefix>-posts-*`, written through the rollover
aliases `<prefix>-alerts` / `<prefix>-posts` (backing indices `-000001`, `-000002`, ...), rolled over and
deleted by the engine's lifecycle policy (ILM on Elasticsearch, ISM on OpenSearch).

Upsert never duplicates: existing alerts are found by id in every backing index (realtime multi-get) and
rewritten in place with the seq_no/primary_term they were read at, so an analyst's concurrent change is
never overwritten (a 409 makes us re-read and merge again); new alerts are `create`d in the write index.
Items that fail for a transient reason (node down, 429, 5xx) are retried with back-off; what still fails
is returned in BulkResult.failed with its reason, never dropped silently.

Subclasses implement the small `_` adapter methods in the client's own API.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import orjson

from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.records import Alert, Post
from canhbao.index import documents, queries
from canhbao.index.base import AlertQuery, AlertStore, BulkResult
from canhbao.index.lifecycle import Lifecycle
from canhbao.index.settings import IndexSettings

log = logging.getLogger(__name__)


class Unavailable(CanhbaoError):
    """The server did not answer, or answered 429/5xx: worth retrying."""


class Conflict(CanhbaoError):
    """409: the document changed since it was read (or was created meanwhile)."""


class Exists(CanhbaoError):
    """The index (or policy) already exists."""


TRANSIENT_STATUS = {429, 502, 503, 504}
# What a bulk response needs to carry back: per item its id, status and error (not index names, versions or
# shard counts), so the engine writes and the client parses a fraction of the default response.
BULK_FILTER = "errors,items.*._id,items.*.status,items.*.error"
KINDS = ("alerts", "posts")


class ServerStore(Lifecycle, AlertStore):
    engine = "server"

    def __init__(self, settings: IndexSettings, *, audit: AuditLog | None = None):
        self.settings = settings
        self.audit = audit
        self.prefix = settings.prefix
        self.setup_report: list[str] = []
        self.on_chunk: Callable[[int], None] | None = None  # test hook: called after each bulk chunk is sent
        self._refresh_paused = False  # inside a bulk_session that paused it
        self.client = self._connect()
        try:
            self._info()
        except Unavailable as exc:
            raise CanhbaoError(
                f"{self.engine} at {settings.url} is unreachable ({_reason(exc)}); "
                f"check `url` in config/index.yaml or CANHBAO_INDEX__URL"
            ) from None
        except CanhbaoError as exc:  # it answered, but not as expected (auth, wrong product)
            raise CanhbaoError(f"{exc}; check `engine`, `url` and credentials in config/index.yaml") from None

    # --- names ------------------------------------------------------------------------------------

    def alias(self, kind: str = "alerts") -> str:
        return f"{self.prefix}-{kind}"

    def pattern(self, kind: str = "alerts") -> str:
        return f"{self.prefix}-{kind}-*"

    def policy_name(self, kind: str) -> str:
        return f"{self.prefix}-{kind}-policy"

    # --- setup ------------------------------------------------------------------------------------

    def setup(self) -> None:
        report = []
        self._check_layout()
        for kind in KINDS:
            report.append(self._put_policy(self.policy_name(kind), self.pattern(kind), self.policy_body()))
            body = self.template_body(kind)
            self._put_template(f"{self.prefix}-{kind}", body)
            if not self._get_alias(self.alias(kind)):
                try:
                    self._create_index(
                        f"{self.alias(kind)}-000001", {"aliases": {self.alias(kind): {"is_write_index": True}}}
                    )
                    report.append(f"created {self.alias(kind)}-000001 (write index of {self.alias(kind)})")
                except Exists:
                    pass  # another process bootstrapped it first
                self._wait_ready(self.alias(kind))
            report.append(
                f"template {self.prefix}-{kind} for {self.pattern(kind)} (mapping version {body['_meta']['version']})"
            )
        self._pause_refresh(False)  # an upsert killed while the refresh was off must not leave it off
        self.setup_report = report

    def template_body(self, kind: str) -> dict[str, Any]:
        src = documents.resource(f"{kind}.json")
        settings = {
            **src["template"]["settings"],
            "index": {
                **src["template"]["settings"]["index"],
                "number_of_shards": self.settings.shards,
                "number_of_replicas": self.settings.replicas,
            },
        }
        settings["index"].update(self._lifecycle_settings(self.policy_name(kind), self.alias(kind)))
        return {
            "index_patterns": [self.pattern(kind)],
            "priority": src["priority"],
            "template": {"settings": settings, "mappings": src["template"]["mappings"]},
            "_meta": {"owner": "canhbao", "version": src["template"]["mappings"]["_meta"]["version"]},
        }

    def policy_body(self) -> dict[str, Any]:
        """Rollover while hot; delete after the retention period. Engine-neutral; adapters translate it."""
        s = self.settings
        return {
            "rollover": {"max_age": s.rollover_max_age, "max_primary_shard_size": s.rollover_max_size},
            "delete_after": s.retention,
        }

    def _check_layout(self) -> None:
        """Refuse indices whose mapping is not ours: one clear error instead of half-failed bulks."""
        for kind in KINDS:
            expected = documents.resource(f"{kind}.json")["template"]["mappings"]["properties"]
            mappings = self._get_mapping(f"{self.alias(kind)}*")
            for index, body in mappings.items():
                if index == self.alias(kind):
                    raise CanhbaoError(
                        f"{self.engine} index {index}: is a concrete index, but canhbao "
                        f"writes through an alias of that name (mapping conflict); delete "
                        f"it or choose another `prefix` in config/index.yaml"
                    )
                props = body.get("mappings", {}).get("properties", {})
                for name, spec in props.items():
                    want = expected.get(name, {}).get("type", "object" if name in expected else None)
                    have = spec.get("type", "object")
                    if want is not None and have != want:
                        raise CanhbaoError(
                            f"{self.engine} index {index}: field {name!r} is mapped as "
                            f"{have}, canhbao needs {want} (mapping conflict); reindex it "
                            f"or choose another `prefix` in config/index.yaml"
                        )

    # --- writes -----------------------------------------------------------------------------------

    def upsert(self, alerts: Iterable[Alert]) -> BulkResult:
        """Bulk upsert in chunks of `bulk_chunk`, `bulk_threads` chunks in flight at once (a chunk starts as
        soon as one finishes: no wave waits for its slowest chunk). A large upsert (>= `bulk_pause_refresh_at`
        alerts) switches the write index's refresh off while it runs and refreshes once at the end: the
        engine then builds segments once instead of every second."""
        s = self.settings
        failed: list[str] = []
        unique: dict[str, Alert] = {}  # the same alert twice in one call (a re-scan can send it): merged, sent once
        for alert in alerts:
            try:
                documents.check_alert(alert)
            except CanhbaoError as exc:
                failed.append(f"{alert.id}: {str(exc).split(': ', 1)[-1]}")
                continue
            unique[alert.id] = alert if alert.id not in unique else documents.merge(alert, unique[alert.id])
        chunks = _balanced_chunks(list(unique.items()), s.bulk_chunk, s.bulk_threads)
        indexed, retried = 0, 0
        paused = not self._refresh_paused and len(unique) >= s.bulk_pause_refresh_at
        if paused:
            self._pause_refresh(True)
        try:
            try:
                indices: list[str] | None = self._backing_indices() if chunks else []
            except Unavailable:
                indices = None  # each chunk asks again inside its retries
            if s.bulk_threads > 1 and len(chunks) > 1:
                with ThreadPoolExecutor(min(s.bulk_threads, len(chunks))) as pool:
                    results = list(pool.map(lambda chunk: self._upsert_chunk(chunk, indices), chunks))
            else:
                results = [self._upsert_chunk(chunk, indices) for chunk in chunks]
        finally:
            if paused:
                self._pause_refresh(False)
        for n, r, f in results:
            indexed, retried, failed = indexed + n, retried + r, failed + f
        try:
            self._refresh(self.alias())  # make this batch visible to search at once
        except Unavailable as exc:
            log.warning("refresh after bulk failed: %s", exc)
        if failed:
            log.warning("%d alert(s) not indexed: %s", len(failed), "; ".join(failed[:5]))
        return BulkResult(indexed=indexed, failed=tuple(failed), retried=retried)

    @contextmanager
    def bulk_session(self, expected: int) -> Iterator[None]:
        """Several upserts in a row (the index stage's batches) with the refresh paused once for all of them
        when `expected` alerts reach `bulk_pause_refresh_at`; each upsert still refreshes at its end, so every
        batch is searchable as soon as it is stored. A process killed meanwhile leaves the refresh off until
        the next `setup()` puts it back."""
        pause = not self._refresh_paused and expected >= self.settings.bulk_pause_refresh_at
        if pause:
            self._pause_refresh(True)
            self._refresh_paused = True
        try:
            yield
        finally:
            if pause:
                self._refresh_paused = False
                self._pause_refresh(False)

    def _pause_refresh(self, pause: bool) -> None:
        """refresh_interval -1 on the alert indices during a large bulk; back to the template's after."""
        template = documents.resource("alerts.json")["template"]["settings"]["index"]
        value = "-1" if pause else template.get("refresh_interval", "1s")
        try:
            self._put_settings(self.alias(), {"index": {"refresh_interval": value}})
        except Unavailable as exc:
            log.warning("could not set refresh_interval %s: %s", value, exc)

    def _upsert_chunk(self, batch: dict[str, Alert], indices: list[str] | None) -> tuple[int, int, list[str]]:
        pending, done, retried = dict(batch), 0, 0
        reasons: dict[str, str] = {}  # why a pending item is not stored yet (retried)
        final: list[str] = []  # items refused for good (mapping errors): reported, not retried
        for attempt in range(1, self.settings.retries + 1):
            if attempt > 1:
                time.sleep(self.settings.retry_backoff_s * 2 ** (attempt - 2))
            try:
                if attempt > 1 or indices is None:  # a rollover may have happened meanwhile: ask again
                    indices = self._backing_indices()
                found = self._find(list(pending), indices)
                lines: list[dict[str, Any]] = []
                ids: list[str] = []
                for aid, alert in pending.items():
                    old = found.get(aid)
                    if old:
                        merged = documents.merge(alert, documents.alert_from_doc(old["_source"]))
                        op = {
                            "index": {
                                "_index": old["_index"],
                                "_id": aid,
                                "if_seq_no": old["_seq_no"],
                                "if_primary_term": old["_primary_term"],
                            }
                        }
                    else:  # never indexed: `create` fails (409) if someone created it meanwhile, never overwrites
                        merged, op = alert, {"create": {"_index": self.alias(), "_id": aid}}
                    lines += (op, self._doc(merged))
                    ids.append(aid)
                response = self._bulk(_ndjson(lines))
            except Unavailable as exc:
                reasons = {aid: f"{self.engine} unavailable: {_reason(exc)}" for aid in pending}
                log.warning("bulk attempt %d/%d failed: %s", attempt, self.settings.retries, _reason(exc))
                continue
            finally:
                if self.on_chunk:
                    self.on_chunk(attempt)
            for aid, item in zip(ids, response["items"], strict=True):
                result = next(iter(item.values()))
                status = result.get("status", 500)
                if status < 300:
                    done += 1
                    retried += attempt > 1
                    pending.pop(aid)
                elif status == 409 or status in TRANSIENT_STATUS:
                    reasons[aid] = _item_reason(result)  # conflict: re-read and merge again; else retry
                else:
                    pending.pop(aid)
                    final.append(f"{aid}: {_item_reason(result)}")
            if not pending:
                break
        return done, retried, final + [f"{aid}: {reasons.get(aid, 'not stored')}" for aid in pending]

    def _doc(self, alert: Alert) -> dict[str, Any]:
        return documents.alert_doc(alert, self.settings.evidence_url_template)

    def _backing_indices(self) -> list[str]:
        """Every backing index of the alerts alias: an alert indexed before a rollover lives in an older one."""
        return sorted(self._get_alias(self.pattern()))

    def _find(self, ids: list[str], indices: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Existing documents by id, with the index they live in and their sequence numbers (realtime)."""
        indices = self._backing_indices() if indices is None else indices
        if not ids or not indices:
            return {}
        docs = [{"_index": index, "_id": aid} for index in indices for aid in ids]
        found = {}
        for d in self._mget(docs)["docs"]:
            if d.get("found"):
                found[d["_id"]] = d
        return found

    def _modify(self, alert_id: str, change: Callable[[Alert], Alert]) -> Alert:
        for _ in range(5):  # optimistic concurrency: retry when someone else wrote in between
            old = self._find([alert_id]).get(alert_id)
            if old is None:
                raise NotFound(f"alert {alert_id}: not found in {self.engine} {self.alias()}")
            alert = change(documents.alert_from_doc(old["_source"]))
            try:
                self._put(old["_index"], alert_id, self._doc(alert), old["_seq_no"], old["_primary_term"])
                return alert
            except Conflict:
                continue
        raise CanhbaoError(f"alert {alert_id}: changed concurrently too often, try again")

    def upsert_posts(self, posts: Iterable[tuple[Post, str]]) -> BulkResult:
        """Posts by key in the posts write index (a re-crawl of a post in an older index adds a new version
        there: posts are context, alerts are the record)."""
        lines: list[dict[str, Any]] = []
        for post, masked in posts:
            lines += ({"index": {"_index": self.alias("posts"), "_id": post.key}}, documents.post_doc(post, masked))
        if not lines:
            return BulkResult()
        items = self._bulk(_ndjson(lines))["items"]
        self._refresh(self.alias("posts"))
        failed = tuple(
            f"{i['index']['_id']}: {_item_reason(i['index'])}" for i in items if i["index"].get("status", 500) >= 300
        )
        return BulkResult(indexed=len(items) - len(failed), failed=failed)

    def _forget_post_authors(self, post_keys: set[str]) -> None:
        """Posts documents of these keys (in any of the posts indices) re-indexed without the poster's name."""
        keys = sorted(post_keys)
        for i in range(0, len(keys), 500):
            body = {"query": {"ids": {"values": keys[i : i + 500]}}, "size": 5000}
            hits = self._search(self.alias("posts"), body)["hits"]["hits"]
            ops: list[dict[str, Any]] = []
            for hit in hits:
                if hit["_source"].get("author"):
                    ops += [{"index": {"_index": hit["_index"], "_id": hit["_id"]}}, hit["_source"] | {"author": ""}]
            if ops:
                self._bulk(_ndjson(ops))
        self._refresh(self.alias("posts"))

    # --- reads ------------------------------------------------------------------------------------

    def get(self, alert_id: str) -> Alert:
        found = self._find([alert_id]).get(alert_id)
        if found is None:
            raise NotFound(f"alert {alert_id}: not found in {self.engine} {self.alias()}")
        return documents.alert_from_doc(found["_source"])

    def search(self, query: AlertQuery) -> list[Alert]:
        response = self._search(self.pattern(), queries.search_body(query))
        return [documents.alert_from_doc(h["_source"]) for h in response["hits"]["hits"]]

    def count_by(self, field_name: str, query: AlertQuery | None = None) -> dict[str, int]:
        return queries.counts(self._search(self.pattern(), queries.count_body(field_name, query)))

    def rollover(self, kind: str = "alerts") -> str:
        """Roll the write alias over now (the lifecycle policy does it on age/size); returns the new index."""
        return self._rollover(self.alias(kind))

    def delete_all(self) -> None:
        """Drop this prefix's indices and templates (tests, benchmarks)."""
        for kind in KINDS:
            for index in self._get_alias(self.pattern(kind)):
                self._delete_index(index)

    # --- adapter: implemented per client ----------------------------------------------------------

    def _connect(self) -> Any:
        raise NotImplementedError

    def _info(self) -> dict[str, Any]:
        raise NotImplementedError

    def _bulk(self, ndjson: bytes) -> dict[str, Any]:
        """Send a bulk body already serialised (orjson, once, in the calling thread) as NDJSON."""
        raise NotImplementedError

    def _mget(self, docs: list[dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError

    def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _put(self, index: str, doc_id: str, doc: dict[str, Any], seq_no: int, primary_term: int) -> None:
        raise NotImplementedError

    def _put_template(self, name: str, body: dict[str, Any]) -> None:
        raise NotImplementedError

    def _put_policy(self, name: str, pattern: str, policy: dict[str, Any]) -> str:
        raise NotImplementedError

    def _lifecycle_settings(self, policy: str, alias: str) -> dict[str, Any]:
        raise NotImplementedError

    def _create_index(self, name: str, body: dict[str, Any]) -> None:
        raise NotImplementedError

    def _wait_ready(self, index: str) -> None:
        raise NotImplementedError

    # Index-admin calls whose client API is the same in opensearch-py and elasticsearch-py.
    def _delete_index(self, name: str) -> None:
        self._call(self.client.indices.delete, index=name)

    def _get_alias(self, name: str) -> dict[str, Any]:
        try:
            return self._call(self.client.indices.get_alias, index=name)
        except NotFound:
            return {}

    def _get_mapping(self, pattern: str) -> dict[str, Any]:
        try:
            return self._call(self.client.indices.get_mapping, index=pattern)
        except NotFound:
            return {}

    def _put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self._call(self.client.indices.put_settings, index=index, body=settings)

    def _refresh(self, index: str) -> None:
        self._call(self.client.indices.refresh, index=index)

    def _rollover(self, alias: str) -> str:
        return self._call(self.client.indices.rollover, alias=alias)["new_index"]

    def _call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Call the client, turning its exceptions into ours (Unavailable, Conflict, Exists, NotFound, or a
        one-line CanhbaoError) so the shared code above never sees a client class."""
        try:
            return self._plain(fn(**kwargs))
        except Exception as exc:  # noqa: BLE001 - translated below
            status, kind = self._status(exc)
            if status == -1:
                raise  # not a client error: a bug, let it show
            where = f"{self.engine} at {self.settings.url}"
            if status is None:
                raise Unavailable(f"{where}: {_reason(exc)}") from None
            if status in TRANSIENT_STATUS:
                raise Unavailable(f"{where}: HTTP {status} {kind}") from None
            if status == 409:
                raise Conflict(f"{where}: HTTP 409 {kind}") from None
            if kind in ("resource_already_exists_exception", "index_already_exists_exception"):
                raise Exists(f"{where}: {kind}") from None
            if status == 404:
                raise NotFound(f"{where}: HTTP 404 {kind}") from None
            raise CanhbaoError(f"{where}: HTTP {status} {kind}: {_reason(exc)}") from None

    @staticmethod
    def _plain(response: Any) -> Any:
        return getattr(response, "body", response)

    def _status(self, exc: BaseException) -> tuple[int | None, str]:
        """(HTTP status, error type) of a client exception; status None = no answer at all, -1 = not a
        client exception."""
        raise NotImplementedError


def _ndjson(lines: list[dict[str, Any]]) -> bytes:
    """A bulk body: one JSON document per line (orjson: several times faster than the client's json)."""
    return b"\n".join(map(orjson.dumps, lines)) + b"\n"


def _balanced_chunks(items: list[tuple[str, Alert]], size: int, threads: int) -> list[dict[str, Alert]]:
    """Chunks of at most `size`, as many as a multiple of `threads` and of equal size: 5,000 alerts in
    chunks of 1,000 on 4 threads would be a wave of four and then one chunk alone, with three threads idle;
    eight chunks of 625 are two full waves."""
    if not items:
        return []
    step, count = size, -(-len(items) // size)
    if threads > 1 and count > 1:
        step = -(-len(items) // (-(-count // threads) * threads))
    return [dict(items[i : i + step]) for i in range(0, len(items), step)]


def _item_reason(result: dict[str, Any]) -> str:
    err = result.get("error") or {}
    if isinstance(err, dict):
        return f"HTTP {result.get('status')} {err.get('type', '')}: {err.get('reason', '')}".strip()
    return f"HTTP {result.get('status')} {err}"


def _reason(exc: BaseException) -> str:
    """One line: the client exceptions' str() can be a multi-line repr of the whole request."""
    text = " ".join(str(exc).split())
    return (text[:200] + "…") if len(text) > 200 else text or type(exc).__name__
