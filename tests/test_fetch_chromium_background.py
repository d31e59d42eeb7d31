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

After (the flags of canhbao/net/chromium.py, and `browser_background_hosts` refused by the guard proxy):
nothing leaves and no name is resolved on any path. Chromium itself still asks for `accounts.google.com`
(no switch of this build stops ListAccounts); the guard proxy refuses it before resolving it. Each test
checks that whatever Chromium still asks for is on the deny list, and that the update check is gone.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
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


def _refused_in_log(text: str) -> set[str]:
    """Hosts the guard proxy refused as browser background services, from its one log line per host."""
    return set(re.findall(r"refused Chromium's own request to (\S+) ", text))


def _only_the_backstop(asked: set[str]) -> None:
    """What Chromium still asked for is on the deny list; the flags stopped the update check."""
    from canhbao.net.policy import FetchPolicy, background_service

    assert all(background_service(h, FetchPolicy()) for h in asked), asked
    assert "update.googleapis.com" not in asked, asked


def test_renderer_live_view_and_replay_send_nothing_of_their_own(world):
    from canhbao.evidence.browser import Renderer
    from canhbao.net.policy import load

    inner, outside, port, dns, out = world
    url = f"http://mirror.test:{port}/page.html"
    with Renderer() as renderer:
        png = renderer.live(url, timeout_s=15, policy=load())
        shot = renderer.replay(url, f"<p>{PAGE_TEXT}</p>".encode(), {}, timeout_s=15)
        time.sleep(IDLE_S)
        asked = set(renderer._proxy.background)
    assert png.startswith(b"\x89PNG") and shot.startswith(b"\x89PNG") and outside.hits("/page.html")
    sent, resolved = _background(dns, out, {"mirror.test"})
    assert sent == set(), f"left through the guard proxy: {sorted(sent)} ({out.requests})"
    assert resolved == set(), f"asked of DNS: {sorted(resolved)}"
    assert inner.requests == []
    _only_the_backstop(asked)


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
    _only_the_backstop(_refused_in_log((home.root / report.log).read_text(encoding="utf-8")))


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
    logs = "".join(p.read_text(encoding="utf-8") for p in Path(home.crawl_state, "runs").glob("*.log"))
    _only_the_backstop(_refused_in_log(logs))


def test_a_page_that_loads_a_public_looking_subresource_still_gets_the_normal_policy(world, tmp_path):
    """The deny list refuses only the listed names: a sub-resource on another permitted name loads, one on a
    name that resolves to loopback is refused by the ordinary address check, and only the one the page
    asks of a background-service host is refused as such (and never connected to)."""
    from canhbao.evidence.browser import Renderer
    from canhbao.net.policy import load

    inner, outside, port, dns, out = world
    dns.script.update({"static.cdn-tin.test": ["127.0.0.2"], "noi-bo.cdn-tin.test": ["127.0.0.1"]})
    out.hosts.update({"static.cdn-tin.test": "127.0.0.2", "noi-bo.cdn-tin.test": "127.0.0.1"})
    (outside.root / "anh.png").write_bytes(PNG_1PX)
    (Path(inner.root) / "anh.png").write_bytes(PNG_1PX)
    subresources = {
        "static.cdn-tin.test": f"http://static.cdn-tin.test:{port}/anh.png?permitted",
        "noi-bo.cdn-tin.test": f"http://noi-bo.cdn-tin.test:{port}/anh.png?internal",
        "update.googleapis.com": f"http://update.googleapis.com:{port}/anh.png?vendor",
    }
    imgs = "".join(f'<img src="{u}">' for u in subresources.values())
    (outside.root / "page.html").write_text(f"<html><body><p>{PAGE_TEXT}</p>{imgs}</body></html>", "utf-8")
    with Renderer() as renderer:
        png = renderer.live(f"http://mirror.test:{port}/page.html", timeout_s=15, policy=load())
        refused_background = dict(renderer._proxy.background)
        refused_policy = list(renderer._proxy.refused)
    assert png.startswith(b"\x89PNG")
    assert outside.hits("/anh.png?permitted")  # another permitted name: loaded through the normal checks
    assert f"GET {subresources['static.cdn-tin.test']}" in out.requests
    assert not inner.requests and not outside.hits("/anh.png?internal")  # loopback: the address check
    assert not outside.hits("/anh.png?vendor") and "update.googleapis.com" in refused_background
    assert not any("update.googleapis.com" in r for r in out.requests)
    assert not any("update.googleapis.com" in r for r in refused_policy)  # refused as a background host
    assert "static.cdn-tin.test" not in refused_background and "noi-bo.cdn-tin.test" not in refused_background


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000030101001f2ac3fc0000000049454e44ae426082"
)


