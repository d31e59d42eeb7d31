"""Evidence from the console: export (unmasked only for the logged-in user's permitted role), download,
verify an uploaded bundle; and the audit log for administrators."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from canhbao.console.web import Ctx, page
from canhbao.core.errors import NotFound

AUDIT_PAGE = 300


def export_settings(ctx: Ctx, user):  # noqa: ANN001, ANN201
    """The evidence settings with the role check bound to the logged-in user: the console's user and role
    decide, never `$CANHBAO_ACTOR` or the OS account the server runs as."""
    from canhbao.evidence import settings as ev

    cfg = ev.load()
    return dataclasses.replace(cfg, roles={user.name: (user.role,)}, unmasked_roles=ctx.settings.unmasked_roles)


def routes(ctx: Ctx) -> list[Route]:
    @page(ctx)
    def export(request: Request, user, form) -> Response:
        from canhbao.evidence import export as ev_export

        alert_id = request.path_params["alert_id"]
        cfg = export_settings(ctx, user)
        if form.get("no_live"):
            cfg = dataclasses.replace(cfg, screenshot_live=False)
        lang = str(form.get("lang", "")) or None
        try:
            done = ev_export.export(
                ctx.home,
                ctx.alerts(),
                alert_id,
                cfg,
                unmasked=bool(form.get("unmasked")),
                lang=lang if lang in ("vi", "en") else None,
                actor=user.name,
            )
        except ev_export.NotAllowed:
            raise ev_export.NotAllowed(
                f"{user.name} ({user.role}): not allowed to export personal data unmasked "
                f"(console roles: {', '.join(ctx.settings.unmasked_roles)})"
            ) from None
        return RedirectResponse(f"/alerts/{alert_id}?exported={done.zip_path.name}#evidence", status_code=303)

    @page(ctx)
    def download(request: Request, user, form) -> Response:
        alert_id, name = request.path_params["alert_id"], request.path_params["name"]
        folder = ctx.home.evidence / alert_id
        path = folder / name
        if not alert_id.isalnum() or "/" in name or not name.endswith(".zip") or not path.is_file():
            raise NotFound(f"{name}: no such bundle")
        if "unmasked" in _bundle_kind(path) and user.role not in ctx.settings.unmasked_roles:
            ctx.audit.append("evidence.download_refused", alert_id, actor=user.name, bundle=name)
            return ctx.render(request, "error.html", user, 403, message="unmasked bundle: role required")
        ctx.audit.append("evidence.downloaded", alert_id, actor=user.name, bundle=name)
        return FileResponse(path, media_type="application/zip", filename=name)

    @page(ctx)
    def verify_form(request: Request, user, form) -> Response:
        return ctx.render(request, "verify.html", user, verdict=None)

    @page(ctx)
    def verify(request: Request, user, form) -> Response:
        from canhbao.evidence import bundle, signing
        from canhbao.evidence import settings as ev

        upload = form.get("bundle")
        if upload is None or not getattr(upload, "filename", ""):
            return ctx.render(request, "verify.html", user, 400, verdict=None)
        key_file = ev.load().key_file(ctx.home)
        trusted = signing.load_or_create(key_file).public_key() if key_file.exists() else None
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bundle.zip"
            with open(path, "wb") as fh:
                upload.file.seek(0)
                while chunk := upload.file.read(1 << 20):
                    fh.write(chunk)
            verdict = bundle.verify(path, trusted)
        ctx.audit.append(
            "evidence.verified",
            Path(upload.filename).name[:200],
            actor=user.name,
            ok=verdict.ok,
            problems=list(verdict.problems)[:20],
        )
        return ctx.render(request, "verify.html", user, verdict=verdict, filename=Path(upload.filename).name)

    @page(ctx, roles=("admin",))
    def audit(request: Request, user, form) -> Response:
        who = request.query_params.get("actor", "")
        entries = [e for e in ctx.audit.entries() if not who or e.actor == who]
        problems = ctx.audit.verify()
        return ctx.render(
            request,
            "audit.html",
            user,
            entries=entries[-AUDIT_PAGE:][::-1],
            actor=who,
            problems=problems,
            dumps=lambda d: json.dumps(d, ensure_ascii=False)[:300],
        )

    return [
        Route("/alerts/{alert_id:str}/export", export, methods=["POST"]),
        Route("/alerts/{alert_id:str}/evidence/{name:str}", download),
        Route("/verify", verify_form, methods=["GET"]),
        Route("/verify", verify, methods=["POST"]),
        Route("/audit", audit),
    ]


def _bundle_kind(path: Path) -> str:
    """'unmasked' if the bundle's metadata says personal data is included (read from the ZIP itself)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("metadata.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return "unmasked"  # unreadable: treat as the sensitive kind
    return "unmasked" if meta.get("export", {}).get("unmasked") else "masked"
