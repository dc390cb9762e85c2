#!/usr/bin/env bash
# `make run`: starts the infrastructure that is not running yet (PostgreSQL, Kafka, Keycloak), runs the platform under
# devstack's supervisor (demo data, URLs, tokens), and when it ends (Ctrl-C) stops exactly the
# infrastructure this run started. What was already running (say, after `make infra-up`, or a
# PostgreSQL the machine runs for other work) is left running.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

running() {  # infra component name -> 0 when it is up now
  case "$1" in
    postgres) infra/postgres.sh status | grep -q online ;;
    kafka) infra/kafka.sh status | grep -q "running (pid" ;;
    keycloak) infra/keycloak.sh status | grep -q "running (pid" ;;
  esac
}

components=(postgres kafka keycloak)
was_running=()
for c in "${components[@]}"; do
  if running "$c"; then was_running+=("$c"); fi
done

stop_started() {
  for c in "${components[@]}"; do
    [[ " ${was_running[*]} " == *" $c "* ]] && continue
    infra/"$c".sh down || true
  done
}
trap stop_started EXIT
# Ctrl-C reaches the whole process group; devstack stops the platform, then this script stops the
# infrastructure it started. A handler (not an ignore) so the children keep the default action.
trap ':' INT TERM

make --no-print-directory infra-up || exit 1
# Without npm the platform still runs; the GraphiQL page then says how to install its files.
gateway/ide/install.sh || echo "note: GraphiQL's files are not installed; the API works"
"$PY" -m devstack
