"""`evidence verify`: every file's hash and the signature; alter one byte anywhere and it names the file."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest

from canhbao import cli
from canhbao.evidence import bundle, export, signing
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings(screenshot_live=False, roles={"chief.minh": ("inspector_lead",)})


@pytest.fixture(scope="module")
def leak_zip(evidence_world, renderer, tmp_path_factory):
    home, _site, store, cases = evidence_world
    return export.export(
        home,
        store,
        cases["leak"].alert.id,
        SETTINGS,
        actor="chief.minh",
        unmasked=True,
        out_dir=tmp_path_factory.mktemp("v"),
        renderer=renderer,
    ).zip_path


def rewrite(src, dst, name, change):
    """Copy a ZIP, changing one member's bytes (a well-formed ZIP: only the hashes can tell)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == name else data)


def flip(data: bytes, at: int | None = None) -> bytes:
    i = len(data) // 2 if at is None else at
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def test_untouched_bundle_is_ok_against_the_deployment_key(leak_zip, evidence_world):
    home = evidence_world[0]
    trusted = signing.load_or_create(SETTINGS.key_file(home)).public_key()
    verdict = bundle.verify(leak_zip, trusted)
    assert verdict.ok and verdict.trusted and verdict.checked >= 9


def test_one_altered_byte_in_any_file_is_named(leak_zip, tmp_path):
    with zipfile.ZipFile(leak_zip) as zf:
        names = zf.namelist()
    assert len(names) >= 11
    for name in names:
        bad = tmp_path / "bad.zip"
        rewrite(leak_zip, bad, name, flip)
        verdict = bundle.verify(bad)
        assert not verdict.ok, name
        expected = bundle.MANIFEST if name == bundle.SIGNATURE else name
        named = [p for p in verdict.problems if p.startswith((f"{expected}:", f"{bundle.SIGNATURE}:"))]
        assert named, (name, verdict.problems)
        if name not in bundle.UNSIGNED and name != bundle.PUBLIC_KEY:
            assert f"{name}: altered (SHA-256 differs from {bundle.MANIFEST})" in verdict.problems


def test_a_byte_flipped_inside_the_zip_file_itself_is_named(leak_zip, tmp_path):
    with zipfile.ZipFile(leak_zip) as zf:
        info = zf.getinfo("metadata.json")
    raw = leak_zip.read_bytes()
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)  # local header, then data
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(flip(raw, start + info.compress_size // 2))
    problems = bundle.verify(bad).problems
    assert any(p.startswith("metadata.json: altered") for p in problems), problems


def test_added_and_removed_files_are_named(leak_zip, tmp_path):
    extra = tmp_path / "extra.zip"
    rewrite(leak_zip, extra, "", lambda d: d)
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("media/planted.png", b"not evidence")
    assert "media/planted.png: added (not listed in manifest.sha256)" in bundle.verify(extra).problems
    fewer = tmp_path / "fewer.zip"
    with zipfile.ZipFile(leak_zip) as zin, zipfile.ZipFile(fewer, "w") as zout:
        for info in zin.infolist():
            if info.filename != "post/page.html":
                zout.writestr(info, zin.read(info))
    assert "post/page.html: missing (listed in manifest.sha256)" in bundle.verify(fewer).problems


def test_resealed_with_another_key_fails_against_the_trusted_key(leak_zip, tmp_path, evidence_world):
    files, _ = bundle.read_bundle(leak_zip)
    files["post/text.txt"] = "nội dung đã bị sửa".encode()
    forged = bundle.seal(
        {k: v for k, v in files.items() if k not in bundle.UNSIGNED}, signing.load_or_create(tmp_path / "attacker.pem")
    )
    bundle.write_zip(tmp_path / "forged.zip", forged, when=datetime(2026, 11, 30, 9, 0))
    assert bundle.verify(tmp_path / "forged.zip").ok  # self-consistent...
    trusted = signing.load_or_create(SETTINGS.key_file(evidence_world[0])).public_key()
    verdict = bundle.verify(tmp_path / "forged.zip", trusted)  # ...but not signed by this deployment
    assert not verdict.ok and verdict.problems[0].startswith("public_key.pem: signed by key")


def test_cli_prints_ok_or_the_altered_file_and_exits_non_zero(leak_zip, evidence_world, tmp_path, capsys):
    home = evidence_world[0]
    assert cli.main(["--home", str(home.root), "evidence", "verify", str(leak_zip)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK ") and "trusted key" in out
    bad = tmp_path / "bad.zip"
    rewrite(leak_zip, bad, "report.pdf", flip)
    assert cli.main(["--home", str(home.root), "evidence", "verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "report.pdf: altered" in out and "OK" not in out
    assert cli.main(["--home", str(home.root), "evidence", "verify", str(tmp_path / "nope.zip")]) == 2
    assert "nope.zip: no such file" in capsys.readouterr().err
