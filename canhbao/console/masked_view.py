"""What the console shows of a capture to a user whose role may not see personal data unmasked.

The captured page is usually a feed: beside the post an alert is about sit other people's posts, one of which
may name a patient, whatever the alert's type. So the raw page and the media as posted go only to roles
allowed to unmask (`unmasked_roles`, the evidence role); everyone else gets the post's own element with the
personal data in its text masked by the PII detector's keyed placeholders, and only those images of a
non-patient-data alert in which OCR finds no identifying personal data (canhbao.evidence.masked, the same
screening a masked evidence bundle gets).
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

import lxml.html

from canhbao.core.records import PII_EXPOSURE, Alert, Post
from canhbao.detectors.pii import find_entities, mask
from canhbao.evidence import masked

_PAGE = '<!doctype html><html><head><meta charset="utf-8"></head><body>{}</body></html>'
_SHOWN_ATTRS = ("alt", "title", "aria-label")


def capture(body: bytes, post: Post, alert: Alert, key: bytes | None) -> bytes:
    """The post's own element from the captured page, its text (and alt/title) masked; the alert's masked text
    when the page does not show where the post is."""
    element = masked.post_element(body, post)
    if element is None:
        return _PAGE.format(f"<p>{html.escape(alert.masked_text)}</p>").encode("utf-8")
    root = lxml.html.fromstring(element.html)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        node.text = _masked(node.text, key)
        node.tail = _masked(node.tail, key)
        for name in _SHOWN_ATTRS:
            if node.get(name):
                node.set(name, _masked(node.get(name), key) or "")
    return lxml.html.tostring(root, encoding="utf-8", doctype="<!doctype html>")


def _masked(text: str | None, key: bytes | None) -> str | None:
    if not text or not text.strip():
        return text
    return mask(text, find_entities(text), "tagged", key)


def image_shown(alert: Alert, path: Path) -> bool:
    """An image may go to a user without the unmask role: never for a patient-data alert (the image is the
    personal data), else only when OCR finds no identifying personal data in it (an official letter's signer
    under its signing title is none: `masked.signers`)."""
    return alert.type != PII_EXPOSURE and _clean(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=512)
def _clean(path: str, _mtime: int) -> bool:
    return masked.screen(Path(path).name, Path(path).read_bytes(), image=True).clean
