#!/usr/bin/env bash
# Run the whole test suite with the project's virtual environment. Services the tests need (the
# OpenSearch test node) are started by the test fixtures themselves from cached Maven artifacts.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
export OMP_THREAD_LIMIT=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$VENV/bin/python" -m pytest "$@"
rc=$?
# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
if [ "$rc" -eq 5 ]; then echo "test: no tests were collected" >&2; exit 1; fi
exit "$rc"
