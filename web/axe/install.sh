#!/usr/bin/env bash
# Installs axe-core from npm, at the exact version of web/axe/package.json, into a cache
# outside git (WEB_AXE_DIR), for the browser tests to inject into the web app's pages. Nothing
# downloaded is committed. Idempotent and quick when that cache already matches package.json.
# No lock file: npm would record the registry's address in it; the one package is pinned.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${WEB_AXE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rights-platform/axe}"

installed() {
  cmp -s "$HERE/package.json" "$DIR/package.json" && [ -f "$DIR/.complete" ]
}
installed && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to install axe-core (apt-get install npm)" >&2
  exit 1
fi
echo "==> installing axe-core from npm into $DIR (once)"
mkdir -p "$(dirname "$DIR")"
tmp="$(mktemp -d "$DIR.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$HERE/package.json" "$tmp/package.json"
# --ignore-scripts: nothing from the registry runs here.
(cd "$tmp" && npm install --no-package-lock --ignore-scripts --no-audit --no-fund \
  --loglevel=error >/dev/null)
touch "$tmp/.complete"
# Another run (a parallel test session) may have got there first: keep its result.
if ! installed; then
  rm -rf "$DIR"
  mv -T "$tmp" "$DIR" 2>/dev/null || true
fi
installed || { echo "error: axe-core could not be installed into $DIR" >&2; exit 1; }
