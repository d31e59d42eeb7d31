"""`canhbao capture URL` end to end against a page on 127.0.0.1 (allowed by setting: that host:port
only), then `evidence export` and `evidence verify` of the manual alert."""

from __future__ import annotations

import json
import zipfile

import pytest
from PIL import Image

from canhbao.cli import main
from canhbao.testing.sample_server import serve

PAGE = """<html><head><title>Nhóm cư dân</title>
<meta property="og:image" content="/anh.png">
<meta property="article:published_time" content="2026-11-29T21:15:00+07:00"></head>
<body><nav>Trang chủ</nav><article><h1>Cảnh báo lừa đảo</h1>
<p>Có người gọi điện tự xưng công an yêu cầu chuyển tiền.</p></article></body></html>"""


@pytest.fixture
def site(tmp_path, home, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    (root / "post.html").write_text(PAGE, encoding="utf-8")
    Image.new("RGB", (160, 120), (30, 90, 160)).save(root / "anh.png")
    with serve(root) as server:
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps([f"127.0.0.1:{server.server_address[1]}"]))
        monkeypatch.setenv("CANHBAO_ACTOR", "can.bo.a")
        monkeypatch.setenv("CANHBAO_SOURCES__OBEY_ROBOTS", "false")
        yield home, server


def test_capture_then_export_and_verify(site, tmp_path, capsys):
    home, server = site
    url = f"{server.base_url}/post.html"
    assert main(["--home", str(home.root), "capture", url, "--note", "tuần tra mạng ngày 30/11", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    manual = [a for a in out["alerts"] if a["type"] == "manual_capture"]
    assert len(manual) == 1 and manual[0]["score"] == 1.0  # an alert although no detector fired
    prov = out["provenance"]
    assert prov["actor"] == "can.bo.a" and prov["note"] == "tuần tra mạng ngày 30/11" and prov["machine"]
    assert prov["method"] == "capture:html" and prov["source"] == url and prov["at"]
    assert out["media"][0]["sha256"] and (home.root / out["media"][0]["path"]).is_file()
    assert out["warc"].startswith("warc/capture/") and (home.root / out["warc"]).is_file()

    from canhbao.core.posts import PostStore

    post = PostStore(home.posts_db).get(out["post"])
    assert post.text.startswith("Cảnh báo lừa đảo\nCó người gọi điện") and "Trang chủ" not in post.text
    assert post.published_at.isoformat() == "2026-11-29T21:15:00+07:00"
    assert [p for p in server.requests if p.startswith("/post.html")]  # fetched by the crawler

    alert_id = manual[0]["id"]
    assert main(["--home", str(home.root), "evidence", "export", alert_id, "--out", str(tmp_path / "ev")]) == 0
    zip_path = next((tmp_path / "ev").glob("*.zip"))
    assert main(["--home", str(home.root), "evidence", "verify", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        meta = json.loads(z.read("metadata.json"))
        custody = [json.loads(line) for line in z.read("custody.jsonl").decode().splitlines()]
    # the default export is masked: the captured page and its WARC are listed with their hashes, not included
    assert {"post/text.txt", "report.pdf", "manifest.sha256.sig"} <= names
    assert not any(n.startswith("capture/") for n in names) and "post/page.html" not in names
    assert any(w.startswith("WARC records") and "sha256" in w for w in meta["withheld"])
    assert any(w.startswith("post/page.html") and "sha256" in w for w in meta["withheld"])
    assert meta["alert"]["type"] == "manual_capture"
    assert meta["match"]["signals"]["provenance"]["actor"] == "can.bo.a"
    recorded = [c for c in custody if c["action"] == "capture.recorded"]
    assert recorded and recorded[0]["actor"] == "can.bo.a" and recorded[0]["hash"]
    assert recorded[0]["details"]["provenance"]["note"] == "tuần tra mạng ngày 30/11"


@pytest.mark.parametrize("url, why", [("file:///etc/passwd", "scheme 'file'"), ("http://127.0.0.1:9/x", "loopback")])
def test_capture_refuses_what_the_policy_refuses(site, capsys, url, why):
    home, _server = site
    assert main(["--home", str(home.root), "capture", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and why in err[0] and url in err[0]


def test_browser_capture_never_reaches_internal_addresses(site, tmp_path, capsys):
    """In Chromium every request of the page goes through the policy too: the image and the script's
    fetch to an internal service are aborted, the page itself is captured."""
    home, server = site
    (tmp_path / "inner").mkdir()
    with serve(tmp_path / "inner") as inner:
        page = PAGE.replace(
            "</article>",
            f'<img src="{inner.base_url}/track.png"></article><script>fetch("{inner.base_url}/api/secret")</script>',
        )
        server.route("/js.html", body=page)
        url = f"{server.base_url}/js.html"
        assert main(["--home", str(home.root), "capture", url, "--fetch", "browser", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert inner.requests == []
    assert out["provenance"]["method"] == "capture:browser"
    assert any(a["type"] == "manual_capture" for a in out["alerts"])
    refused = [m for m in out["media"] if m["url"].startswith(inner.base_url)]
    assert refused and all("refused by the fetch policy" in m["error"] for m in refused)
