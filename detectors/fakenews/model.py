"""The likely-fake classifier: views of a post (syllable and character n-gram TF-IDF, NB-weighted character
n-grams, the embedding of its opening and of its windows, style signals, post metadata), one logistic
regression per view, their probabilities averaged and calibrated. The text views read the post without its
outlet's links, dateline, byline and typography (`boilerplate.content`).

`canhbao fakenews train` compares candidate models (`CANDIDATES`: subsets of views) by cross-validation
grouped by source (a random split rewards learning the outlet), keeps the best, fits Platt scaling on its
out-of-fold scores so that `probability` means what it says, and stores everything as plain numbers and
vocabularies (no pickle) in `<home>/models/fakenews/vNNNN/{model.npz, vocab.json, meta.json}`; `current`
names the version `detect` uses. `meta.json` is the model card (data, split, candidates, metrics), printed
by `canhbao fakenews evaluate`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from canhbao.core import atomic
from canhbao.core.errors import InputError, NotFound
from canhbao.core.records import utcnow
from canhbao.detectors.fakenews import boilerplate
from canhbao.detectors.fakenews import text as ft
from canhbao.embedding import Embedder

SIGNALS = tuple(ft.signals("").keys())
LABELS = {"1": 1, "fake": 1, "false": 1, "gia": 1, "0": 0, "real": 0, "true": 0, "that": 0}
META_COLUMNS = ("reactions", "comments", "shares", "published", "account")
VIEWS = ("syllables", "chars", "nbchars", "embedding", "style")
CANDIDATES: dict[str, tuple[str, ...]] = {
    "embedding": ("embedding",),
    "embedding+style": ("embedding", "style"),
    "nbchars": ("nbchars",),
    "tfidf+style": ("syllables", "chars", "style"),
    "embedding+nbchars": ("embedding", "nbchars"),
    "embedding+nbchars+style": ("embedding", "nbchars", "style"),
    "all": VIEWS,
}
# Inverse regularisation per view (times --c), chosen by cross-validation grouped by source on VFND's
# training split (docs/fakenews.md, "Classifier").
VIEW_C = {"syllables": 10.0, "chars": 0.1, "nbchars": 0.3, "embedding": 3.0, "style": 0.3}
# What the stored numbers mean: 2 = boilerplate-free text views, the embedding with its window mean (768
# numbers). A model stored by an older format is refused ("retrain"), not scored with the wrong features.
FORMAT = 2
EMBED_WORDS = 400  # the opening of the post that is embedded (long articles: their first windows)
WINDOW_WORDS = 150  # ... and the mean of its windows of this many words,
WINDOWS = 8  # at most this many (the first 1,200 words): bounded time per long article


@dataclass(frozen=True)
class Row:
    """One labelled post; metadata fields are empty/None when the CSV or the crawl has none."""

    text: str
    label: int = 0
    domain: str = ""
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    published: str = ""  # ISO time as published (local time of the source)
    account: str = ""


def _count(value: str | None) -> int | None:
    value = (value or "").strip().replace(",", "").replace(".", "")
    return int(value) if value.isdigit() else None


def read_rows(path: Path) -> tuple[list[Row], list[InputError]]:
    """`text,label[,domain,reactions,comments,shares,published,account]` CSV (label 1/fake or 0/real).
    Bad rows come back as errors; the others are read."""
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
        raise InputError(path, f"CSV needs 'text' and 'label' columns (optional: domain, {', '.join(META_COLUMNS)})")
    rows, errors = [], []
    for n, r in enumerate(reader, start=2):
        label = LABELS.get(str(r.get("label") or "").strip().lower())
        if label is None:
            errors.append(InputError(f"{path}:{n}", f"label {r.get('label')!r} is not 1/fake or 0/real"))
        elif not (r.get("text") or "").strip():
            errors.append(InputError(f"{path}:{n}", "empty text"))
        else:
            rows.append(
                Row(
                    r["text"],
                    label,
                    (r.get("domain") or "").strip().lower(),
                    _count(r.get("reactions")),
                    _count(r.get("comments")),
                    _count(r.get("shares")),
                    (r.get("published") or "").strip(),
                    (r.get("account") or "").strip(),
                )
            )
    return rows, errors


def row_of_post(post) -> Row:
    """The classifier's view of a crawled post (engagement counts, publication time, account)."""
    e = post.engagement or {}
    return Row(
        post.text,
        0,
        "",
        e.get("reactions"),
        e.get("comments"),
        e.get("shares"),
        post.published_at.isoformat() if post.published_at else "",
        post.author_url or post.author,
    )


