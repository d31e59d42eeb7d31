"""The classifier's views and candidates on VFND's training split only (the tuning figures; no test rows).

Usage: python bench/fakenews_views.py [--typography-kept]

Each view (and each candidate: the mean of its views' probabilities) is fitted by the same code as
`canhbao fakenews train` (`fit_view`, `VIEW_C`) and scored by ROC-AUC over its out-of-fold scores, for three
splittings grouped by source: GroupKFold (what `train` uses) and two shuffled StratifiedGroupKFold, so that
one lucky assignment of the 41 sources to folds does not pick the model. `--typography-kept` reads the text
without `plain_typography` (links and bylines still stripped): the ablation that showed the outlets' quote
styles carrying the character and embedding views (docs/fakenews.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--typography-kept", action="store_true")
    args = ap.parse_args()
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    from canhbao import embedding
    from canhbao.detectors.fakenews import boilerplate
    from canhbao.detectors.fakenews import model as fm
    from canhbao.testing import vfnd

    with tempfile.TemporaryDirectory() as tmp:
        rows, _ = fm.read_rows(vfnd.write_split(Path(tmp))[0])
        embedder = embedding.load(embedding.EmbeddingSettings(), Path(tmp) / "cache")
        y = np.array([r.label for r in rows])
        groups = [r.domain for r in rows]
        splittings = [list(GroupKFold(5).split(y, y, groups))] + [
            list(StratifiedGroupKFold(5, shuffle=True, random_state=s).split(y, y, groups)) for s in (1, 2)
        ]
        patch = mock.patch.object(boilerplate, "content", boilerplate.remove) if args.typography_kept else None
        if patch:
            patch.start()
        v = fm.Views(rows, embedder)
        for name in fm.VIEWS:
            v.get(name)
        if patch:
            patch.stop()
        oof = {name: [np.zeros(len(y)) for _ in splittings] for name in fm.VIEWS}
        for k, splits in enumerate(splittings):
            for train, test in splits:
                for name in fm.VIEWS:
                    m = fm.fit_view(name, fm._take(v.get(name), train), y[train], 1.0)
                    oof[name][k][test] = fm._sigmoid(m.decision(fm._take(v.get(name), test)))
    print(
        f"VFND training split: {len(rows)} rows, {len(set(groups))} sources; ROC-AUC of out-of-fold scores "
        f"(typography {'kept' if args.typography_kept else 'plain'}); GroupKFold | mean of 3 splittings"
    )
    table = {f"view {n}": (n,) for n in fm.VIEWS} | {f"candidate {n}": vs for n, vs in fm.CANDIDATES.items()}
    for label, views in table.items():
        aucs = [roc_auc_score(y, np.mean([oof[n][k] for n in views], axis=0)) for k in range(len(splittings))]
        print(f"  {label:<34} {aucs[0]:.3f} | {np.mean(aucs):.3f}")


if __name__ == "__main__":
    main()
