"""An evidence bundle on disk: `manifest.sha256` over every file, a signature over the manifest,
written atomically (temp name, fsync, rename), and checked file by file.

In memory a bundle is a mapping of relative path -> bytes; evidence of one post is small enough.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from canhbao.core.atomic import atomic_open
from canhbao.core.errors import CanhbaoError, InputError
from canhbao.core.records import sha256_hex
from canhbao.evidence import signing

MANIFEST = "manifest.sha256"
SIGNATURE = "manifest.sha256.sig"
PUBLIC_KEY = "public_key.pem"
UNSIGNED = (MANIFEST, SIGNATURE)  # the only files the manifest cannot list
MAX_UNPACKED = 4 << 30  # a ZIP claiming more than this is refused before reading (ZIP bombs)


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


def write_zip(path: Path, files: Mapping[str, bytes]) -> None:
    """All or nothing: the ZIP appears under its name only once complete and on disk."""
    try:
        with atomic_open(path, "wb") as fh:
            with zipfile.ZipFile(_sink(fh, path), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                for name in sorted(files):
                    zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), files[name],
                                compress_type=zipfile.ZIP_DEFLATED)
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


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problems: tuple[str, ...] = ()  # "<file>: <what is wrong>", one per altered/missing/added file
    checked: int = 0
    fingerprint: str = ""
    trusted: bool = False  # signature checked against a trusted key, not only the bundled one
    notes: tuple[str, ...] = field(default=())


def read_bundle(path: Path) -> tuple[dict[str, bytes], list[str]]:
    """Files of a ZIP or an unpacked directory; members that cannot be read are reported, not fatal."""
    files: dict[str, bytes] = {}
    problems: list[str] = []
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                files[p.relative_to(path).as_posix()] = p.read_bytes()
        return files, problems
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"not a readable ZIP ({exc})") from None
    with zf:
        if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED:
            raise InputError(path, f"unpacks to more than {MAX_UNPACKED >> 30} GiB; not an evidence bundle")
        for info in zf.infolist():
            if info.is_dir():
                continue
            try:
                files[info.filename] = zf.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                problems.append(f"{info.filename}: altered (ZIP data does not match its checksum: {exc})")
                files[info.filename] = b""  # present but unreadable; excluded from the "missing" check
    return files, problems


def parse_manifest(text: bytes) -> tuple[dict[str, str], list[str]]:
    entries, problems = {}, []
    for n, line in enumerate(text.decode("utf-8", "replace").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            problems.append(f"{MANIFEST}: line {n} is malformed")
            continue
        entries[name] = digest
    return entries, problems


def verify(path: Path, trusted: Ed25519PublicKey | None = None) -> Verdict:
    files, problems = read_bundle(Path(path))
    unreadable = {p.split(":", 1)[0] for p in problems}
    for needed in (MANIFEST, SIGNATURE, PUBLIC_KEY):
        if needed not in files:
            problems.append(f"{needed}: missing")
    if MANIFEST not in files:
        return Verdict(False, tuple(problems))
    entries, bad = parse_manifest(files[MANIFEST])
    problems += bad
    for name, digest in sorted(entries.items()):
        if name not in files:
            problems.append(f"{name}: missing (listed in {MANIFEST})")
        elif name not in unreadable and sha256_hex(files[name]) != digest:
            problems.append(f"{name}: altered (SHA-256 differs from {MANIFEST})")
    for name in sorted(set(files) - set(entries) - set(UNSIGNED)):
        problems.append(f"{name}: added (not listed in {MANIFEST})")
    fp, is_trusted, notes = "", False, []
    if PUBLIC_KEY in files and SIGNATURE in files and PUBLIC_KEY not in unreadable:
        try:
            bundled = signing.load_public(files[PUBLIC_KEY], PUBLIC_KEY)
        except InputError as exc:
            problems.append(str(exc))
        else:
            fp = signing.fingerprint(bundled)
            key = trusted or bundled
            if trusted is not None and signing.fingerprint(trusted) != fp:
                problems.append(f"{PUBLIC_KEY}: signed by key {fp}, not by the trusted key "
                                f"{signing.fingerprint(trusted)}")
            elif not signing.check(key, files[SIGNATURE], files[MANIFEST]):
                problems.append(f"{SIGNATURE}: signature does not match {MANIFEST} "
                                "(manifest or signature altered)")
            is_trusted = trusted is not None
            if not is_trusted:
                notes.append("signature checked only against the key inside the bundle "
                             "(no trusted key given)")
    return Verdict(not problems, tuple(problems), checked=len(entries), fingerprint=fp, trusted=is_trusted,
                   notes=tuple(notes))
