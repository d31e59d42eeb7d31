#!/usr/bin/env bash
# `make lint`: format check, lint and type check (configuration in pyproject.toml).
# mypy cannot follow setuptools' editable finder, which installs the top-level crawlers/, detectors/ and
# index/ folders as canhbao.crawlers, ...; it reads them through a tree of links that mirrors the package.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
"$VENV/bin/ruff" format --check .
"$VENV/bin/ruff" check .
tree="build/typecheck"
rm -rf "$tree"; mkdir -p "$tree/canhbao"
for entry in canhbao/*; do ln -s "$PWD/$entry" "$tree/canhbao/$(basename "$entry")"; done
for pkg in crawlers detectors index; do ln -s "$PWD/$pkg" "$tree/canhbao/$pkg"; done
"$VENV/bin/mypy" --config-file pyproject.toml "$tree/canhbao" dags