# --- views ------------------------------------------------------------------------------------------------


def syllables(text: str) -> str:
    """Lower-cased syllables of the cleaned text without boilerplate, tone marks kept (Vietnamese words are
    1-3 syllables)."""
    return " ".join(ft.words(ft.clean(boilerplate.content(text)).lower()))


def chars(text: str) -> str:
    """Lower-cased cleaned text without boilerplate, for character n-grams (robust to typos; tone marks kept:
    folding them away measured worse on VFND)."""
    return ft.clean(boilerplate.content(text)).lower()


_HOUR = re.compile(r"[T ](\d{1,2}):\d{2}")


def style(rows: Sequence[Row]) -> np.ndarray:
    """Style signals + metadata, each ~0..1, with a 'missing' flag per metadata field."""
    out = []
    for r in rows:
        sig = ft.signals(r.text)
        m = _HOUR.search(r.published)
        hour = int(m.group(1)) % 24 if m else None
        words = len(r.text.split())
        counts = [r.reactions, r.comments, r.shares]
        out.append(
            [sig[k] for k in SIGNALS]
            + [math.log1p(c) / 10 if c is not None else 0.0 for c in counts]
            + [float(c is None) for c in counts]
            + (
                [math.sin(2 * math.pi * hour / 24), math.cos(2 * math.pi * hour / 24), 0.0]
                if hour is not None
                else [0.0, 0.0, 1.0]
            )
            + [float(bool(r.account)), math.log1p(words) / 8, r.text.count("\n") / max(words, 1) * 10]
        )
    return np.array(out, dtype=np.float64).reshape(len(rows), -1)


STYLE_NAMES = SIGNALS + (
    "log_reactions",
    "log_comments",
    "log_shares",
    "no_reactions",
    "no_comments",
    "no_shares",
    "hour_sin",
    "hour_cos",
    "no_time",
    "has_account",
    "log_words",
    "line_breaks",
)


def embed(rows: Sequence[Row], embedder: Embedder) -> np.ndarray:
    """Per post: the embedding of its opening (`EMBED_WORDS`) beside the mean embedding of its windows of
    `WINDOW_WORDS` (the whole of a long article says more than its lead; both together measured best)."""
    words = [ft.clean(boilerplate.content(r.text)).split() for r in rows]
    heads = [" ".join(w[:EMBED_WORDS]) or "." for w in words]
    windows: list[list[str]] = []
    for w in words:
        span = min(len(w), WINDOW_WORDS * WINDOWS)
        windows.append([" ".join(w[i : i + WINDOW_WORDS]) for i in range(0, span, WINDOW_WORDS)] or ["."])
    unique = list(dict.fromkeys(heads + [t for ws in windows for t in ws]))  # short posts: window == head
    vecs = dict(zip(unique, embedder.encode(unique).astype(np.float64), strict=True))
    means = np.array([np.mean([vecs[t] for t in ws], axis=0) for ws in windows]).reshape(len(rows), -1)
    means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    return np.hstack([np.array([vecs[h] for h in heads]).reshape(len(rows), -1), means])


@dataclass
class Views:
    """The raw views of a set of rows, computed once and shared by every candidate and fold."""

    rows: Sequence[Row]
    embedder: Embedder | None
    _cache: dict = field(default_factory=dict)

    def get(self, name: str):
        if name not in self._cache:
            if name == "syllables":
                self._cache[name] = [syllables(r.text) for r in self.rows]
            elif name in ("chars", "nbchars"):  # one text, two featurisers
                self._cache[name] = self.get("chars") if name == "nbchars" else [chars(r.text) for r in self.rows]
            elif name == "embedding":
                if self.embedder is None:
                    raise ValueError("the embedding view needs an embedder")
                self._cache[name] = embed(self.rows, self.embedder)
            else:
                self._cache[name] = style(self.rows)
        return self._cache[name]


