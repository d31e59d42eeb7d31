"""ZIP containers from outside (DOCX, evidence bundles): judged by their directory before anything is
inflated, so a few hundred kilobytes cannot unpack to gigabytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from canhbao.core.errors import InputError

_SMALL = 1 << 20  # below this a high ratio is normal (a page of XML, a run of spaces)


def check_zip(source: Path | str, data: bytes, *, max_members: int, max_bytes: int, max_ratio: float) -> None:
    """Raise InputError naming `source` when the ZIP in `data` has too many members, declares more than
    `max_bytes` unpacked, or packs a member more tightly than `max_ratio` (a bomb)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(source, f"not a readable ZIP container ({exc})") from None
    if len(infos) > max_members:
        raise InputError(source, f"{len(infos):,} parts in the ZIP container (limit {max_members:,})")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise InputError(source, f"unpacks to {total:,} bytes (limit {max_bytes:,}); possible ZIP bomb")
    for i in infos:
        if i.file_size > _SMALL and i.file_size > max_ratio * max(i.compress_size, 1):
            raise InputError(
                source,
                f"{i.filename} packs {i.file_size / max(i.compress_size, 1):,.0f}:1 "
                f"(limit {max_ratio:,.0f}:1); possible ZIP bomb",
            )
