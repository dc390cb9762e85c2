#!/usr/bin/env bash
# A runtime install: the platform's packages (requirements/runtime-packages.txt, not
# editable) and what they need (requirements/runtime.in), at the pins of constraints.txt;
# no test, lint or benchmark package (tests/unit/test_runtime_install.py). For images and
# servers: VENV=/opt/rights scripts/install_runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv-runtime}"
PYTHON="${PYTHON:-python3}"
# Absolute: uv must be told this environment, never find the checkout's .venv on its own.
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/uv" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "uv==0.13.9"
fi
mapfile -t PACKAGES < <(grep -v '^#' requirements/runtime-packages.txt | sed '/^$/d; s|^|./|')
VIRTUAL_ENV="$VENV" "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" \
  -c requirements/constraints.txt -r requirements/runtime.in "${PACKAGES[@]}"
echo "runtime installed in $VENV (the operator CLI: $VENV/bin/rights)"
