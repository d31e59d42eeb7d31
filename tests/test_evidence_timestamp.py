"""Trusted time: an RFC 3161 timestamp on the manifest from a local authority run with `openssl ts`,
verified by `evidence verify`, refused when the manifest changes or the authority is not the trusted one."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import zipfile
from datetime import datetime, timezone

import pytest

from canhbao import cli
from canhbao.evidence import bundle, export, signing
from canhbao.evidence.settings import EvidenceSettings
from canhbao.evidence.timestamp import TimestampError, load_roots
from canhbao.testing.tsa import LocalTSA


@pytest.fixture(scope="module")
def tsa():
    with LocalTSA() as authority:
        yield authority


@pytest.fixture(scope="module")
def stamped(evidence_world, renderer, tsa, tmp_path_factory):
    home, _site, store, cases = evidence_world
    settings = EvidenceSettings(screenshot_live=False, tsa_url=tsa.url, tsa_ca_file=tsa.ca_file)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    done = export.export(
        home,
        store,
        cases["fake"].alert.id,
        settings,
        actor="thanh.tra.lan",
        out_dir=tmp_path_factory.mktemp("ts"),
        renderer=renderer,
    )
    return done, before


def test_export_carries_a_timestamp_that_verifies_against_the_authority(stamped, tsa, evidence_world):
    done, before = stamped
    assert bundle.TIMESTAMP in done.files and tsa.requests >= 1
    trusted = signing.load_or_create(EvidenceSettings().key_file(evidence_world[0])).public_key()
    verdict = bundle.verify(done.zip_path, trusted, tsa_roots=load_roots(tsa.ca_file))
    assert verdict.ok and verdict.timestamp_trusted, verdict.problems
    at = datetime.fromisoformat(verdict.timestamp)
    assert before <= at <= datetime.now(timezone.utc)
    with zipfile.ZipFile(done.zip_path) as zf:
        pdf = zf.read("report.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "dấu thời gian tin cậy (RFC 3161)" in text and tsa.url in text


def test_cli_reports_the_trusted_time(stamped, tsa, evidence_world, capsys):
    done, _ = stamped
    home = evidence_world[0]
    assert (
        cli.main(["--home", str(home.root), "evidence", "verify", str(done.zip_path), "--tsa-ca", str(tsa.ca_file)])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("OK ") and "timestamp: manifest.sha256 existed at " in out and "trusted TSA" in out


def test_a_changed_manifest_is_refused_even_when_re_signed_with_the_right_key(stamped, tsa, evidence_world, tmp_path):
    """An insider with the deployment key edits a file and re-seals: the signature is valid again, but the
    timestamp still covers the old manifest."""
    done, _ = stamped
    home = evidence_world[0]
    key = signing.load_or_create(EvidenceSettings().key_file(home))
    with zipfile.ZipFile(done.zip_path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files["post/text.txt"] = "nội dung đã bị sửa sau khi lập biên bản".encode()
    tsr = files.pop(bundle.TIMESTAMP)
    resealed = bundle.seal({k: v for k, v in files.items() if k not in bundle.UNSIGNED}, key)
    resealed[bundle.TIMESTAMP] = tsr
    forged = tmp_path / "resealed.zip"
    bundle.write_zip(forged, resealed, when=datetime(2026, 11, 30, 9, 0))
    verdict = bundle.verify(forged, key.public_key(), tsa_roots=load_roots(tsa.ca_file))
    assert not verdict.ok
    assert verdict.problems == (
        "manifest.sha256.tsr: it timestamps other data than manifest.sha256 (the "
        "manifest changed after it was timestamped)",
    )
    assert cli.main(["--home", str(home.root), "evidence", "verify", str(forged), "--tsa-ca", str(tsa.ca_file)]) == 1


def test_a_timestamp_from_another_authority_is_refused(stamped, evidence_world):
    done, _ = stamped
    trusted = signing.load_or_create(EvidenceSettings().key_file(evidence_world[0])).public_key()
    with LocalTSA() as other:
        verdict = bundle.verify(done.zip_path, trusted, tsa_roots=load_roots(other.ca_file))
    assert not verdict.ok and verdict.problems[0].startswith(
        "manifest.sha256.tsr: signature or certificate chain not valid"
    )


def test_an_authority_that_does_not_answer_stops_the_export(evidence_world, tsa, tmp_path):
    home, _site, store, cases = evidence_world
    with socket.socket() as s:  # a free port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = EvidenceSettings(
        screenshot_live=False, tsa_url=f"http://127.0.0.1:{port}/tsa", tsa_ca_file=tsa.ca_file, tsa_timeout_s=3
    )
    with pytest.raises(TimestampError, match="did not answer"):
        export.export(home, store, cases["fake"].alert.id, settings, actor="thanh.tra.lan", out_dir=tmp_path / "o")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_tsa_url_without_a_root_is_a_config_error():
    with pytest.raises(ValueError, match="tsa_ca_file"):
        dataclasses.replace(EvidenceSettings(), tsa_url="http://127.0.0.1:1/tsa").validate()
