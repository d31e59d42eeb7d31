"""A throw-away certificate authority for HTTPS tests (cryptography): a root, leaf certificates for test
names, a server context, and an NSS database trusting the root, which is where Chromium on Linux looks
for trusted roots (`$HOME/.pki/nssdb`; Python trusts it through `SSL_CERT_FILE`)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_PEM = serialization.Encoding.PEM


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


@dataclass(frozen=True)
class TestCA:
    directory: Path
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    __test__ = False  # not a pytest test class

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def issue(self, *names: str) -> tuple[Path, Path]:
        """(certificate PEM, key PEM) of a server certificate for `names` (host names or IP addresses),
        signed by this root."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        stem = self.directory / names[0]
        stem.with_suffix(".pem").write_bytes(cert.public_bytes(_PEM))
        stem.with_suffix(".key").write_bytes(
            key.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        return stem.with_suffix(".pem"), stem.with_suffix(".key")

    def server_context(self, *names: str) -> ssl.SSLContext:
        cert, key = self.issue(*names)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        return ctx


def make_ca(directory: Path, common_name: str = "canhbao test root") -> TestCA:
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    ca = TestCA(directory, key, cert)
    ca.ca_file.write_bytes(cert.public_bytes(_PEM))
    return ca


CERTUTIL = "certutil"  # Debian libnss3-tools


def nss_trust(home: Path, ca: TestCA) -> Path:
    """Create `home/.pki/nssdb` trusting `ca` for TLS servers (what Chromium reads when HOME is `home`)."""
    tool = shutil.which(CERTUTIL)
    if tool is None:
        raise FileNotFoundError(f"{CERTUTIL} not found (Debian package libnss3-tools)")
    db = home / ".pki" / "nssdb"
    db.mkdir(parents=True, exist_ok=True)
    run = lambda *args: subprocess.run([tool, *args], check=True, capture_output=True, timeout=60)  # noqa: E731
    run("-N", "-d", f"sql:{db}", "--empty-password")
    run("-A", "-d", f"sql:{db}", "-n", ca.cert.subject.rfc4514_string(), "-t", "C,,", "-i", str(ca.ca_file))
    return db
