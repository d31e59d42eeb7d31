"""What Chromium sends on its own: every launch path the product has, measured with a real Chromium behind
the real guard proxy, a page on 127.0.0.2 (allowed by setting) and a real forward proxy on 127.0.0.1 set as
the policy's `proxy`, so whatever the guard proxy lets out is seen there, and a DNS server on 127.0.0.1 set
as the policy's `dns_server`, so every name the policy resolves is seen too.

Launch paths: the evidence renderer (live view and replayed screenshot; `evidence export` and `takedown
check` start the same `Renderer`), a browser-mode crawl (scrapy-playwright) and `canhbao capture --fetch
browser` (the crawler's launch, started from the CLI). Each one: launch, load the page, stay open a few
seconds. A host is "background" when it is neither the page's host nor one the page asked for.

Seen before this test's fix (Chromium 156.0.8078.114, Debian; Playwright 1.65.2 with its default switches,
plus the product's flags of the time), on every path:
- `update.googleapis.com` (CONNECT, then a plain `POST /service/update2/json`): the component updater asking
  on demand for the on-device model manifest (app id `ceofaddefefcbblgcgnibnonglccbfja`, "Optimization
  Guide On DeviceModels Manifest"), although `--disable-component-update` is set;
- `accounts.google.com` (CONNECT, up to three times): `ListAccounts` of the default profile's identity manager.
Both names were also asked of the policy's DNS server.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from test_fetch_rebinding import SECRET

from canhbao.testing.dns_server import dns_server
from canhbao.testing.forward_proxy import forward_proxy
from canhbao.testing.sample_server import two_machines as machines

IDLE_S = 5.0  # how long a launched browser is left alone after the page loaded
PAGE_TEXT = "Trang công khai: thông báo số 12/TB-UBND"


def hosts_of(requests: list[str]) -> set[str]:
    """'CONNECT host:port' / 'GET http://host:port/…' (a forward proxy's log) -> the host names."""
    found = set()
    for line in requests:
        method, _, target = line.partition(" ")
        host = target.rpartition(":")[0] if method == "CONNECT" else urlsplit(target).hostname or ""
        found.add(host.strip("[]").lower())
    return found


@pytest.fixture
def world(tmp_path, monkeypatch):
    """The permitted machine (127.0.0.2, as `mirror.test`) and an internal one (127.0.0.1); the policy, set
    through the environment so every process and every `load()` sees it: no private addresses except
    127.0.0.2, names resolved by the test's DNS server, everything admitted handed to the test's proxy."""
    with (
        machines(tmp_path / "site", SECRET, PAGE_TEXT) as (inner, outside, port),
        dns_server({"mirror.test": ["127.0.0.2"]}) as dns,
        forward_proxy({"mirror.test": "127.0.0.2"}) as out,
    ):
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps(["127.0.0.2/32"]))
        monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
        monkeypatch.setenv("CANHBAO_FETCH__PROXY", out.url)
        monkeypatch.setenv("CANHBAO_FETCH__TIMEOUT_S", "10")
        monkeypatch.setenv("CANHBAO_SOURCES__OBEY_ROBOTS", "false")
        yield inner, outside, port, dns, out


def _background(dns, out, page_hosts: set[str]) -> tuple[set[str], set[str]]:
    """(hosts that left through the guard proxy, names asked of DNS) other than the page's own."""
    return hosts_of(out.requests) - page_hosts, set(dns.queried) - page_hosts


def test_renderer_live_view_and_replay_send_nothing_of_their_own(world):
    from canhbao.evidence.browser import Renderer
    from canhbao.net.policy import load

    inner, outside, port, dns, out = world
    url = f"http://mirror.test:{port}/page.html"
    with Renderer() as renderer:
        png = renderer.live(url, timeout_s=15, policy=load())
        shot = renderer.replay(url, f"<p>{PAGE_TEXT}</p>".encode(), {}, timeout_s=15)
        time.sleep(IDLE_S)
    assert png.startswith(b"\x89PNG") and shot.startswith(b"\x89PNG") and outside.hits("/page.html")
    sent, resolved = _background(dns, out, {"mirror.test"})
    assert sent == set(), f"left through the guard proxy: {sorted(sent)} ({out.requests})"
    assert resolved == set(), f"asked of DNS: {sorted(resolved)}"
    assert inner.requests == []


def test_browser_mode_crawl_sends_nothing_of_its_own(world, home, tmp_path):
    """A Facebook group in browser mode (scrapy-playwright), the sample site served on the permitted machine."""
    from _crawl_site import crawl, health, images, posts

    from canhbao.testing.sample_site import FeedSpec, build_site

    inner, outside, port, dns, out = world
    feeds = {"fb-js": FeedSpec("facebook_group", posts(images(tmp_path / "img"), n=3), per_page=3, fetch="browser")}
    build_site(outside.root, feeds)
    report = crawl(home, f"http://mirror.test:{port}", feeds, browser_wait_s=3, retry_times=0)
    rendered = health(report, "fb-js")
    assert rendered.posts_stored == 3, rendered.line()  # the page rendered and its posts were read
    sent, resolved = _background(dns, out, {"mirror.test"})
    assert sent == set(), f"left through the guard proxy: {sorted(sent)} ({out.requests})"
    assert resolved == set(), f"asked of DNS: {sorted(resolved)}"
    assert inner.requests == []


def test_browser_capture_sends_nothing_of_its_own(world, home, capsys):
    from canhbao.cli import main

    inner, outside, port, dns, out = world
    url = f"http://mirror.test:{port}/page.html"
    code = main(["--home", str(home.root), "capture", url, "--fetch", "browser", "--note", "đo yêu cầu nền"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert outside.hits("/page.html") and f"GET {url}" in out.requests
    sent, resolved = _background(dns, out, {"mirror.test"})
    assert sent == set(), f"left through the guard proxy: {sorted(sent)} ({out.requests})"
    assert resolved == set(), f"asked of DNS: {sorted(resolved)}"
    assert inner.requests == []
