"""Cases: the list (automatic groups by document and by claim, and cases made by hand) and a case page
with its timeline, posts, platforms and takedown state."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from canhbao.console import cases as grouping
from canhbao.console.web import Ctx, page
from canhbao.core.errors import NotFound


def routes(ctx: Ctx) -> list[Route]:
    @page(ctx)
    def case_list(request: Request, user, form) -> Response:
        grouping.sync(ctx.alerts(), ctx.db, key=str(ctx.home.root))
        return ctx.render(request, "cases.html", user, cases=ctx.db.cases(limit=500))

    @page(ctx)
    def case_page(request: Request, user, form) -> Response:
        grouping.sync(ctx.alerts(), ctx.db, key=str(ctx.home.root))
        case = ctx.db.case(request.path_params["case_id"])
        from canhbao.evidence import takedown

        rows, timeline = [], []
        for alert_id in case.alert_ids:
            try:
                alert = ctx.alerts().get(alert_id)
            except NotFound:
                continue  # purged by retention; the membership stays for the record
            checks = takedown.checks(ctx.home, alert_id)
            rows.append({"alert": alert, "takedown": checks[-1]["state"] if checks else ""})
            timeline += [
                {"at": e.at, "actor": e.actor, "action": e.action, "note": e.note, "alert": alert_id}
                for e in alert.history
            ]
        timeline += [
            {
                "at": datetime.fromisoformat(e.at),
                "actor": e.actor,
                "action": e.action,
                "note": _details(e.details),
                "alert": "",
            }
            for e in ctx.audit.entries(case.id)
        ]
        timeline.sort(key=lambda e: e["at"])
        platforms = Counter(r["alert"].platform for r in rows)
        states = Counter(r["takedown"] or "unknown_state" for r in rows)
        return ctx.render(
            request,
            "case.html",
            user,
            case=case,
            rows=rows,
            timeline=timeline,
            platforms=platforms.most_common(),
            takedown_states=states.most_common(),
        )

    return [Route("/cases", case_list), Route("/cases/{case_id:str}", case_page)]


def _details(details: Any) -> str:
    alerts = details.get("alerts") if isinstance(details, dict) else None
    return ", ".join(a[:10] for a in alerts) if alerts else ""
