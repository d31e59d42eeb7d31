"""Bad input and faults: unknown alert, purged media, a full disk while writing."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import zipfile

import pytest

from canhbao.core.audit import AuditLog
from canhbao.core.errors import InputError
from canhbao.core.posts import PostStore
from canhbao.evidence import bundle, export
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings(screenshot_live=False, roles={"chief.minh": ("inspector_lead",)})
FULL = {"unmasked": True, "actor": "chief.minh"}  # the full page is only in an unmasked export


def test_unknown_alert_id_is_a_one_line_error(evidence_world, tmp_path):
    home, _site, store, _cases = evidence_world
    with pytest.raises(InputError, match=r"^deadbeef0000: no such alert$"):
        export.export(home, store, "deadbeef0000", SETTINGS, out_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_purged_media_is_stated_in_the_bundle_not_hidden(evidence_world, renderer, tmp_path):
    home, _site, store, cases = evidence_world
    case = cases["leak"]
    media = case.post.media[0]
    blob = home.root / media.path
    saved = blob.read_bytes()
    blob.unlink()
    try:
        with pytest.raises(InputError, match="incomplete evidence: media .* purged"):
            export.export(home, store, case.alert.id, SETTINGS, out_dir=tmp_path / "strict", strict=True)
        assert not (tmp_path / "strict").exists()
        done = export.export(home, store, case.alert.id, SETTINGS, out_dir=tmp_path, renderer=renderer, **FULL)
    finally:
        blob.write_bytes(saved)
    assert len(done.missing) == 1 and media.sha256 in done.missing[0] and "purged" in done.missing[0]
    with zipfile.ZipFile(done.zip_path) as zf:
        names = zf.namelist()
        meta = json.loads(zf.read("metadata.json"))
    assert not any(n.startswith("media/") for n in names)
    assert meta["missing"] == list(done.missing)
    # The WARC still holds the image as it was fetched, so the page still replays with it.
    assert "capture/capture.warc.gz" in names and "post/screenshot-capture.png" in names
    assert bundle.verify(done.zip_path).ok


def test_disk_full_leaves_no_zip_behind(evidence_world, tmp_path, monkeypatch):
    home, _site, store, cases = evidence_world
    alert_id = cases["fake"].alert.id

    class FullDisk:
        """A file that takes 4 KiB and then fails like a full disk."""

        def __init__(self, fh, target=None):
            self.fh, self.left = fh, 1024

        def write(self, data):
            if len(data) > self.left:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.left -= len(data)
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    monkeypatch.setattr(bundle, "_sink", FullDisk)
    before = len(list(AuditLog(home.audit_log).entries(alert_id)))
    with pytest.raises(bundle.DiskFull, match="disk full"):
        export.export(home, store, alert_id, SETTINGS, out_dir=tmp_path / "out", actor="inspector.lan")
    # The ZIP fits but the unpacked copy does not: the export is all or nothing, so the ZIP goes too.
    monkeypatch.setattr(bundle, "_sink", lambda fh, target: fh if target.suffix == ".zip" else FullDisk(fh))
    with pytest.raises(bundle.DiskFull):
        export.export(home, store, alert_id, SETTINGS, out_dir=tmp_path / "out2", unpacked=True)
    assert not list((tmp_path / "out2").iterdir())
    leftovers = [p.name for p in tmp_path.rglob("*")]
    assert not [n for n in leftovers if n.endswith((".zip", ".tmp"))], leftovers
    # Nothing was exported, so nothing is claimed: no audit entry, no history event.
    assert len(list(AuditLog(home.audit_log).entries(alert_id))) == before
    assert not any(ev.action == "exported" for ev in store.get(alert_id).history)


def test_lost_raw_html_and_warc_then_lost_post_record(evidence_world, renderer, tmp_path):
    home, _site, store, cases = evidence_world
    case = cases["fake"]
    raw, warc = home.root / case.post.raw_html, home.root / case.post.warc
    saved = raw.read_bytes()
    raw.unlink()
    try:  # the page is still in the WARC: it is taken from there and still rendered
        done = export.export(home, store, case.alert.id, SETTINGS, out_dir=tmp_path / "a", renderer=renderer, **FULL)
    finally:
        raw.write_bytes(saved)
    assert len(done.missing) == 1 and "raw HTML capture" in done.missing[0]
    assert {"post/page.html", "post/screenshot-capture.png", "capture/capture.warc.gz"} <= set(done.files)

    moved = warc.with_name("moved.warc.gz")
    warc.rename(moved)
    with sqlite3.connect(home.posts_db) as db:  # a retention purge removed the post record too
        db.execute("DELETE FROM posts WHERE key=?", (case.post.key,))
    try:
        done = export.export(home, store, case.alert.id, SETTINGS, out_dir=tmp_path / "b", renderer=renderer, **FULL)
    finally:
        moved.rename(warc)
        PostStore(home.posts_db).put(case.post)
    assert done.missing == (f"post {case.post.key}: not in the post store (purged?)",)
    assert not any(n.startswith(("capture/", "media/")) or n == "post/page.html" for n in done.files)
    with zipfile.ZipFile(done.zip_path) as zf:
        meta = json.loads(zf.read("metadata.json"))
    assert meta["post"]["url"] == case.post.url
    assert meta["match"]["claims"][0]["id"] == case.alert.finding.target
    assert bundle.verify(done.zip_path).ok
