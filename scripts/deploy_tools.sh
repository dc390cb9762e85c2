#!/usr/bin/env bash
# Installs the validators of the deployment files (tests/unit/deploy/): kubeconform (manifests
# against the Kubernetes and the CRDs' JSON schemas) and kustomize (renders infra/k8s's
# overlays). Both are Go programs, built with `go install` at pinned versions from the Go
# module proxy into a cache outside git (RIGHTS_TOOLS_DIR). Idempotent: quick when the cache
# holds those versions. Needs Go (/usr/local/go/bin/go or `go` on PATH).
set -euo pipefail
DIR="${RIGHTS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rights-platform/tools}"
TOOLS=(
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform v0.7.0"
  "kustomize sigs.k8s.io/kustomize/kustomize/v5 v5.7.1"
)

go_command() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  fi
}

mkdir -p "$DIR"
for entry in "${TOOLS[@]}"; do
  read -r name module version <<<"$entry"
  if [ -x "$DIR/$name" ] && [ "$(cat "$DIR/.$name.version" 2>/dev/null)" = "$version" ]; then
    continue
  fi
  GO="$(go_command)"
  if [ -z "$GO" ]; then
    echo "error: Go is needed to install $name (the deployment files' validators)" >&2
    exit 1
  fi
  echo "==> installing $name $version into $DIR (once)"
  GOBIN="$DIR" GOFLAGS=-mod=mod "$GO" install "$module@$version"
  echo "$version" > "$DIR/.$name.version"
done
