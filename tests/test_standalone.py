"""The repository stands alone: a copy of the tracked tree in a folder with nothing beside it (no shared/),
with its own editable install, runs the README's `make demo` and finds every planted post, no false alert.

The copy's virtual environment is the test's own, hard-linked (cheap) and re-pointed at the copy, so the code
that runs is the copy's: anything that still reads a folder beside the repository fails here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]


def _venv_for(clone: Path) -> Path:
    """Hard-link this test's venv into the clone, then install the clone's code editable into it."""
    venv = clone / ".venv"
    subprocess.run(["cp", "-al", sys.prefix, str(venv)], check=True)
    for script in (venv / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            head = script.read_bytes()[:200]
            if head.startswith(b"#!" + sys.prefix.encode()):
                data = script.read_bytes().replace(sys.prefix.encode(), str(venv).encode(), 1)
                script.unlink()  # a new file: the hard link to the original venv is broken, not written through
                script.write_bytes(data)
                script.chmod(0o755)
    for p in venv.glob("lib/python*/site-packages/*"):
        if "canhbao" in p.name and ("__editable__" in p.name or p.name.endswith(".dist-info")):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "-e",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    return venv


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout to know the tracked files")
def test_make_demo_in_a_copy_with_nothing_beside_it():
    base = Path(tempfile.mkdtemp(prefix="canhbao-standalone-"))
    try:
        clone = base / "canhbao"
        for rel in _tracked_files():
            dest = clone / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest)
        assert not (clone.parent / "shared").exists()
        venv = _venv_for(clone)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CANHBAO_", "VIRTUAL_ENV", "PYTHON"))}
        env.update(VENV=str(venv), CANHBAO_HOME=str(base / "home"), PATH=f"{venv}/bin:{env.get('PATH', '')}")
        run = subprocess.run(["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
        out = run.stdout + run.stderr
        assert run.returncode == 0, out[-4000:]
        m = re.search(r"planted (\d+), found (\d+), false alerts (\d+)", out)
        assert m, out[-3000:]
        planted, found, false = map(int, m.groups())
        assert planted >= 10 and found == planted and false == 0, m.group(0)
        # The matcher runs as measured: its packaged background statistics, nothing read from beside the repo.
        degraded = [line for line in out.splitlines() if "shared" in line or "boilerplate list only" in line]
        assert not degraded, degraded
    finally:
        shutil.rmtree(base, ignore_errors=True)
