"""`canhbao demo` end to end: the README's main job, offline, finds every planted post and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_finds_every_planted_post_without_false_alerts_and_reruns_idempotently(tmp_path):
    env = {**os.environ}
    env.pop("CANHBAO_CONFIG_DIR", None)
    cmd = [sys.executable, "-m", "canhbao", "--home", str(tmp_path / "demo"), "demo"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    assert "false alerts 0" in first.stdout and "MISSED" not in first.stdout
    n_alerts = first.stdout.split(" alerts:")[0].rsplit("\n", 1)[-1]
    assert int(n_alerts) >= 10

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    assert "new alerts: 0" in again.stdout  # nothing new on the site: nothing duplicated
    assert again.stdout.split(" alerts:")[0].rsplit("\n", 1)[-1] == n_alerts
