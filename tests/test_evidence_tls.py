"""Origin: the TLS certificate chain of the live fetch, captured into the bundle (and the HTTPS exchange
recorded in the WARC), against an HTTPS server on 127.0.0.1 with its own test root CA."""

from __future__ import annotations

import datetime as dt
import io
import json
import ssl
import zipfile
from http.server import BaseHTTPRequestHandler

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from warcio.archiveiterator import ArchiveIterator

from canhbao.core.alerts import alert_from_finding
from canhbao.core.posts import PostStore
from canhbao.core.records import Finding, Post
from canhbao.evidence import bundle, export
from canhbao.evidence.settings import EvidenceSettings
from canhbao.net.http import get
from canhbao.net.policy import FetchPolicy
from canhbao.testing.local_http import LocalServer
from canhbao.testing.tls_ca import make_ca

PAGE = "<!doctype html><html><body><p>Bài viết còn trên mạng</p></body></html>".encode()


@pytest.fixture(scope="module")
def https_site(tmp_path_factory):
    ca = make_ca(tmp_path_factory.mktemp("tls"), "canhbao test web root")
    leaf_pem, leaf_key = ca.issue("127.0.0.1")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args) -> None:
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(leaf_pem, leaf_key)
    leaf = x509.load_pem_x509_certificate(leaf_pem.read_bytes())
    with LocalServer(Handler, tls=ctx) as server:
        yield f"https://127.0.0.1:{server.port}", ca.ca_file, leaf, ca.cert


def test_the_live_fetch_records_the_verified_chain_and_the_https_exchange(https_site, monkeypatch):
    url, ca_file, leaf, ca = https_site
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the test root is the only trusted one
    got = get(f"{url}/posts/1", FetchPolicy(allow_private=True), user_agent="t")
    assert got.status == 200 and got.body == PAGE, got.error
    assert len(got.tls) == 1
    chain = got.tls[0]
    assert chain.host == "127.0.0.1" and chain.version.startswith("TLS")
    assert chain.certificates == (
        leaf.public_bytes(serialization.Encoding.DER),
        ca.public_bytes(serialization.Encoding.DER),
    )
    uris = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(io.BytesIO(got.warc))]
    assert ("response", f"{url}/posts/1") in uris  # HTTPS is recorded too, not only plain HTTP


def test_an_untrusted_server_is_not_fetched(https_site):
    url, *_ = https_site
    got = get(f"{url}/posts/1", FetchPolicy(allow_private=True), user_agent="t")  # system roots only
    assert got.status == 0 and "CERTIFICATE_VERIFY_FAILED" in got.error and got.tls == ()


def test_export_puts_the_chain_in_the_bundle(https_site, evidence_world, renderer, tmp_path, monkeypatch):
    url, ca_file, leaf, _ca = https_site
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    home, _site, store, _cases = evidence_world
    post = Post(
        source="sample_page",
        platform="facebook",
        post_id="tls-1",
        url=f"{url}/posts/1",
        captured_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        text="Bài viết còn trên mạng",
        author="Tin Nóng 24h",
    )
    PostStore(home.posts_db).put(post)
    alert = alert_from_finding(post, Finding(type="fake_news", detector="fakenews", score=0.8, summary="x"), post.text)
    store.upsert([alert])
    done = export.export(
        home,
        store,
        alert.id,
        # the live view (and so its TLS chain) is part of an unmasked export by an allowed role
        EvidenceSettings(screenshot_live=True, live_timeout_s=5, roles={"thanh.tra.lan": ("inspector_lead",)}),
        actor="thanh.tra.lan",
        out_dir=tmp_path,
        renderer=renderer,
        unmasked=True,
    )
    with zipfile.ZipFile(done.zip_path) as zf:
        pem = zf.read("capture/live-tls-chain.pem")
        meta = json.loads(zf.read("metadata.json"))
    certs = x509.load_pem_x509_certificates(pem)
    assert certs[0] == leaf and len(certs) == 2
    tls = meta["live"]["tls"][0]
    assert tls["certificates"][0]["subject"] == "CN=127.0.0.1" and len(tls["certificates"][0]["sha256"]) == 64
    assert bundle.verify(done.zip_path).ok
