#!/usr/bin/env bash
# Runs the platform's identity provider, Keycloak, from Maven Central's distribution with the machine's JDK.
#
#   infra/keycloak.sh fetch    fetch the distribution once into a cache outside git, unpack it and
#                              run its optimized build (about 2–3 minutes, once per machine)
#   infra/keycloak.sh up       install the project's themes (infra/keycloak/themes), start it
#                              (imports infra/keycloak/realm-rights.json on first start);
#                              waits until /health/ready answers, then applies the realm file to
#                              the existing realm too (infra/keycloak_realm.py: adds what is new)
#   infra/keycloak.sh down     stop by the recorded pid
#   infra/keycloak.sh status
#   infra/keycloak.sh url      the issuer URL of the `rights` realm
#
# Its database is `keycloak` in the platform's PostgreSQL (infra/postgres.sh creates it). Keycloak
# imports the realm file only when the realm does not exist yet; `up` then adds to an existing
# realm what the file has and it lacks (roles, clients, users, mappers, user-profile attributes),
# and changes nothing it already has: to apply a changed setting, delete the realm (admin console,
# or drop and recreate the `keycloak` database) and start again. `${VAR:default}` placeholders in
# the file come from the environment (RIGHTS_GATEWAY_CLIENT_SECRET: the gateway's client secret).
set -euo pipefail

NAME=keycloak
# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"
KEYCLOAK_VERSION="26.4.2"
KC_HOME="${KEYCLOAK_HOME:-$CACHE_DIR/keycloak-$KEYCLOAK_VERSION}"
PORT="${KEYCLOAK_PORT:-8080}"
MANAGEMENT_PORT="${KEYCLOAK_MANAGEMENT_PORT:-9000}"
HEAP="${KEYCLOAK_HEAP:-384m}"
READY_TIMEOUT="${KEYCLOAK_READY_TIMEOUT:-600}"
DB_URL="${KEYCLOAK_DB_URL:-jdbc:postgresql://127.0.0.1:5432/keycloak}"
DB_USER="${KEYCLOAK_DB_USER:-keycloak}"
DB_PASSWORD="${KEYCLOAK_DB_PASSWORD:-keycloak}"
ADMIN_USER="${KEYCLOAK_ADMIN_USER:-admin}"
# A local default only; anything reachable from outside sets its own.
ADMIN_PASSWORD="${KEYCLOAK_ADMIN_PASSWORD:-admin}"
REALM_FILE="$ROOT/infra/keycloak/realm-rights.json"
PY="${PY:-$ROOT/.venv/bin/python}"
RUN_DIR="$STATE_DIR/keycloak"
PID_FILE="$RUN_DIR/keycloak.pid"
LOG_FILE="$RUN_DIR/server.log"
# Build-time options: changing them means another `kc.sh build` (the marker records them).
BUILD_OPTIONS="--db=postgres --health-enabled=true --features=organization,passkeys"

fetch() {
  local marker="$KC_HOME/.rights-build"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$BUILD_OPTIONS" ]; then return 0; fi
  need_java "Keycloak $KEYCLOAK_VERSION"
  if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
    need_maven Keycloak
    command -v unzip >/dev/null 2>&1 || die "unzip is missing: install it (Debian: apt-get install unzip)"
    say "fetching Keycloak $KEYCLOAK_VERSION into $KC_HOME (once)"
    local tmp="$KC_HOME.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    mvn_copy "$ROOT/infra/keycloak" "$tmp" "the distribution" \
      -DexcludeTransitive=true -DoutputDirectory="$tmp/zip"
    unzip -q "$tmp/zip/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$tmp" \
      || { rm -rf "$tmp"; die "could not unpack the distribution"; }
    rm -rf "$KC_HOME"; mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KC_HOME"; rm -rf "$tmp"
  fi
  # The optimized build makes every later start skip Quarkus' augmentation (minutes on 2 cores).
  say "building Keycloak for PostgreSQL with health checks (once; a few minutes)"
  "$KC_HOME/bin/kc.sh" build $BUILD_OPTIONS >"$KC_HOME/build.log" 2>&1 \
    || { tail -n 30 "$KC_HOME/build.log" >&2; die "kc.sh build failed"; }
  echo "$BUILD_OPTIONS" > "$marker"
}

