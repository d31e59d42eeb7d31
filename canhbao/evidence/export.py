"""`canhbao evidence export`: one alert -> one signed bundle (ZIP, optionally unpacked too).

Layout of a bundle:
  metadata.json          alert, post, what it matches, export, missing/withheld items
  report.pdf             the human-readable record (Vietnamese or English)
  post/text.txt          post text (masked unless --unmasked and allowed)
  post/page.html         the page as captured
  post/screenshot-capture.png / screenshot-live.png   full-page Chromium renderings
  media/<sha256>.<ext>   original media files
  capture/capture.warc.gz   the crawler's WARC records of the page and its media, byte for byte
  capture/live.warc.gz      the live URL fetched at export time
  capture/live-tls-chain.pem   the certificate chain of that HTTPS connection (origin of the live view)
  capture/capture.wacz      both WARC files as a WACZ with a CDXJ index (replayable in ReplayWeb.page)
  takedown/...           takedown checks and their captures
  custody.jsonl          chain of custody
  public_key.pem, manifest.sha256, manifest.sha256.sig

Privacy decision (`canhbao.evidence.masked`): a masked export, whatever the alert type, carries no full
page (raw HTML, WARC, WACZ, full-page screenshots: a feed page holds other people's posts), only the post's
own element (post/element.html, post/screenshot-element.png) and its media, each screened by the PII
detector (images by OCR); what still carries personal data is withheld and listed under `withheld` with its
SHA-256. An `--unmasked` export by an allowed role carries the full page and every raw capture.
Missing pieces (purged media, lost WARC) do not stop an export: they are listed under `missing`, in
the PDF and on stderr, and `--strict` turns them into a failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from canhbao.core.audit import AuditLog, current_actor
from canhbao.core.errors import CanhbaoError, InputError, NotFound
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import AlertEvent, Post, sha256_hex, utcnow
from canhbao.detectors.pii.masking import load_or_create_key
from canhbao.evidence import bundle, custody, masked, metadata, report, signing, takedown, timestamp, wacz
from canhbao.evidence.browser import Renderer
from canhbao.evidence.collect import Capture, collect
from canhbao.evidence.fetch import fetch
from canhbao.evidence.labels import LABELS
from canhbao.evidence.settings import EvidenceSettings

IMAGE_TYPES = ("png", "jpg", "jpeg", "webp")  # media shown in the PDF (up to four)


class NotAllowed(CanhbaoError):
    pass


@dataclass(frozen=True)
class Exported:
    alert_id: str
    zip_path: Path
    sha256: str
    files: tuple[str, ...]
    dir_path: Path | None = None
    missing: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()


def export(
    home: Home,
    store: Any,
    alert_id: str,
    settings: EvidenceSettings,
    *,
    out_dir: Path | None = None,
    unmasked: bool = False,
    unpacked: bool = False,
    lang: str | None = None,
    strict: bool = False,
    actor: str | None = None,
    renderer: Renderer | None = None,
    now: datetime | None = None,
) -> Exported:
    actor, now, lang = actor or current_actor(), now or utcnow(), lang or settings.lang
    audit = AuditLog(home.audit_log)
    if unmasked and not settings.may_unmask(actor):
        audit.append("evidence.export_refused", alert_id, actor=actor, reason="unmasked export not allowed")
        raise NotAllowed(
            f"{actor}: not allowed to export personal data unmasked (needs one of the roles "
            f"{', '.join(settings.unmasked_roles)} in config/evidence.yaml)"
        )
    try:
        alert = store.get(alert_id)
    except NotFound:
        raise InputError(alert_id, "no such alert") from None
    try:
        post: Post | None = PostStore(home.posts_db).get(alert.post_key)
    except NotFound:
        post = None
    cap = collect(home, post) if post else None
    missing = list(cap.missing) if cap else [f"post {alert.post_key}: not in the post store (purged?)"]
    if strict and missing:
        raise InputError(alert_id, "incomplete evidence: " + "; ".join(missing))
    key = signing.load_or_create(settings.key_file(home))
    fp = signing.fingerprint(key)
    # Every masked export, whatever the alert type, is screened (canhbao.evidence.masked): a manual capture or
    # a leak's feed page can expose someone as much as a PII alert does.
    withhold = not unmasked
    text = post.text if (unmasked and post) else alert.masked_text
    files: dict[str, bytes] = {"post/text.txt": text.encode("utf-8")}
    withheld: list[str] = []
    shots: list[tuple[str, bytes]] = []
    live: dict[str, Any] = {"url": alert.post_url, "checked": False}
    if cap:
        own = renderer is None
        renderer = renderer or Renderer(width=settings.viewport_width, max_height=settings.max_screenshot_height)
        views = _masked_views if withhold else _views
        try:
            shots, live = views(cap, files, renderer, settings, missing, LABELS[lang], withheld)
        finally:
            if own:
                renderer.close()
    warcs = {n.split("/", 1)[1]: d for n, d in files.items() if n.startswith("capture/") and ".warc" in n}
    if cap is not None and warcs:  # capture/ files come from the capture only
        files["capture/capture.wacz"] = wacz.build(
            warcs,
            main_url=cap.html_url,
            main_ts=custody.iso(cap.post.captured_at),
            title=f"canhbao evidence {alert.id}",
            created=now.isoformat(),
            when=now.astimezone(ZoneInfo(settings.timezone)),
        )
    for name, data in _takedown_files(home, alert.id, raw=unmasked):
        files[f"takedown/{name}"] = data

    audit.recover()  # a torn last line left by a crash is quarantined and recorded as a gap, not a break
    broken = audit.verify()  # custody entries are only worth signing if the log they come from is intact
    if broken:
        audit.append(
            "evidence.export_refused", alert.id, actor=actor, reason="audit log hash chain broken", problems=broken[:20]
        )
        raise InputError(
            audit.location,
            f"audit log hash chain broken ({broken[0]}"
            + (f" and {len(broken) - 1} more" if len(broken) > 1 else "")
            + "); custody cannot be certified, nothing exported",
        )
    trail = custody.entries(alert, post, audit.entries(alert.id))
    trail.append(
        {
            "at": now.isoformat(),
            "actor": actor,
            "action": "exported",
            "origin": "this export",
            "details": {"unmasked": unmasked, "lang": lang, "key": fp},
        }
    )
    mask_key = load_or_create_key(home.keys / "mask.key") if withhold else None
    if withhold:  # notes, capture reasons and audit details can name people as well as the post can
        trail, lines = masked.mask_json("custody.jsonl", trail, mask_key)
        withheld.extend(lines)
    files["custody.jsonl"] = custody.to_jsonl(trail)
    described = {n: _describe(n) for n in files} | {
        "report.pdf": "human-readable record (PDF)",
        "metadata.json": "machine-readable metadata",
    }
    meta = metadata.build(
        alert,
        post,
        exported_at=now.isoformat(),
        actor=actor,
        unmasked=unmasked,
        lang=lang,
        fingerprint=fp,
        files=described,
        missing=missing,
        withheld=withheld,
        live=live,
        takedown=takedown.checks(home, alert.id),
    )
    if withhold:
        meta = _mask_metadata(meta, withheld, mask_key)
    files["metadata.json"] = (json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    media_imgs = [
        (f"{LABELS[lang]['media']}: {n}", d)
        for n, d in sorted(files.items())
        if n.startswith("media/") and n.rsplit(".", 1)[-1].lower() in IMAGE_TYPES
    ][:4]
    files["report.pdf"] = report.render(
        meta,
        text=text,
        screenshots=shots,
        media_images=media_imgs,
        lang=lang,
        custody=trail,
        tz=settings.timezone,
        legal_basis=settings.legal_basis.get(lang, ()),
        tsa=settings.tsa_url,
        hashes=[(n, len(d), sha256_hex(d)) for n, d in sorted(files.items())],
    )
    sealed = bundle.seal(files, key)
    if settings.tsa_url:  # a configured TSA that does not answer stops the export: the record says stamped
        sealed[bundle.TIMESTAMP] = timestamp.stamp(
            sealed[bundle.MANIFEST],
            settings.tsa_url,
            timestamp.load_roots(settings.tsa_ca_file) if settings.tsa_ca_file else (),
            timeout=settings.tsa_timeout_s,
        )

    out_dir = Path(out_dir) if out_dir else home.evidence / alert.id
    name = f"evidence-{alert.id}-{now.strftime('%Y%m%dT%H%M%SZ')}"
    zip_path = out_dir / f"{name}.zip"
    stamp = now.astimezone(ZoneInfo(settings.timezone))  # ZIP entry times are local wall time
    bundle.write_zip(zip_path, sealed, when=stamp)
    dir_path = None
    if unpacked:
        dir_path = out_dir / name
        try:
            bundle.write_dir(dir_path, sealed)
        except CanhbaoError:
            zip_path.unlink()  # all or nothing: an export that failed leaves no file behind
            raise
    digest = sha256_hex(zip_path.read_bytes())
    audit.append(
        "evidence.export",
        alert.id,
        actor=actor,
        file=str(zip_path),
        sha256=digest,
        unmasked=unmasked,
        lang=lang,
        key=fp,
        missing=missing,
        withheld=len(withheld),
    )
    store.record(
        alert.id,
        AlertEvent(
            at=now,
            actor=actor,
            action="exported",
            note=f"{zip_path.name} sha256:{digest}" + (" (unmasked)" if unmasked else ""),
        ),
    )
    return Exported(alert.id, zip_path, digest, tuple(sorted(sealed)), dir_path, tuple(missing), tuple(withheld))


def _views(
    cap: Capture,
    files: dict[str, bytes],
    renderer: Renderer,
    settings: EvidenceSettings,
    missing: list[str],
    L: dict[str, str],
    withheld: list[str] | None = None,
) -> tuple[list[tuple[str, bytes]], dict[str, Any]]:
    """Raw captures into `files`, plus the screenshots (captured page replayed offline, and the live URL)."""
    shots = []
    if cap.html is not None:
        files["post/page.html"] = cap.html
        try:
            png = renderer.replay(cap.html_url, cap.html, cap.resources)
        except CanhbaoError as exc:
            missing.append(f"screenshot of the captured page: {exc}")
        else:
            files["post/screenshot-capture.png"] = png
            shots.append((L["shot_capture"], png))
    for mf in cap.media:
        if mf.data is not None:
            files[f"media/{mf.name}"] = mf.data
    if cap.warc:
        files["capture/capture.warc.gz" if cap.warc[:2] == b"\x1f\x8b" else "capture/capture.warc"] = cap.warc
    live: dict[str, Any] = {"url": cap.post.url, "checked": settings.screenshot_live}
    if settings.screenshot_live:
        got = fetch(cap.post.url, timeout=settings.live_timeout_s, user_agent=settings.user_agent)
        live.update(reachable=got.reachable, http_status=got.status, error=got.error)
        if got.warc:
            files["capture/live.warc.gz"] = got.warc
        if got.tls:  # origin: the certificates the live server presented, as verified
            files["capture/live-tls-chain.pem"] = b"".join(c.pem() for c in got.tls)
            live["tls"] = [
                {"host": c.host, "port": c.port, "version": c.version, "cipher": c.cipher, "certificates": c.summary()}
                for c in got.tls
            ]
        if got.reachable and got.status < 400:
            try:
                png = renderer.live(cap.post.url, timeout_s=settings.live_timeout_s)
            except CanhbaoError as exc:
                live["error"] = str(exc)
            else:
                files["post/screenshot-live.png"] = png
                shots.append((L["shot_live"], png))
    return shots, live


def _masked_views(
    cap: Capture,
    files: dict[str, bytes],
    renderer: Renderer,
    settings: EvidenceSettings,
    missing: list[str],
    L: dict[str, str],
    withheld: list[str],
) -> tuple[list[tuple[str, bytes]], dict[str, Any]]:
    """The post's own element and media, each screened for personal data; the full page withheld."""
    shots: list[tuple[str, bytes]] = []
    if cap.html is not None:
        withheld.append(
            f"post/page.html and full-page screenshots (sha256 {sha256_hex(cap.html)}): the whole "
            "captured page, other posts included; only in an unmasked export"
        )
        element = masked.post_element(cap.html, cap.post)
        if element is None:
            missing.append("the post's own element: not found in the captured page")
        else:
            html = masked.screen("post/element.html", element.html, text=element.text)
            _keep(html, files, withheld, "the post's element")
            try:
                png = renderer.replay(cap.html_url, cap.html, cap.resources, element=element.xpath)
            except CanhbaoError as exc:
                missing.append(f"screenshot of the post's element: {exc}")
            else:
                shot = masked.screen("post/screenshot-element.png", png, image=True)
                if _keep(shot, files, withheld, "the screenshot of the post's element (OCR)"):
                    shots.append((L["shot_capture"], png))
    for mf in cap.media:
        if mf.data is None:
            continue
        is_image = mf.name.rsplit(".", 1)[-1].lower() in IMAGE_TYPES
        if not is_image:
            withheld.append(
                f"media/{mf.name} (sha256 {sha256_hex(mf.data)}): not an image, cannot be screened "
                "for personal data; only in an unmasked export"
            )
            continue
        _keep(masked.screen(f"media/{mf.name}", mf.data, image=True), files, withheld, "the image (OCR)")
    if cap.warc:
        withheld.append(
            f"WARC records of {', '.join(cap.warc_uris)} (sha256 {sha256_hex(cap.warc)}): the whole "
            "captured page; only in an unmasked export"
        )
    live: dict[str, Any] = {"url": cap.post.url, "checked": settings.screenshot_live}
    if settings.screenshot_live:
        shots += _masked_live(cap, files, renderer, settings, missing, L, withheld, live)
    return shots, live


