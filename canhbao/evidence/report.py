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

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image as RLImage
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from canhbao.core.errors import ConfigError, InputError
from canhbao.core.images import load_image
from canhbao.evidence import wording
from canhbao.evidence.labels import LABELS
from canhbao.evidence.wording import cut

FONTS = {
    "Serif": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "Serif-Bold": "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
    "Serif-Italic": "/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf",
    "Mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
}
MAX_TEXT = 4000  # characters of post text in the PDF; the full text is in post/text.txt
PLATFORMS = {"facebook": "Facebook", "zalo": "Zalo", "telegram": "Telegram", "news": "báo điện tử", "web": "trang web"}
MAX_FIELD = 500  # characters of one crawled value in a table cell (a table row cannot span pages)
MAX_IMAGE_PIXELS = 60_000_000  # screenshots are clipped far below this; media beyond it are not shown
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
        "h1": ParagraphStyle("h1", parent=base, fontName="Serif-Bold", fontSize=14, leading=18, alignment=TA_CENTER),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "centerb": ParagraphStyle("centerb", parent=base, fontName="Serif-Bold", alignment=TA_CENTER),
        "centeri": ParagraphStyle("centeri", parent=base, fontName="Serif-Italic", alignment=TA_CENTER),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName="Serif-Bold", fontSize=11, leading=15, spaceBefore=8, spaceAfter=3
        ),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _kv(rows: Sequence[tuple[str, Any]], st: dict[str, ParagraphStyle]) -> Table:
    t = Table(
        [[_p(k, st["body"]), _p(v if v not in (None, "") else "—", st["body"])] for k, v in rows],
        colWidths=[48 * mm, WIDTH - 48 * mm],
    )
    t.setStyle(TableStyle([*BASE_CELL, ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


def _grid(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    styles: Sequence[ParagraphStyle],
    st: dict[str, ParagraphStyle],
) -> Table:
    data = [[_p(h, st["small"]) for h in header]]
    data += [[_p(v, styles[i]) for i, v in enumerate(row)] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                *BASE_CELL,
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
            ]
        )
    )
    return t


def _image(data: bytes, width: float, max_height: float, L: Mapping[str, str], st: dict[str, ParagraphStyle]) -> Any:
    """Scale to `width`; a page taller than `max_height` shows its top (the file in the bundle is whole).
    Media come from the internet: decoded with the project's size/bomb checks, a bad one is a line."""
    try:
        im = load_image(data, name="image", max_pixels=MAX_IMAGE_PIXELS)
    except InputError as exc:
        return _p(f"[{L['no_image']}: {exc.problem}]", st["small"])
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


def render(
    meta: Mapping[str, Any],
    *,
    text: str,
    screenshots: Sequence[tuple[str, bytes]],
    media_images: Sequence[tuple[str, bytes]],
    hashes: Sequence[tuple[str, int, str]],
    custody: Sequence[Mapping[str, Any]],
    lang: str = "vi",
    tz: str = "Asia/Ho_Chi_Minh",
    legal_basis: Sequence[str] = (),
    tsa: str = "",
) -> bytes:
    """`hashes`: (file, size, sha256) of every other file in the bundle; `screenshots`: (caption, png).
    Times print in `tz` with their offset (metadata.json keeps ISO 8601). Laid out like a Vietnamese
    administrative record (biên bản): national heading, opening with time and recorder, legal basis,
    numbered sections (numbered as they occur: an absent section leaves no gap), closing, signatures."""
    from canhbao.detectors.pii.masking import localize

    _fonts()
    L, st = LABELS[lang], _styles()
    text = text if meta["export"]["unmasked"] else localize(text, lang)
    when = _clock(tz, lang)
    a, p, m, x = meta["alert"], meta["post"], meta["match"], meta["export"]
    exported = _local(x["at"], tz)
    story: list[Any] = []
    head = Table(
        [
            [_p(L["org"], st["centerb"]), _p(L["nation"], st["centerb"])],
            [_p(L["system"], st["center"]), _p(L["motto"], st["center"])],
            ["", _p(L["dated"].format(d=f"{exported:%d}", m=f"{exported:%m}", y=f"{exported:%Y}"), st["centeri"])],
        ],
        colWidths=[WIDTH * 0.45, WIDTH * 0.55],
        style=TableStyle(BASE_CELL),
    )
    story += [
        head,
        Spacer(1, 6 * mm),
        _p(L["title"], st["h1"]),
        _p(L["subtitle"], st["center"]),
        _p(f"{L['alert_id']}: {a['id']}", st["center"]),
        Spacer(1, 4 * mm),
    ]
    story += [_p(f"{L['basis']} {cut(b, 400)};", st["body"]) for b in legal_basis]
    story += [_p(L["intro"].format(at=when(x["at"]), actor=cut(x["actor"], 200)), st["body"])]
    sections = _Sections(st)

    story += [
        sections.head(L["s_capture"]),
        _kv(
            [
                (L["platform"], PLATFORMS.get(p["platform"], p["platform"])),
                (L["source"], p["source"]),
                (L["url"], _field(p["url"], L)),
                (L["post_id"], _field(p["post_id"], L)),
                (L["author"], _field(p["author"], L)),
                (L["published"], _published(p, when, tz, lang)),
                (L["captured"], when(p["captured_at"])),
                (L["captured_by"], wording.actor(f"crawler:{p['source']}", lang)),
                (L["exported_by"], _field(x["actor"], L)),
                (L["exported_at"], when(x["at"])),
            ],
            st,
        ),
    ]

    story += [
        sections.head(L["s_seen"]),
        _p(L["text_masked"] if not x["unmasked"] else L["text_unmasked"], st["small"]),
        _p(text[:MAX_TEXT] + (f"… {L['full_in_text']}" if len(text) > MAX_TEXT else "") or "—", st["body"]),
    ]
    for caption, png in screenshots:
        story += [
            Spacer(1, 3 * mm),
            KeepTogether([_p(caption, st["small"]), _image(png, WIDTH * 0.8, 120 * mm, L, st)]),
        ]
    for caption, data in media_images:
        story += [
            Spacer(1, 3 * mm),
            KeepTogether([_p(caption, st["small"]), _image(data, WIDTH * 0.6, 120 * mm, L, st)]),
        ]

    story += [sections.head(L["s_match"]), _kv(_match_rows(a, m, L, lang), st), Spacer(1, 2 * mm)]
    story += [_p(f"• {s}", st["body"]) for s in wording.match_sentences(a["type"], m, lang, text)]
    if meta.get("takedown"):
        story += [
            sections.head(L["s_takedown"]),
            _grid(
                [L["time"], L["state"], L["http"], L["note"]],
                [
                    [
                        when(t.get("at", "")),
                        L.get("state_" + t.get("state", ""), t.get("state", "")),
                        t.get("http_status", ""),
                        cut(t.get("note", ""), 300) if lang == "en" else "",
                    ]
                    for t in meta["takedown"]
                ],
                [38 * mm, 25 * mm, 20 * mm, WIDTH - 83 * mm],
                [st["small"]] * 4,
                st,
            ),
        ]
    if meta.get("missing") or meta.get("withheld"):
        story += [sections.head(L["s_missing"])]
        story += [_p(f"• {L['missing']}: {wording.item(s, lang)}", st["body"]) for s in meta.get("missing", [])]
        story += [_p(f"• {L['withheld']}: {wording.item(s, lang)}", st["body"]) for s in meta.get("withheld", [])]

    story += [
        sections.head(L["s_hashes"]),
        _p(L["hash_note"], st["small"]),
        _grid(
            [L["file"], L["size"], "SHA-256"],
            [[cut(f, 120), s, h] for f, s, h in hashes],
            [52 * mm, 16 * mm, WIDTH - 68 * mm],
            [st["small"], st["small"], st["mono"]],
            st,
        ),
    ]
    story += [
        sections.head(L["s_custody"]),
        _grid(
            [L["time"], L["actor"], L["action"], L["note"]],
            [
                [
                    when(c["at"]),
                    cut(wording.actor(str(c["actor"]), lang), 80),
                    wording.action(str(c["action"]), lang),
                    wording.custody_note(c, lang),
                ]
                for c in custody
            ],
            [38 * mm, 34 * mm, 28 * mm, WIDTH - 100 * mm],
            [st["small"]] * 4,
            st,
        ),
    ]
    closing = [Spacer(1, 6 * mm), _p(L["closing"].format(at=when(x["at"]), fp=x["key_fingerprint"]), st["body"])]
    if tsa:
        closing += [_p(L["timestamped"].format(tsa=cut(tsa, 200)), st["body"])]
    signer = cut(x["actor"], 80)
    story += [
        KeepTogether(
            closing
            + [
                Spacer(1, 6 * mm),
                Table(
                    [
                        [_p(L["unit_rep"], st["centerb"]), _p(L["recorder"], st["centerb"])],
                        [_p(L["sign_hint"], st["centeri"]), _p(L["sign_hint"], st["centeri"])],
                        ["", Spacer(1, 16 * mm)],
                        ["", _p(signer, st["centerb"])],
                    ],
                    colWidths=[WIDTH / 2, WIDTH / 2],
                    style=TableStyle(BASE_CELL),
                ),
            ]
        )
    ]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=cut(f"{L['title']} {a['id']}", 200),
        author=cut(x["actor"], 200),
        creator=x["tool"],
        invariant=1,
        initialFontName="Serif",
    )
    footer = _footer(L, a["id"])
    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_dated_canvas(x["at"]))
    return buf.getvalue()


