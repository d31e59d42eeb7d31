#!/usr/bin/env bash
# Run the whole test suite with the project's virtual environment. Services the tests need (the
# OpenSearch test node) are started by the test fixtures themselves from cached Maven artifacts.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
export OMP_THREAD_LIMIT=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# Two pytest workers (pytest-xdist), one test file at a time each: much of the suite waits on servers
# (Airflow, Celery, OpenSearch, Chromium), so two files in flight on two cores cut the wall time by about a
# third (21 -> 15 min measured here). Module fixtures stay on one worker; session servers start once per
# worker. CANHBAO_TEST_WORKERS=0 runs serially (one process, e.g. to debug).
WORKERS="${CANHBAO_TEST_WORKERS:-2}"
if [ "$WORKERS" = "0" ]; then
  "$VENV/bin/python" -m pytest "$@"
else
  "$VENV/bin/python" -m pytest -n "$WORKERS" --dist loadfile "$@"
fi
rc=$?
# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
if [ "$rc" -eq 5 ]; then echo "test: no tests were collected" >&2; exit 1; fi
exit "$rc"
