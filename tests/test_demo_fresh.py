"""`demo --fresh` removes only what the demo made (issue 13: it used to delete the whole home)."""

from __future__ import annotations

import subprocess
import sys

from canhbao.demo import footprint


def _demo_like_run(root):
    """What `canhbao demo` does to the footprint around run_demo: note what existed, make things, record."""
    existed = footprint.before(root)
    for d in ("registry", "posts", "demo-site", "demo-config"):
        (root / d).mkdir(exist_ok=True)
        (root / d / "x").write_text("demo")
    footprint.record(root, existed)


def _home_with_a_key_and_notes(tmp_path):
    """A data home the user already had: a signing key and a file of their own."""
    root = tmp_path / "home"
    (root / "keys").mkdir(parents=True)
    (root / "keys" / "signing.key").write_bytes(b"private")
    (root / "notes.txt").write_text("mine")
    return root


def test_fresh_keeps_files_the_demo_did_not_make(tmp_path):
    root = _home_with_a_key_and_notes(tmp_path)
    _demo_like_run(root)
    _demo_like_run(root)  # a second run keeps the first run's entries in the manifest
    removed, kept = footprint.clear(root)
    assert sorted(removed) == ["demo-config", "demo-site", "posts", "registry"]
    assert kept == ["keys", "notes.txt"]
    assert (root / "keys" / "signing.key").read_bytes() == b"private"


def test_fresh_on_a_home_the_demo_never_used_removes_nothing(tmp_path):
    root = tmp_path / "home"
    (root / "registry").mkdir(parents=True)
    (root / "notes.txt").write_text("mine")
    assert footprint.clear(root) == ([], ["notes.txt", "registry"])
    assert (root / "notes.txt").exists() and (root / "registry").is_dir()


def test_manifest_cannot_point_outside_the_home(tmp_path):
    root = tmp_path / "home"
    root.mkdir()
    (tmp_path / "outside").write_text("keep")
    (root / footprint.MANIFEST).write_text('{"created": ["../outside", "/etc", ".."]}')
    footprint.clear(root)
    assert (tmp_path / "outside").exists()


def test_cli_fresh_on_a_home_with_other_files_keeps_them(tmp_path):
    """The real command on a home with a signing key and other files: the key survives --fresh."""
    root = _home_with_a_key_and_notes(tmp_path)
    _demo_like_run(root)
    # a mistyped config dir stops the demo right after --fresh did its part, so the test stays short
    out = subprocess.run(
        [sys.executable, "-m", "canhbao", "--home", str(root), "demo", "--fresh"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "CANHBAO_CONFIG_DIR": str(tmp_path / "nocfg"), "HOME": str(tmp_path)},
    )
    assert (root / "keys" / "signing.key").read_bytes() == b"private"
    assert (root / "notes.txt").read_text() == "mine"
    assert not (root / "posts").exists()  # made by the demo before: removed, and the failed run never got there
    assert "removed 4 entries" in out.stdout and "kept 2" in out.stdout
