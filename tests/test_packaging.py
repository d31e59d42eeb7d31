"""Every package folder is installed: setup.cfg lists packages by hand (the top-level crawlers/, detectors/
and index/ folders map to canhbao.*), so a new sub-package that is not listed works from a checkout but is
missing from a wheel or the image."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"crawlers": "canhbao.crawlers", "detectors": "canhbao.detectors", "index": "canhbao.index"}


def test_every_package_folder_is_listed_in_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    found = set()
    for top in ("canhbao", *MAPPED):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).parts
            found.add(".".join((MAPPED.get(rel[0], rel[0]), *rel[1:])))
    assert found - listed == set(), f"packages missing from setup.cfg: {sorted(found - listed)}"