# --- one view: featuriser + logistic regression, stored as numbers ----------------------------------------


def _vectorizer(name: str, vocabulary=None):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if name == "syllables":
        return TfidfVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
            max_features=50000,
            vocabulary=vocabulary,
            lowercase=False,
        )
    grams: dict[str, Any] = {
        "analyzer": "char_wb",
        "ngram_range": (2, 5),
        "min_df": 2,
        "vocabulary": vocabulary,
        "lowercase": False,
    }
    if name == "nbchars":  # presence of each n-gram, weighted by its log-count ratio (`nb_ratio`)
        return CountVectorizer(binary=True, max_features=200000, dtype=np.float64, **grams)
    return TfidfVectorizer(sublinear_tf=True, max_features=100000, **grams)


def nb_ratio(x, y: np.ndarray) -> np.ndarray:
    """NB-SVM's log-count ratio (Wang & Manning 2012): how much more often each feature is present in fake
    than in real rows (add-one smoothed). Scaling the features by it before a linear model is a strong
    baseline for short-text classification; here it lifts the character view most."""
    p = np.asarray(x[y == 1].sum(axis=0)).ravel() + 1.0
    q = np.asarray(x[y == 0].sum(axis=0)).ravel() + 1.0
    return np.log(p / p.sum()) - np.log(q / q.sum())


@dataclass
class ViewModel:
    name: str
    coef: np.ndarray
    intercept: float
    vocabulary: list[str] | None = None  # TF-IDF views
    idf: np.ndarray | None = None
    ratio: np.ndarray | None = None  # nbchars: NB log-count ratio per n-gram
    mean: np.ndarray | None = None  # dense views: standardisation
    scale: np.ndarray | None = None

    def matrix(self, raw):
        if self.vocabulary is not None:
            vec = _vectorizer(self.name, {t: i for i, t in enumerate(self.vocabulary)})
            if self.ratio is not None:
                from sklearn.preprocessing import normalize

                return normalize(vec.transform(raw).multiply(self.ratio).tocsr())
            vec.idf_ = self.idf
            return vec.transform(raw)
        return (np.asarray(raw) - self.mean) / self.scale

    def decision(self, raw) -> np.ndarray:
        return np.asarray(self.matrix(raw) @ self.coef).ravel() + self.intercept


def fit_view(name: str, raw, y: np.ndarray, c: float) -> ViewModel:
    from sklearn.linear_model import LogisticRegression

    if name in ("syllables", "chars", "nbchars"):
        vec = _vectorizer(name)
        x = vec.fit_transform(raw)
        vocab = [t for t, _ in sorted(vec.vocabulary_.items(), key=lambda ti: ti[1])]
        if name == "nbchars":
            vm = ViewModel(name, np.zeros(x.shape[1]), 0.0, vocabulary=vocab, ratio=nb_ratio(x, y))
            x = vm.matrix(raw)
        else:
            vm = ViewModel(name, np.zeros(x.shape[1]), 0.0, vocabulary=vocab, idf=vec.idf_.copy())
    else:
        raw = np.asarray(raw)
        mean, scale = raw.mean(axis=0), raw.std(axis=0)
        scale[scale < 1e-9] = 1.0
        if name == "embedding":  # unit vectors, components ~0.05: kept as they are (standardising overfits)
            mean, scale = np.zeros_like(mean), np.ones_like(scale)
        vm = ViewModel(name, np.zeros(raw.shape[1]), 0.0, mean=mean, scale=scale)
        x = vm.matrix(raw)
    lr = LogisticRegression(C=c * VIEW_C[name], class_weight="balanced", max_iter=5000).fit(x, y)
    vm.coef, vm.intercept = lr.coef_[0].astype(np.float64), float(lr.intercept_[0])
    return vm


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


