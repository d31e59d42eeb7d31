"""Notification texts. Pure, and built only from fields that carry no personal data: alert id, type,
score, platform, source name, registered document number, claim id, counts and console links. Never the
post text (masked or not), its author, its URL, media or any entity value."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from canhbao.core.records import ALERT_TYPE_LABELS, Alert

LABELS = {
    "vi": {
        **{t: label.short["vi"].lower() for t, label in ALERT_TYPE_LABELS.items()},
        "new": "cảnh báo mới",
        "scan_failed": "Quét đêm thất bại",
        "scan_partial": "Quét đêm chưa trọn vẹn",
        "blocked": "Nguồn bị chặn",
        "digest": "Tổng hợp ngày",
        "open": "đang mở",
        "score": "điểm",
        "more": "và {n} cảnh báo khác",
    },
    "en": {
        **{t: label.short["en"].lower() for t, label in ALERT_TYPE_LABELS.items()},
        "new": "new alert(s)",
        "scan_failed": "Nightly scan failed",
        "scan_partial": "Nightly scan partial",
        "blocked": "Source blocked",
        "digest": "Daily digest",
        "open": "open",
        "score": "score",
        "more": "and {n} more",
    },
}


@dataclass(frozen=True)
class Message:
    kind: str  # new_alerts | scan_failed | scan_partial | source_blocked | digest
    subject: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)  # the same facts, machine-readable (webhook)


def _link(base: str, path: str) -> str:
    return f"{base.rstrip('/')}{path}" if base else ""


def alert_facts(alert: Alert, console_url: str) -> dict[str, Any]:
    f = alert.finding
    facts: dict[str, Any] = {
        "id": alert.id,
        "type": alert.type,
        "score": round(alert.score, 2),
        "platform": alert.platform,
        "source": alert.source,
    }
    if f.document is not None:
        facts["document_number"] = list(f.document.numbers)
    if f.claims:
        facts["claim_id"] = f.target or f.claims[0].id
    if console_url:
        facts["url"] = _link(console_url, f"/alerts/{alert.id}")
    return facts


def new_alerts(alerts: Sequence[Alert], console_url: str, lang: str = "vi", limit: int = 20) -> Message:
    L = LABELS[lang]
    by_type = Counter(a.type for a in alerts)
    subject = "[canhbao] " + ", ".join(f"{n} {L['new']} {L.get(t, t)}" for t, n in sorted(by_type.items()))
    facts = [alert_facts(a, console_url) for a in alerts]
    lines = []
    for item in facts[:limit]:
        what = ", ".join(item.get("document_number", ())) or item.get("claim_id", "")
        line = f"- {L.get(item['type'], item['type'])} {L['score']} {item['score']:.2f} {item['platform']}/{item['source']}"
        line += f" {what}" if what else ""
        line += f" {item.get('url') or item['id'][:12]}"
        lines.append(line)
    if len(facts) > limit:
        lines.append(L["more"].format(n=len(facts) - limit))
    return Message("new_alerts", subject, "\n".join(lines), {"alerts": facts})


def scan_problem(record: Mapping[str, Any], failed: bool, lang: str = "vi", reason: str = "") -> Message:
    L = LABELS[lang]
    kind = "scan_failed" if failed else "scan_partial"
    stages = record.get("stages", {}) or {}
    lines = [f"scan {record.get('id', '?')}: {record.get('status', '?')}"]
    problems: dict[str, int] = {}
    for name, st in stages.items():
        errors = len(st.get("errors", ()) or ())
        lines.append(f"- {name}: {st.get('status', '?')}" + (f", {errors} error(s)" if errors else ""))
        if errors:
            problems[name] = errors
    if reason:
        lines.append(reason)
    return Message(
        kind,
        f"[canhbao] {L[kind]}: {record.get('id', '?')}",
        "\n".join(lines),
        {"scan_id": record.get("id", ""), "status": record.get("status", ""), "errors": problems, "reason": reason},
    )


def task_failure(dag_id: str, task_id: str, run_id: str, error: str, lang: str = "vi") -> Message:
    L = LABELS[lang]
    # the exception's first line only: tracebacks can quote data the task was handling
    first = (error.strip().splitlines() or [""])[0][:200]
    text = f"DAG {dag_id}, task {task_id}, run {run_id}\n{first}".strip()
    return Message(
        "scan_failed",
        f"[canhbao] {L['scan_failed']}: {dag_id}.{task_id}",
        text,
        {"dag_id": dag_id, "task_id": task_id, "run_id": run_id, "error": first},
    )


def source_blocked(source: str, platform: str, kinds: Sequence[str], run_id: str, lang: str = "vi") -> Message:
    L = LABELS[lang]
    text = f"{platform}/{source}: blocked ({', '.join(kinds) or '?'}), crawl {run_id}"
    return Message(
        "source_blocked",
        f"[canhbao] {L['blocked']}: {source}",
        text,
        {"source": source, "platform": platform, "kinds": list(kinds), "run_id": run_id},
    )


def digest(
    day: str,
    new_by_type: Mapping[str, int],
    open_by_type: Mapping[str, int],
    closed: Mapping[str, int],
    console_url: str,
    lang: str = "vi",
) -> Message:
    L = LABELS[lang]
    lines = [f"{day}:"]
    for t in sorted(set(new_by_type) | set(open_by_type)):
        lines.append(f"- {L.get(t, t)}: +{new_by_type.get(t, 0)}, {L['open']} {open_by_type.get(t, 0)}")
    lines += [f"- {status}: {n}" for status, n in sorted(closed.items())]
    if console_url:
        lines.append(_link(console_url, "/alerts?status=open"))
    return Message(
        "digest",
        f"[canhbao] {L['digest']} {day}",
        "\n".join(lines),
        {"day": day, "new": dict(new_by_type), "open": dict(open_by_type), "closed": dict(closed)},
    )
