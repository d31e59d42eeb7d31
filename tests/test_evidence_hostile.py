"""`evidence verify` against bundles built by an attacker: duplicate names, odd names, ZIP bombs, no key."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
import warnings
import zipfile
import zlib

import pytest

from canhbao import cli
from canhbao.core.home import Home
from canhbao.evidence import bundle, export, signing
from canhbao.evidence.settings import EvidenceSettings

SETTINGS = EvidenceSettings(screenshot_live=False)
# Peak resident memory of this process image (KiB). Not ru_maxrss: Linux carries the forking parent's
# (pytest's) high-water mark across exec into the child's ru_maxrss.
PEAK_SRC = (
    "def PEAK():\n    return int(next(ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')).split()[1])\n"
)


@pytest.fixture(scope="module")
def leak_zip(evidence_world, renderer, tmp_path_factory):
    home, _site, store, cases = evidence_world
    return export.export(
        home,
        store,
        cases["leak"].alert.id,
        SETTINGS,
        actor="inspector.lan",
        out_dir=tmp_path_factory.mktemp("h"),
        renderer=renderer,
    ).zip_path


@pytest.fixture(scope="module")
def trusted(evidence_world):
    return signing.load_or_create(SETTINGS.key_file(evidence_world[0])).public_key()


def with_extra(src, dst, extra, *, first=True):
    """Copy a bundle, adding raw (name, bytes) members before (or after) the genuine ones."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names: that is the attack
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            if first:
                for name, data in extra:
                    zout.writestr(name, data)
            for info in zin.infolist():
                zout.writestr(info, zin.read(info))
            if not first:
                for name, data in extra:
                    zout.writestr(name, data)
    return dst


@pytest.mark.parametrize("name", ["post/text.txt", "report.pdf", "manifest.sha256"])
def test_a_forged_copy_under_a_duplicate_name_is_refused(leak_zip, trusted, tmp_path, name):
    """unzip and most viewers show the first copy; verify used to hash the last one and say OK."""
    forged = with_extra(leak_zip, tmp_path / "forged.zip", [(name, "bài viết giả mạo".encode())])
    with zipfile.ZipFile(forged) as zf:
        assert zf.read(zf.infolist()[0]) == "bài viết giả mạo".encode()  # what a reader would see
    verdict = bundle.verify(forged, trusted)
    assert not verdict.ok
    assert f"{name}: appears 2 times in the ZIP (a second copy can hide a forgery)" in verdict.problems


@pytest.mark.parametrize(
    "name",
    [
        "./post/text.txt",
        "post//text.txt",
        "post/../report.pdf",
        "/etc/x",
        "post\\text.txt",
        "Report.PDF",
        "post/te\x1bxt.txt",
        "post/text.txt\x00a",
    ],
)
def test_non_canonical_or_unlisted_names_are_refused(leak_zip, trusted, tmp_path, name):
    bad = with_extra(leak_zip, tmp_path / "odd.zip", [(name, b"x")], first=False)
    verdict = bundle.verify(bad, trusted)
    assert not verdict.ok
    assert any(
        "not a canonical member name" in p or "added (not listed" in p or "appears" in p or "only by letter case" in p
        for p in verdict.problems
    ), verdict.problems


def test_limits_on_member_count_and_sizes_come_from_settings(leak_zip, trusted, tmp_path):
    limits = bundle.Limits(max_members=5)
    verdict = bundle.verify(leak_zip, trusted, limits=limits)
    assert not verdict.ok and any("members (limit 5)" in p for p in verdict.problems)
    verdict = bundle.verify(leak_zip, trusted, limits=bundle.Limits(max_member_bytes=1000))
    assert any("report.pdf: " in p and "limit 1,000" in p for p in verdict.problems)
    assert bundle.verify(leak_zip, trusted, limits=bundle.Limits()).ok


