"""The command line: `canhbao evidence export`, `canhbao takedown check`; config/evidence.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canhbao import cli
from canhbao.core.errors import ConfigError
from canhbao.evidence import bundle, settings


@pytest.fixture
def world(evidence_world, config_dir):
    """The CLI opens the same SQLite alert store from the data home (config/index.yaml defaults)."""
    (config_dir / "evidence.yaml").write_text(
        "lang: en\nscreenshot_live: false\nroles: {chief.minh: [inspector_lead]}\n"
    )
    return evidence_world


def test_export_then_verify_from_the_command_line(world, tmp_path, capsys, monkeypatch):
    home, _site, store, cases = world
    alert_id = cases["fake"].alert.id
    monkeypatch.setenv("CANHBAO_ACTOR", "inspector.lan")
    assert (
        cli.main(["--home", str(home.root), "evidence", "export", alert_id, "--out", str(tmp_path), "--unpacked"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    zip_path = out[0].split()[0]
    assert zip_path.endswith(".zip") and "sha256:" in out[0]
    assert out[1] == zip_path[:-4]  # the unpacked copy beside it
    files, _ = bundle.read_bundle(Path(zip_path))
    meta = json.loads(files["metadata.json"])
    assert (meta["export"]["actor"], meta["export"]["lang"]) == ("inspector.lan", "en")
    assert meta["live"]["checked"] is False
    assert cli.main(["--home", str(home.root), "evidence", "verify", zip_path]) == 0
    assert cli.main(["--home", str(home.root), "evidence", "verify", out[1]]) == 0


def test_unknown_alert_and_refused_unmasking_exit_non_zero(world, tmp_path, capsys, monkeypatch):
    home, _site, _store, cases = world
    out = tmp_path / "out"
    assert cli.main(["--home", str(home.root), "evidence", "export", "nosuchalert", "--out", str(out)]) == 2
    assert "nosuchalert: no such alert" in capsys.readouterr().err
    monkeypatch.setenv("CANHBAO_ACTOR", "intern.an")
    assert (
        cli.main(
            ["--home", str(home.root), "evidence", "export", cases["pii"].alert.id, "--unmasked", "--out", str(out)]
        )
        == 2
    )
    assert "intern.an: not allowed to export personal data unmasked" in capsys.readouterr().err
    assert not out.exists()


def test_purged_media_is_a_warning_on_stderr(world, tmp_path, capsys):
    home, _site, _store, cases = world
    media = cases["leak"].post.media[0]
    blob = home.root / media.path
    saved = blob.read_bytes()
    blob.unlink()
    try:
        assert (
            cli.main(["--home", str(home.root), "evidence", "export", cases["leak"].alert.id, "--out", str(tmp_path)])
            == 0
        )
        assert f"missing from the bundle: media {media.url}" in capsys.readouterr().err
        assert (
            cli.main(
                [
                    "--home",
                    str(home.root),
                    "evidence",
                    "export",
                    cases["leak"].alert.id,
                    "--strict",
                    "--out",
                    str(tmp_path / "s"),
                ]
            )
            == 2
        )
    finally:
        blob.write_bytes(saved)


def test_takedown_check_command(world, capsys):
    home, site, store, cases = world
    case = cases["pii"]
    site.take_down(case.path, status=404)
    assert (
        cli.main(
            ["--home", str(home.root), "takedown", "check", "--json", "--no-screenshot", case.alert.id, "unknown-id"]
        )
        == 0
    )
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [(r["alert_id"], r["state"], r["http_status"]) for r in rows] == [(case.alert.id, "removed", 404)]
    assert "unknown-id: no such alert" in captured.err


def test_settings_validate_and_env_overrides(config_dir, monkeypatch):
    (config_dir / "evidence.yaml").write_text("lang: fr\n")
    with pytest.raises(ConfigError, match="lang: must be one of vi, en"):
        settings.load()
    (config_dir / "evidence.yaml").write_text("timezone: Mars/Olympus\n")
    with pytest.raises(ConfigError, match="not a known IANA time zone"):
        settings.load()
    (config_dir / "evidence.yaml").write_text("roles: {a: [inspector_lead], b: [viewer]}\n")
    monkeypatch.setenv("CANHBAO_EVIDENCE__LIVE_TIMEOUT_S", "3")
    cfg = settings.load()
    assert cfg.may_unmask("a") and not cfg.may_unmask("b") and not cfg.may_unmask("c")
    assert cfg.live_timeout_s == 3.0


def test_daily_task_checks_every_confirmed_alert(world, monkeypatch):
    from canhbao.evidence import takedown

    home, site, _store, cases = world
    site.take_down(cases["fake"].path, status=410)
    monkeypatch.setenv("CANHBAO_HOME", str(home.root))
    counts = takedown.daily(screenshots=False)
    assert sum(counts.values()) == len(cases) and counts.get("removed", 0) >= 1 and counts.get("up", 0) >= 1
    assert takedown.checks(home, cases["fake"].alert.id)[-1]["state"] == "removed"
