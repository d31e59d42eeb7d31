"""Seconds per evidence export (`canhbao evidence export`), by alert type and with/without the live view.

Builds a sample data home (canhbao.testing.evidence_world: a site on 127.0.0.1, real WARC records, a seed
letter rendered as the leaked image), then exports each alert several times with one Chromium, and
verifies every bundle. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="exports per alert and mode")
    args = ap.parse_args()
    # The sample site is on 127.0.0.1: the fetch policy allows private addresses for this run, by setting.
    os.environ.setdefault("CANHBAO_FETCH__ALLOW_PRIVATE", "true")

    from canhbao.core.home import Home
    from canhbao.evidence import bundle, export
    from canhbao.evidence.browser import Renderer
    from canhbao.evidence.settings import EvidenceSettings
    from canhbao.testing import evidence_world as sample
    from canhbao.testing.samples import load_seeds

    with tempfile.TemporaryDirectory() as tmp, sample.Site() as site, Renderer() as renderer:
        home = Home.resolve(Path(tmp) / "home")
        store = open_store(home)
        cases = {
            "leak": sample.leak_case(home, site, store, load_seeds()[0]),
            "pii": sample.pii_case(home, site, store),
            "fake_news": sample.fake_case(home, site, store),
        }
        t = time.perf_counter()
        renderer.live(site.url(cases["leak"].path), timeout_s=10)  # Chromium start-up, paid once per process
        print(f"chromium start + first page: {time.perf_counter() - t:.2f} s")
        base = EvidenceSettings()
        print(f"{'alert':<10} {'live view':<10} {'s/export':>9} {'min':>6} {'max':>6} {'verify s':>9} {'ZIP KiB':>8}")
        for live in (True, False):
            cfg = dataclasses.replace(base, screenshot_live=live)
            for kind, case in cases.items():
                took, checks, size = [], [], 0
                for i in range(args.runs):
                    t = time.perf_counter()
                    out = Path(tmp) / "out" / f"{kind}{i}{live}"
                    done = export.export(home, store, case.alert.id, cfg, out_dir=out, actor="bench", renderer=renderer)
                    took.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    assert bundle.verify(done.zip_path).ok
                    checks.append(time.perf_counter() - t)
                    size = done.zip_path.stat().st_size
                print(
                    f"{kind:<10} {'yes' if live else 'no':<10} {statistics.mean(took):9.3f} "
                    f"{min(took):6.3f} "
                    f"{max(took):6.3f} {statistics.mean(checks):9.4f} {size / 1024:8.0f}"
                )
        print("(PII exports are masked: raw captures withheld, so no screenshots are rendered)")


def open_store(home):
    from canhbao.index import open_store as factory

    store = factory(home)
    store.setup()
    return store


if __name__ == "__main__":
    main()
