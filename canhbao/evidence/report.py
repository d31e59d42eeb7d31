"""The human-readable record (PDF): laid out like an official Vietnamese record ("biên bản"), with an
English option. Fonts with Vietnamese glyphs (Noto Serif, DejaVu Sans Mono) are embedded.

Pure: takes the metadata, text, images and file hashes already collected, returns PDF bytes.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image as RLImage
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from canhbao.core.errors import ConfigError
from canhbao.evidence.labels import LABELS

FONTS = {
    "Serif": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "Serif-Bold": "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
    "Mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
}
MAX_TEXT = 4000  # characters of post text in the PDF; the full text is in post/text.txt
WIDTH = 170 * mm
# Tables set a cell font even when every cell is a Paragraph; the default (Helvetica) is not embedded.
BASE_CELL = [("FONTNAME", (0, 0), (-1, -1), "Serif"), ("VALIGN", (0, 0), (-1, -1), "TOP")]


@lru_cache(maxsize=1)
def _fonts() -> None:
    for name, path in FONTS.items():
        if not Path(path).exists():
            raise ConfigError("fonts", "", f"{path} missing; install fonts-noto-core and fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, path))  # TrueType fonts are embedded (subset) by reportlab


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="Serif", bulletFontName="Serif", fontSize=10, leading=13.5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "mono": ParagraphStyle("mono", parent=base, fontName="Mono", fontSize=6.5, leading=8.5),
        "h1": ParagraphStyle("h1", parent=base, fontName="Serif-Bold", fontSize=14, leading=18,
                             alignment=TA_CENTER),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "centerb": ParagraphStyle("centerb", parent=base, fontName="Serif-Bold", alignment=TA_CENTER),
        "h2": ParagraphStyle("h2", parent=base, fontName="Serif-Bold", fontSize=11, leading=15, spaceBefore=8,
                             spaceAfter=3),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _kv(rows: Sequence[tuple[str, Any]], st: dict[str, ParagraphStyle]) -> Table:
    t = Table([[_p(k, st["body"]), _p(v if v not in (None, "") else "—", st["body"])] for k, v in rows],
              colWidths=[48 * mm, WIDTH - 48 * mm])
    t.setStyle(TableStyle([*BASE_CELL, ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


def _grid(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
          styles: Sequence[ParagraphStyle], st: dict[str, ParagraphStyle]) -> Table:
    data = [[_p(h, st["small"]) for h in header]]
    data += [[_p(v, styles[i]) for i, v in enumerate(row)] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([*BASE_CELL, ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92))]))
    return t


def _image(data: bytes, width: float, max_height: float) -> RLImage:
    """Scale to `width`; a page taller than `max_height` shows its top (the file in the bundle is whole)."""
    with Image.open(io.BytesIO(data)) as src:
        im = src.convert("RGB")
        w, h = im.size
        limit = int(w * max_height / width)
        if h > limit:
            im = im.crop((0, 0, w, limit))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)  # reportlab embeds JPEG as is; PNG it re-compresses (slow)
    buf.seek(0)
    img = RLImage(buf)
    img.drawWidth, img.drawHeight = width, width * img.imageHeight / img.imageWidth
    return img


def render(meta: Mapping[str, Any], *, text: str, screenshots: Sequence[tuple[str, bytes]],
           media_images: Sequence[tuple[str, bytes]], hashes: Sequence[tuple[str, int, str]],
           custody: Sequence[Mapping[str, Any]], lang: str = "vi",
           tz: str = "Asia/Ho_Chi_Minh") -> bytes:
    """`hashes`: (file, size, sha256) of every other file in the bundle; `screenshots`: (caption, png).
    Times print in `tz` with their offset (metadata.json keeps ISO 8601)."""
    _fonts()
    L, st = LABELS[lang], _styles()
    when = _clock(tz, lang)
    a, p, m, x = meta["alert"], meta["post"], meta["match"], meta["export"]
    story: list[Any] = []
    head = Table([[_p(L["org"], st["centerb"]), _p(L["nation"], st["centerb"])],
                  [_p(L["system"], st["center"]), _p(L["motto"], st["center"])]],
                 colWidths=[WIDTH * 0.45, WIDTH * 0.55], style=TableStyle(BASE_CELL))
    story += [head, Spacer(1, 6 * mm), _p(L["title"], st["h1"]), _p(L["subtitle"], st["center"]),
              _p(f"{L['alert_id']}: {a['id']}", st["center"]), Spacer(1, 4 * mm),
              _p(L["intro"].format(at=when(x["at"]), actor=x["actor"]), st["body"])]

    story += [_p(L["s_capture"], st["h2"]), _kv([
        (L["platform"], p["platform"]), (L["source"], p["source"]), (L["url"], p["url"]),
        (L["post_id"], p["post_id"]), (L["author"], p["author"]), (L["published"], when(p["published_at"])),
        (L["captured"], when(p["captured_at"])), (L["captured_by"], f"crawler:{p['source']}"),
        (L["exported_by"], x["actor"]), (L["exported_at"], when(x["at"])),
    ], st)]

    story += [_p(L["s_seen"], st["h2"]),
              _p(L["text_masked"] if not x["unmasked"] else L["text_unmasked"], st["small"]),
              _p(text[:MAX_TEXT] + (" …" if len(text) > MAX_TEXT else "") or "—", st["body"])]
    for caption, png in screenshots:
        story += [Spacer(1, 3 * mm),
                  KeepTogether([_p(caption, st["small"]), _image(png, WIDTH * 0.8, 120 * mm)])]
    for caption, data in media_images:
        story += [Spacer(1, 3 * mm),
                  KeepTogether([_p(caption, st["small"]), _image(data, WIDTH * 0.6, 120 * mm)])]

    story += [_p(L["s_match"], st["h2"]), _kv(_match_rows(a, m, L), st)]
    if meta.get("takedown"):
        story += [_p(L["s_takedown"], st["h2"]), _grid(
            [L["time"], L["state"], L["http"], L["note"]],
            [[when(t.get("at", "")), L.get("state_" + t.get("state", ""), t.get("state", "")),
              t.get("http_status", ""), t.get("note", "")] for t in meta["takedown"]],
            [38 * mm, 25 * mm, 15 * mm, WIDTH - 78 * mm], [st["small"]] * 4, st)]
    if meta.get("missing") or meta.get("withheld"):
        story += [_p(L["s_missing"], st["h2"])]
        story += [_p(f"• {L['missing']}: {s}", st["body"]) for s in meta.get("missing", [])]
        story += [_p(f"• {L['withheld']}: {s}", st["body"]) for s in meta.get("withheld", [])]

    story += [_p(L["s_hashes"], st["h2"]), _p(L["hash_note"], st["small"]),
              _grid([L["file"], L["size"], "SHA-256"], [[f, s, h] for f, s, h in hashes],
                    [52 * mm, 16 * mm, WIDTH - 68 * mm], [st["small"], st["small"], st["mono"]], st)]
    story += [_p(L["s_custody"], st["h2"]), _grid(
        [L["time"], L["actor"], L["action"], L["note"]],
        [[when(c["at"]), c["actor"], c["action"], _custody_note(c)] for c in custody],
        [38 * mm, 34 * mm, 28 * mm, WIDTH - 100 * mm], [st["small"]] * 4, st)]
    story += [Spacer(1, 6 * mm), _p(L["signed"].format(fp=x["key_fingerprint"]), st["body"]),
              Spacer(1, 4 * mm), _p(f"{L['recorder']}\n{x['actor']}", st["centerb"])]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{L['title']} {a['id']}", author=x["actor"],
                            creator=x["tool"], invariant=1, initialFontName="Serif")
    doc.build(story, onFirstPage=_footer(L, a["id"]), onLaterPages=_footer(L, a["id"]))
    return buf.getvalue()


def _match_rows(a: Mapping[str, Any], m: Mapping[str, Any], L: Mapping[str, str]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [(L["alert_type"], L.get("type_" + a["type"], a["type"])),
                                   (L["detector"], m["detector"]), (L["score"], f"{m['score']:.2f}"),
                                   (L["summary"], m["summary"])]
    if "document" in m:
        d = m["document"]
        rows += [(L["doc_number"], ", ".join(d["numbers"])), (L["doc_subject"], d["subject"]),
                 (L["doc_page"], d["page"]), (L["doc_source"], d["source"])]
    for t in m.get("pii_types", []):
        rows.append((L["pii_type"], f"{t['type']} ({t['category']}) × {t['count']}"))
    for c in m.get("claims", []):
        rows.append((L["claim"], f"{c['text']} — {c['tier']}, {L['similarity']} {c['similarity']:.2f}"
                                 + (f", {c['url']}" if c.get("url") else "")))
    if m.get("signals"):
        rows.append((L["signals"], "; ".join(f"{k}: {v}" for k, v in sorted(m["signals"].items()))))
    return rows


def _clock(tz: str, lang: str):
    """ISO 8601 -> local wall time with its UTC offset, the way a record is read ("14:05:09 30/08/2021")."""
    zone = ZoneInfo(tz)

    def fmt(iso: str) -> str:
        try:
            t = datetime.fromisoformat(iso)
        except (TypeError, ValueError):
            return iso or ""
        t = (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(zone)
        off = t.strftime("%z")
        pattern = "%H:%M:%S %d/%m/%Y" if lang == "vi" else "%Y-%m-%d %H:%M:%S"
        return f"{t.strftime(pattern)} (UTC{off[:3]}:{off[3:]})"
    return fmt


def _custody_note(c: Mapping[str, Any]) -> str:
    d = c.get("details") or {}
    parts = [f"{k}: {v}" for k, v in d.items() if v not in ("", None, [], {})]
    return "; ".join(parts)[:300]


def _footer(L: Mapping[str, str], alert_id: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Serif", 7.5)
        canvas.drawString(20 * mm, 10 * mm, f"{L['footer']} {alert_id}")
        canvas.drawRightString(190 * mm, 10 * mm, f"{L['page']} {doc.page}")
        canvas.restoreState()
    return draw
