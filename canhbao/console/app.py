"""`create_app(home)`: the Starlette application behind `canhbao serve`."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from canhbao.console import accounts, i18n, views_alerts, views_cases, views_evidence
from canhbao.console.settings import ConsoleSettings, load
from canhbao.console.store import ConsoleStore
from canhbao.console.web import Ctx, csrf_ok, page, safe_next
from canhbao.core import atomic
from canhbao.core.audit import AuditLog
from canhbao.core.home import Home

STATIC = Path(__file__).with_name("static")


def secret_key(path: Path) -> str:
    """The session signing key, made once (0600) so sessions survive a restart."""
    if not path.exists():
        atomic.write_text(path, secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text("utf-8").strip()


def create_app(home: Home, settings: ConsoleSettings | None = None) -> Starlette:
    settings = settings or load()
    templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
    ctx = Ctx(
        home=home,
        settings=settings,
        db=ConsoleStore.for_home(home),
        audit=AuditLog(home.audit_log),
        templates=templates,
    )

    async def login_form(request: Request) -> Response:
        if await run_in_threadpool(ctx.user, request):
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return ctx.render(request, "login.html", None, next=safe_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        form = await request.form()
        lang = ctx.lang(request)
        nxt = safe_next(str(form.get("next", "")))
        if not csrf_ok(request, form):
            return ctx.render(request, "login.html", None, 403, next=nxt, error=i18n.translate("csrf", lang))
        name = str(form.get("username", "")).strip().lower()[:64]
        client = ctx.client(request)
        try:
            user = await run_in_threadpool(
                accounts.authenticate, ctx.db, settings, name, str(form.get("password", "")), client
            )
        except accounts.Throttled:
            await run_in_threadpool(ctx.audit.append, "console.login_throttled", name, actor="anonymous", client=client)
            return ctx.render(request, "login.html", None, 429, next=nxt, error=i18n.translate("throttled", lang))
        if user is None:
            await run_in_threadpool(ctx.audit.append, "console.login_failed", name, actor="anonymous", client=client)
            return ctx.render(request, "login.html", None, 401, next=nxt, error=i18n.translate("login_failed", lang))
        request.session.clear()  # a fresh session (and CSRF token) at every login: no fixation
        request.session.update(u=user.name, e=user.epoch, at=time.time(), lang=lang, csrf=secrets.token_urlsafe(32))
        await run_in_threadpool(ctx.audit.append, "console.login", user.name, actor=user.name, client=client)
        return RedirectResponse(nxt, status_code=303)

    @page(ctx)
    def logout(request: Request, user, form) -> Response:
        ctx.audit.append("console.logout", user.name, actor=user.name, client=ctx.client(request))
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def set_lang(request: Request) -> Response:
        form = await request.form()
        if not csrf_ok(request, form):
            return Response("invalid form token", status_code=403)
        lang = str(form.get("lang", ""))
        if lang in i18n.LANGS:
            request.session["lang"] = lang
        return RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)

    async def home_page(request: Request) -> Response:
        return RedirectResponse("/alerts", status_code=303)

    async def health(request: Request) -> Response:
        return Response("ok", media_type="text/plain")

    routes = [
        Route("/", home_page),
        Route("/healthz", health),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang", set_lang, methods=["POST"]),
        *views_alerts.routes(ctx),
        *views_cases.routes(ctx),
        *views_evidence.routes(ctx),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secret_key(settings.key_file(home)),
            session_cookie="canhbao_session",
            max_age=int(settings.session_hours * 3600),
            same_site="lax",
            https_only=settings.secure_cookies,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.ctx = ctx

    return app


class SecurityHeaders:
    """Pure ASGI middleware: CSP (no inline script), framing only by the console itself, no caching of pages
    that carry alert data."""

    HEADERS = [
        (b"x-frame-options", b"SAMEORIGIN"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    CSP = (
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'self'; form-action 'self'"
    )

    def __init__(self, app):  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static")

        async def with_headers(message):  # noqa: ANN001
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = list(self.HEADERS) + [(b"content-security-policy", self.CSP)]
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
