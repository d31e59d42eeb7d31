"""`canhbao` command line. Each sub-command lives in its own module under `canhbao.commands`
and exposes `register(subparsers)`; adding a command means adding a module."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from canhbao import __version__
from canhbao.core.errors import CanhbaoError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canhbao", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--home", help="data home (default: $CANHBAO_HOME or ~/.local/share/canhbao)")
    parser.add_argument("--config", help="configuration directory (default: the repository's config/)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("--version", action="version", version=f"canhbao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    import canhbao.commands as commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"canhbao.commands.{info.name}").register(sub)
    return parser


# Options whose values may start with "-" (`--sort -score`); argparse would take "-score" for an option.
DASH_VALUES = ("--sort",)


def join_dash_values(argv: list[str]) -> list[str]:
    """`--sort -score` -> `--sort=-score`, so the documented spelling works."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in DASH_VALUES and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1] != "--":
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(join_dash_values(list(sys.argv[1:] if argv is None else argv)))
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.config:
        os.environ["CANHBAO_CONFIG_DIR"] = os.path.abspath(args.config)
    try:
        return int(args.func(args) or 0)
    except CanhbaoError as exc:
        print(f"canhbao: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("canhbao: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `canhbao alerts list | head`: the reader left. Point stdout at /dev/null so the interpreter's
        # final flush does not raise again, and exit as a process killed by SIGPIPE would (128 + 13).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
