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


@pytest.mark.parametrize("yaml_text, key, problem", [
    ("workers: many\n", "workers", "expected an integer"),
    ("mode: slow\n", "mode", "must be one of fast, accurate"),
    ("inner:\n  treshold: 0.3\n", "inner.treshold", "unknown key"),
    ("inner:\n  threshold: 7\n", "", "between 0 and 1"),
    ("enabled: 'yes please'\n", "enabled", "expected true or false"),
    ("- a\n- b\n", "", "expected a mapping"),
    ("workers: [\n", "", "not valid YAML"),
])
def test_wrong_config_names_file_key_and_problem(config_dir, yaml_text, key, problem):
    (config_dir / "demo.yaml").write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        config.load("demo", Schema, env={})
    msg = str(info.value)
    assert "demo.yaml" in msg and problem in msg and key in msg
    assert "\n" not in msg
