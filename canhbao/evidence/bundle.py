"""An evidence bundle on disk: `manifest.sha256` over every file, a signature over the manifest,
written atomically (temp name, fsync, rename), and checked file by file.

In memory a bundle being written is a mapping of relative path -> bytes (evidence of one post is small);
a bundle being verified is never held in memory: it may come from anyone.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from canhbao.core.atomic import atomic_open
from canhbao.core.errors import CanhbaoError, InputError
from canhbao.core.records import sha256_hex
from canhbao.evidence import signing

MANIFEST = "manifest.sha256"
SIGNATURE = "manifest.sha256.sig"
PUBLIC_KEY = "public_key.pem"
TIMESTAMP = "manifest.sha256.tsr"  # RFC 3161 timestamp of the manifest (optional)
UNSIGNED = (MANIFEST, SIGNATURE, TIMESTAMP)  # the only files the manifest cannot list


def manifest(files: Mapping[str, bytes]) -> bytes:
    """`sha256sum` format, sorted by path, so `sha256sum -c manifest.sha256` works in an unpacked bundle."""
    lines = [f"{sha256_hex(data)}  {name}\n" for name, data in sorted(files.items()) if name not in UNSIGNED]
    return "".join(lines).encode("utf-8")


def seal(files: Mapping[str, bytes], key: Ed25519PrivateKey) -> dict[str, bytes]:
    """Add the public key, the manifest and its signature."""
    out = {**files, PUBLIC_KEY: signing.public_pem(key)}
    out[MANIFEST] = manifest(out)
    out[SIGNATURE] = signing.sign(key, out[MANIFEST])
    return out


class DiskFull(CanhbaoError):
    pass


def _sink(fh: BinaryIO, target: Path) -> BinaryIO:
    """The write layer under every bundle write to `target` (a seam for tests that simulate a full disk)."""
    return fh


def _write_error(path: Path, exc: OSError) -> CanhbaoError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(f"{path}: disk full while writing the evidence bundle; nothing was written")
    return InputError(path, f"cannot write the evidence bundle ({exc.strerror or exc}); nothing was written")


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """ZIP (DOS) entry time: local wall time, even seconds; ZIP cannot store years before 1980."""
    t = max(when.replace(tzinfo=None), datetime(1980, 1, 1))
    return (t.year, t.month, t.day, t.hour, t.minute, t.second - t.second % 2)


def write_zip(path: Path, files: Mapping[str, bytes], *, when: datetime) -> None:
    """All or nothing: the ZIP appears under its name only once complete and on disk. Every entry is
    dated `when` (the export time, local), so the bytes depend only on the content and that time."""
    try:
        with atomic_open(path, "wb") as fh:
            with zipfile.ZipFile(_sink(fh, path), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                for name in sorted(files):
                    zf.writestr(
                        zipfile.ZipInfo(name, date_time=zip_time(when)), files[name], compress_type=zipfile.ZIP_DEFLATED
                    )
    except OSError as exc:
        raise _write_error(path, exc) from None


def write_dir(path: Path, files: Mapping[str, bytes]) -> None:
    """Unpacked copy: filled under a temp name, then renamed into place (an older copy is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        for name, data in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                _sink(fh, target).write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if path.exists():
            shutil.rmtree(path)
        os.rename(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _write_error(path, exc) from None


# --- verification ---------------------------------------------------------------------------------
#
# A bundle comes from outside (an inspector's e-mail, a USB stick): everything about the ZIP is
# hostile until checked. Names are checked before any byte is unpacked, every member is hashed as a
# stream (memory stays flat whatever the sizes), and declared sizes/ratios are bounded first, so a
# bomb is refused without being inflated.

_CHUNK = 1 << 20
_SMALL = {MANIFEST: 16 << 20, SIGNATURE: 4096, PUBLIC_KEY: 16384, TIMESTAMP: 65536}  # read whole: bounded far lower


@dataclass(frozen=True)
class Limits:
    """What `verify` accepts; `EvidenceSettings.verify_limits()` gives the configured values."""

    max_members: int = 10_000
    max_member_bytes: int = 2 << 30
    max_total_bytes: int = 8 << 30
    max_ratio: float = 200.0  # unpacked/packed; only for members over 1 MiB (small files vary a lot)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problems: tuple[str, ...] = ()  # "<file>: <what is wrong>", one per altered/missing/added file
    checked: int = 0
    fingerprint: str = ""
    trusted: bool = False  # signature checked against a trusted key, not only the bundled one
    notes: tuple[str, ...] = field(default=())
    timestamp: str = ""  # ISO time an RFC 3161 authority vouches the manifest existed at ("" if none)
    timestamp_trusted: bool = False  # its signer chains to a trusted TSA certificate


def canonical(name: str) -> bool:
    """A member name as `write_zip` writes it: relative POSIX path, NFC, no empty/dot segments, no control
    characters or characters that mean something else on Windows. Anything else can extract elsewhere."""
    if not name or len(name.encode("utf-8", "surrogatepass")) > 512 or name != unicodedata.normalize("NFC", name):
        return False
    if any(unicodedata.category(c)[0] == "C" or c in '\\:*?"<>|' for c in name):
        return False
    return all(seg not in ("", ".", "..") and seg == seg.strip() for seg in name.split("/"))


def _members(path: Path, stack: ExitStack) -> tuple[list[tuple[str, Callable[[], BinaryIO], int, int]], list[str]]:
    """(name, opener, size, packed size) of each member; problems with names found on the way.
    The ZIP stays open (on `stack`) for the openers."""
    if path.is_dir():
        out, problems = [], []
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path).as_posix()
            if p.is_symlink():
                problems.append(f"{rel}: a symbolic link, not a file (refused)")
            elif p.is_file():
                size = p.stat().st_size
                out.append((rel, _file_opener(p), size, size))
        return out, problems
    try:
        zf = stack.enter_context(zipfile.ZipFile(path))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(path, f"not a readable ZIP ({exc})") from None
    return [
        (i.filename, _member_opener(zf, i), i.file_size, i.compress_size)
        for i in zf.infolist()
        if not (i.is_dir() and i.file_size == 0)
    ], []


def _file_opener(p: Path) -> Callable[[], BinaryIO]:
    return lambda: open(p, "rb")


def _member_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], BinaryIO]:
    return lambda: zf.open(info)  # type: ignore[return-value]  # ZipExtFile reads like a binary file


