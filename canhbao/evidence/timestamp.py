"""Trusted time for a bundle: an RFC 3161 timestamp on its manifest from a time-stamping authority (TSA).

The signature says who sealed a bundle; the timestamp says it existed no later than the TSA's time, a
fact the deployment itself cannot backdate. Only the SHA-256 digest of manifest.sha256 leaves the
machine. The answer (a DER TimeStampResp) is checked at once (nonce, digest, signer chain to the
configured root, time-stamping key usage) and stored as manifest.sha256.tsr; `evidence verify` checks
it again, offline, against the same root.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from canhbao.core.errors import CanhbaoError, InputError

MAX_RESPONSE = 64 * 1024  # a timestamp answer is a few KB; more is not an answer


class TimestampError(CanhbaoError):
    pass


@dataclass(frozen=True)
class Checked:
    ok: bool
    at: str = ""  # ISO 8601 UTC time the TSA vouches for ("" when unreadable)
    tsa: str = ""  # the signing certificate's subject
    trusted: bool = False  # chain checked against a trusted root (not only the digest)
    problem: str = ""


def load_roots(path: Path | str) -> list[x509.Certificate]:
    """Trusted TSA certificates (PEM, one or more: root and any intermediates)."""
    try:
        certs = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read the TSA certificate(s) ({exc})") from None
    if not certs:
        raise InputError(path, "no PEM certificate in the file")
    return certs


def stamp(data: bytes, url: str, roots: Sequence[x509.Certificate], *, timeout: float = 15.0) -> bytes:
    """Ask the TSA at `url` to timestamp `data`; the verified DER answer. Raises TimestampError."""
    req = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .cert_request(cert_request=True)
        .nonce(nonce=True)
        .build()
    )
    http = urllib.request.Request(
        url, data=req.as_bytes(), method="POST", headers={"Content-Type": "application/timestamp-query"}
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as resp:
            body = resp.read(MAX_RESPONSE + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TimestampError(
            f"{url}: time-stamping authority did not answer ({getattr(exc, 'reason', exc)}); nothing exported"
        ) from None
    if len(body) > MAX_RESPONSE:
        raise TimestampError(f"{url}: answer larger than {MAX_RESPONSE:,} bytes; not a timestamp")
    checked = check(body, data, roots, nonce=req.nonce)
    if not checked.ok:
        raise TimestampError(f"{url}: timestamp refused ({checked.problem}); nothing exported")
    return body


def check(tsr: bytes, data: bytes, roots: Sequence[x509.Certificate] = (), *, nonce: int | None = None) -> Checked:
    """Whether `tsr` timestamps exactly `data`, signed by a certificate chaining to `roots`. Without roots
    only the digest is compared (`trusted` False): anyone can make a TSA of their own."""
    try:
        resp = decode_timestamp_response(tsr)
    except ValueError as exc:
        return Checked(False, problem=f"not an RFC 3161 timestamp response ({exc})")
    if PKIStatus(resp.status) != PKIStatus.GRANTED:
        return Checked(False, problem=f"the authority did not grant it (status {resp.status})")
    info = resp.tst_info
    at = info.gen_time
    at_iso = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).isoformat()
    tsa = _signer(resp)
    if info.message_imprint.message != hashlib.sha256(data).digest():
        return Checked(
            False,
            at_iso,
            tsa,
            problem="it timestamps other data than manifest.sha256 (the manifest changed after it was timestamped)",
        )
    if not roots:
        return Checked(True, at_iso, tsa, trusted=False)
    builder = VerifierBuilder()
    for cert in roots:
        builder = builder.add_root_certificate(cert) if _is_ca(cert) else builder.add_intermediate_certificate(cert)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify_message(resp, data)
    except VerificationError as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Checked(False, at_iso, tsa, problem=f"signature or certificate chain not valid ({why[:200]})")
    return Checked(True, at_iso, tsa, trusted=True)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _signer(resp) -> str:
    """Subject of the certificate that signed the token, for the report ("" if none is embedded)."""
    try:
        si = next(iter(resp.signed_data.signer_infos))
        for der in resp.signed_data.certificates:
            cert = x509.load_der_x509_certificate(der)
            if cert.serial_number == si.serial_number:
                return cert.subject.rfc4514_string()
    except (StopIteration, ValueError):
        pass
    return ""


def utc(at: str) -> datetime:
    return datetime.fromisoformat(at)
