"""TEMPORARY stand-in for index.sqlite_store until issue 5 lands in main (then removed)."""
from dataclasses import replace

from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.records import TRANSITIONS, AlertEvent, utcnow
from canhbao.index.base import AlertStore, BulkResult


class MemoryStore(AlertStore):
    def __init__(self):
        self.alerts = {}

    def setup(self):
        pass

    def upsert(self, alerts):
        n = 0
        for a in alerts:
            self.alerts[a.id] = a
            n += 1
        return BulkResult(indexed=n)

    def get(self, alert_id):
        if alert_id not in self.alerts:
            raise NotFound(f"alert {alert_id} not found")
        return self.alerts[alert_id]

    def search(self, query):
        out = [a for a in self.alerts.values() if not query.status or a.status in query.status]
        return out[query.offset:query.offset + query.limit]

    def count_by(self, field_name, query=None):
        return {}

    def transition(self, alert_id, to_status, *, actor, note=""):
        a = self.get(alert_id)
        if to_status not in TRANSITIONS[a.status]:
            raise CanhbaoError("bad transition")
        ev = AlertEvent(at=utcnow(), actor=actor, action=to_status, note=note, from_status=a.status, to_status=to_status)
        a = replace(a, status=to_status, history=a.history + (ev,))
        self.alerts[alert_id] = a
        return a

    def record(self, alert_id, event):
        a = self.get(alert_id)
        a = replace(a, history=a.history + (event,))
        self.alerts[alert_id] = a
        return a