def _structure(members: list[tuple[str, Any, int, int]], limits: Limits) -> list[str]:
    """Problems visible without unpacking anything: count, names, duplicates, declared sizes, ratios."""
    problems = []
    if len(members) > limits.max_members:
        return [f"bundle: {len(members):,} members (limit {limits.max_members:,}); not an evidence bundle"]
    counts = Counter(name for name, *_ in members)
    folded = Counter(unicodedata.normalize("NFC", name).casefold() for name in counts)
    for name, n in sorted(counts.items()):
        shown = name.encode("unicode_escape").decode("ascii")
        if n > 1:
            problems.append(f"{shown}: appears {n} times in the ZIP (a second copy can hide a forgery)")
        if not canonical(name):
            problems.append(f"{shown}: not a canonical member name (refused)")
        elif folded[unicodedata.normalize("NFC", name).casefold()] > 1:
            problems.append(f"{shown}: differs from another member only by letter case (refused)")
    total = 0
    for name, _open, size, packed in members:
        total += size
        if size > limits.max_member_bytes:
            problems.append(f"{name}: unpacks to {size:,} bytes (limit {limits.max_member_bytes:,})")
        elif size > _CHUNK and size > limits.max_ratio * max(packed, 1):
            problems.append(
                f"{name}: compression ratio {size / max(packed, 1):,.0f}:1 (limit "
                f"{limits.max_ratio:,.0f}:1); possible ZIP bomb"
            )
    if total > limits.max_total_bytes:
        problems.append(f"bundle: unpacks to {total:,} bytes (limit {limits.max_total_bytes:,})")
    return problems


def _digest(name: str, opener: Callable[[], BinaryIO], size: int) -> tuple[str, bytes | None]:
    """SHA-256 of a member read in chunks, never past its declared size; the bytes of the small
    signature files are kept. Raises _Unreadable on a damaged member."""
    h, seen = hashlib.sha256(), 0
    keep: list[bytes] | None = [] if name in _SMALL else None
    try:
        with opener() as fh:
            while chunk := fh.read(_CHUNK):
                seen += len(chunk)
                if seen > size:
                    raise _Unreadable(f"{name}: holds more data than its declared {size:,} bytes")
                h.update(chunk)
                if keep is not None:
                    keep.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _Unreadable(f"{name}: altered (ZIP data does not match its checksum: {exc})") from None
    return h.hexdigest(), (b"".join(keep) if keep is not None else None)


class _Unreadable(Exception):
    pass


def read_bundle(path: Path, limits: Limits = Limits()) -> tuple[dict[str, bytes], list[str]]:
    """Files of a small, well-formed bundle (for tools and tests); refuses what `verify` would."""
    with ExitStack() as stack:
        members, problems = _members(Path(path), stack)
        problems += _structure(members, limits)
        if problems:
            raise InputError(path, problems[0])
        files = {}
        for name, opener, _size, _packed in members:
            with opener() as fh:
                files[name] = fh.read()
    return files, []


