#!/usr/bin/env bash
# Creates the virtualenv and installs the pinned dependencies plus the workspace packages
# (editable). Idempotent: re-run whenever constraints or a pyproject changes.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Python 3.11+ is needed (tried '$PYTHON'); install python3.11 or set PYTHON=" >&2
  exit 1
fi
# PyICU builds against the system ICU: its Debian packages first (root on Debian installs them).
PYTHON="$PYTHON" scripts/system_packages.sh build

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/uv" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "uv==0.13.9"
fi
echo "==> installing pinned dependencies and workspace packages"
VIRTUAL_ENV="$PWD/$VENV" "$VENV/bin/uv" pip install --quiet \
  -c requirements/constraints.txt -r requirements/requirements.in \
  -e contracts -e runtime -e services/filing -e services/licensing \
  -e services/notifications -e gateway -e web -e devstack -e ops
touch "$VENV/.installed"