@dataclass
class Classifier:
    views: list[ViewModel]
    calibration: tuple[float, float]  # Platt: p = sigmoid(a * mean_view_probability_logit + b)
    threshold: float
    embedder_id: str
    version: str = ""
    meta: dict = field(default_factory=dict)

    def uncalibrated(self, v: Views) -> np.ndarray:
        return np.mean([_sigmoid(m.decision(v.get(m.name))) for m in self.views], axis=0)

    def probability_of(self, v: Views) -> np.ndarray:
        a, b = self.calibration
        return _sigmoid(a * _logit(self.uncalibrated(v)) + b)

    def score_rows(self, rows: Sequence[Row], embedder: Embedder | None) -> np.ndarray:
        return self.probability_of(Views(rows, embedder))

    def score(self, texts: Sequence[str], embedder: Embedder | None) -> np.ndarray:
        return self.score_rows([Row(t) for t in texts], embedder)

    @property
    def needs_embedding(self) -> bool:
        return any(m.name == "embedding" for m in self.views)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def fit_candidate(views: tuple[str, ...], v: Views, idx: np.ndarray, y: np.ndarray, c: float) -> list[ViewModel]:
    return [fit_view(name, _take(v.get(name), idx), y[idx], c) for name in views]


def _take(raw, idx):
    return raw[idx] if isinstance(raw, np.ndarray) else [raw[i] for i in idx]


def folds(y: np.ndarray, groups: Sequence[str] | None, k: int = 5):
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    if groups is not None and len(set(groups)) >= 3:
        return list(GroupKFold(n_splits=min(k, len(set(groups)))).split(y, y, groups)), "grouped by source"
    n = max(2, min(k, int(np.bincount(y).min())))
    return list(StratifiedKFold(n_splits=n, shuffle=True, random_state=0).split(y, y)), "stratified (no source)"


def view_oof(name: str, v: Views, y: np.ndarray, splits, c: float) -> np.ndarray:
    """Out-of-fold probabilities of one view (NaN where a fold's training part holds one class only)."""
    oof = np.full(len(y), np.nan)
    for train, test in splits:
        if len(set(y[train].tolist())) < 2:
            continue
        oof[test] = _sigmoid(fit_view(name, _take(v.get(name), train), y[train], c).decision(_take(v.get(name), test)))
    return oof


