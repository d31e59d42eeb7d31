"""What the demo made in a data home, so `demo --fresh` removes exactly that and nothing else.

`--home DIR demo --fresh` used to delete all of DIR, signing key and any other files included. The demo
now records the top-level entries it created (those that were not there before its first run) in
`.canhbao-demo.json`; `--fresh` removes only those. A home without that file gets nothing removed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from canhbao.core.atomic import write_json

MANIFEST = ".canhbao-demo.json"


def before(root: Path) -> set[str]:
    """Entries present before the demo runs (call before it touches the home)."""
    return set(os.listdir(root)) - {MANIFEST} if root.is_dir() else set()


def made(root: Path) -> list[str]:
    path = root / MANIFEST
    if not path.exists():
        return []
    try:
        names = json.loads(path.read_text(encoding="utf-8")).get("created", [])
    except (OSError, ValueError, AttributeError):
        return []
    # only plain names of direct children: a tampered manifest cannot reach outside the home
    return sorted(n for n in names if isinstance(n, str) and n and "/" not in n and n not in (".", ".."))


def record(root: Path, existed_before: set[str]) -> None:
    """Add the entries created since `existed_before` to the manifest (keeping earlier runs' entries)."""
    created = (set(os.listdir(root)) - existed_before - {MANIFEST}) | {n for n in made(root) if (root / n).exists()}
    write_json(root / MANIFEST, {"created": sorted(created)})


def clear(root: Path) -> tuple[list[str], list[str]]:
    """Remove what the demo made; returns (removed, kept) top-level names."""
    if not root.is_dir():
        return [], []
    removed = []
    for name in made(root):
        target = root / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        else:
            continue
        removed.append(name)
    (root / MANIFEST).unlink(missing_ok=True)
    kept = sorted(set(os.listdir(root)))
    return removed, kept
