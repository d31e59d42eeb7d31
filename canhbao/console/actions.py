"""Analyst actions on one or many alerts, done as the logged-in user; each one audit-logged.

Transitions, assignments and notes go through the alert store (its history and the audit log);
tags and close reasons live in the console store and are audit-logged here. A bulk action goes on
past an alert it cannot change and reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

from canhbao.console.store import CLOSE_REASONS, CaseStore, Labels, check_tags
from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError
from canhbao.core.records import AlertEvent, utcnow

MOVES = {"ack": "acknowledged", "confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}
ACTIONS = (*MOVES, "assign", "tag", "note")


@dataclass(frozen=True)
class Outcome:
    done: tuple[str, ...]
    failed: tuple[str, ...]  # "<alert id>: <reason>"


def apply(
    alerts: Any,
    cases: CaseStore,
    audit: AuditLog,
    actor: str,
    ids: Sequence[str],
    action: str,
    *,
    reason: str = "",
    note: str = "",
    assignee: str = "",
    tags: Sequence[str] = (),
) -> Outcome:
    if action not in ACTIONS:
        raise CanhbaoError(f"action {action!r}: expected one of {', '.join(ACTIONS)}")
    if action in ("confirm", "dismiss") and reason not in CLOSE_REASONS:
        raise CanhbaoError(f"{action}: a close reason is required ({', '.join(CLOSE_REASONS)})")
    if action == "note" and not note.strip():
        raise CanhbaoError("note: empty")
    clean_tags = check_tags(tags) if action == "tag" else ()
    if action == "tag" and not clean_tags:
        raise CanhbaoError("tag: empty")
    done, failed = [], []
    for alert_id in dict.fromkeys(ids):
        try:
            _one(
                alerts,
                cases,
                audit,
                actor,
                alert_id,
                action,
                reason=reason,
                note=note.strip(),
                assignee=assignee.strip(),
                tags=clean_tags,
            )
            done.append(alert_id)
        except CanhbaoError as exc:
            failed.append(f"{alert_id}: {str(exc).split(': ', 1)[-1]}")
    return Outcome(tuple(done), tuple(failed))


def _one(
    alerts: Any,
    cases: CaseStore,
    audit: AuditLog,
    actor: str,
    alert_id: str,
    action: str,
    *,
    reason: str,
    note: str,
    assignee: str,
    tags: tuple[str, ...],
) -> None:
    labels = cases.labels([alert_id]).get(alert_id, Labels())
    if action in MOVES:
        text = f"{reason}: {note}" if reason and note else (reason or note)
        alerts.transition(alert_id, MOVES[action], actor=actor, note=text)
        if action in ("confirm", "dismiss") or labels.close_reason:
            cases.set_labels(alert_id, replace(labels, close_reason=reason if action != "reopen" else ""))
            audit.append("alert.close_reason", alert_id, actor=actor, close_reason=reason if reason else "")
    elif action == "assign":
        alerts.assign(alert_id, assignee, actor=actor, note=note)
    elif action == "note":
        alerts.record(alert_id, AlertEvent(at=utcnow(), actor=actor, action="note", note=note))
    elif action == "tag":
        alerts.get(alert_id)  # refuse unknown ids before labelling them
        merged = tuple(dict.fromkeys(labels.tags + tags))
        cases.set_labels(alert_id, replace(labels, tags=merged))
        audit.append("alert.tagged", alert_id, actor=actor, tags=list(tags))
