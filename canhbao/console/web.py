"""Request plumbing of the console: who is logged in, CSRF, role checks, rendering.

Sessions are Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure unless turned off) holding the user
name, the account's epoch (a password change or disable ends every older session), the login time (an
absolute limit) and a CSRF token that every POST must echo (form field `csrf_token` or header
`X-CSRF-Token`, which HTMX sends from the page's `hx-headers`).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from canhbao.console import i18n
from canhbao.console.settings import ConsoleSettings
from canhbao.console.store import ConsoleStore, User
from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.home import Home

TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class Ctx:
    """What every view needs, built once per app."""

    home: Home
    settings: ConsoleSettings
    db: ConsoleStore
    audit: AuditLog
    templates: Jinja2Templates
    _local: threading.local = field(default_factory=threading.local)

    def alerts(self) -> Any:
        """The configured alert store, one per worker thread (SQLite connections are per thread)."""
        store = getattr(self._local, "store", None)
        if store is None:
            from canhbao.index import open_store

            store = self._local.store = open_store(self.home)
        return store

    def client(self, request: Request) -> str:
        return request.client.host if request.client else "-"

    def user(self, request: Request) -> User | None:
        s = self.settings
        if s.trusted_proxy_header and self.client(request) in s.trusted_proxies:
            name = request.headers.get(s.trusted_proxy_header, "").strip().lower()
            if name:
                user = self.db.find_user(name)
                if user and not user.disabled:
                    request.session.setdefault("csrf", secrets.token_urlsafe(32))
                    return user
        name = request.session.get("u") or ""
        if not name:
            return None
        user = self.db.find_user(name)
        too_old = time.time() - float(request.session.get("at", 0)) > s.session_hours * 3600
        if user is None or user.disabled or user.epoch != request.session.get("e") or too_old:
            request.session.clear()
            return None
        return user

    def lang(self, request: Request) -> str:
        lang = request.session.get("lang") or request.query_params.get("lang") or self.settings.lang
        return lang if lang in i18n.LANGS else self.settings.lang

    def render(self, request: Request, name: str, user: User | None, status: int = 200, **values: Any) -> Response:
        lang = self.lang(request)
        zone = self.settings.zone
        values.update(
            user=user,
            lang=lang,
            csrf=csrf_token(request),
            settings=self.settings,
            t=lambda key: i18n.translate(key, lang),
            when=lambda dt, seconds=False: i18n.local_time(dt, zone, seconds=seconds),
            flash=request.session.pop("flash", []),
            may_unmask=bool(user and user.role in self.settings.unmasked_roles),
        )
        return self.templates.TemplateResponse(request, name, values, status_code=status)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(request: Request, form: Any) -> bool:
    expected = request.session.get("csrf", "")
    given = request.headers.get("x-csrf-token") or (form.get("csrf_token") if form is not None else "") or ""
    return bool(expected) and hmac.compare_digest(str(given), str(expected))


View = Callable[..., Response]


def page(ctx: Ctx, *, roles: tuple[str, ...] = ()) -> Callable[[View], Callable[[Request], Awaitable[Response]]]:
    """Wrap a sync view `fn(request, user, form)`: login required, role checked, CSRF checked on POST,
    then run in the thread pool. Errors become pages with one line, never a traceback."""

    def wrap(fn: View) -> Callable[[Request], Awaitable[Response]]:
        async def handler(request: Request) -> Response:
            user = await run_in_threadpool(ctx.user, request)
            if user is None:
                if request.headers.get("hx-request"):
                    return Response(status_code=401, headers={"HX-Redirect": "/login"})
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
            form = None
            if request.method == "POST":
                form = await request.form(max_part_size=ctx.settings.max_upload_mb * 1024 * 1024)
                if not csrf_ok(request, form):
                    await run_in_threadpool(
                        ctx.audit.append,
                        "console.csrf_refused",
                        request.url.path,
                        actor=user.name,
                        client=ctx.client(request),
                    )
                    return ctx.render(
                        request, "error.html", user, 403, message=i18n.translate("csrf", ctx.lang(request))
                    )
            if roles and user.role not in roles:
                return ctx.render(
                    request, "error.html", user, 403, message=i18n.translate("not_allowed", ctx.lang(request))
                )
            try:
                return await run_in_threadpool(fn, request, user, form)
            except NotFound as exc:
                return ctx.render(request, "error.html", user, 404, message=str(exc))
            except CanhbaoError as exc:
                status = 403 if type(exc).__name__ == "NotAllowed" else 400
                return ctx.render(request, "error.html", user, status, message=str(exc))

        return handler

    return wrap


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="")


def safe_next(target: str | None) -> str:
    """Only same-site paths: '/alerts?x=1' yes, '//evil', 'https://evil' and '/\\evil' no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/alerts"
    return target
