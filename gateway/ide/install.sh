#!/usr/bin/env bash
# Installs the files of the gateway's GraphiQL page from npm, at the exact versions of
# gateway/ide/package.json, into a cache outside git (GATEWAY_GRAPHIQL_ASSETS_DIR), so the page
# loads nothing from a CDN. Idempotent and quick when that cache already matches package.json.
# No lock file: npm would record the registry's address in it; the versions the page loads are
# exact pins, and the browser checks each file against strawberry's integrity hashes anyway.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${GATEWAY_GRAPHIQL_ASSETS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rights-platform/graphiql}"

installed() { cmp -s "$HERE/package.json" "$DIR/package.json" && [ -f "$DIR/.complete" ]; }
installed && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to install GraphiQL's files (apt-get install npm)" >&2
  exit 1
fi
echo "==> installing GraphiQL's files from npm into $DIR (once)"
mkdir -p "$(dirname "$DIR")"
tmp="$(mktemp -d "$DIR.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$HERE/package.json" "$tmp/package.json"
# --ignore-scripts: nothing from the registry runs here; --legacy-peer-deps: the page needs
# only the packages named, not their peers' peers.
(cd "$tmp" && npm install --no-package-lock --ignore-scripts --legacy-peer-deps \
  --no-audit --no-fund --loglevel=error >/dev/null)
touch "$tmp/.complete"
# Replace an older install whole; if another run (a parallel test session) got there first,
# keep its result, which a running gateway may already be reading.
if ! installed; then
  rm -rf "$DIR"
  mv -T "$tmp" "$DIR" 2>/dev/null || true
fi
installed || { echo "error: GraphiQL's files could not be installed into $DIR" >&2; exit 1; }