def _masked_live(
    cap: Capture,
    files: dict[str, bytes],
    renderer: Renderer,
    settings: EvidenceSettings,
    missing: list[str],
    L: dict[str, str],
    withheld: list[str],
    live: dict[str, Any],
) -> list[tuple[str, bytes]]:
    """Whether the post is still up, and its own element on the live page as it is now (screened like the
    captured one; the live page is rendered from the fetched HTML with no request to the outside): the live
    page is a feed too, so neither its whole HTML, its WARC nor a full-page screenshot goes in."""
    got = fetch(cap.post.url, timeout=settings.live_timeout_s, user_agent=settings.user_agent)
    live.update(reachable=got.reachable, http_status=got.status, error=got.error)
    if not (got.reachable and got.status < 400 and got.body):
        return []
    if got.warc:
        withheld.append(
            f"WARC records of the live page (sha256 {sha256_hex(got.warc)}): the whole page as it is now; "
            "only in an unmasked export"
        )
    element = masked.post_element(got.body, cap.post)
    if element is None:
        missing.append("the post's own element on the live page: not found (removed, or the page changed)")
        return []
    _keep(masked.screen("post/live-element.html", element.html, text=element.text), files, withheld, "the live post")
    try:
        png = renderer.replay(got.final_url or cap.post.url, got.body, {}, element=element.xpath)
    except CanhbaoError as exc:
        live["error"] = str(exc)
        return []
    shot = masked.screen("post/screenshot-live-element.png", png, image=True)
    if _keep(shot, files, withheld, "the screenshot of the live post's element (OCR)"):
        return [(L["shot_live"], png)]
    return []


