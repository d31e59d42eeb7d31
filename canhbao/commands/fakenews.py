"""`canhbao fakenews train|evaluate|export-feedback`: the likely-fake classifier used by `detect`."""

from __future__ import annotations

import argparse
import sys

from canhbao.core.audit import AuditLog, current_actor
from canhbao.core.errors import InputError
from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fakenews", help="train and evaluate the fake-news classifier")
    cmds = p.add_subparsers(dest="fakenews_command", metavar="ACTION")
    cmds.required = True
    t = cmds.add_parser(
        "train",
        help="train on a labelled CSV (text,label[,domain,reactions,comments,shares,published,account]; "
        "label 1=fake 0=real)",
    )
    t.add_argument("data", metavar="DATA.csv")
    t.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength (default 1.0)")
    t.add_argument(
        "--candidate",
        action="append",
        default=[],
        metavar="NAME",
        help="compare only these candidate models (repeatable; default: all, see the model card)",
    )
    t.set_defaults(func=run_train)
    e = cmds.add_parser(
        "evaluate", help="the model card, then ROC-AUC, PR-AUC, precision/recall of the model on a labelled CSV"
    )
    e.add_argument("data", metavar="DATA.csv")
    e.add_argument("--model", default="", help="model version (default: current)")
    e.set_defaults(func=run_evaluate)
    x = cmds.add_parser("export-feedback", help="analysts' confirmed/dismissed fake-news alerts as training rows")
    x.add_argument("--out", required=True, metavar="FILE.csv")
    x.set_defaults(func=run_export_feedback)


def _rows(args: argparse.Namespace):
    from canhbao.detectors.fakenews import model as fakenews_model

    rows, errors = fakenews_model.read_rows(args.data)
    for err in errors:
        print(f"canhbao: {err}", file=sys.stderr)
    if not rows:
        raise InputError(args.data, "no usable rows")
    return rows


def _embedder(home: Home):
    from canhbao import embedding
    from canhbao.core import config
    from canhbao.detectors.fakenews.detector import FakenewsSettings

    return embedding.load(config.load("fakenews", FakenewsSettings).embedding, home.cache)


def run_train(args: argparse.Namespace) -> int:
    import numpy as np

    from canhbao.detectors.fakenews import model as fm

    home = Home.resolve(args.home)
    rows = _rows(args)
    y = np.array([r.label for r in rows])
    if len(set(y.tolist())) < 2 or np.bincount(y).min() < 2:
        raise InputError(args.data, "need at least two fake and two real rows")
    unknown = sorted(set(args.candidate) - set(fm.CANDIDATES))
    if unknown:
        raise InputError(", ".join(unknown), f"no such candidate (choose from {', '.join(fm.CANDIDATES)})")
    embedder = _embedder(home)
    chosen = {k: fm.CANDIDATES[k] for k in args.candidate} or None
    model, card = fm.train(rows, embedder, c=args.c, candidates=chosen)
    card = {
        "data": {
            "path": str(args.data),
            "rows": len(rows),
            "fake": int(y.sum()),
            "real": int(len(y) - y.sum()),
            "sources": len({r.domain for r in rows if r.domain}),
            "metadata_columns": [c for c in fm.META_COLUMNS if any(_has(r, c) for r in rows)],
        },
        **card,
    }
    version = fm.save(home.models, model, card)
    AuditLog(home.audit_log).append(
        "fakenews.train",
        version,
        actor=current_actor(),
        data=str(args.data),
        rows=len(rows),
        roc_auc=card["cv"]["roc_auc"],
    )
    print(f"model {version} ({embedder.id}): {len(rows)} rows, threshold {model.threshold:.3f}")
    for name, m in card["candidates"].items():
        mark = "*" if name == card["chosen"] else " "
        print(
            f" {mark} {name:<18} cross-validation ({card['cv_split']}) ROC-AUC {m['roc_auc']:.3f} PR-AUC {m['pr_auc']:.3f}"
        )
    _print_metrics(f"chosen {card['chosen']}, calibrated, cross-validation ({card['cv_split']})", card["cv"])
    return 0


def _has(row, column: str) -> bool:
    value = getattr(row, column)
    return value not in (None, "")


def run_evaluate(args: argparse.Namespace) -> int:
    import numpy as np

    from canhbao.detectors.fakenews import model as fm

    home = Home.resolve(args.home)
    model = fm.load(home.models, args.model)
    rows = _rows(args)
    embedder = None
    if model.needs_embedding:
        embedder = _embedder(home)
        if model.embedder_id != embedder.id:
            raise InputError(
                args.data,
                f"model {model.version} needs embedding {model.embedder_id}, configured is {embedder.id}",
            )
    print_card(model.meta)
    y = np.array([r.label for r in rows])
    p = model.score_rows(rows, embedder)
    _print_metrics(f"model {model.version} on {args.data}", fm.metrics(y, p, model.threshold))
    return 0


