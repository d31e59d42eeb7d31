"""config/leak.yaml validates into LeakSettings; mistakes name the key."""

import pytest

from canhbao.core import config
from canhbao.core.errors import ConfigError
from canhbao.registry.settings import LeakSettings, load_settings


def test_repository_config_loads():
    settings = config.load("leak", LeakSettings, path=config.REPO_CONFIG_DIR / "leak.yaml", env={})
    assert settings.ocr.lang == "vie" and settings.match.shingle_words == 3


def test_env_override_and_bad_values(config_dir, monkeypatch):
    (config_dir / "leak.yaml").write_text("match:\n  min_evidence: 25\n", encoding="utf-8")
    monkeypatch.setenv("CANHBAO_LEAK__BACKGROUND_DIR", "/nowhere")
    settings = load_settings()
    assert settings.match.min_evidence == 25 and str(settings.background_dir) == "/nowhere"
    (config_dir / "leak.yaml").write_text("match:\n  shingle_words: 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="shingle_words"):
        load_settings()
    (config_dir / "leak.yaml").write_text("match:\n  min_evidense: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="match.min_evidense"):
        load_settings()
