"""What a masked bundle may carry: the post's own element, screened for personal data.

A crawled page is usually a feed: next to the post an alert is about sit other people's posts, one of which
may name a patient. So a masked export carries no full page (raw HTML, WARC, WACZ, full-page screenshots):
it carries the post's own element from the captured page and a screenshot of that element alone. Then every
text, HTML and image that would enter the bundle is screened by the PII detector (images through Tesseract);
whatever still carries identifying personal data is withheld and listed with its SHA-256. The full page
stays available to an `--unmasked` export by an allowed role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import lxml.html

from canhbao.core.records import Post, sha256_hex

# Kinds that single a person out on their own; an address, a case number or an age only next to another
# identifying kind (a street in a group's name, "Phố Núi", is nobody's home).
IDENTIFYING = frozenset({"name", "phone", "email", "cccd", "cmnd", "health_insurance", "licence_plate"})
IN_COMBINATION = frozenset({"address", "patient_code"})
_ROOT_ATTRS = ("data-post-id", "data-id", "data-ft-id", "data-story-id", "data-post", "id")
_CONTAINER = (
    "self::article or @role='article' or @data-ft or @data-post-id or @data-post "
    "or contains(concat(' ', normalize-space(@class), ' '), ' post ') or contains(@class, 'story') "
    "or contains(@class, 'tgme_widget_message ') or contains(@class, 'message')"
)


@dataclass(frozen=True)
class Element:
    xpath: str  # absolute, for Playwright's "xpath=" locator on the replayed page
    html: bytes  # the element alone, as a small standalone page
    text: str


def post_element(html: bytes, post: Post) -> Element | None:
    """The element of `html` that holds `post`: by its id in an attribute, else the post container around a
    link to the post's URL; None when the page does not show where the post is."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    found = _by_id(doc, post.post_id)
    if found is None:  # the container around a link to the post (tracking parameters ignored)
        want = urlsplit(post.url).path.rstrip("/")
        for a in doc.xpath("//a[@href]"):
            if want and urlsplit(urljoin(post.url, a.get("href"))).path.rstrip("/") == want:
                up = a.xpath(f"ancestor-or-self::*[{_CONTAINER}][1]")
                if up:
                    found = up[0]
                    break
    if found is None:
        return None
    body = lxml.html.tostring(found, encoding="unicode")
    page = f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    return Element(found.getroottree().getpath(found), page.encode("utf-8"), found.text_content())


def _by_id(doc: Any, post_id: str) -> Any:
    """An element naming the post's id: `data-post-id="77"`, `id="post-77"`, `id="u_0_77"`, or Facebook's
    `data-ft` JSON with `"top_level_post_id": "77"`."""
    for attr in _ROOT_ATTRS:
        for value in (post_id, f"post-{post_id}", f"post_{post_id}"):
            hits = doc.xpath(f"//*[@{attr}=$v]", v=value)
            if hits:
                return hits[0]
    hits = doc.xpath(
        "//*[@data-ft][contains(@data-ft, $a) or contains(@data-ft, $b)]",
        a=f'"top_level_post_id": "{post_id}"',
        b=f'"top_level_post_id":"{post_id}"',
    )
    hits = hits or doc.xpath("//*[substring(@id, string-length(@id) - string-length($s) + 1) = $s]", s=f"_{post_id}")
    return hits[0] if hits else None


def identifying(text: str) -> tuple[str, ...]:
    """The identifying kinds of personal data the PII detector finds in `text` (sorted, distinct), leaving out
    the signer of an official letter (`signers`): an official's name printed under their title is how the
    letter is signed, not a private person's data, and a leaked letter is the evidence an analyst must see."""
    from canhbao.detectors.pii import find_entities

    entities = find_entities(text)
    exempt = signers(text, entities)
    kinds = {e.type for e in entities if (e.start, e.end) not in exempt}
    if kinds & IDENTIFYING or len(kinds & IN_COMBINATION) == 2:
        return tuple(sorted(kinds & (IDENTIFYING | IN_COMBINATION)))
    return ()


def signers(text: str, entities: Iterable[Any]) -> set[tuple[int, int]]:
    """(start, end) of the names that sign an official letter: in a text that reads as one (at least two of the
    national motto, a "Số: 12/UBND-VX" number, a "Nơi nhận:" list), a name that ends its line within five
    non-empty lines below a signing title ("KT. CHỦ TỊCH", "PHÓ GIÁM ĐỐC", "(Đã ký)" and the seal between). A name
    anywhere else in the letter (a patient listed in its body) is not exempt."""
    from canhbao.detectors.pii.patterns import shadow

    sh = shadow(text)
    if sum(bool(m.search(sh)) for m in _LETTER_MARKS) < 2:
        return set()
    lines, pos = [], 0
    for line in sh.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    out = set()
    for e in entities:
        if e.type != "name":
            continue
        row = next((i for i, (a, b, _) in enumerate(lines) if a <= e.start <= b), None)
        if row is None or sh[e.end : lines[row][1]].strip(" .,;"):
            continue  # the signer's name ends its line (a "Nơi nhận" column may stand to its left)
        # OCR of a two-column page puts blank rows and the recipients' lines between title and name: count
        # the non-empty lines
        above = [ln for _, _, ln in lines[max(0, row - 12) : row] if ln.strip()][-5:]
        if any(_SIGNING.search(ln) for ln in above) and all(len(ln.strip()) <= 60 for ln in above[-2:]):
            out.add((e.start, e.end))
    return out


