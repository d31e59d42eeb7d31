"""Media and captures content-addressed on a shared store: a shared filesystem path, or an S3-compatible
object store (moto's S3 server on 127.0.0.1 stands in for MinIO). Writes atomic and idempotent by SHA-256;
the media stage reads (real Tesseract) from whichever store holds the bytes."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import datetime, timezone

import pytest

from canhbao.core.blobs import FileBlobs, S3Blobs, S3Settings, StorageSettings, blob_key, open_blobs
from canhbao.core.errors import ConfigError, InputError
from canhbao.core.posts import PostStore
from canhbao.core.records import Media, Post
from canhbao.pipeline.stages import ledger_for, media_stage


def _page_png(seeds) -> bytes:
    from canhbao.testing.samples import render_layout

    buf = io.BytesIO()
    render_layout(seeds[0].text)[0].image.save(buf, "PNG")
    return buf.getvalue()


def _post_with(key: str, data: bytes) -> Post:
    return Post(
        source="s",
        platform="telegram",
        post_id="1",
        url="https://t.me/s/x/1",
        captured_at=datetime(2021, 9, 1, tzinfo=timezone.utc),
        text="ảnh",
        media=(
            Media(
                url="https://cdn/x.png",
                sha256=hashlib.sha256(data).hexdigest(),
                path=key,
                mime="image/png",
                size=len(data),
            ),
        ),
    )


def test_filesystem_writes_are_atomic_and_idempotent(tmp_path):
    blobs = FileBlobs(tmp_path / "shared")
    data = b"\x89PNG same bytes"
    sha = hashlib.sha256(data).hexdigest()
    results = []
    threads = [threading.Thread(target=lambda: results.append(blobs.put("media", data, ".png"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {k for k, _ in results} == {f"media/{sha[:2]}/{sha}.png"} == {blob_key("media", sha, ".png")}
    assert blobs.read(f"media/{sha[:2]}/{sha}.png") == data
    assert blobs.put("media", data, ".png") == (f"media/{sha[:2]}/{sha}.png", False)  # already there
    assert [p.name for p in (tmp_path / "shared").rglob("*")] == ["media", sha[:2], f"{sha}.png"]  # no temp left


def test_storage_config_is_validated(config_dir):
    from canhbao.core.blobs import load_settings

    (config_dir / "storage.yaml").write_text("backend: s3\n")
    with pytest.raises(ConfigError, match="storage.yaml.*bucket"):
        load_settings()


def test_media_stage_reads_from_a_shared_path(home, config_dir, tmp_path, seeds):
    shared = tmp_path / "nfs"
    (config_dir / "storage.yaml").write_text(f"backend: filesystem\npath: {shared}\n")
    data = _page_png(seeds)
    key, written = open_blobs(home).put("media", data, ".png")
    assert written and (shared / key).is_file() and not (home.root / key).exists()
    PostStore(home.posts_db).put(_post_with(key, data))
    result = media_stage(home, workers=1, progress=False)
    assert result.counts["new_media"] == 1 and not result.errors
    text = ledger_for(home).media_texts([hashlib.sha256(data).hexdigest()])
    assert "Kiên Giang" in next(iter(text.values())).text


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """moto's S3 server, on a free port of 127.0.0.1, with one bucket."""
    import os
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    settings = S3Settings(bucket="canhbao", endpoint_url=f"http://127.0.0.1:{port}", prefix="t/")
    boto3.client("s3", endpoint_url=settings.endpoint_url, region_name="us-east-1").create_bucket(Bucket="canhbao")
    yield settings
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_s3_put_is_idempotent_and_reads_are_verified(s3, tmp_path):
    blobs = S3Blobs(s3, tmp_path / "cache")
    data = b"raw capture <html>"
    key, written = blobs.put("raw", data, ".html")
    assert written and blobs.exists(key) and blobs.read(key) == data
    assert blobs.put("raw", data, ".html") == (key, False)
    assert blobs.local(key).read_bytes() == data
    # bytes that do not match their key (tampered, or written by something else) are refused
    forged = blob_key("raw", "0" * 64, ".html")
    blobs.client.put_object(Bucket=s3.bucket, Key=s3.prefix + forged, Body=b"other bytes")
    with pytest.raises(InputError, match="does not match"):
        blobs.read(forged)
    with pytest.raises(InputError, match="not readable"):
        blobs.read(blob_key("raw", "1" * 64))


def test_media_stage_reads_from_s3(home, config_dir, s3, seeds):
    (config_dir / "storage.yaml").write_text(
        f"backend: s3\ns3:\n  bucket: {s3.bucket}\n  endpoint_url: {s3.endpoint_url}\n  prefix: {s3.prefix}\n"
    )
    data = _page_png(seeds)
    blobs = open_blobs(home)
    assert isinstance(blobs, S3Blobs) and StorageSettings().backend == "filesystem"
    key, _ = blobs.put("media", data, ".png")
    assert not (home.root / key).exists()
    PostStore(home.posts_db).put(_post_with(key, data))
    result = media_stage(home, workers=1, progress=False)
    assert result.counts["new_media"] == 1 and not result.errors
    text = ledger_for(home).media_texts([hashlib.sha256(data).hexdigest()])
    assert "Kiên Giang" in next(iter(text.values())).text
