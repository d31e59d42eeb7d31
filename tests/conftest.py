"""Shared fixtures. Tests use real parts (Tesseract, Scrapy on 127.0.0.1, OpenSearch, embedding models);
fixtures build inputs from the seed letters or saved bytes, never from the internet."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh data home for one test."""
    from canhbao.core.home import Home

    monkeypatch.setenv("CANHBAO_HOME", str(tmp_path / "home"))
    return Home.resolve(tmp_path / "home")


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """An empty configuration directory: tests write only the files they need."""
    d = tmp_path / "config"
    d.mkdir()
    monkeypatch.setenv("CANHBAO_CONFIG_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def seeds():
    from canhbao.samples import load_seeds

    return load_seeds()
