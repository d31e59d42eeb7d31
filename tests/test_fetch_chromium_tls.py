"""Chromium over HTTPS under DNS rebinding, end to end: the browser trusts a test root through a real NSS
database (`certutil`, Debian libnss3-tools) in `$HOME/.pki/nssdb` of a temporary HOME, so certificates
are checked as in production (no `--ignore-certificate-errors*`). HTTPS goes from Chromium through the
guard proxy as a CONNECT tunnel; the guard proxy vets the name when Chromium connects.

- control: a name that stays on the permitted machine (127.0.0.2) loads over TLS, so trust works;
- a name that answers public at the guard proxy's check and loopback when it connects is refused there,
  and the internal HTTPS server (with a valid certificate for that very name) is never connected to; the
  same through the evidence live view, whose page-level checks may see the loopback answer first;
- with `proxy` configured, the tunnel is asked of that proxy and TLS still ends in Chromium.
"""

from __future__ import annotations

import shutil

import pytest
from test_fetch_rebinding import PUBLIC, SECRET

from canhbao.net.policy import FetchPolicy
from canhbao.testing.dns_server import dns_server
from canhbao.testing.forward_proxy import forward_proxy
from canhbao.testing.sample_server import serve
from canhbao.testing.tls_ca import CERTUTIL, make_ca, nss_trust

pytestmark = pytest.mark.skipif(shutil.which(CERTUTIL) is None, reason="certutil (libnss3-tools) not installed")

NAMES = ("rebind.tls.test", "mirror.tls.test")


@pytest.fixture
def tls_machines(tmp_path, monkeypatch):
    """HTTPS on 127.0.0.1:P (internal) and 127.0.0.2:P (permitted), both with a certificate for both names
    from a root that only this test's NSS database trusts; HOME points Chromium at that database."""
    ca = make_ca(tmp_path / "ca")
    nss_trust(tmp_path / "home", ca)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, text in (("inner", SECRET), ("outside", "trang ngoài qua TLS")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text(f"<html><body><article><p>{text}</p></article></body></html>")
    with serve(tmp_path / "inner", tls=ca.server_context(*NAMES)) as inner:
        port = inner.server_address[1]
        with serve(tmp_path / "outside", host="127.0.0.2", port=port, tls=ca.server_context(*NAMES)) as outside:
            yield inner, outside, port


def test_chromium_https_through_the_guard_proxy_refuses_the_rebound_name(tls_machines):
    """Chromium behind the guard proxy alone (no page-level check): the proxy's check sees the public
    answer, its connect-time vet the loopback one, and refuses; the internal server accepts nothing."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from canhbao.net.chromium import ARGS, CHROMIUM
    from canhbao.net.guard_proxy import GuardProxy

    inner, outside, port = tls_machines
    script = {"mirror.tls.test": ["127.0.0.2"], "rebind.tls.test": [PUBLIC, "127.0.0.1"]}
    with dns_server(script) as dns, sync_playwright() as pw:
        policy = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",), timeout_s=10)
        with GuardProxy(policy) as guard:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=ARGS, proxy={"server": guard.url}
            )
            try:
                page = browser.new_page()
                ok = page.goto(f"https://mirror.tls.test:{port}/page.html", timeout=15000)
                assert ok is not None and ok.status == 200 and "trang ngoài qua TLS" in page.content()  # trust works
                with pytest.raises(PlaywrightError) as err:
                    page.goto(f"https://rebind.tls.test:{port}/page.html", timeout=15000)
            finally:
                browser.close()
            refused = list(guard.refused)
        asked = dns.asked["rebind.tls.test"]
    assert asked[:2] == [PUBLIC, "127.0.0.1"]  # the proxy's check, then its vet as it connects
    assert "ERR_TUNNEL_CONNECTION_FAILED" in str(err.value), str(err.value)
    assert refused and all("rebind.tls.test" in r and "127.0.0.1, a loopback address" in r for r in refused)
    assert outside.hits("/page.html") and inner.connections == 0 and inner.requests == []


def test_chromium_https_live_view_never_reaches_the_rebound_address(tls_machines):
    """The evidence live view: live()'s check, the page's route guard and the guard proxy each resolve the
    name; whichever of them gets the loopback answer refuses (Chromium may open the CONNECT tunnel before
    or after the route guard runs), and the internal server accepts no connection in any order."""
    from canhbao.core.errors import CanhbaoError
    from canhbao.evidence.browser import Renderer

    inner, outside, port = tls_machines
    with dns_server({"rebind.tls.test": [PUBLIC, PUBLIC, "127.0.0.1"]}) as dns, Renderer() as renderer:
        policy = FetchPolicy(dns_server=dns.address, timeout_s=10)
        with pytest.raises(CanhbaoError) as err:
            renderer.live(f"https://rebind.tls.test:{port}/page.html", timeout_s=15, policy=policy)
        assert "127.0.0.1" in dns.asked["rebind.tls.test"]
    assert "did not load" in str(err.value) or "refused" in str(err.value)
    assert inner.connections == 0 and inner.requests == [] and outside.connections == 0


def test_chromium_https_through_the_configured_proxy(tls_machines):
    from canhbao.evidence.browser import Renderer

    inner, outside, port = tls_machines
    with (
        forward_proxy({"mirror.tls.test": "127.0.0.2"}) as proxy,
        dns_server({"mirror.tls.test": ["127.0.0.2"]}) as dns,
    ):
        policy = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",), proxy=proxy.url, timeout_s=10)
        with Renderer() as renderer:
            png = renderer.live(f"https://mirror.tls.test:{port}/page.html", timeout_s=15, policy=policy)
    assert png.startswith(b"\x89PNG") and outside.hits("/page.html")
    assert f"CONNECT mirror.tls.test:{port}" in proxy.requests  # a tunnel: the proxy never sees the page
    assert not [r for r in proxy.requests if "tls.test" in r and not r.startswith("CONNECT ")]
    # nothing of Chromium's own (update checks, the account list) reaches the proxy (docs/sources.md)
    assert all("tls.test" in r for r in proxy.requests), proxy.requests
    assert inner.connections == 0