def test_every_launch_flag_is_a_switch_this_chromium_has():
    """A flag the installed build does not know does nothing: every one in ARGS must be in the binary."""
    from canhbao.net.chromium import ARGS, CHROMIUM

    binary = _real_binary(Path(CHROMIUM))
    names = {a[2:].split("=", 1)[0] for a in ARGS}
    found: set[str] = set()
    with open(binary, "rb") as fh:
        tail = b""
        while chunk := fh.read(1 << 24):
            block = tail + chunk
            found |= {n for n in names - found if b"\0" + n.encode() + b"\0" in block}
            tail = block[-256:]
    assert names - found == set(), f"not switches of {binary}: {sorted(names - found)}"
    assert not [a for a in ARGS if a.startswith(("--disable-features", "--enable-features"))]


def _real_binary(path: Path) -> Path:
    """Debian's /usr/bin/chromium is a shell script that execs $LIBDIR/$APPNAME: the binary is that."""
    head = path.read_bytes()[:8192]
    app, lib = re.search(rb"^APPNAME=(\S+)", head, re.M), re.search(rb"^LIBDIR=(\S+)", head, re.M)
    if not head.startswith(b"#!") or app is None or lib is None:
        return path
    name = app.group(1).decode()
    return Path(lib.group(1).decode().replace("$APPNAME", name)) / name


def test_the_deny_list_is_validated_on_load_and_matches_the_code_default():
    from canhbao.core.config import build
    from canhbao.core.errors import ConfigError
    from canhbao.net.policy import FetchPolicy, background_service
    from canhbao.net.policy import load as load_policy

    for bad in ("Accounts.Google.com", "127.0.0.1", "http://update.googleapis.com", "localhost", "*.", "a.com:443"):
        with pytest.raises(ConfigError) as err:
            build(FetchPolicy, {"browser_background_hosts": [bad]}, where="fetch.yaml")
        assert "browser_background_hosts" in str(err.value), str(err.value)
    assert load_policy().browser_background_hosts == FetchPolicy().browser_background_hosts  # one list
    policy = FetchPolicy()
    assert background_service("beacons5.gvt2.com", policy) == "*.gvt2.com"
    assert background_service("ACCOUNTS.google.com.", policy) == "accounts.google.com"
    assert not background_service("gvt2.com.example", policy) and not background_service("mail.google.com", policy)


def test_the_guard_proxy_refuses_a_background_host_before_resolving_it_and_says_so_once(caplog):
    """Straight at the guard proxy, as Chromium talks to it: a CONNECT and a plain request to listed hosts
    are refused with the reason, no name is resolved, and the log has one line per host."""
    import logging
    import socket

    from canhbao.net.guard_proxy import REFUSED_HEADER, GuardProxy
    from canhbao.net.policy import FetchPolicy

    def ask(url: str, line: str) -> bytes:
        with socket.create_connection(("127.0.0.1", urlsplit(url).port or 0), 5) as s:
            s.sendall(line.encode() + b"\r\n\r\n")
            return s.makefile("rb").read()

    with dns_server({}) as dns, GuardProxy(FetchPolicy(dns_server=dns.address, timeout_s=5)) as guard:
        with caplog.at_level(logging.INFO, logger="canhbao.net.guard_proxy"):
            answers = [
                ask(guard.url, "CONNECT update.googleapis.com:443 HTTP/1.1\r\nHost: update.googleapis.com:443"),
                ask(guard.url, "CONNECT update.googleapis.com:443 HTTP/1.1\r\nHost: update.googleapis.com:443"),
                ask(guard.url, "GET http://beacons.gvt2.com/upload HTTP/1.1\r\nHost: beacons.gvt2.com"),
            ]
        background = dict(guard.background)
    assert all(a.startswith(b"HTTP/1.1 403") and REFUSED_HEADER.encode() in a for a in answers), answers
    assert b"browser background service (update.googleapis.com)" in answers[0]
    assert dns.queried == []  # refused before resolving: not even a DNS query leaves
    assert background == {"update.googleapis.com": 2, "beacons.gvt2.com": 1}
    said = [r.getMessage() for r in caplog.records if "refused Chromium's own request" in r.getMessage()]
    assert len(said) == 2 and "update.googleapis.com" in said[0] and "beacons.gvt2.com" in said[1], said