class _Sections:
    """Section headings numbered I, II, III... in the order they appear."""

    def __init__(self, st: dict[str, ParagraphStyle]):
        self.n, self.st = 0, st

    def head(self, title: str) -> Paragraph:
        self.n += 1
        return _p(f"{wording.roman(self.n)}. {title}", self.st["h2"])


def _field(value: Any, L: Mapping[str, str]) -> str:
    """A crawled value in a table cell: a row must fit on a page, so long values are cut (and say so)."""
    text = str(value or "")
    return text if len(text) <= MAX_FIELD else f"{text[:MAX_FIELD]}… {L['full_in_meta']}"


def _local(iso: str, tz: str) -> datetime:
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        t = datetime.now(timezone.utc)
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(tz))


def _published(p: Mapping[str, Any], when, tz: str, lang: str) -> str:
    """The publication time; one derived from what the page showed ("3 giờ") is approximate."""
    shown = p.get("published_text") or ""
    if not p.get("published_at") or wording.is_exact(shown):
        return when(p.get("published_at", ""))
    t = _local(p["published_at"], tz)
    off = t.strftime("%z")
    fmt = ("%H:%M %d/%m/%Y" if lang == "vi" else "%Y-%m-%d %H:%M") + f" (UTC{off[:3]}:{off[3:]})"
    return wording.approximate(t, shown, lang, fmt)


