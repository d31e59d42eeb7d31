"""The data home: everything canhbao stores lives under one directory.

Resolution order: `--home DIR`, then `$CANHBAO_HOME`, then the per-user data directory
(`$XDG_DATA_HOME/canhbao`, default `~/.local/share/canhbao`). Stages agree on paths only through this class.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_home() -> Path:
    env = os.environ.get("CANHBAO_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "canhbao"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike[str] | None = None) -> "Home":
        root = Path(explicit).expanduser() if explicit else default_home()
        root.mkdir(parents=True, exist_ok=True)
        return cls(root.resolve())

    def _dir(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    # registry of internal documents (SQLite + content-addressed originals + page images)
    @property
    def registry_db(self) -> Path:
        return self._dir("registry") / "registry.sqlite"

    @property
    def registry_files(self) -> Path:
        return self._dir("registry", "files")

    @property
    def registry_pages(self) -> Path:
        return self._dir("registry", "pages")

    # crawled content
    @property
    def posts_db(self) -> Path:
        return self._dir("posts") / "posts.sqlite"

    @property
    def media(self) -> Path:
        return self._dir("media")

    @property
    def warc(self) -> Path:
        return self._dir("warc")

    @property
    def raw(self) -> Path:
        return self._dir("raw")

    @property
    def crawl_state(self) -> Path:
        return self._dir("state")

    # analysis and alerts
    @property
    def analysis(self) -> Path:
        return self._dir("analysis")

    @property
    def alerts_db(self) -> Path:
        return self._dir("alerts") / "alerts.sqlite"

    @property
    def claims_db(self) -> Path:
        return self._dir("claims") / "claims.sqlite"

    @property
    def models(self) -> Path:
        return self._dir("models")

    @property
    def cache(self) -> Path:
        return self._dir("cache")

    # evidence and accountability
    @property
    def evidence(self) -> Path:
        return self._dir("evidence")

    @property
    def keys(self) -> Path:
        return self._dir("keys")

    @property
    def audit_log(self) -> Path:
        return self._dir("audit") / "audit.jsonl"

    @property
    def scans(self) -> Path:
        return self._dir("scans")

    def blob_path(self, base: Path, sha256: str, suffix: str = "") -> Path:
        """Content-addressed layout: base/ab/abcdef...suffix (two-level fan-out keeps directories small)."""
        return base / sha256[:2] / f"{sha256}{suffix}"
