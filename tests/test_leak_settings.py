"""config/leak.yaml, media.yaml and registry.yaml validate into their settings; mistakes name the key."""

import pytest

from canhbao.core import config
from canhbao.core.errors import ConfigError
from canhbao.detectors.leak.settings import LeakSettings, load_settings
from canhbao.media.settings import MediaSettings
from canhbao.registry.settings import RegistrySettings


def test_repository_config_loads():
    settings = config.load("leak", LeakSettings, path=config.REPO_CONFIG_DIR / "leak.yaml", env={})
    assert settings.match.shingle_words == 3
    media = config.load("media", MediaSettings, path=config.REPO_CONFIG_DIR / "media.yaml", env={})
    assert media.ocr.lang == "vie" and media.gate.min_text_lines == 5
    registry = config.load("registry", RegistrySettings, path=config.REPO_CONFIG_DIR / "registry.yaml", env={})
    assert registry.max_pdf_pages == 300


def test_env_override_and_bad_values(config_dir, monkeypatch):
    (config_dir / "leak.yaml").write_text("match:\n  min_specific: 9\n", encoding="utf-8")
    monkeypatch.setenv("CANHBAO_LEAK__BACKGROUND", "/nowhere.npz")
    settings = load_settings()
    assert settings.match.min_specific == 9 and settings.background == "/nowhere.npz"
    (config_dir / "leak.yaml").write_text("match:\n  shingle_words: 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="shingle_words"):
        load_settings()
    (config_dir / "leak.yaml").write_text("match:\n  min_specifik: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="match.min_specifik"):
        load_settings()
