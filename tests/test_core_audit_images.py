import io
import json

import pytest
from PIL import Image

from canhbao.core.atomic import write_json
from canhbao.core.audit import AuditLog
from canhbao.core.errors import InputError
from canhbao.core.images import load_image


def test_audit_chain_detects_edit_and_removal(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(3):
        log.append("confirm", f"alert{i}", actor="analyst1", note="ok")
    assert log.verify() == []
    assert [e.target for e in log.entries("alert1")] == ["alert1"]
    lines = log.path.read_text().splitlines()
    edited = json.loads(lines[1])
    edited["actor"] = "someone-else"
    log.path.write_text("\n".join([lines[0], json.dumps(edited), lines[2]]) + "\n")
    assert any("line 2: content altered" in p for p in log.verify())
    log.path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert any("line 2: previous-hash link broken" in p for p in log.verify())


def test_atomic_write_leaves_no_temp_files(tmp_path):
    write_json(tmp_path / "s.json", {"a": 1})
    assert json.loads((tmp_path / "s.json").read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def _png(w, h):
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "white").save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "empty file"),
        (b"this is not an image at all", "not a recognised image format"),
        (_png(64, 64)[:60], "corrupt or truncated"),
        (_png(8000, 8000), "decompression bomb"),
    ],
)
def test_bad_images_raise_one_line_error_naming_input(data, problem):
    with pytest.raises(InputError) as info:
        load_image(data, name="post123.png")
    assert str(info.value).startswith("post123.png: ") and problem in str(info.value)


def test_good_image_is_rgb():
    assert load_image(_png(10, 5), name="x").size == (10, 5)


# --- issue 13: a torn last line (full disk, crash mid-write) ----------------------------------------


def test_torn_last_line_is_quarantined_and_the_log_carries_on(tmp_path):
    import hashlib

    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("alert.confirm", "a1", actor="lan")
    log.append("alert.confirm", "a2", actor="lan")
    torn = b'{"action": "alert.confirm", "actor": "lan", "at": "2026-11-3'
    with open(log.path, "ab") as fh:
        fh.write(torn)
    # readers skip the torn line (an export of a1 still works) and verify() names it
    assert [e.target for e in log.entries("a1")] == ["a1"]
    assert any("incomplete entry" in p for p in log.verify())
    entry = log.append("alert.dismiss", "a3", actor="lan")  # no traceback, the action is audited
    entries = list(log.entries())
    assert [e.action for e in entries] == ["alert.confirm", "alert.confirm", "audit.gap", "alert.dismiss"]
    gap = entries[2]
    assert gap.details["torn_bytes"] == len(torn)
    assert gap.details["torn_sha256"] == hashlib.sha256(torn).hexdigest()
    assert (tmp_path / "audit.jsonl.torn").read_bytes().rstrip(b"\n") == torn
    assert entry.prev == gap.hash and gap.prev == entries[1].hash
    assert log.verify() == []
    log.append("alert.confirm", "a4")
    assert log.verify() == [] and len(list(log.entries())) == 5


def test_whole_file_torn(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    log.path.write_bytes(b'{"at": "20')
    log.append("x", "t")
    assert [e.action for e in log.entries()] == ["audit.gap", "x"] and log.verify() == []


def test_failed_write_leaves_no_torn_line(tmp_path, monkeypatch):
    import errno
    import os

    from canhbao.core.errors import StorageError

    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("a", "t1")
    size = log.path.stat().st_size
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="disk full"):
        log.append("b", "t2")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert log.path.stat().st_size == size and log.verify() == []
    log.append("c", "t3")
    assert [e.action for e in log.entries()] == ["a", "c"]


def test_recover_quarantines_a_torn_tail_before_the_chain_is_certified(tmp_path):
    """Evidence export calls recover() before verify(): a crash's torn line no longer blocks every export."""
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("alert.confirm", "a1")
    with open(log.path, "ab") as fh:
        fh.write(b'{"action": "evidence.export", "at": "2026')
    assert log.verify() != []
    assert log.recover() is True and log.verify() == []
    assert [e.action for e in log.entries()] == ["alert.confirm", "audit.gap"]
    assert log.recover() is False  # nothing left to recover; the chain is untouched
    assert len(list(log.entries())) == 2
