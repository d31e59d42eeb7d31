from dataclasses import dataclass, field
from typing import Literal

import pytest

from canhbao.core import config
from canhbao.core.errors import ConfigError


@dataclass(frozen=True)
class Inner:
    threshold: float = 0.5
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    enabled: bool = True
    mode: Literal["fast", "accurate"] = "fast"
    workers: int = 2
    inner: Inner = field(default_factory=Inner)

    def validate(self):
        if not 0 <= self.inner.threshold <= 1:
            raise ValueError("inner.threshold must be between 0 and 1")


def test_defaults_when_file_missing(config_dir):
    assert config.load("demo", Schema, env={}) == Schema()


def test_file_then_environment_override(config_dir):
    (config_dir / "demo.yaml").write_text("workers: 4\ninner:\n  threshold: 0.7\n  names: [a, b]\n")
    s = config.load("demo", Schema, env={"CANHBAO_DEMO__INNER__THRESHOLD": "0.9"})
    assert s.workers == 4 and s.inner.threshold == 0.9 and s.inner.names == ("a", "b")


@pytest.mark.parametrize(
    "yaml_text, key, problem",
    [
        ("workers: many\n", "workers", "expected an integer"),
        ("mode: slow\n", "mode", "must be one of fast, accurate"),
        ("inner:\n  treshold: 0.3\n", "inner.treshold", "unknown key"),
        ("inner:\n  threshold: 7\n", "", "between 0 and 1"),
        ("enabled: 'yes please'\n", "enabled", "expected true or false"),
        ("- a\n- b\n", "", "expected a mapping"),
        ("workers: [\n", "", "not valid YAML"),
    ],
)
def test_wrong_config_names_file_key_and_problem(config_dir, yaml_text, key, problem):
    (config_dir / "demo.yaml").write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        config.load("demo", Schema, env={})
    msg = str(info.value)
    assert "demo.yaml" in msg and problem in msg and key in msg
    assert "\n" not in msg


# --- issue 13: environment values typed by the schema, NaN refused, missing config directory ----------


@dataclass(frozen=True)
class Secrets:
    password: str = ""
    url: str = ""
    start: str = ""
    workers: int = 2
    ratio: float = 0.5
    enabled: bool = True
    names: tuple[str, ...] = ()
    mode: Literal["fast", "accurate"] = "fast"
    comment: str | None = None


@pytest.mark.parametrize("raw", ["0755", "s3cret #1", "12:30", "yes", "null", "true", "1e3", "[a, b]", "~", ""])
def test_env_string_stays_exactly_the_string(config_dir, raw):
    s = config.load("sec", Secrets, env={"CANHBAO_SEC__PASSWORD": raw})
    assert s.password == raw


@pytest.mark.parametrize(
    "name, raw, expected",
    [
        ("WORKERS", "8", 8),
        ("WORKERS", "+3", 3),
        ("RATIO", "0.25", 0.25),
        ("RATIO", "1", 1.0),
        ("ENABLED", "false", False),
        ("ENABLED", "Yes", True),
        ("ENABLED", "0", False),
        ("NAMES", "a, b", ("a", "b")),
        ("NAMES", "[0755, x]", ("0755", "x")),
        ("NAMES", "", ()),
        ("MODE", "accurate", "accurate"),
        ("COMMENT", "0755", "0755"),
    ],
)
def test_env_values_converted_by_the_field_type(config_dir, name, raw, expected):
    s = config.load("sec", Secrets, env={f"CANHBAO_SEC__{name}": raw})
    assert getattr(s, name.lower()) == expected


@pytest.mark.parametrize(
    "name, raw, problem",
    [
        ("WORKERS", "0755x", "expected an integer"),
        ("WORKERS", "2.5", "expected an integer"),
        ("RATIO", ".nan", "not a finite number"),
        ("RATIO", "nan", "not a finite number"),
        ("RATIO", "inf", "not a finite number"),
        ("RATIO", "abc", "expected a number"),
        ("ENABLED", "maybe", "expected true or false"),
        ("MODE", "slow", "must be one of"),
    ],
)
def test_wrong_env_value_names_the_variable(config_dir, name, raw, problem):
    with pytest.raises(ConfigError) as info:
        config.load("sec", Secrets, env={f"CANHBAO_SEC__{name}": raw})
    msg = str(info.value)
    assert f"CANHBAO_SEC__{name}" in msg and problem in msg and "\n" not in msg
    assert "sec.yaml" not in msg  # the file is not to blame


def test_nan_in_yaml_refused(config_dir):
    (config_dir / "sec.yaml").write_text("ratio: .nan\n")
    with pytest.raises(ConfigError, match="not a finite number"):
        config.load("sec", Secrets, env={})


def test_leak_min_specific_nan_cannot_switch_detection_off(config_dir, monkeypatch):
    from canhbao.detectors.leak.settings import load_settings as load_leak

    monkeypatch.setenv("CANHBAO_LEAK__MATCH__MIN_SPECIFIC", ".nan")
    with pytest.raises(ConfigError, match="CANHBAO_LEAK__MATCH__MIN_SPECIFIC"):
        load_leak()


def test_missing_config_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CANHBAO_CONFIG_DIR", str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match="configuration directory does not exist"):
        config.load("sec", Secrets, env={})


def test_cli_mistyped_config_dir_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    from canhbao.cli import main

    # main() sets $CANHBAO_CONFIG_DIR from --config; registering it here restores it after the test
    monkeypatch.setenv("CANHBAO_CONFIG_DIR", str(tmp_path))

    rc = main(["--home", str(tmp_path / "h"), "--config", str(tmp_path / "typo"), "alerts", "list"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "typo" in err and "does not exist" in err and len(err.splitlines()) == 1
