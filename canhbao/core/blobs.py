"""Content-addressed files (downloaded media, raw captures) on a store every worker can reach.

A blob's key is `<kind>/<sha[:2]>/<sha><suffix>` — the same relative path the data home has always used
(`Media.path`), so records stay valid whichever backend holds the bytes. `config/storage.yaml` chooses:

- `filesystem` (default): under `path`, or the data home when `path` is empty. For several machines,
  point `path` at a shared filesystem (NFS, CephFS): blobs are written once, never modified, and each
  write is a temp file + fsync + rename, so a concurrent reader sees the whole file or none.
- `s3`: an S3-compatible object store (MinIO, Ceph RGW, AWS). A PUT is atomic on S3, and carries the
  SHA-256 so the server refuses corrupted bytes. Readers that need a file (Tesseract) get a verified
  copy cached under the data home.

Writes are idempotent: the key is the content's hash, and an existing key is not written again.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from canhbao.core import atomic, config
from canhbao.core.errors import InputError
from canhbao.core.home import Home


@dataclass(frozen=True)
class S3Settings:
    bucket: str = ""
    endpoint_url: str = ""  # e.g. http://minio:9000; empty = AWS
    prefix: str = ""  # keys are <prefix><kind>/ab/abcd...
    region: str = "us-east-1"
    # credentials come from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), never from config


@dataclass(frozen=True)
class StorageSettings:
    backend: Literal["filesystem", "s3"] = "filesystem"
    path: str = ""  # filesystem root shared by the workers; empty = the data home
    s3: S3Settings = field(default_factory=S3Settings)

    def validate(self) -> None:
        if self.backend == "s3" and not self.s3.bucket:
            raise ValueError("backend s3 needs s3.bucket")


def load_settings() -> StorageSettings:
    return config.load("storage", StorageSettings)


def blob_key(kind: str, sha256: str, suffix: str = "") -> str:
    return f"{kind}/{sha256[:2]}/{sha256}{suffix}"


def _sha_of_key(key: str) -> str:
    return Path(key).name.split(".")[0]


class BlobStore(Protocol):
    def put(self, kind: str, data: bytes, suffix: str = "") -> tuple[str, bool]:
        """Store `data`; returns (key, written) — written is False when the content was already there."""

    def exists(self, key: str) -> bool: ...

    def read(self, key: str) -> bytes: ...

    def local(self, key: str) -> Path:
        """A local file with the blob's bytes (the file itself, or a verified cached copy)."""


class FileBlobs:
    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, kind: str, data: bytes, suffix: str = "") -> tuple[str, bool]:
        key = blob_key(kind, hashlib.sha256(data).hexdigest(), suffix)
        path = self.root / key
        if path.exists():
            return key, False
        atomic.write_bytes(path, data)
        return key, True

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def read(self, key: str) -> bytes:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            raise InputError(key, f"blob not found under {self.root}") from None

    def local(self, key: str) -> Path:
        return self.root / key


class S3Blobs:
    def __init__(self, settings: S3Settings, cache: Path):
        import boto3

        self.s = settings
        self.cache = cache
        self.client = boto3.client("s3", endpoint_url=settings.endpoint_url or None, region_name=settings.region)

    def _key(self, key: str) -> str:
        return self.s.prefix + key

    def put(self, kind: str, data: bytes, suffix: str = "") -> tuple[str, bool]:
        digest = hashlib.sha256(data)
        key = blob_key(kind, digest.hexdigest(), suffix)
        if self.exists(key):
            return key, False
        self.client.put_object(
            Bucket=self.s.bucket,
            Key=self._key(key),
            Body=data,
            ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
        )
        return key, True

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.s.bucket, Key=self._key(key))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def read(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            data: bytes = self.client.get_object(Bucket=self.s.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            raise InputError(
                key, f"blob not readable from s3://{self.s.bucket} ({exc.response['Error']['Code']})"
            ) from None
        if hashlib.sha256(data).hexdigest() != _sha_of_key(key):
            raise InputError(key, "blob content does not match its SHA-256")
        return data

    def local(self, key: str) -> Path:
        path = self.cache / key
        if not path.is_file():
            atomic.write_bytes(path, self.read(key))
        return path


def open_blobs(home: Home, settings: StorageSettings | None = None) -> BlobStore:
    settings = settings or load_settings()
    if settings.backend == "s3":
        return S3Blobs(settings.s3, home.cache / "blobs")
    return FileBlobs(Path(settings.path).expanduser() if settings.path else home.root)