def parse_manifest(text: bytes) -> tuple[dict[str, str], list[str]]:
    entries, problems = {}, []
    for n, line in enumerate(text.decode("utf-8", "replace").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not canonical(name):
            problems.append(f"{MANIFEST}: line {n} is malformed")
            continue
        if name in entries:
            problems.append(f"{MANIFEST}: line {n} lists {name} a second time")
        entries[name] = digest
    return entries, problems


def verify(
    path: Path, trusted: Ed25519PublicKey | None = None, *, limits: Limits = Limits(), tsa_roots: Sequence[Any] = ()
) -> Verdict:
    """`tsa_roots`: trusted TSA certificates; a timestamp in the bundle is always checked against the
    manifest, and its signer against these when given."""
    with ExitStack() as stack:
        return _verify(*_members(Path(path), stack), trusted, limits, tsa_roots)


def _verify(
    members: list[tuple[str, Callable[[], BinaryIO], int, int]],
    problems: list[str],
    trusted: Ed25519PublicKey | None,
    limits: Limits,
    tsa_roots: Sequence[Any],
) -> Verdict:
    problems += _structure(members, limits)
    if problems:  # nothing is unpacked from a bundle whose layout is already wrong
        return Verdict(False, tuple(problems))
    for name, _opener, size, _packed in members:
        if name in _SMALL and size > _SMALL[name]:
            return Verdict(False, (f"{name}: {size:,} bytes; far too large for this file",))
    digests, small, unreadable = _hash_all(members, problems)
    for needed in (MANIFEST, SIGNATURE, PUBLIC_KEY):
        if needed not in digests:
            problems.append(f"{needed}: missing")
    if MANIFEST not in small:
        return Verdict(False, tuple(problems))
    entries, bad = parse_manifest(small[MANIFEST])
    problems += bad
    for name, digest in sorted(entries.items()):
        if name not in digests:
            problems.append(f"{name}: missing (listed in {MANIFEST})")
        elif name not in unreadable and digests[name] != digest:
            problems.append(f"{name}: altered (SHA-256 differs from {MANIFEST})")
    for name in sorted(set(digests) - set(entries) - set(UNSIGNED)):
        problems.append(f"{name}: added (not listed in {MANIFEST})")
    notes: list[str] = []
    fp, is_trusted = _signature(small, trusted, problems, notes)
    stamped, stamp_trusted = _timestamp(small, tsa_roots, problems, notes)
    return Verdict(
        not problems,
        tuple(problems),
        checked=len(entries),
        fingerprint=fp,
        trusted=is_trusted,
        notes=tuple(notes),
        timestamp=stamped,
        timestamp_trusted=stamp_trusted,
    )


def _hash_all(
    members: list[tuple[str, Callable[[], BinaryIO], int, int]], problems: list[str]
) -> tuple[dict[str, str], dict[str, bytes], set[str]]:
    """SHA-256 of every member (streamed), the bytes of the small signature files, the unreadable ones."""
    digests: dict[str, str] = {}
    small: dict[str, bytes] = {}
    unreadable: set[str] = set()
    for name, opener, size, _packed in members:
        try:
            digests[name], data = _digest(name, opener, size)
        except _Unreadable as exc:
            problems.append(str(exc))
            unreadable.add(name)
            digests[name] = ""
            continue
        if data is not None:
            small[name] = data
    return digests, small, unreadable


def _signature(
    small: Mapping[str, bytes], trusted: Ed25519PublicKey | None, problems: list[str], notes: list[str]
) -> tuple[str, bool]:
    """(fingerprint of the bundled key, whether the signature was checked against a trusted key)."""
    if PUBLIC_KEY not in small or SIGNATURE not in small:
        return "", False
    try:
        bundled = signing.load_public(small[PUBLIC_KEY], PUBLIC_KEY)
    except InputError as exc:
        problems.append(str(exc))
        return "", False
    fp = signing.fingerprint(bundled)
    if trusted is not None and signing.fingerprint(trusted) != fp:
        problems.append(f"{PUBLIC_KEY}: signed by key {fp}, not by the trusted key {signing.fingerprint(trusted)}")
    elif not signing.check(trusted or bundled, small[SIGNATURE], small[MANIFEST]):
        problems.append(f"{SIGNATURE}: signature does not match {MANIFEST} (manifest or signature altered)")
    if trusted is None:
        notes.append(NOT_TRUSTED)
    return fp, trusted is not None


def _timestamp(
    small: Mapping[str, bytes], tsa_roots: Sequence[Any], problems: list[str], notes: list[str]
) -> tuple[str, bool]:
    """(time the authority vouches for, whether its signer chains to a trusted TSA certificate)."""
    if TIMESTAMP not in small:
        return "", False
    from canhbao.evidence import timestamp

    got = timestamp.check(small[TIMESTAMP], small[MANIFEST], tsa_roots)
    if not got.ok:
        problems.append(f"{TIMESTAMP}: {got.problem}")
        return "", False
    if not got.trusted:
        notes.append(
            f"timestamp {got.at} by {got.tsa or 'an unnamed authority'} matches the manifest "
            "but was not checked against a trusted TSA certificate (give --tsa-ca PEM)"
        )
    return got.at, got.trusted


NOT_TRUSTED = (
    "signature not checked against a trusted key (only against the key inside the bundle, "
    "which anyone can make); give --key PEM"
)
