"""Issue 13: a crawl task that is stopped (SIGTERM, as Airflow stops a task) or killed (SIGKILL) takes its
crawl child process with it; the child used to keep crawling on its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _crawl_site import FAST, images, posts

from canhbao.core.home import Home
from canhbao.testing.sample_site import FeedSpec, build_site, serve, sources_config

_TASK = """
import json, sys
from canhbao.core.home import Home
from canhbao.crawlers.runner import run_crawl
from canhbao.crawlers.settings import from_mapping
cfg = from_mapping(json.loads(open(sys.argv[2]).read()))
run_crawl(Home.resolve(sys.argv[1]), ["slow"], settings=cfg)
"""


def _crawl_children(pid: int) -> list[int]:
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == pid and b"canhbao.crawlers.runner" in cmd:
            out.append(int(proc.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["terminated", "killed"])
def test_crawl_child_dies_with_its_task(tmp_path, sig):
    imgs = images(tmp_path / "img")
    feeds = {"slow": FeedSpec("generic_html", posts(imgs, n=4), per_page=2)}
    build_site(tmp_path / "site", feeds)
    home = Home.resolve(tmp_path / "home")
    with serve(tmp_path / "site") as site:
        site.route("/forum/slow/page-2.html", body="", delay_s=120)  # the crawl hangs here
        spec = tmp_path / "sources.json"
        spec.write_text(json.dumps(sources_config(site.base_url, feeds, **FAST)))
        task = subprocess.Popen([sys.executable, "-c", _TASK, str(home.root), str(spec)], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline and task.poll() is None and not children:
            children = _crawl_children(task.pid)
            time.sleep(0.1)
        assert children, "no crawl child started: " + task.stderr.read().decode()[-800:]
        time.sleep(2)  # the child is crawling (and waiting on the hung page)
        task.send_signal(sig)
        task.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(c) for c in children):
            time.sleep(0.2)
        left = [c for c in children if _alive(c)]
        for c in left:  # do not leave it running after the test either
            try:
                os.kill(c, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert not left, f"crawl child outlived its task: {left}"
