"""The likely-fake classifier: logistic regression over the post embedding plus style signals.

Trained by `canhbao fakenews train`, stored as plain numbers (no pickle) in a versioned folder
`<home>/models/fakenews/vNNNN/{model.npz, meta.json}`; `current` names the version `detect` uses.
The operating threshold is the one that maximised F1 on out-of-fold predictions (folds by source
domain when the data has one: VFND's labels follow the outlet, and a random split rewards style).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from canhbao.core import atomic
from canhbao.core.errors import InputError, NotFound
from canhbao.core.records import utcnow
from canhbao.detectors.fakenews import text as ft
from canhbao.embedding import Embedder

SIGNALS = tuple(ft.signals("").keys())
# Style signals are 0..1 while embedding components are ~0.05: at full scale a few of them outweigh the
# 384-dim embedding and the model learns the outlet's style (VFND split by domain: ROC-AUC 0.835 at 1.0,
# 0.88 at 0.1-0.3, 0.88 without them). 0.2 keeps them as a nudge.
SIGNAL_WEIGHT = 0.2
LABELS = {"1": 1, "fake": 1, "false": 1, "gia": 1, "0": 0, "real": 0, "true": 0, "that": 0}


@dataclass(frozen=True)
class Row:
    text: str
    label: int
    domain: str = ""


def read_rows(path: Path) -> tuple[list[Row], list[InputError]]:
    """`text,label[,domain]` CSV (label 1/fake or 0/real). Bad rows come back as errors."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    csv.field_size_limit(16 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
        raise InputError(path, "CSV needs 'text' and 'label' columns (optional: 'domain')")
    rows, errors = [], []
    for n, r in enumerate(reader, start=2):
        label = LABELS.get(str(r.get("label") or "").strip().lower())
        if label is None:
            errors.append(InputError(f"{path}:{n}", f"label {r.get('label')!r} is not 1/fake or 0/real"))
        elif not (r.get("text") or "").strip():
            errors.append(InputError(f"{path}:{n}", "empty text"))
        else:
            rows.append(Row(r["text"], label, (r.get("domain") or "").strip().lower()))
    return rows, errors


def features(texts: Sequence[str], embedder: Embedder) -> np.ndarray:
    """Embedding of the cleaned opening (first 80 words) + style signals, one row per text."""
    heads = [" ".join(ft.clean(t).split()[:80]) or "." for t in texts]
    sig = np.array([[ft.signals(t)[k] for k in SIGNALS] for t in texts], dtype=np.float32).reshape(
        len(texts), -1
    )
    sig *= SIGNAL_WEIGHT
    return np.hstack([embedder.encode(heads), sig])


@dataclass(frozen=True)
class Classifier:
    coef: np.ndarray
    intercept: float
    threshold: float
    embedder_id: str
    version: str = ""
    meta: dict | None = None

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def score(self, texts: Sequence[str], embedder: Embedder) -> np.ndarray:
        return self.probability(features(texts, embedder))


def fit(
    x: np.ndarray, y: np.ndarray, groups: Sequence[str] | None = None, c: float = 1.0
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """(coef, intercept, threshold, out-of-fold probabilities)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    def model():
        return LogisticRegression(C=c, class_weight="balanced", max_iter=2000)

    oof = np.full(len(y), np.nan)
    if groups is not None and len(set(groups)) >= 3:
        splits = GroupKFold(n_splits=min(5, len(set(groups)))).split(x, y, groups)
    else:
        splits = StratifiedKFold(
            n_splits=min(5, int(np.bincount(y).min())), shuffle=True, random_state=0
        ).split(x, y)
    for train, test in splits:
        if len(set(y[train])) == 2:
            oof[test] = model().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    final = model().fit(x, y)
    return final.coef_[0].astype(np.float64), float(final.intercept_[0]), best_threshold(y, oof), oof


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    ok = ~np.isnan(p)
    y, p = y[ok], p[ok]
    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(p, 3)):
        pred = p >= t
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / max(float(np.sum(pred) + np.sum(y == 1)), 1.0)
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    ok = ~np.isnan(p)
    y, p = y[ok], p[ok]
    pred = p >= threshold
    tp = float(np.sum(pred & (y == 1)))
    both = len(set(y.tolist())) == 2
    return {
        "n": int(len(y)),
        "positives": int(np.sum(y)),
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "threshold": float(threshold),
        "precision": tp / max(float(np.sum(pred)), 1.0),
        "recall": tp / max(float(np.sum(y == 1)), 1.0),
    }


# --- versioned storage ------------------------------------------------------------------------------


def model_root(models_dir: Path) -> Path:
    return Path(models_dir) / "fakenews"


def save(
    models_dir: Path, coef: np.ndarray, intercept: float, threshold: float, embedder_id: str, meta: dict
) -> str:
    """Write a new version and make it current; returns its name (v0001, v0002, ...)."""
    root = model_root(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    taken = [int(m.group(1)) for p in root.iterdir() if (m := re.fullmatch(r"v(\d{4})", p.name))]
    version = f"v{max(taken, default=0) + 1:04d}"
    folder = root / version
    folder.mkdir()
    buf = io.BytesIO()
    np.savez(buf, coef=coef, intercept=np.array([intercept]), threshold=np.array([threshold]))
    atomic.write_bytes(folder / "model.npz", buf.getvalue())
    atomic.write_json(
        folder / "meta.json",
        {
            **meta,
            "version": version,
            "embedder": embedder_id,
            "signals": list(SIGNALS),
            "trained_at": utcnow().isoformat(),
        },
    )
    atomic.write_text(root / "current", version + "\n")
    return version


def load(models_dir: Path, version: str = "") -> Classifier:
    """The current (or given) version; NotFound when none has been trained."""
    root = model_root(models_dir)
    if not version:
        current = root / "current"
        if not current.is_file():
            raise NotFound(f"no fake-news model in {root}: train one with `canhbao fakenews train DATA.csv`")
        version = current.read_text(encoding="utf-8").strip()
    folder = root / version
    if not (folder / "model.npz").is_file():
        raise NotFound(f"fake-news model {version} not found in {root}")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    with np.load(folder / "model.npz") as z:
        return Classifier(
            z["coef"], float(z["intercept"][0]), float(z["threshold"][0]), meta["embedder"], version, meta
        )