def _bomb(path, genuine, *, members=6, size=1 << 30):
    """A valid bundle plus `members` entries that each claim to unpack to `size` zero bytes.

    The deflate stream is built once (zeros compress ~1000:1) and written under several names, so
    the file stays a few MB and is made in seconds; the ZIP structures are written by hand.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk, raw, crc = bytes(1 << 20), [], 0
    for _ in range(size >> 20):
        raw.append(comp.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    raw.append(comp.flush())
    blob = b"".join(raw)
    out, central = bytearray(), bytearray()
    entries = []
    with zipfile.ZipFile(genuine) as zf:
        entries += [(i.filename, zlib.crc32(d), d, len(d), 0) for i in zf.infolist() for d in [zf.read(i)]]
    entries += [(f"media/{n:064x}.bin", crc, blob, size, 8) for n in range(members)]
    for name, crc_, data, usize, method in entries:
        fn = name.encode()
        off = len(out)
        out += (
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc_, len(data), usize, len(fn), 0)
            + fn
            + data
        )
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc_,
                len(data),
                usize,
                len(fn),
                0,
                0,
                0,
                0,
                0,
                off,
            )
            + fn
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def test_a_zip_bomb_is_refused_in_bounded_memory(leak_zip, evidence_world, tmp_path):
    bomb = _bomb(tmp_path / "bomb.zip", leak_zip)
    assert 5 << 20 < bomb.stat().st_size < 8 << 20  # ~6 MB that claims 6 GiB
    script = PEAK_SRC + textwrap.dedent(f"""
        import resource, sys
        from canhbao.evidence import bundle
        v = bundle.verify({str(bomb)!r})
        print("OK" if v.ok else "REFUSED")
        print("\\n".join(v.problems))
        print("RSS", PEAK())
    """)
    # The address-space limit makes an unbounded read fail fast instead of taking the machine down.
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: __import__("resource").setrlimit(__import__("resource").RLIMIT_AS, (2 << 30, 2 << 30)),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[0] == "REFUSED"
    assert any("compression ratio" in ln or "unpacks to" in ln for ln in lines), lines
    rss_kib = int(lines[-1].split()[1])
    print(f"verify of the bomb: peak RSS {rss_kib // 1024} MiB")
    assert rss_kib < 256 * 1024, f"verify used {rss_kib // 1024} MiB"


def test_hashing_streams_large_members_in_bounded_memory(tmp_path):
    """A 300 MB member that is within the limits is hashed in chunks, never held whole."""
    key = signing.load_or_create(tmp_path / "k.pem")
    big = tmp_path / "big.zip"
    chunk = bytes(range(256)) * 4096  # 1 MiB, compresses well but below the ratio limit once salted
    import hashlib

    digest = hashlib.sha256()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        with zf.open("media/big.bin", "w", force_zip64=True) as fh:
            for i in range(300):
                piece = i.to_bytes(4, "big") + chunk[4:]
                fh.write(piece)
                digest.update(piece)
        pem = signing.public_pem(key)
        listed = {
            "media/big.bin": digest.hexdigest(),
            "post/text.txt": hashlib.sha256(b"x").hexdigest(),
            bundle.PUBLIC_KEY: hashlib.sha256(pem).hexdigest(),
        }
        manifest = "".join(f"{h}  {n}\n" for n, h in sorted(listed.items())).encode()
        for name, data in {
            "post/text.txt": b"x",
            bundle.PUBLIC_KEY: pem,
            bundle.MANIFEST: manifest,
            bundle.SIGNATURE: signing.sign(key, manifest),
        }.items():
            zf.writestr(name, data)
    script = PEAK_SRC + textwrap.dedent(f"""
        import resource
        from canhbao.evidence import bundle
        v = bundle.verify({str(big)!r})
        print("OK" if v.ok else v.problems)
        print("RSS", PEAK())
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[0] == "OK", lines
    assert int(lines[-1].split()[1]) < 256 * 1024


def test_a_home_without_a_key_does_not_say_ok(leak_zip, evidence_world, tmp_path, capsys):
    empty_home = tmp_path / "other-home"
    rc = cli.main(["--home", str(empty_home), "evidence", "verify", str(leak_zip)])
    out = capsys.readouterr()
    assert rc == 1
    assert "signature not checked against a trusted key" in out.out + out.err
    assert not out.out.startswith("OK")
    assert not SETTINGS.key_file(Home(empty_home)).exists()  # verify never creates a key
    pem = tmp_path / "trusted.pem"
    pem.write_bytes(signing.public_pem(signing.load_or_create(SETTINGS.key_file(evidence_world[0]))))
    assert cli.main(["--home", str(empty_home), "evidence", "verify", str(leak_zip), "--key", str(pem)]) == 0
    assert capsys.readouterr().out.startswith("OK ")


def test_an_unpacked_bundle_with_a_symbolic_link_is_refused(leak_zip, trusted, tmp_path):
    """A folder bundle: a link would make verify hash (and a reader open) a file outside the bundle."""
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(leak_zip) as zf:
        zf.extractall(folder)
    assert bundle.verify(folder, trusted).ok
    (tmp_path / "outside.txt").write_bytes((folder / "post/text.txt").read_bytes())
    (folder / "post/text.txt").unlink()
    (folder / "post/text.txt").symlink_to(tmp_path / "outside.txt")
    verdict = bundle.verify(folder, trusted)
    assert not verdict.ok and "post/text.txt: a symbolic link, not a file (refused)" in verdict.problems
