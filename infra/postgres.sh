#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 cluster if it is down and creates, idempotently, one role
# and one database per service (filing, licensing, notifications), one for the identity provider
# (keycloak), plus `rights_test`, the role the test suite uses to create throw-away databases.
#
#   infra/postgres.sh up | down | status
#
# Passwords are local defaults (TCP on 127.0.0.1 asks for one under Debian's pg_hba.conf);
# production sets the *_DATABASE_URL variables instead. `down` stops the cluster only if this
# script started it, so a cluster the machine runs for other work is left alone.
set -euo pipefail

NAME=postgres
# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"
PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
# Debian's default of 100 connections is too few for the whole platform under test: three
# services and a gateway per e2e platform, the suites' own pools, and Keycloak. Applied when
# this script starts the cluster; a cluster that is already running keeps its own setting.
PG_MAX_CONNECTIONS="${PG_MAX_CONNECTIONS:-400}"
MARKER="$STATE_DIR/postgres.started-by-us"

command -v pg_ctlcluster >/dev/null 2>&1 || die "PostgreSQL is missing: install it (Debian: apt-get install postgresql)"

cluster_online() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; }

psql_admin() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }

ensure_role_db() {
  local role=$1 password=$2 db=$3 extra=${4:-}
  psql_admin -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
      CREATE ROLE $role LOGIN PASSWORD '$password' $extra;
    END IF; END\$\$;"
  if [ -n "$db" ] && [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql_admin -c "CREATE DATABASE $db OWNER $role"
    say "created database $db"
  fi
}

case "${1:-status}" in
  up)
    pg_lsclusters -h | grep -q "^$PG_VERSION *$PG_CLUSTER " || die "no PostgreSQL $PG_VERSION cluster '$PG_CLUSTER' (pg_lsclusters); create one with pg_createcluster $PG_VERSION $PG_CLUSTER"
    if ! cluster_online; then
      mkdir -p "$STATE_DIR"
      pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start -- \
        -o "-c max_connections=$PG_MAX_CONNECTIONS"
      touch "$MARKER"
      say "started cluster $PG_VERSION/$PG_CLUSTER"
    fi
    for i in $(seq 1 100); do
      runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p 5432 && break
      [ "$i" = 100 ] && die "the cluster does not accept connections on 127.0.0.1:5432"
      sleep 0.1
    done
    for svc in filing licensing notifications; do ensure_role_db "$svc" "$svc" "$svc"; done
    # Keycloak (infra/keycloak.sh) keeps its realms and users here; KEYCLOAK_DB_PASSWORD must match.
    ensure_role_db keycloak "${KEYCLOAK_DB_PASSWORD:-keycloak}" keycloak
    # pg_trgm lets the register's text search use trigram indexes; created once by the superuser.
    for svc in filing; do PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -q -d "$svc" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null; done
    ensure_role_db rights_test rights_test "" "CREATEDB"
    # The suite drops its scratch databases WITH (FORCE) at the end; a service process under
    # test may still hold a connection there as its own role, which only this lets it end.
    psql_admin -c "GRANT pg_signal_backend TO rights_test" >/dev/null
    psql_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
    say "ready on 127.0.0.1:5432 (databases filing, licensing, notifications, keycloak)"
    ;;
  down)
    if [ -f "$MARKER" ] && cluster_online; then
      pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop
      rm -f "$MARKER"
      say "stopped cluster $PG_VERSION/$PG_CLUSTER"
    else
      say "leaving the cluster as it is (not started by this project, or already down)"
    fi
    ;;
  status) if cluster_online; then say "cluster $PG_VERSION/$PG_CLUSTER online"; else say "cluster down"; fi ;;
  *) die "unknown command '$1' (up | down | status)" ;;
esac
