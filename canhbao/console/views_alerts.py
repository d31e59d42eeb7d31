"""Alert queue (filters, search, sorting, paging, bulk actions) and the alert page with its actions."""

from __future__ import annotations

import mimetypes
from datetime import datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from canhbao.console import actions, highlight, masked_view
from canhbao.console import cases as grouping
from canhbao.console.store import CLOSE_REASONS, Case, new_case_id
from canhbao.console.web import Ctx, page
from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.records import ALERT_STATUSES, ALERT_TYPES, LEAK, PII_EXPOSURE, Alert, Post
from canhbao.detectors.pii.masking import load_or_create_key

SORTS = {
    "-captured_at": "newest",
    "captured_at": "oldest",
    "-score": "highest",
    "score": "lowest",
    "-updated_at": "recent_change",
}
FILTERS = ("q", "type", "status", "platform", "source", "document", "claim", "since", "until", "sort")


def parse_day(value: str, zone: Any, *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD in the deployment's zone -> the start (or the end) of that local day."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CanhbaoError(f"{value!r}: expected a date as YYYY-MM-DD") from None
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start + timedelta(days=1) if end else start


def query_of(params: Any, settings: Any) -> tuple[Any, dict[str, str], int]:
    from canhbao.index import AlertQuery

    f = {k: str(params.get(k, "")).strip() for k in FILTERS}
    if f["sort"] not in SORTS:
        f["sort"] = "-captured_at"
    try:
        page_no = max(1, int(params.get("page", 1)))
    except ValueError:
        page_no = 1
    size = settings.page_size
    q = AlertQuery(
        type=(f["type"],) if f["type"] in ALERT_TYPES else (),
        status=(f["status"],) if f["status"] in ALERT_STATUSES else (),
        platform=(f["platform"],) if f["platform"] else (),
        source=(f["source"],) if f["source"] else (),
        document_number=f["document"],
        claim_id=f["claim"],
        text=f["q"],
        since=parse_day(f["since"], settings.zone),
        until=parse_day(f["until"], settings.zone, end=True),
        sort=f["sort"],
        limit=size + 1,
        offset=(page_no - 1) * size,
    )
    return q, f, page_no


def routes(ctx: Ctx) -> list[Route]:
    def store():
        return ctx.alerts()

    @page(ctx)
    def queue(request: Request, user, form) -> Response:
        q, filters, page_no = query_of(request.query_params, ctx.settings)
        found = store().search(q)
        more = len(found) > ctx.settings.page_size
        found = found[: ctx.settings.page_size]
        facets = {name: store().count_by(name) for name in ("platform", "source")}
        template = "_queue_rows.html" if request.headers.get("hx-request") else "queue.html"
        return ctx.render(
            request,
            template,
            user,
            alerts=found,
            labels=ctx.db.labels([a.id for a in found]),
            filters=filters,
            page_no=page_no,
            more=more,
            facets=facets,
            sorts=SORTS,
            types=ALERT_TYPES,
            statuses=ALERT_STATUSES,
            reasons=CLOSE_REASONS,
            users=[u for u in ctx.db.users() if not u.disabled],
            cases=ctx.db.cases(limit=50),
            query_string=_query_string(filters),
            outcome=_outcome(request),
        )

    @page(ctx)
    def bulk(request: Request, user, form) -> Response:
        ids = [str(i) for i in form.getlist("ids")]
        action = str(form.get("action", ""))
        back = "/alerts" + (("?" + str(form.get("back"))) if form.get("back") else "")
        if not ids:
            raise CanhbaoError("no alert selected")
        if action in ("new_case", "add_to_case"):
            return _bulk_case(ctx, store(), user, ids, action, form)
        done = actions.apply(
            store(),
            ctx.db,
            ctx.audit,
            user.name,
            ids,
            action,
            reason=str(form.get("reason", "")),
            note=str(form.get("note", "")),
            assignee=str(form.get("assignee", "")),
            tags=str(form.get("tag", "")).split(","),
        )
        request.session["flash"] = list(done.failed[:20])
        sep = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{sep}done={len(done.done)}&failed={len(done.failed)}", status_code=303)

    @page(ctx)
    def alert_page(request: Request, user, form) -> Response:
        alert = _get(store(), request.path_params["alert_id"])
        post = _post(ctx, alert)
        grouping.sync(store(), ctx.db, key=str(ctx.home.root))
        return ctx.render(
            request,
            "alert.html",
            user,
            alert=alert,
            post=post,
            labels=ctx.db.labels([alert.id]).get(alert.id),
            cases=ctx.db.cases_of(alert.id),
            reasons=CLOSE_REASONS,
            users=[u for u in ctx.db.users() if not u.disabled],
            leak=_leak_view(ctx, alert, post) if alert.type == LEAK else None,
            claims=_claims(ctx, alert),
            bundles=_bundles(ctx, alert.id),
            show_raw=_may_see_raw(ctx, user, alert),
            media_shown=_media_shown(ctx, user, alert, post),
            takedown=_takedown(ctx, alert),
            outcome=_outcome(request),
            error=request.query_params.get("error", ""),
        )

    @page(ctx)
    def alert_action(request: Request, user, form) -> Response:
        alert_id = request.path_params["alert_id"]
        done = actions.apply(
            store(),
            ctx.db,
            ctx.audit,
            user.name,
            [alert_id],
            str(form.get("action", "")),
            reason=str(form.get("reason", "")),
            note=str(form.get("note", "")),
            assignee=str(form.get("assignee", "")),
            tags=str(form.get("tag", "")).split(","),
        )
        if done.failed:
            raise CanhbaoError(done.failed[0])
        return RedirectResponse(f"/alerts/{alert_id}?done=1", status_code=303)

    @page(ctx)
    def media(request: Request, user, form) -> Response:
        alert = _get(store(), request.path_params["alert_id"])
        sha = request.path_params["sha"]
        path = _media_file(ctx, user, alert, sha)
        if alert.type == PII_EXPOSURE:  # looking at a patient's data is itself on the record
            ctx.audit.append("media.viewed", alert.id, actor=user.name, sha256=sha)
        return FileResponse(
            path,
            media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            headers={"Cache-Control": "private, no-store"},
        )

    @page(ctx)
    def registered(request: Request, user, form) -> Response:
        alert = _get(store(), request.path_params["alert_id"])
        page_ = _registered_page(ctx, alert)
        if page_ is None:
            raise NotFound(f"alert {alert.id}: no registered page")
        return FileResponse(
            ctx.home.root / page_.image, media_type="image/png", headers={"Cache-Control": "private, no-store"}
        )

    @page(ctx)
    def captured(request: Request, user, form) -> Response:
        body = _captured_html(ctx, user, _get(store(), request.path_params["alert_id"]))
        # The page as captured, inert: no script, no request to the outside, framed by the console only.
        return Response(
            body,
            media_type="text/html",
            headers={
                "Content-Security-Policy": "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
                "Cache-Control": "private, no-store",
            },
        )

    return [
        Route("/alerts", queue),
        Route("/alerts/bulk", bulk, methods=["POST"]),
        Route("/alerts/{alert_id:str}", alert_page),
        Route("/alerts/{alert_id:str}/action", alert_action, methods=["POST"]),
        Route("/alerts/{alert_id:str}/media/{sha:str}", media),
        Route("/alerts/{alert_id:str}/registered.png", registered),
        Route("/alerts/{alert_id:str}/captured", captured),
    ]


def _bulk_case(ctx: Ctx, store: Any, user: Any, ids: list[str], action: str, form: Any) -> Response:
    """The queue's "new case" / "add to case" bulk actions: the case and every alert must exist."""
    case_id = new_case_id() if action == "new_case" else str(form.get("case", ""))
    if action == "add_to_case":
        ctx.db.case(case_id)
    for alert_id in ids:
        store.get(alert_id)
    title = str(form.get("title", "")).strip() or f"{user.name} {len(ids)}"
    ctx.db.put_case(
        Case(
            id=case_id,
            kind="manual",
            key="",
            title=title[:160],
            created_at=_now(),
            created_by=user.name,
            alert_ids=tuple(ids),
        )
    )
    ctx.audit.append(
        "case.created" if action == "new_case" else "case.alerts_added", case_id, actor=user.name, alerts=ids
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _captured_html(ctx: Ctx, user: Any, alert: Alert) -> bytes:
    """The captured page of an alert as this user may see it: raw for a role allowed to unmask (a patient-data
    view is audited), else the post's own element with its personal data masked."""
    post = _post(ctx, alert)
    if post is None or not post.raw_html:
        raise NotFound(f"alert {alert.id}: no capture shown")
    body = (ctx.home.root / post.raw_html).read_bytes()
    if not _may_see_raw(ctx, user, alert):
        return masked_view.capture(body, post, alert, load_or_create_key(ctx.home.keys / "mask.key"))
    if alert.type == PII_EXPOSURE:
        ctx.audit.append("capture.viewed", alert.id, actor=user.name)
    return body


def _now() -> datetime:
    from canhbao.core.records import utcnow

    return utcnow()


def _get(store: Any, alert_id: str) -> Alert:
    if not alert_id.isalnum():
        raise NotFound(f"alert {alert_id[:40]}: not found")
    return store.get(alert_id)


def _post(ctx: Ctx, alert: Alert) -> Post | None:
    from canhbao.core.posts import PostStore

    try:
        return PostStore(ctx.home.posts_db).get(alert.post_key)
    except NotFound:
        return None


def _may_see_raw(ctx: Ctx, user: Any, alert: Alert) -> bool:
    """The raw capture (a feed: other people's posts too, whatever the alert's type) and the media as posted:
    only roles allowed to unmask (canhbao.console.masked_view says what the others see)."""
    return user.role in ctx.settings.unmasked_roles


def _media_file(ctx: Ctx, user: Any, alert: Alert, sha: str) -> Any:
    """The file of one of the alert's media, if this user may see it."""
    if sha not in alert.media_sha256:
        raise NotFound(f"media {sha[:12]}: not shown")
    path = _media_path(ctx, _post(ctx, alert), sha)
    if not _may_see_raw(ctx, user, alert) and not masked_view.image_shown(alert, path):
        raise NotFound(f"media {sha[:12]}: not shown (personal data; only to roles allowed to unmask)")
    return path


def _media_shown(ctx: Ctx, user: Any, alert: Alert, post: Post | None) -> set[str]:
    """The sha256 of the alert's media this user may see."""
    shown = set()
    for m in post.media if post else ():
        if m.sha256 in alert.media_sha256 and m.path and (ctx.home.root / m.path).is_file():
            if _may_see_raw(ctx, user, alert) or masked_view.image_shown(alert, ctx.home.root / m.path):
                shown.add(m.sha256)
    return shown


def _media_path(ctx: Ctx, post: Post | None, sha: str) -> Any:
    for m in post.media if post else ():
        if m.sha256 == sha and m.path and (ctx.home.root / m.path).is_file():
            return ctx.home.root / m.path
    raise NotFound(f"media {sha[:12]}: file not kept")


def _registered_page(ctx: Ctx, alert: Alert) -> Any:
    doc = alert.finding.document
    if doc is None:
        return None
    from canhbao.registry import Registry

    with Registry.open(ctx.home) as registry:
        pages = list(registry.pages(doc.id))
    return next((p for p in pages if p.page == (doc.page or 1)), pages[0] if pages else None)


def _leak_view(ctx: Ctx, alert: Alert, post: Post | None) -> dict[str, Any] | None:
    """Registered page and posted image, each with the lines the other repeats highlighted."""
    reg = _registered_page(ctx, alert)
    sha = alert.finding.media_sha256
    if reg is None:
        return None
    cache = ctx.home.cache / "console"
    view: dict[str, Any] = {"document": alert.finding.document, "page": reg.page, "posted": None}
    reg_lines = highlight.ocr_lines(ctx.home.root / reg.image, cache)
    posted_lines: list[highlight.Line] = []
    if sha:
        try:
            posted_lines = highlight.ocr_lines(_media_path(ctx, post, sha), cache)
            view["posted"] = sha
        except NotFound:
            posted_lines = []
    posted_text = " ".join(x.text for x in posted_lines) or alert.masked_text
    view["registered_lines"] = list(zip(reg_lines, highlight.matched(reg_lines, posted_text), strict=True))
    view["posted_lines"] = list(zip(posted_lines, highlight.matched(posted_lines, reg.text), strict=True))
    view["matched"] = sum(m for _, m in view["registered_lines"])
    return view


def _claims(ctx: Ctx, alert: Alert) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not alert.finding.claims:
        return out
    from canhbao.claims import ClaimBank

    bank = ClaimBank(ctx.home.claims_db)
    for ref in alert.finding.claims:
        try:
            claim = bank.get(ref.id)
        except NotFound:
            claim = None
        out.append({"ref": ref, "claim": claim})
    return out


def _bundles(ctx: Ctx, alert_id: str) -> list[Any]:
    folder = ctx.home.evidence / alert_id
    return sorted(folder.glob("*.zip"), reverse=True) if folder.is_dir() else []


def _takedown(ctx: Ctx, alert: Alert) -> str:
    from canhbao.evidence import takedown

    checks = takedown.checks(ctx.home, alert.id)
    return checks[-1].get("state", "") if checks else ""


def _outcome(request: Request) -> dict[str, int] | None:
    p = request.query_params
    if "done" not in p:
        return None
    try:
        return {"done": int(p.get("done", 0)), "failed": int(p.get("failed", 0))}
    except ValueError:
        return None


def _query_string(filters: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in filters.items() if v})
