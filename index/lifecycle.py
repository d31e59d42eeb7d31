"""The analyst workflow shared by every store: transition, assign, record.

A store provides `_modify(alert_id, change)`, which loads the alert, applies `change` and writes it back
atomically (a SQLite transaction, or a compare-and-set on the server's sequence number). Every analyst
change goes to the alert's history (by `documents`) and to the hash-chained audit log (here).
"""

from __future__ import annotations

from typing import Callable

from canhbao.core.audit import AuditLog
from canhbao.core.records import Alert, AlertEvent
from canhbao.index import documents


class Lifecycle:
    audit: AuditLog | None = None

    def _modify(self, alert_id: str, change: Callable[[Alert], Alert]) -> Alert:  # pragma: no cover
        raise NotImplementedError

    def transition(self, alert_id: str, to_status: str, *, actor: str, note: str = "") -> Alert:
        alert = self._modify(alert_id, lambda a: documents.transition(a, to_status, actor=actor, note=note))
        event = alert.history[-1]
        self._audit(
            f"alert.{event.action}",
            alert_id,
            actor,
            from_status=event.from_status,
            to_status=event.to_status,
            note=note,
        )
        return alert

    def assign(self, alert_id: str, assignee: str, *, actor: str, note: str = "") -> Alert:
        before: list[str] = []

        def change(a: Alert) -> Alert:
            before[:] = [a.assignee]
            return documents.assign(a, assignee, actor=actor, note=note)

        alert = self._modify(alert_id, change)
        self._audit(
            "alert.assigned", alert_id, actor, previous=before[0] if before else "", assignee=assignee, note=note
        )
        return alert

    def record(self, alert_id: str, event: AlertEvent) -> Alert:
        """Append to the alert's history. Callers that act (export, takedown check) audit their own action;
        a plain analyst note is audited here."""
        alert = self._modify(alert_id, lambda a: documents.record(a, event))
        if event.action == "note":
            self._audit("alert.note", alert_id, event.actor, note=event.note)
        return alert

    def _audit(self, action: str, target: str, actor: str, **details: object) -> None:
        if self.audit is not None:
            self.audit.append(action, target, actor=actor, **details)
