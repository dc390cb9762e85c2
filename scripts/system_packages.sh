#!/usr/bin/env bash
# Installs the Debian packages the project uses beyond Python, Java and PostgreSQL:
#   faketime  the test suite runs the e2e tests once with the clock moved forward
#   chromium  the browser tests drive the system Chromium (Playwright, executable_path)
#   kcat      the outside Kafka client the README's examples use (optional)
# Idempotent: installs only what is missing, and only where apt-get may (root on Debian).
set -euo pipefail
required=(faketime chromium)
optional=(kcat)
declare -A binary=([faketime]=faketime [chromium]=chromium [kcat]=kcat)

missing=()
for pkg in "${required[@]}" "${optional[@]}"; do
  command -v "${binary[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || true
fi

failed=0
for pkg in "${required[@]}"; do
  if ! command -v "${binary[$pkg]}" >/dev/null 2>&1; then
    echo "error: '$pkg' is needed by the tests: apt-get install $pkg (as root)" >&2
    failed=1
  fi
done
command -v kcat >/dev/null 2>&1 || echo "note: kcat not installed (optional: apt-get install kcat)"
exit $failed
