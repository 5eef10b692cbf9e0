#!/usr/bin/env bash
# What would the newest versions that pyproject.toml allows break? Build a fresh environment with
# them (not the lock), then run the tests of everything that relies on other libraries' internals
# (labkit/upstream.py), the server and the workbook app in Chromium. Nothing of the project's own
# .venv or lock is changed. Run it from anywhere: deploy/check-upgrades.sh [extra pytest options]
# If it passes, refresh the lock (./datalab.sh lock) and run ./datalab.sh test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
WORK=$(mktemp -d /tmp/datalab-upgrades.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "[datalab] Fresh environment with the newest allowed versions in $WORK"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check \
  --upgrade --upgrade-strategy eager -e "$ROOT[test]" 2>&1 \
  | grep -v -e "is ignored: it is neither a file nor a directory" -e "BuildBackendWarning" || true
"$WORK/venv/bin/python" -c "import labkit" || { echo "[datalab] The install failed"; exit 1; }

echo "[datalab] Versions that differ from the lock (requirements/test.txt):"
# Package names as pip compares them (lower case, "-" for "_" and "."), versions kept.
normalize() { awk -F'==' '{n = tolower($1); gsub(/[_.]/, "-", n); print n "==" $2}' | sort; }
"$WORK/venv/bin/python" -m pip freeze --exclude-editable 2>/dev/null | normalize >"$WORK/newest.txt"
grep -E '^[A-Za-z0-9_.-]+==' requirements/test.txt | sed 's/ .*//' | normalize >"$WORK/locked.txt"
comm -13 "$WORK/locked.txt" "$WORK/newest.txt" | sed 's/^/  /' || true

echo "[datalab] Tests of the upstream internals, the server and the app"
"$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/test_upstream.py tests/test_server.py tests/test_session.py tests/test_app_pool.py \
  tests/test_workbook_app.py tests/browser/test_workbook.py "$@"
