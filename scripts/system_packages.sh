#!/usr/bin/env bash
# Installs the Debian packages the project uses beyond Python, Java and PostgreSQL:
#   libicu-dev, pkg-config, g++, python3-dev
#             PyICU (the register's search: word breaks, transliteration) is built from
#             source against the system ICU when the virtualenv is made
#   faketime  the test suite runs the e2e tests once with the clock moved forward
#   chromium  the browser tests drive the system Chromium (Playwright, executable_path)
#   fonts-noto-core  the region's scripts (Thai, Lao, Khmer, Myanmar...) in that browser, for
#             the web app's screenshots (docs/screenshots), and the fonts the statement PDF
#             embeds (Noto Sans, Noto Sans Thai: WEB_PDF_FONT_DIR)
#   kcat      the outside Kafka client the README's examples use (optional)
# `system_packages.sh build` installs only what building the virtualenv needs (bootstrap.sh
# runs it). Idempotent: installs only what is missing, and only where apt-get may (root on
# Debian); never asks anything (DEBIAN_FRONTEND=noninteractive).
set -euo pipefail
PYTHON="${PYTHON:-python3}"

python_headers() {
  "$PYTHON" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    2>/dev/null
}

build_missing() {
  command -v pkg-config >/dev/null 2>&1 || echo pkg-config
  command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-i18n icu-uc || echo libicu-dev
  command -v g++ >/dev/null 2>&1 || echo g++
  python_headers || echo python3-dev
}

tools_missing() {
  command -v faketime >/dev/null 2>&1 || echo faketime
  command -v chromium >/dev/null 2>&1 || echo chromium
  command -v kcat >/dev/null 2>&1 || echo kcat
  [ -f /usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf ] || echo fonts-noto-core
}

install() {
  [ $# -eq 0 ] && return 0
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "==> installing Debian packages: $*"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 || true
  fi
}

mapfile -t build < <(build_missing)
if [ "${1:-}" = build ]; then
  install "${build[@]}"
  mapfile -t still < <(build_missing)
  if [ ${#still[@]} -gt 0 ]; then
    echo "error: building PyICU needs: apt-get install ${still[*]} (as root)" >&2
    exit 1
  fi
  exit 0
fi

mapfile -t tools < <(tools_missing)
install "${build[@]}" "${tools[@]}"

failed=0
mapfile -t still < <(build_missing)
if [ ${#still[@]} -gt 0 ]; then
  echo "error: building PyICU needs: apt-get install ${still[*]} (as root)" >&2
  failed=1
fi
for pkg in faketime chromium; do
  if ! command -v "$pkg" >/dev/null 2>&1; then
    echo "error: '$pkg' is needed by the tests: apt-get install $pkg (as root)" >&2
    failed=1
  fi
done
command -v kcat >/dev/null 2>&1 || echo "note: kcat not installed (optional: apt-get install kcat)"
[ -f /usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf ] \
  || echo "note: no Noto fonts: statement PDFs cannot be made, the browser shows boxes for Thai (apt-get install fonts-noto-core)"
exit $failed