def _dated_canvas(iso: str):
    """A canvas whose PDF CreationDate/ModDate are the export time (reportlab's invariant mode, kept for
    reproducible bytes, would otherwise write 2000-01-01)."""
    t = _local(iso, "UTC")

    class DatedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            ts = self._doc._timeStamp
            ts.t, ts.lt = t.timestamp(), t.timetuple()
            ts.YMDhms, ts.dhh, ts.dmm, ts.tzname = tuple(t.timetuple())[:6], 0, 0, "UTC"

    return DatedCanvas


def _match_rows(a: Mapping[str, Any], m: Mapping[str, Any], L: Mapping[str, str], lang: str) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        (L["alert_type"], L.get("type_" + a["type"], a["type"])),
        (L["detector"], wording.detector(m["detector"], lang)),
        (L["score"], wording.num(float(m["score"]), lang)),
    ]
    if lang == "en":
        rows.append((L["summary"], cut(m["summary"], MAX_FIELD)))
    if "document" in m:
        d = m["document"]
        rows += [
            (L["doc_number"], cut(", ".join(d["numbers"]), MAX_FIELD)),
            (L["doc_subject"], cut(d["subject"], MAX_FIELD)),
            (L["doc_page"], d["page"]),
            (L["doc_source"], cut(d["source"], 200)),
        ]
    for c in m.get("claims", []):
        rows.append((L["claim"], cut(c["text"], MAX_FIELD)))
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


def _footer(L: Mapping[str, str], alert_id: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Serif", 7.5)
        canvas.drawString(20 * mm, 10 * mm, f"{L['footer']} {alert_id}")
        canvas.drawRightString(190 * mm, 10 * mm, f"{L['page']} {doc.page}")
        canvas.restoreState()

    return draw
