#!/usr/bin/env bash
# The project's single test command:  bash scripts/test.sh [pytest args...]
# Self-sufficient for developers: creates .venv if missing, picks up the CI
# engine env ($RAWDOCK_CI_DIR/env, written by `.ci/engine.sh start`) if present,
# then runs ruff, mypy --strict and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
if [ ! -x "$VENV/bin/python" ] || [ -n "${RAWDOCK_REFRESH_VENV:-}" ] \
   || ! "$VENV/bin/python" -c 'import pytest, hypothesis, mypy, nbclient, ipykernel' >/dev/null 2>&1 \
   || [ ! -x "$VENV/bin/ruff" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e '.[test,docs]'
fi

ENV_FILE="${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}/env"
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  . "$ENV_FILE"
fi

# Run all three even if one fails, so CI shows every problem. Exit code:
# pytest's if it failed, otherwise the first lint/type failure's.
rc=0
"$VENV/bin/ruff" check rawdock tests || rc=$?
lint_rc=$rc
"$VENV/bin/mypy" --strict rawdock || { rc=$?; [ "$lint_rc" -eq 0 ] || rc=$lint_rc; }
test_rc=0
"$VENV/bin/python" -m pytest -q "$@" || test_rc=$?
[ "$test_rc" -ne 0 ] && exit "$test_rc"
exit "$rc"