def _mask_metadata(meta: dict[str, Any], withheld: list[str], key: bytes | None) -> dict[str, Any]:
    """metadata.json of a masked bundle: the poster masked, every other string screened by the PII detector;
    each masked value listed with its hash (in `withheld`, which the metadata carries)."""
    post, lines = masked.mask_poster("metadata.json", meta["post"], key)
    out, more = masked.mask_json(
        "metadata.json", {k: v for k, v in meta.items() if k != "withheld"} | {"post": post}, key
    )
    withheld.extend(lines + more)
    return {**out, "withheld": withheld}


def _keep(item: masked.Screened, files: dict[str, bytes], withheld: list[str], what: str) -> bool:
    if item.clean:
        files[item.name] = item.data
    else:
        withheld.append(item.withheld_line(what))
    return item.clean


def _takedown_files(home: Home, alert_id: str, *, raw: bool) -> list[tuple[str, bytes]]:
    base = takedown.folder(home, alert_id)
    if not base.is_dir():
        return []
    return [
        (p.name, p.read_bytes()) for p in sorted(base.iterdir()) if p.is_file() and (raw or p.name == "checks.jsonl")
    ]


def _describe(name: str) -> str:
    return {
        "post/text.txt": "post text",
        "post/page.html": "page as captured (raw HTML)",
        "post/screenshot-capture.png": "full-page screenshot of the captured page (replayed offline)",
        "post/screenshot-live.png": "full-page screenshot of the live URL at export time",
        "post/element.html": "the post's own element from the captured page (screened for personal data)",
        "post/screenshot-element.png": "screenshot of the post's own element, replayed offline (screened)",
        "post/live-element.html": "the post's own element from the live page at export time (screened)",
        "post/screenshot-live-element.png": "screenshot of the post's own element on the live page (screened)",
        "capture/capture.warc.gz": "WARC records of the page and its media, as captured",
        "capture/capture.warc": "WARC records of the page and its media, as captured",
        "capture/live.warc.gz": "WARC records of the live URL fetched at export time",
        "capture/live-tls-chain.pem": "TLS certificate chain the live server presented (leaf first, verified)",
        "capture/capture.wacz": "the WARC files above as a WACZ (opens in ReplayWeb.page)",
        "custody.jsonl": "chain of custody",
    }.get(
        name,
        "original media file"
        if name.startswith("media/")
        else "takedown check log / capture"
        if name.startswith("takedown/")
        else "",
    )
