"""`canhbao import`: Zeeschuimer NDJSON (Facebook, Instagram, TikTok), 4CAT Telegram NDJSON, and pages
saved in the analyst's browser (HTML, WARC, WACZ). Shapes and their origin: tests/fixtures/imports/SOURCE.md."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from canhbao.cli import main
from canhbao.testing.sample_server import serve

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def media_site(tmp_path, home, monkeypatch):
    root = tmp_path / "cdn"
    for sub, name, colour in (
        ("fb", "anh-1.png", (200, 30, 30)),
        ("ig", "anh-2.png", (30, 200, 30)),
        ("tt", "cover.png", (30, 30, 200)),
    ):
        (root / sub).mkdir(parents=True)
        Image.new("RGB", (120, 90), colour).save(root / sub / name)
    with serve(root) as server:
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps([f"127.0.0.1:{server.server_address[1]}"]))
        monkeypatch.setenv("CANHBAO_ACTOR", "thanh.tra.b")
        yield home, server


def run_json(capsys, *argv) -> tuple[int, dict, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def test_zeeschuimer_ndjson(media_site, tmp_path, capsys):
    from canhbao.core.posts import PostStore

    home, server = media_site
    export = tmp_path / "zeeschuimer-export-facebook.com-2026-11-29T101500.ndjson"
    export.write_text(
        (FIXTURES / "zeeschuimer-export.ndjson")
        .read_text(encoding="utf-8")
        .replace("https://media.example.test", server.base_url),
        encoding="utf-8",
    )
    code, out, err = run_json(
        capsys, "--home", str(home.root), "import", str(export), "--note", "nhóm kín", "--alert", "--json"
    )
    assert code == 0
    assert sorted(out["posts"]) == [
        "import:facebook-1234567890123456",
        "import:instagram-C9xYz12AbCd",
        "import:tiktok-7441234567890123456",
    ]
    assert len(out["errors"]) == 2 and f"{export}:4: platform 'linkedin.com'" in out["errors"][0]
    assert out["errors"][1].startswith(f"{export}:5: ")
    assert err.count("canhbao: warning:") == 2

    posts = {p.platform: p for p in PostStore(home.posts_db).iter()}
    fb = posts["facebook"]
    assert fb.url == "https://www.facebook.com/groups/hoidanphuonglang/posts/1234567890123456/"
    assert fb.author == "Lê Văn Cường" and fb.text.startswith("Bệnh nhân Trần Thị Bình")
    assert fb.published_at.timestamp() == 1732860000 and fb.captured_at.timestamp() == pytest.approx(1732870000.123)
    assert fb.media[0].sha256 and (home.root / fb.media[0].path).is_file()  # fetched through the policy
    ig, tt = posts["instagram"], posts["tiktok"]
    assert ig.url == "https://www.instagram.com/p/C9xYz12AbCd/" and ig.author == "Trạm Y tế Phường"
    assert ig.engagement == {"likes": 152, "comments": 12} and ig.media[0].sha256
    assert tt.url == "https://www.tiktok.com/@baomoi24h/video/7441234567890123456"
    assert tt.engagement["plays"] == 50000 and tt.published_at.timestamp() == 1732700000

    types = {(a["post"], a["type"]) for a in out["alerts"]}
    assert ("import:facebook-1234567890123456", "pii_exposure") in types  # a detector fired on the import
    assert sum(1 for _p, t in types if t == "manual_capture") == 3
    # The line as exported is kept in a WARC resource record under the post's URL.
    with gzip.open(home.root / fb.warc, "rb") as fh:
        warc = fh.read()
    assert b"WARC-Type: resource" in warc and fb.url.encode() in warc and b'"nav_index": "3:12:0"' in warc

    manual = next(a["id"] for a in out["alerts"] if a["type"] == "manual_capture" and "instagram" in a["post"])
    assert (
        main(["--home", str(home.root), "evidence", "export", manual, "--no-live", "--out", str(tmp_path / "ev")]) == 0
    )
    zip_path = next((tmp_path / "ev").glob("*.zip"))
    assert main(["--home", str(home.root), "evidence", "verify", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as z:
        custody = [json.loads(x) for x in z.read("custody.jsonl").decode().splitlines()]
        meta = json.loads(z.read("metadata.json"))
        assert any(n.startswith("media/") for n in z.namelist())
        # A masked export withholds the WARC (it holds the whole exported line) and lists it with its hash.
        assert "capture/capture.warc.gz" not in z.namelist()
        assert any(w.startswith("WARC records of") and "sha256" in w for w in meta["withheld"]), meta["withheld"]
    seen = next(c for c in custody if c["action"] == "import.recorded")["details"]["provenance"]
    assert seen["actor"] == "thanh.tra.b" and seen["note"] == "nhóm kín" and seen["method"] == "import:ndjson"
    assert seen["collected"]["seen_on"] == "https://www.instagram.com/tramyte.phuong/"
    assert seen["collected"]["user_agent"].startswith("Mozilla/5.0") and seen["source_sha256"]


def test_4cat_telegram_ndjson(home, capsys):
    code, out, _err = run_json(
        capsys, "--home", str(home.root), "import", str(FIXTURES / "4cat-telegram.ndjson"), "--json"
    )
    assert code == 0 and out["posts"] == ["import:telegram-kenhtinnonghn-4521"] and out["errors"] == []
    from canhbao.core.posts import PostStore

    post = PostStore(home.posts_db).get("import:telegram-kenhtinnonghn-4521")
    assert post.url == "https://t.me/kenhtinnonghn/4521" and post.author == "Kênh tin nóng Hà Nội"
    assert post.published_at.timestamp() == 1732850000 and post.engagement == {"views": 3200, "forwards": 12}


PAGE = (
    "<!DOCTYPE html>\n<!-- saved from url=(0048)https://www.facebook.com/groups/abc/posts/777/ -->\n"
    "<html><head><title>Nhóm</title></head><body><div role='main'><h1>Bài đăng</h1>"
    "<p>Ảnh chụp công văn nội bộ gửi các đơn vị.</p><img src='Bai_files/anh.png'></div></body></html>"
)


def test_saved_html_with_images_beside_it(home, tmp_path, capsys):
    from canhbao.core.posts import PostStore

    saved = tmp_path / "saved"
    (saved / "Bai_files").mkdir(parents=True)
    (saved / "Bai.html").write_text(PAGE, encoding="utf-8")
    Image.new("RGB", (120, 90), (10, 10, 10)).save(saved / "Bai_files" / "anh.png")
    code, out, _err = run_json(capsys, "--home", str(home.root), "import", str(saved / "Bai.html"), "--alert", "--json")
    assert code == 0 and len(out["posts"]) == 1 and out["errors"] == []
    post = PostStore(home.posts_db).get(out["posts"][0])
    assert post.url == "https://www.facebook.com/groups/abc/posts/777/" and post.platform == "facebook"
    assert "Ảnh chụp công văn nội bộ" in post.text
    assert post.media[0].sha256 and post.raw_html and post.warc  # image read from disk, not fetched
    # the same file again: the same post, not a second one
    assert (
        run_json(capsys, "--home", str(home.root), "import", str(saved / "Bai.html"), "--json")[1]["posts"]
        == out["posts"]
    )


def test_saved_html_without_url_is_one_line(home, tmp_path, capsys):
    page = tmp_path / "x.html"
    page.write_text("<html><body><p>không rõ nguồn</p></body></html>", encoding="utf-8")
    assert main(["--home", str(home.root), "import", str(page)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--url" in err[0] and str(page) in err[0]


def _warc(path: Path) -> None:
    """A WARC as a browser archiver writes it: the page and its image as HTTP responses."""
    png = io.BytesIO()
    Image.new("RGB", (120, 90), (90, 90, 0)).save(png, "PNG")
    page = (
        "<html><body><article><h1>Tin nhắn nhóm</h1><p>Danh sách người cách ly kèm số điện thoại.</p>"
        "<img src='/img/a.png'></article></body></html>"
    ).encode()
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for url, ctype, body in (
            ("https://t.me/s/kenhabc/55", "text/html; charset=utf-8", page),
            ("https://t.me/img/a.png", "image/png", png.getvalue()),
        ):
            w.write_record(
                w.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=StatusAndHeaders(
                        "200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
                    ),
                )
            )


@pytest.mark.parametrize("kind", ["warc", "wacz"])
def test_saved_warc_and_wacz(home, tmp_path, capsys, kind):
    from canhbao.core.posts import PostStore

    warc = tmp_path / "ghi.warc.gz"
    _warc(warc)
    path = warc
    if kind == "wacz":
        from canhbao.evidence import wacz

        path = tmp_path / "ghi.wacz"
        path.write_bytes(
            wacz.build(
                {"ghi.warc.gz": warc.read_bytes()},
                main_url="https://t.me/s/kenhabc/55",
                main_ts="2026-11-29T10:00:00+00:00",
                title="t",
                created="2026-11-29T10:00:00Z",
                when=datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc),
            )
        )
    code, out, _err = run_json(capsys, "--home", str(home.root), "import", str(path), "--no-media", "--json")
    assert code == 0 and len(out["posts"]) == 1 and out["errors"] == []
    post = PostStore(home.posts_db).get(out["posts"][0])
    assert post.url == "https://t.me/s/kenhabc/55" and post.platform == "telegram"
    assert "Danh sách người cách ly" in post.text
    assert post.media[0].url == "https://t.me/img/a.png" and post.media[0].sha256  # from the archive itself
    assert (home.root / post.warc).read_bytes() == warc.read_bytes()  # kept byte for byte


def test_unknown_format(home, tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    assert main(["--home", str(home.root), "import", str(bad)]) == 2
