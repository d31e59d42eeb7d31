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


@pytest.mark.parametrize("data, problem", [
    (b"", "empty file"),
    (b"this is not an image at all", "not a recognised image format"),
    (_png(64, 64)[:60], "corrupt or truncated"),
    (_png(8000, 8000), "decompression bomb"),
])
def test_bad_images_raise_one_line_error_naming_input(data, problem):
    with pytest.raises(InputError) as info:
        load_image(data, name="post123.png")
    assert str(info.value).startswith("post123.png: ") and problem in str(info.value)


def test_good_image_is_rgb():
    assert load_image(_png(10, 5), name="x").size == (10, 5)
