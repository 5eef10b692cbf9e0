#!/usr/bin/env bash
# Datalab: set everything up, then start the workbook or run the whole test suite.
#   ./datalab.sh start [datalab start options]   set up and start the workbook
#   ./datalab.sh test  [pytest options]          set up and run every test (lint, unit, notebooks, browser)
#   ./datalab.sh guide [serve [mkdocs serve options]]  build the facilitator guide (or serve it)
#   ./datalab.sh lock                            refresh the exact versions (requirements/*.txt)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

log() { printf '\033[1m[datalab]\033[0m %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "Installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

setup_python() {
  # $1: "run" or "test", the lock file of exact versions to install (requirements/$1.txt).
  local extra=$1 stamp="$VENV/.datalab-stamp-$1" lock="requirements/$1.txt"
  if [ ! -x "$VENV/bin/python" ]; then
    log "Creating the virtual environment in .venv"
    "$PY" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; "$PY" -m venv "$VENV"; }
  fi
  local want
  want=$(cat pyproject.toml "$lock" | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "Installing $(grep -c '^[a-zA-Z0-9]' "$lock") Python packages at their locked versions (first run: a few minutes)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null
    # The build backend's notices (editable install…) are for packagers, not for facilitators.
    { "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$lock" \
      && PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
        --no-deps -e . ; } 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
    "$VENV/bin/python" -c "import labkit" || { log "The Python install failed"; exit 1; }
    echo "$want" > "$stamp"
  fi
}

setup_guide() {
  # The guide needs labkit (its hooks read content/) and mkdocs with its theme, installed at the
  # exact versions of requirements/test.txt (used as constraints: nothing else of the test tools).
  local test_stamp="$VENV/.datalab-stamp-test" stamp="$VENV/.datalab-stamp-guide" want
  want=$(cat pyproject.toml requirements/test.txt | sha256sum | cut -c1-16)
  if [ -f "$test_stamp" ] && [ "$(cat "$test_stamp")" = "$want" ]; then return; fi
  setup_python run
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "Installing the guide's tools (mkdocs) at their locked versions"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
      -c requirements/test.txt mkdocs mkdocs-material
    echo "$want" > "$stamp"
  fi
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
  if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    log "Installing axe-core (accessibility checks) from npm"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

cmd=${1:-start}
[ $# -gt 0 ] && shift
case "$cmd" in
  start)
    setup_python run
    exec "$VENV/bin/datalab" start "$@"
    ;;
  test)
    setup_python test
    setup_browser
    log "Lint (ruff)"
    "$VENV/bin/ruff" check labkit tests benchmarks facilitator-guide
    "$VENV/bin/ruff" format --check labkit tests benchmarks facilitator-guide
    log "Tests (pytest)"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  guide)
    setup_guide
    export NO_MKDOCS_2_WARNING=1
    if [ "${1:-}" = "serve" ]; then
      shift
      addr=127.0.0.1:8000 prev=""
      for arg in "$@"; do
        case "$prev" in -a|--dev-addr) addr=$arg ;; esac
        prev=$arg
      done
      echo "Guide d’animation sur http://$addr/ (Ctrl+C pour arrêter)"
      exec "$VENV/bin/python" -m mkdocs serve -q -f facilitator-guide/mkdocs.yml "$@"
    fi
    # Built aside, then put in place: a build that fails keeps the last good guide.
    staging=$(mktemp -d)
    if output=$("$VENV/bin/python" -m mkdocs build --strict -q \
        -f facilitator-guide/mkdocs.yml -d "$staging/site" 2>&1); then
      rm -rf facilitator-guide/site
      mv "$staging/site" facilitator-guide/site
      rm -rf "$staging"
      echo "Guide d’animation prêt : ouvrez $ROOT/facilitator-guide/site/index.html dans un navigateur"
      echo "(ou « ./datalab.sh guide serve » pour le consulter sur http://127.0.0.1:8000/)"
    else
      rm -rf "$staging"
      echo "Le guide d’animation n’a pas été reconstruit :" >&2
      # the French reasons given by facilitator-guide/hooks.py (file and line), else mkdocs' own
      reasons=$(printf '%s\n' "$output" | grep -o "Guide d’animation : .*" | sed 's/^Guide d’animation : //' | sort -u)
      if [ -n "$reasons" ]; then
        printf '  %s\n' "$reasons" >&2
      else
        printf '%s\n' "$output" | grep -v '^\s*$' | tail -n 5 | sed 's/^/  /' >&2
      fi
      if [ -f facilitator-guide/site/index.html ]; then
        echo "Le guide précédent est conservé : $ROOT/facilitator-guide/site/index.html" >&2
      fi
      exit 1
    fi
    ;;
  lock)
    # Exact versions for every environment (laptop, CI, Binder, JupyterHub), from pyproject.toml's
    # ranges: the newest versions those ranges allow today.
    setup_python run
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check uv
    for name in run test; do
      extra=""
      [ "$name" = "test" ] && extra="--extra test"
      # shellcheck disable=SC2086
      "$VENV/bin/uv" pip compile -q pyproject.toml $extra --universal --python-version 3.11 \
        --custom-compile-command "./datalab.sh lock" -o "requirements/$name.txt"
    done
    log "requirements/run.txt and requirements/test.txt updated"
    ;;
  *)
    echo "usage: ./datalab.sh start|test|guide|lock [options]" >&2
    exit 2
    ;;
esac
