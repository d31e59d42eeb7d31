import pytest

from canhbao.core import config
from canhbao.core.errors import ConfigError
from canhbao.pipeline.settings import ScanSettings


def test_repository_scan_config_is_valid():
    assert config.load("scan", ScanSettings, env={}).timezone == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    "yaml_text, problem",
    [
        ("timezone: Mars/Olympus\n", "unknown timezone"),
        ("schedule: every night\n", "5-field cron"),
        ("workers: 0\n", "workers must be between 1 and 64"),
        ("batch_size: -3\n", "batch_size must be >= 1"),
        ("retention_days: 0\n", "retention_days must be >= 1"),
        ("workres: 2\n", "unknown key"),
    ],
)
def test_wrong_scan_config_is_one_line_naming_the_file(config_dir, yaml_text, problem):
    (config_dir / "scan.yaml").write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        config.load("scan", ScanSettings, env={})
    assert "scan.yaml" in str(info.value) and problem in str(info.value) and "\n" not in str(info.value)


def test_scan_command_with_broken_config_exits_2_with_one_line(config_dir, tmp_path, capsys):
    from canhbao.cli import main

    (config_dir / "scan.yaml").write_text("workers: many\n")
    assert main(["--home", str(tmp_path / "h"), "scan", "--no-crawl"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("canhbao: error:") and "workers" in err and len(err.splitlines()) == 1
