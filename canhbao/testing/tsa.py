"""A local RFC 3161 time-stamping authority for tests and the demo: OpenSSL's own `openssl ts -reply`
answering HTTP POSTs on 127.0.0.1, with a throw-away root CA and TSA certificate made here.

The answers are produced by a real, independent TSA implementation (OpenSSL), not by our code, so the
client and verifier in canhbao.evidence.timestamp are checked against the real thing.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from canhbao.testing.local_http import LocalServer

CONFIG = """\
[ tsa ]
default_tsa = local_tsa

[ local_tsa ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _cert(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:  # RFC 3161 2.3: the TSA certificate has a critical extended key usage of timeStamping only
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


class LocalTSA(LocalServer):
    """`with LocalTSA() as tsa:` -> tsa.url (POST a TimeStampReq), tsa.ca_file (PEM of the root)."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="canhbao-tsa-")
        d = Path(self._tmp.name)
        ca_key, tsa_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "canhbao test root CA")])
        ca = _cert("canhbao test root CA", ca_key, ca_name, ca_key, ca=True)
        tsa = _cert("canhbao local TSA", tsa_key, ca_name, ca_key, ca=False)
        pem = serialization.Encoding.PEM
        (d / "ca.crt").write_bytes(ca.public_bytes(pem))
        (d / "tsa.crt").write_bytes(tsa.public_bytes(pem))
        (d / "tsa.key").write_bytes(
            tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        (d / "serial").write_text("01\n")
        (d / "ts.cnf").write_text(CONFIG.format(dir=d))
        self.ca_file, self.requests = d / "ca.crt", 0
        lock, owner = threading.Lock(), self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 1 << 16))
                with lock:  # openssl ts keeps its serial number in a file
                    owner.requests += 1
                    (d / "q.tsq").write_bytes(body)
                    run = subprocess.run(
                        [
                            "openssl",
                            "ts",
                            "-reply",
                            "-config",
                            str(d / "ts.cnf"),
                            "-queryfile",
                            str(d / "q.tsq"),
                            "-out",
                            str(d / "r.tsr"),
                        ],
                        capture_output=True,
                        timeout=30,
                    )
                    answer = (d / "r.tsr").read_bytes() if run.returncode == 0 else b""
                self.send_response(200 if answer else 400)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)
        self.url = f"http://127.0.0.1:{self.port}/tsa"

    def close(self) -> None:
        super().close()
        self._tmp.cleanup()