_LETTER_MARKS = (
    re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–]\s*tu do\s*[-–]\s*hanh phuc"),
    re.compile(r"(?:^|\n)\s*so\s*:\s*\d+[^\s]*/"),
    re.compile(r"noi nhan\s*:"),
)
# A signing title on its line: "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "TL. BỘ TRƯỞNG", or the office itself.
_SIGNING = re.compile(
    r"(?:^|\s)(?:kt|tm|tl|tuq|q)\.\s*[a-z]|(?:chu tich|giam doc|truong phong|bo truong|thu truong|"
    r"chanh van phong|cuc truong|vu truong|hieu truong|truong ban|bi thu|tong giam doc|thu truong don vi)\s*$"
)


def image_text(data: bytes) -> str:
    """OCR of an image as it would be read by a person (screenshot or photo), whatever the media gate says."""
    import io

    from PIL import Image

    from canhbao.media.reader import ocr, to_grey

    with Image.open(io.BytesIO(data)) as img:
        return ocr(to_grey(img.convert("RGB")))


@dataclass(frozen=True)
class Screened:
    name: str
    data: bytes
    kinds: tuple[str, ...]  # identifying personal data found; empty: may go into a masked bundle

    @property
    def clean(self) -> bool:
        return not self.kinds

    def withheld_line(self, what: str) -> str:
        return (
            f"{self.name} (sha256 {sha256_hex(self.data)}): {what} still carries personal data "
            f"({', '.join(self.kinds)}); withheld from the masked export"
        )


def screen(name: str, data: bytes, *, text: str | None = None, image: bool = False) -> Screened:
    """Screen one file: `text` if given, else OCR for images, else the bytes decoded as UTF-8 (HTML markup is
    reduced to its text)."""
    if text is None:
        if image:
            text = image_text(data)
        elif name.endswith(".html"):
            text = lxml.html.fromstring(data).text_content() if data.strip() else ""
        else:
            text = data.decode("utf-8", "replace")
    return Screened(name, data, identifying(text))


def screen_all(files: Iterable[tuple[str, bytes, bool]]) -> list[Screened]:
    """(name, data, is_image) -> screened files, in order."""
    return [screen(n, d, image=img) for n, d, img in files]


def mask_json(name: str, value: Any, key: bytes | None, path: str = "") -> tuple[Any, list[str]]:
    """`value` (a JSON-like structure: metadata.json, a custody entry) with every string that carries
    identifying personal data masked by the PII detector's keyed placeholders, and one withheld line per
    masked string naming where it was and the SHA-256 of what it said."""
    if isinstance(value, str):
        kinds = identifying(value)
        if not kinds:
            return value, []
        from canhbao.detectors.pii import find_entities, mask

        line = (
            f"{name} {path or '/'} (sha256 {sha256_hex(value.encode('utf-8'))}): carried personal data "
            f"({', '.join(kinds)}); masked in the masked export"
        )
        return mask(value, find_entities(value), "tagged", key), [line]
    lines: list[str] = []
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            out[k], more = mask_json(name, v, key, f"{path}/{k}")
            lines += more
        return out, lines
    if isinstance(value, (list, tuple)):
        items = []
        for i, v in enumerate(value):
            item, more = mask_json(name, v, key, f"{path}/{i}")
            items.append(item)
            lines += more
        return items, lines
    return value, []


def mask_poster(name: str, post: dict[str, Any], key: bytes | None) -> tuple[dict[str, Any], list[str]]:
    """The post's author and profile link as keyed placeholders: the poster is a person too, and a display name
    ("Tuấn Nguyễn", a nickname) need not look like a name to be one."""
    from canhbao.detectors.pii.masking import placeholder

    out, lines = dict(post), []
    for field in ("author", "author_url"):
        value = str(out.get(field) or "")
        if value:
            out[field] = placeholder(value, field, key)
            lines.append(
                f"{name} /post/{field} (sha256 {sha256_hex(value.encode('utf-8'))}): the poster's "
                f"{'display name' if field == 'author' else 'profile link'}; masked in the masked export"
            )
    return out, lines
