"""`canhbao demo` end to end: the README's main job, offline, finds every planted post and nothing else."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_demo_finds_every_planted_post_without_false_alerts_and_reruns_idempotently(tmp_path):
    env = {**os.environ}
    env.pop("CANHBAO_CONFIG_DIR", None)
    cmd = [sys.executable, "-m", "canhbao", "--home", str(tmp_path / "demo"), "demo"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    assert "false alerts 0" in first.stdout and "MISSED" not in first.stdout
    n_alerts = _alert_count(first.stdout)
    assert n_alerts >= 10

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    assert "new alerts: 0" in again.stdout  # nothing new on the site: nothing duplicated
    assert _alert_count(again.stdout) == n_alerts


def _alert_count(stdout: str) -> int:
    """The demo prints "N alerts:" before listing them."""
    match = re.search(r"^(\d+) alerts:$", stdout, re.M)
    assert match, stdout[-2000:]
    return int(match.group(1))
