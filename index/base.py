"""The one interface every alert store implements (SQLite, OpenSearch, Elasticsearch).

Stores hold alerts (already masked) and posts-as-indexed (masked too). Ids are deterministic
(`records.alert_id`), so `upsert` after a re-run updates instead of duplicating; analyst state
(status, assignee, notes, history) survives an upsert of the same alert.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Collection, ContextManager, Iterable, Sequence

from canhbao.core.records import Alert, AlertEvent, Post


@dataclass(frozen=True)
class AlertQuery:
    status: Sequence[str] = ()
    type: Sequence[str] = ()
    source: Sequence[str] = ()
    platform: Sequence[str] = ()
    since: datetime | None = None  # on captured_at
    until: datetime | None = None
    text: str = ""  # full text over masked text and summary, with or without diacritics
    document_number: str = ""
    min_score: float = 0.0
    limit: int = 100
    offset: int = 0
    assignee: str = ""
    sort: str = "-captured_at"  # -captured_at | captured_at | -score | score | -updated_at (ties: id)
    claim_id: str = ""  # fake-news alerts matching this claim
    id_prefix: str = ""  # alerts whose id starts with this (the CLI accepts id prefixes)


@dataclass(frozen=True)
class BulkResult:
    indexed: int = 0
    failed: tuple[str, ...] = field(default=())  # "<alert id>: <reason>" for items that were not stored
    retried: int = 0  # items that needed more than one attempt (server stores) and were then stored


# How a forgotten poster's name starts (canhbao.detectors.pii.masking.placeholder of kind "author").
FORGOTTEN = "[AUTHOR"


class AlertStore(ABC):
    """Implementations: index.sqlite_store.SqliteStore, index.opensearch_store.OpenSearchStore, ..."""

    @abstractmethod
    def setup(self) -> None:
        """Create tables / index templates / lifecycle policies. Idempotent."""

    @abstractmethod
    def upsert(self, alerts: Iterable[Alert]) -> BulkResult:
        """Store alerts by id; keep analyst state of alerts already there."""

    @abstractmethod
    def get(self, alert_id: str) -> Alert:
        """Raise NotFound if missing."""

    @abstractmethod
    def search(self, query: AlertQuery) -> list[Alert]: ...

    @abstractmethod
    def count_by(self, field_name: str, query: AlertQuery | None = None) -> dict[str, int]:
        """Aggregate counts (type, status, platform, source, document number)."""

    @abstractmethod
    def transition(self, alert_id: str, to_status: str, *, actor: str, note: str = "") -> Alert:
        """Move an alert along its lifecycle (records.TRANSITIONS); refuse invalid moves with CanhbaoError."""

    @abstractmethod
    def record(self, alert_id: str, event: AlertEvent) -> Alert:
        """Append an event (assignment, note, export, takedown check) to the alert's trail."""

    def assign(self, alert_id: str, assignee: str, *, actor: str, note: str = "") -> Alert:
        """Set the analyst in charge (recorded in the history and the audit log)."""
        raise NotImplementedError

    def upsert_posts(self, posts: Iterable[tuple[Post, str]]) -> BulkResult:
        """Index posts as (post, masked text) pairs for context search; `post.text` is never stored."""
        raise NotImplementedError

    def bulk_session(self, expected: int) -> ContextManager[None]:
        """Around several upserts in a row (`expected` alerts in all): server stores pause the index refresh
        for a large one; embedded stores need nothing."""
        return nullcontext()

    def forget_authors(self, post_keys: Collection[str], label: Callable[[str], str]) -> int:
        """Retention: on alerts of these (expired) posts the poster's display name becomes `label(name)`, a keyed
        hash that still tells two alerts of one poster apart from others; their posts-index documents lose the
        name. Every store, through `upsert` (which keeps analyst state) and `_forget_post_authors`."""
        keys, found, offset = set(post_keys), [], 0
        while batch := self.search(AlertQuery(limit=500, offset=offset, sort="captured_at")):
            offset += len(batch)
            found += [a for a in batch if a.post_key in keys and a.author and not a.author.startswith(FORGOTTEN)]
        if found:
            self.upsert([replace(a, author=label(a.author)) for a in found])
        self._forget_post_authors(keys)
        return len(found)

    def _forget_post_authors(self, post_keys: set[str]) -> None:  # noqa: B027 - stores with a posts index
        pass

    def close(self) -> None:  # noqa: B027 - optional
        pass

    def __enter__(self) -> "AlertStore":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
