"""Masking that cannot be undone by matching against a list.

Every entity becomes a fixed placeholder per kind plus a short keyed-hash tag: "Nguyễn Văn An, 45 tuổi" ->
"[NAME·4f1c2a], [AGE·90be13]". The tag is HMAC-SHA256 over the kind and the folded value with a secret key
kept in the data home (`keys/mask.key`), so an analyst sees that two alerts mention the same person, while
nobody without the key can test candidate names against it (kept initials, "N***** V** A*", could be matched
against a short list of residents; a plain hash could be matched against a list of names). Without a key
(a bare `PiiDetector()`), only the placeholder is written.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

from canhbao.core.records import Finding
from canhbao.core.text import fold

MaskStyle = Literal["tagged", "placeholder"]
TAG_HEX = 6  # 24 bits: enough to tell people in one post or feed apart, too short to serve as an identifier
KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """The masking key at `path`, created (random, 0600, atomically, first writer wins) if absent."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".mask.", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, os.urandom(KEY_BYTES).hex().encode())
            os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process created it first: keep theirs
        finally:
            os.unlink(tmp)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) != KEY_BYTES:
        from canhbao.core.errors import InputError

        raise InputError(path, f"the masking key must be {KEY_BYTES} bytes of hex")
    return key


def tag(value: str, type_: str, key: bytes) -> str:
    """Keyed tag of a value: the same for "Nguyễn Văn An" and "nguyen van an", different per kind and key."""
    norm = re.sub(r"[\W_]+", " ", fold(value).lower()).strip()
    return hmac.new(key, f"{type_}:{norm}".encode(), hashlib.sha256).hexdigest()[:TAG_HEX]


def placeholder(value: str, type_: str, key: bytes | None) -> str:
    return f"[{type_.upper()}·{tag(value, type_, key)}]" if key else f"[{type_.upper()}]"


# How a Vietnamese reader sees a placeholder (the record, the console): the kind in words, the tag kept.
KIND_VI = {
    "name": "HỌ TÊN",
    "age": "TUỔI",
    "address": "ĐỊA CHỈ",
    "phone": "SỐ ĐIỆN THOẠI",
    "email": "THƯ ĐIỆN TỬ",
    "cccd": "SỐ CCCD",
    "cmnd": "SỐ CMND",
    "health_insurance": "SỐ BHYT",
    "licence_plate": "BIỂN SỐ XE",
    "patient_code": "MÃ BỆNH NHÂN",
}
_PLACEHOLDER = re.compile(r"\[([A-Z_]+)((?:·[0-9a-f]{%d})?)\]" % TAG_HEX)


def localize(text: str, lang: str) -> str:
    """Placeholders with their kind in the reader's language ("[NAME·4f1c2a]" -> "[HỌ TÊN·4f1c2a]" in vi)."""
    if lang != "vi":
        return text
    return _PLACEHOLDER.sub(lambda m: f"[{KIND_VI.get(m.group(1).lower(), m.group(1))}{m.group(2)}]", text)


def mask(text: str, entities: Iterable[Any], style: MaskStyle = "tagged", key: bytes | None = None) -> str:
    """Replace every entity with its placeholder (style 'tagged' adds the keyed tag when a key is given).

    `entities`: PiiEntity records, their dicts (a `detect --json` section), or pii Findings."""
    flat = [x for e in entities for x in (e.entities if isinstance(e, Finding) else (e,))]
    out, pos = [], 0
    for e in sorted(flat, key=lambda e: _get(e, "start")):
        start, end, type_ = _get(e, "start"), _get(e, "end"), _get(e, "type")
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(placeholder(text[start:end], type_, key if style == "tagged" else None))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _get(entity: Any, name: str) -> Any:
    return entity[name] if isinstance(entity, Mapping) else getattr(entity, name)
