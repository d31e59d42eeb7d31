"""The deployment's Ed25519 signing key: generated once under the data home, never overwritten.

A bundle carries the public key and a signature over its manifest; `verify` checks it against a
trusted key (the deployment's own, or one given on the command line), so re-signing a tampered
bundle with another key is detected too.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from canhbao.core.errors import InputError
from canhbao.core.records import sha256_hex


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """Load the key; create it (mode 0600) if absent. Two processes racing both end with the same key."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd, tmp = tempfile.mkstemp(prefix=".key.", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, pem)
            os.fsync(fd)
            os.close(fd)
            try:
                os.link(tmp, path)  # fails if another process created it first: keep theirs
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise InputError(path, f"cannot read the signing key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(path, "the signing key is not an Ed25519 key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public(pem: bytes, source: str = "public key") -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise InputError(source, f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(source, "not an Ed25519 public key")
    return key


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, grouped for reading aloud over the phone."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = sha256_hex(raw)[:32]
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """Base64 text of the signature, one line, so the signature file is readable."""
    return base64.b64encode(key.sign(data)) + b"\n"


def check(pub: Ed25519PublicKey, signature_b64: bytes, data: bytes) -> bool:
    try:
        pub.verify(base64.b64decode(signature_b64.strip(), validate=True), data)
        return True
    except (InvalidSignature, ValueError):
        return False