# The project's themes (infra/keycloak/themes: the login pages' messages in the web app's
# languages) into the home's themes folder, where Keycloak finds folder themes; a theme new to
# a running server is found at its first use, and changed messages after a restart (Keycloak
# caches themes).
install_themes() {
  local theme
  mkdir -p "$KC_HOME/themes"
  for theme in "$ROOT"/infra/keycloak/themes/*/; do
    [ -d "$theme" ] || continue  # no themes: nothing to install
    theme="$(basename "$theme")"
    rm -rf "$KC_HOME/themes/$theme.tmp.$$"
    cp -R "$ROOT/infra/keycloak/themes/$theme" "$KC_HOME/themes/$theme.tmp.$$"
    rm -rf "$KC_HOME/themes/$theme"
    mv "$KC_HOME/themes/$theme.tmp.$$" "$KC_HOME/themes/$theme"
  done
}

# Is PID a Keycloak started from this home (not a reused pid)? The pid is kc.sh's: it stays
# as the java server's parent and forwards SIGTERM to it.
is_ours() {
  local pid=$1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$KC_HOME/bin/kc.sh start "
}

running_pid() { recorded_pid "$PID_FILE" Keycloak; }

issuer() { echo "http://127.0.0.1:$PORT/realms/rights"; }

ready() {
  local body
  body="$( (exec 3<>"/dev/tcp/127.0.0.1/$MANAGEMENT_PORT" && \
    printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && cat <&3) 2>/dev/null || true)"
  [[ "$body" == *"HTTP/1."?" 200"* ]]
}

start() {
  local pid port
  if pid="$(running_pid)"; then say "already running (pid $pid) on $(issuer)"; return 0; fi
  for port in "$PORT" "$MANAGEMENT_PORT"; do
    if port_taken "$port"; then
      die "port $port is already taken by another process (see: ss -ltnp 'sport = :$port'); free it or set KEYCLOAK_PORT / KEYCLOAK_MANAGEMENT_PORT"
    fi
  done
  mkdir -p "$RUN_DIR" "$KC_HOME/data/import"
  # --import-realm reads only the home's data/import; the realm is skipped when it exists.
  cp "$REALM_FILE" "$KC_HOME/data/import/realm-rights.json"
  # --cache=local: one node, so no JGroups cluster that listens on every interface.
  # db-pool-min-size: test suites can fill the shared PostgreSQL's connection slots; the
  # connections Keycloak keeps open keep it answering then.
  # setsid: the server must outlive the make process and not get the terminal's Ctrl-C.
  # The password travels in the environment, not on the command line (visible in ps).
  KC_DB_PASSWORD="$DB_PASSWORD" \
  KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  JAVA_OPTS_KC_HEAP="-Xms64m -Xmx$HEAP -XX:MaxMetaspaceSize=256m" \
  setsid "$KC_HOME/bin/kc.sh" start --optimized --import-realm \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$PORT" \
    --http-management-port="$MANAGEMENT_PORT" --hostname-strict=false \
    --cache=local \
    --db-url="$DB_URL" --db-username="$DB_USER" \
    --db-pool-initial-size=4 --db-pool-min-size=4 --db-pool-max-size=10 \
    --log-console-output=default >"$LOG_FILE" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  say "started (pid $!, log $LOG_FILE)"
}

wait_ready() {
  local started=$SECONDS pid
  while ! ready; do
    if ! pid="$(running_pid 2>/dev/null)"; then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "Keycloak exited during start (log $LOG_FILE)"
    fi
    if [ $((SECONDS - started)) -ge "$READY_TIMEOUT" ]; then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "Keycloak was not ready within ${READY_TIMEOUT}s (log $LOG_FILE)"
    fi
    sleep 0.5
  done
  say "ready on $(issuer) after $((SECONDS - started))s"
}

# The realm file reaches a realm imported earlier: what is new in it is added.
apply_realm() {
  if [ ! -x "$PY" ]; then
    say "no $PY (run make venv): the realm file was not applied to the existing realm"; return 0
  fi
  KEYCLOAK_ADMIN_USER="$ADMIN_USER" KEYCLOAK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    "$PY" "$ROOT/infra/keycloak_realm.py" "$REALM_FILE" --url "http://127.0.0.1:$PORT" \
    || die "could not apply $REALM_FILE to the running realm"
}

stop() {
  local pid i
  if ! pid="$(running_pid)"; then say "not running"; return 0; fi
  kill -TERM "$pid"
  for i in $(seq 1 600); do
    is_ours "$pid" || { rm -f "$PID_FILE"; say "stopped"; return 0; }
    sleep 0.1
  done
  say "ignored SIGTERM for 60s; sending SIGKILL to pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case "${1:-status}" in
  fetch) fetch ;;
  up) fetch; need_java "Keycloak $KEYCLOAK_VERSION"; install_themes; start; wait_ready; apply_realm ;;
  down) stop ;;
  status)
    if pid="$(running_pid)"; then say "running (pid $pid) on $(issuer)"; else say "not running"; fi ;;
  url) issuer ;;
  *) die "unknown command '$1' (fetch | up | down | status | url)" ;;
esac