def print_card(meta: dict) -> None:
    """The model card: what it was trained on, how it was chosen, what cross-validation said."""
    data = meta.get("data", {})
    print(
        f"model card {meta.get('version')} (trained {meta.get('trained_at', '')[:19]}, embedding {meta.get('embedder') or '-'})"
    )
    print(
        f"  data: {data.get('path')}: {data.get('rows')} rows ({data.get('fake')} fake, {data.get('real')} real), "
        f"{data.get('sources')} sources, metadata columns: {', '.join(data.get('metadata_columns') or []) or 'none'}"
    )
    print(
        f"  split: {meta.get('folds')}-fold cross-validation {meta.get('cv_split')}; chosen: {meta.get('chosen')} "
        f"(views {', '.join(meta.get('views', []))})"
    )
    for name, m in (meta.get("candidates") or {}).items():
        print(f"    {name:<18} ROC-AUC {m['roc_auc']:.3f}  PR-AUC {m['pr_auc']:.3f}")
    if meta.get("text"):
        print(f"  text views read: {meta['text']}; embedding: {meta.get('embedding_input', '-')}")
    cal = meta.get("calibration", {})
    print(
        f"  calibration: Platt a={cal.get('a', 0):.3f} b={cal.get('b', 0):.3f}, out-of-fold Brier {cal.get('brier_oof')}"
    )
    if meta.get("cv"):
        _print_metrics("  cross-validation (calibrated)", meta["cv"])


def _print_metrics(title: str, m: dict) -> None:
    print(f"{title}: n={m['n']} fake={m['positives']}")
    print(
        f"  ROC-AUC {m['roc_auc']:.3f}  PR-AUC {m['pr_auc']:.3f}  "
        f"at threshold {m['threshold']:.3f}: precision {m['precision']:.3f} recall {m['recall']:.3f}"
    )


def run_export_feedback(args: argparse.Namespace) -> int:
    """Confirmed fake-news alerts become label 1, dismissed ones label 0; text from the post store when
    the post is still there (the alert itself holds only masked text), domain = the post URL's host."""
    from canhbao.core.posts import PostStore

    try:
        from canhbao.index import open_store
    except ImportError:
        raise InputError("alert store", "not available in this installation (canhbao.index.open_store)") from None
    home = Home.resolve(args.home)
    store = open_store(home)
    try:
        alerts = _decided_fake_news(store)
    finally:
        store.close()
    posts = PostStore(home.posts_db)
    rows = feedback_rows(alerts, posts)
    _write_csv(args.out, rows)
    AuditLog(home.audit_log).append("fakenews.export-feedback", str(args.out), actor=current_actor(), rows=len(rows))
    print(f"{args.out}: {len(rows)} rows ({sum(r[1] for r in rows)} fake, {sum(1 - r[1] for r in rows)} real)")
    return 0


def _decided_fake_news(store) -> list:
    from canhbao.core.records import CONFIRMED, DISMISSED, FAKE_NEWS
    from canhbao.index.base import AlertQuery

    out, offset = [], 0
    while True:
        page = store.search(AlertQuery(type=(FAKE_NEWS,), status=(CONFIRMED, DISMISSED), limit=500, offset=offset))
        out += page
        if len(page) < 500:
            return out
        offset += 500


def feedback_rows(alerts, posts) -> list[tuple[str, int, str]]:
    """(text, label, domain) per decided alert, one row per post (the latest decision wins)."""
    from urllib.parse import urlsplit

    from canhbao.core.errors import NotFound
    from canhbao.core.records import CONFIRMED

    by_post: dict[str, tuple[str, int, str]] = {}
    for alert in sorted(alerts, key=lambda a: a.updated_at or a.captured_at):
        try:
            text = posts.get(alert.post_key).text or alert.masked_text
        except NotFound:
            text = alert.masked_text
        if text.strip():
            domain = urlsplit(alert.post_url).hostname or alert.source
            by_post[alert.post_key] = (text, int(alert.status == CONFIRMED), domain)
    return list(by_post.values())


def _write_csv(path: str, rows: list[tuple[str, int, str]]) -> None:
    import csv
    import io

    from canhbao.core import atomic

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["text", "label", "domain"])
    writer.writerows(rows)
    atomic.write_text(path, buf.getvalue())
