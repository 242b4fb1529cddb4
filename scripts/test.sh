#!/usr/bin/env bash
# The project's single test command:
#
#   bash scripts/test.sh [--python X.Y] [--no-lint] [pytest args...]
#
# Self-sufficient for developers: creates the venv if missing, picks up the test services'
# env ($RAWDOCK_CI_DIR/env, written by `.ci/test-services.sh start`) if present, then runs
# ruff, mypy --strict and pytest.
#   --python X.Y  run on Python X.Y, in .venv-X.Y: pyenv's interpreter, else pythonX.Y on the
#                 PATH, else Debian's /usr/bin/python3 (said so). Without it: python3 in .venv.
#   --no-lint     pytest only (.ci/run lints once, on its first version).
set -euo pipefail
cd "$(dirname "$0")/.."

# The interpreter for Python X.Y: pyenv's, else pythonX.Y on the PATH, whichever runs and is
# X.Y (a pyenv shim for a version not selected does not run); else Debian's, said so.
find_python() { # X.Y
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}" candidate
  local is_version="import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$1'.split('.'))))"
  for candidate in $(find "$pyenv_root/versions" -maxdepth 1 -name "$1.*" 2>/dev/null | sort -rV) \
      "$(command -v "python$1" || true)"; do
    [ -d "$candidate" ] && candidate="$candidate/bin/python3"
    if [ -n "$candidate" ] && "$candidate" -c "$is_version" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "[test.sh] Python $1 not found (neither in $pyenv_root/versions nor as python$1):" \
    "running on Debian's $(/usr/bin/python3 --version 2>&1) instead" >&2
  echo /usr/bin/python3
}

python=python3
venv=.venv
lint=1
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python="$(find_python "$2")"; venv=".venv-$2"; shift 2 ;;
    --no-lint) lint=0; shift ;;
    *) break ;;
  esac
done

version_of() { "$1" -c 'import sys; print(sys.version)' 2>/dev/null || true; }
if [ ! -x "$venv/bin/python" ] || [ -n "${RAWDOCK_REFRESH_VENV:-}" ] \
   || [ "$(version_of "$venv/bin/python")" != "$(version_of "$python")" ] \
   || ! "$venv/bin/python" -c 'import pytest, hypothesis, mypy, rawdock, nbclient, ipykernel' >/dev/null 2>&1 \
   || [ ! -x "$venv/bin/ruff" ]; then
  "$python" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip 'setuptools>=77'
  # Without build isolation pip does not ask setuptools for the build requirements, the step
  # that writes rawdock.egg-info into the source tree: the metadata goes to a temporary
  # directory, and the source tree keeps no build/ or *.egg-info.
  "$venv/bin/python" -m pip install -q --no-build-isolation -e '.[test,docs]'
fi
echo "[test.sh] $("$venv/bin/python" --version) in $venv" >&2

ENV_FILE="${RAWDOCK_CI_DIR:-/tmp/rawdock-ci}/env"
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  . "$ENV_FILE"
fi

# Run all three even if one fails, so CI shows every problem. Exit code:
# pytest's if it failed, otherwise the first lint/type failure's.
rc=0
if [ "$lint" = 1 ]; then
  "$venv/bin/ruff" check rawdock tests || rc=$?
  lint_rc=$rc
  "$venv/bin/mypy" --strict rawdock || { rc=$?; [ "$lint_rc" -eq 0 ] || rc=$lint_rc; }
fi
test_rc=0
"$venv/bin/python" -m pytest -q "$@" || test_rc=$?
[ "$test_rc" -ne 0 ] && exit "$test_rc"
exit "$rc"