def cross_validate(
    views: tuple[str, ...], v: Views, y: np.ndarray, splits, c: float, cache: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    """Out-of-fold probabilities of a candidate: the mean of its views'. A view is fitted once per fold and
    shared by every candidate holding it (`cache`), which is the same as fitting each candidate alone."""
    cache = {} if cache is None else cache
    for name in views:
        if name not in cache:
            cache[name] = view_oof(name, v, y, splits, c)
    return np.mean([cache[name] for name in views], axis=0)


def platt(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    ok = ~np.isnan(p)
    lr = LogisticRegression(C=1e4, max_iter=2000).fit(_logit(p[ok]).reshape(-1, 1), y[ok])
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def train(
    rows: Sequence[Row], embedder: Embedder | None, c: float = 1.0, candidates: Mapping[str, tuple] | None = None
) -> tuple[Classifier, dict]:
    """Compare the candidates by grouped cross-validation, keep the best (ROC-AUC), calibrate it on its
    out-of-fold scores, refit on everything. Returns the classifier and the card's training section."""
    candidates = dict(candidates or CANDIDATES)
    if embedder is None:
        candidates = {k: vs for k, vs in candidates.items() if "embedding" not in vs}
    y = np.array([r.label for r in rows])
    groups = [r.domain for r in rows] if all(r.domain for r in rows) else None
    splits, split_name = folds(y, groups)
    v = Views(rows, embedder)
    results, oofs = {}, {}
    per_view: dict[str, np.ndarray] = {}
    for name, vs in candidates.items():
        oofs[name] = cross_validate(vs, v, y, splits, c, per_view)
        results[name] = metrics(y, oofs[name], 0.5)
    best = max(results, key=lambda k: (np.nan_to_num(results[k]["roc_auc"]), -len(candidates[k])))
    a, b = platt(y, oofs[best])
    calibrated = _sigmoid(a * _logit(np.nan_to_num(oofs[best], nan=0.5)) + b)
    threshold = best_threshold(y, calibrated)
    model = Classifier(
        fit_candidate(candidates[best], v, np.arange(len(y)), y, c),
        (a, b),
        threshold,
        embedder.id if embedder is not None else "",
    )
    card = {
        "cv_split": split_name,
        "folds": len(splits),
        "candidates": {k: {"views": list(candidates[k]), **_rounded(results[k])} for k in candidates},
        "chosen": best,
        "views": list(candidates[best]),
        "cv": _rounded(metrics(y, calibrated, threshold)),
        "calibration": {
            "a": round(a, 6),
            "b": round(b, 6),
            "brier_oof": round(float(np.mean((calibrated - y) ** 2)), 4),
        },
        "C": c,
        "view_C": {k: VIEW_C[k] for k in candidates[best]},
        "text": "links, dateline, closing attribution/byline stripped; plain typography (boilerplate.content)",
        "embedding_input": f"first {EMBED_WORDS} words beside the mean of {WINDOW_WORDS}-word windows "
        f"(at most {WINDOWS})",
    }
    return model, card


def _rounded(m: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()}


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


def save(models_dir: Path, model: Classifier, card: dict) -> str:
    """Write a new version and make it current; returns its name (v0001, v0002, ...)."""
    root = model_root(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    taken = [int(m.group(1)) for p in root.iterdir() if (m := re.fullmatch(r"v(\d{4})", p.name))]
    version = f"v{max(taken, default=0) + 1:04d}"
    folder = root / version
    folder.mkdir()
    arrays: dict[str, Any] = {}
    vocab: dict[str, list[str]] = {}
    for view in model.views:
        arrays[f"{view.name}.coef"] = view.coef
        arrays[f"{view.name}.intercept"] = np.array([view.intercept])
        if view.vocabulary is not None:
            arrays[f"{view.name}.{'ratio' if view.ratio is not None else 'idf'}"] = (
                view.ratio if view.ratio is not None else view.idf
            )
            vocab[view.name] = view.vocabulary
        else:
            arrays[f"{view.name}.mean"], arrays[f"{view.name}.scale"] = view.mean, view.scale
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic.write_bytes(folder / "model.npz", buf.getvalue())
    atomic.write_text(folder / "vocab.json", json.dumps(vocab, ensure_ascii=False))
    atomic.write_json(
        folder / "meta.json",
        {
            **card,
            "version": version,
            "format": FORMAT,
            "embedder": model.embedder_id,
            "views": [m.name for m in model.views],
            "style_features": list(STYLE_NAMES),
            "calibration": {**card.get("calibration", {}), "a": model.calibration[0], "b": model.calibration[1]},
            "threshold": model.threshold,
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
    if not (folder / "model.npz").is_file() or not (folder / "vocab.json").is_file():
        raise NotFound(f"fake-news model {version} not found in {root} (or made by an older version: retrain)")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format", 1) != FORMAT:
        raise NotFound(f"fake-news model {version} in {root} was made by an older version: retrain it")
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    views = []
    with np.load(folder / "model.npz") as z:
        for name in meta["views"]:
            views.append(
                ViewModel(
                    name,
                    z[f"{name}.coef"],
                    float(z[f"{name}.intercept"][0]),
                    vocabulary=vocab.get(name),
                    idf=z[f"{name}.idf"] if f"{name}.idf" in z else None,
                    ratio=z[f"{name}.ratio"] if f"{name}.ratio" in z else None,
                    mean=z[f"{name}.mean"] if name not in vocab else None,
                    scale=z[f"{name}.scale"] if name not in vocab else None,
                )
            )
    cal = meta["calibration"]
    return Classifier(
        views, (float(cal["a"]), float(cal["b"])), float(meta["threshold"]), meta["embedder"], version, meta
    )
