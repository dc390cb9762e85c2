#!/usr/bin/env bash
# Runs a real Apache Kafka broker (KRaft) from Maven Central's artifacts with the machine's JDK.
#
#   infra/kafka.sh fetch            fetch the broker's libraries once into a cache outside git
#   infra/kafka.sh up [--nodes 3]   format (once) and start; waits for a metadata answer
#   infra/kafka.sh down [--nodes 3] stop by the recorded pid
#   infra/kafka.sh status [--nodes 3]
#
# One node on 127.0.0.1:9092 by default (KAFKA_PORT / KAFKA_CONTROLLER_PORT move it, and
# RIGHTS_STATE_DIR its storage, e.g. for a private broker in a test); three on 127.0.0.1:21092/22092/23092 (replication
# factor 3, min ISR 2) for fault tests. See docs/design/KAFKA.md for why each setting is here.
#
# Clients log in with SASL/SCRAM-SHA-512 (SASL_SSL when KAFKA_SECURITY_PROTOCOL=SASL_SSL) and
# the StandardAuthorizer checks ACLs; `admin` (KAFKA_ADMIN_PASSWORD) is the only super user,
# bootstrapped at format time. `make infra-up` then creates the other users and their ACLs
# (infra/kafka_topics.py).
set -euo pipefail

NAME=kafka
# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"
KAFKA_VERSION="4.3.1"
LIB_DIR="${KAFKA_LIB_DIR:-$CACHE_DIR/kafka-$KAFKA_VERSION/lib}"
PY="${PY:-$ROOT/.venv/bin/python}"
HEAP="${KAFKA_HEAP:-512M}"
PROTOCOL="${KAFKA_SECURITY_PROTOCOL:-SASL_PLAINTEXT}"
# Written at format time: a storage without it predates SASL and has no admin credential.
SECURITY_MARK="sasl-scram-sha-512"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"

NODES=1
CMD="${1:-status}"; shift || true
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    *) die "unknown option '$1' (expected --nodes 1|3)" ;;
  esac
done
[ "$NODES" = 1 ] || [ "$NODES" = 3 ] || die "--nodes must be 1 or 3, not '$NODES'"

fetch() {
  if [ -f "$LIB_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]; then return 0; fi
  need_java "Kafka $KAFKA_VERSION"
  need_maven "Kafka's libraries"
  say "fetching Kafka $KAFKA_VERSION libraries into $LIB_DIR (once)"
  local tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  mvn_copy "$ROOT/infra/kafka" "$tmp" "the libraries" -DincludeScope=runtime -DoutputDirectory="$tmp"
  rm -rf "$LIB_DIR"; mv "$tmp" "$LIB_DIR"
}

# node_dir N, props N, client_port N, controller_port N
node_dir() { if [ "$NODES" = 1 ]; then echo "$STATE_DIR/kafka"; else echo "$STATE_DIR/kafka-cluster/node$1"; fi; }
client_port() { if [ "$NODES" = 1 ]; then echo "${KAFKA_PORT:-9092}"; else echo "2${1}092"; fi; }
controller_port() { if [ "$NODES" = 1 ]; then echo "${KAFKA_CONTROLLER_PORT:-9093}"; else echo "2${1}093"; fi; }

# The admin's password, from the same setting (and local default) the Python clients read.
# Read once per run: a Python start is seconds on a loaded machine, and cluster nodes that
# start far apart give up waiting for their quorum.
ADMIN_PASSWORD=""
admin_password() {
  if [ -z "$ADMIN_PASSWORD" ]; then
    ADMIN_PASSWORD="$("$PY" -c 'from runtime.settings import PlatformSettings as S; print(S().kafka_admin_password.get_secret_value())')" \
      || die "could not read KAFKA_ADMIN_PASSWORD through $PY"
  fi
  echo "$ADMIN_PASSWORD"
}

write_props() {
  local n=$1 dir cport kport rf isr pw
  dir="$(node_dir "$n")"; cport="$(client_port "$n")"; kport="$(controller_port "$n")"
  if [ "$NODES" = 1 ]; then rf=1; isr=1; else rf=3; isr=2; fi
  mkdir -p "$dir/data"
  pw="$(admin_password)"
  case "$PROTOCOL" in
    SASL_PLAINTEXT|SASL_SSL) ;;
    *) die "KAFKA_SECURITY_PROTOCOL must be SASL_PLAINTEXT or SASL_SSL for this broker, not '$PROTOCOL'" ;;
  esac
  # The file holds the admin's password: readable by its owner only.
  ( umask 077; : > "$dir/server.properties" )
  {
    echo "# written by infra/kafka.sh on every start; edit the script, not this file"
    echo "process.roles=broker,controller"
    echo "node.id=$n"
    if [ "$NODES" = 1 ]; then
      echo "controller.quorum.bootstrap.servers=127.0.0.1:$kport"
    else
      echo "controller.quorum.voters=1@127.0.0.1:21093,2@127.0.0.1:22093,3@127.0.0.1:23093"
    fi
    echo "listeners=CLIENT://127.0.0.1:$cport,CONTROLLER://127.0.0.1:$kport"
    echo "advertised.listeners=CLIENT://127.0.0.1:$cport,CONTROLLER://127.0.0.1:$kport"
    echo "inter.broker.listener.name=CLIENT"
    echo "controller.listener.names=CONTROLLER"
    # Clients: SCRAM users kept in the cluster metadata. Controllers: PLAIN with the admin
    # alone, so no connection on any port is anonymous (an anonymous controller listener
    # would need User:ANONYMOUS as super user).
    echo "listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:$PROTOCOL"
    echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
    echo "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512"
    echo "sasl.mechanism.controller.protocol=PLAIN"
    echo "listener.name.controller.sasl.enabled.mechanisms=PLAIN"
    echo "listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"$pw\" user_admin=\"$pw\";"
    echo "listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$pw\";"
    echo "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    echo "super.users=User:admin"
    echo "allow.everyone.if.no.acl.found=false"
    if [ "$PROTOCOL" = SASL_SSL ]; then
      tls_files
      echo "listener.name.client.ssl.keystore.type=PEM"
      echo "listener.name.client.ssl.keystore.location=$TLS_DIR/broker.pem"
      echo "listener.name.client.ssl.truststore.type=PEM"
      echo "listener.name.client.ssl.truststore.location=$TLS_DIR/ca.pem"
    fi
    echo "log.dirs=$dir/data"
    echo "num.partitions=3"
    echo "default.replication.factor=$rf"
    echo "min.insync.replicas=$isr"
    echo "offsets.topic.replication.factor=$rf"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$isr"
    echo "share.coordinator.state.topic.replication.factor=$rf"
    echo "share.coordinator.state.topic.min.isr=$isr"
    echo "offsets.topic.num.partitions=1"
    echo "transaction.state.log.num.partitions=1"
    # Tests create consumer groups all the time; the default 3 s delay would make each wait.
    echo "group.initial.rebalance.delay.ms=0"
    # Test runs use per-run topic prefixes; services still create their topics explicitly.
    echo "auto.create.topics.enable=true"
    echo "log.retention.hours=168"
  } >> "$dir/server.properties"
}

# SASL_SSL: a local CA and a broker certificate for 127.0.0.1, made once (devstack/kafka_tls.py);
# clients trust the CA through KAFKA_SSL_CAFILE.
TLS_DIR="$STATE_DIR/kafka-tls"
tls_files() {
  "$PY" -m devstack.kafka_tls --dir "$TLS_DIR" >&2 || die "could not make the TLS files in $TLS_DIR"
}

pid_file() { echo "$(node_dir "$1")/kafka.pid"; }

# Is PID a broker started from this node's properties file (not a reused pid)?
is_ours() {
  local pid=$1 n=$2
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "kafka.Kafka $(node_dir "$n")/server.properties"
}

running_pid() { recorded_pid "$(pid_file "$1")" broker "$1"; }

bootstrap() {
  local s="" n
  for n in $(seq 1 "$NODES"); do s="$s${s:+,}127.0.0.1:$(client_port "$n")"; done
  echo "$s"
}

# A storage formatted before SASL has no admin credential: refuse rather than wipe data.
check_formatted_with_sasl() {
  local dir
  dir="$(node_dir "$1")"
  [ -f "$dir/data/meta.properties" ] || return 0
  [ "$(cat "$dir/security" 2>/dev/null)" = "$SECURITY_MARK" ] && return 0
  die "$dir was formatted without SASL/SCRAM (before Kafka had authentication here), so it has no admin user.
  Its topics are throw-away local data: stop that broker if it runs ('infra/kafka.sh down$( [ "$NODES" = 1 ] || echo " --nodes 3")'), then
  remove its storage ('rm -rf $dir', or 'make clean-state' for all local state) and run this again."
}

format_node() {
  local n=$1 dir cluster_id_file cid quorum
  dir="$(node_dir "$n")"
  [ -f "$dir/data/meta.properties" ] && return 0
  if [ "$NODES" = 1 ]; then cluster_id_file="$dir/cluster.id"; else cluster_id_file="$(dirname "$dir")/cluster.id"; fi
  if [ ! -f "$cluster_id_file" ]; then
    java -cp "$LIB_DIR/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$cluster_id_file"
  fi
  cid="$(cat "$cluster_id_file")"
  say "formatting node $n storage (cluster $cid)"
  if [ "$NODES" = 1 ]; then
    quorum=(--standalone)
  else
    quorum=()
  fi
  # The admin's SCRAM credential goes into the bootstrap metadata: brokers log in to each
  # other with it before any user could be created through the API.
  java -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" -cp "$LIB_DIR/*" \
    kafka.tools.StorageTool format "${quorum[@]}" -t "$cid" -c "$dir/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$(admin_password)]" >"$dir/format.log" 2>&1 \
    || { cat "$dir/format.log" >&2; die "formatting node $n failed"; }
  echo "$SECURITY_MARK" > "$dir/security"
}

# Properties and storage of every node first, then the starts close together (see above).
prepare_node() {
  local n=$1 port
  check_formatted_with_sasl "$n"
  running_pid "$n" >/dev/null && return 0
  for port in "$(client_port "$n")" "$(controller_port "$n")"; do
    if port_taken "$port"; then
      die "port $port is already taken by another process (see: ss -ltnp 'sport = :$port'); free it or stop that process"
    fi
  done
  write_props "$n"
  format_node "$n"
}

start_node() {
  local n=$1 dir pid
  dir="$(node_dir "$n")"
  if pid="$(running_pid "$n")"; then say "node $n already running (pid $pid)"; return 0; fi
  # setsid: the broker must outlive the make process and not get the terminal's Ctrl-C.
  setsid java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -cp "$LIB_DIR/*" kafka.Kafka "$dir/server.properties" >"$dir/server.log" 2>&1 < /dev/null &
  echo $! > "$(pid_file "$n")"
  say "node $n started (pid $!, log $dir/server.log)"
}

wait_ready() {
  local started=$SECONDS
  if ! "$PY" "$ROOT/infra/kafka_ready.py" --bootstrap "$(bootstrap)" --brokers "$NODES" --timeout "$READY_TIMEOUT"; then
    for n in $(seq 1 "$NODES"); do tail -n 30 "$(node_dir "$n")/server.log" >&2 || true; done
    die "the broker did not answer a metadata request within ${READY_TIMEOUT}s"
  fi
  say "ready on $(bootstrap) after $((SECONDS - started))s"
}

# Stop: SIGTERM every node first, then wait. (A node stopped alone after the others waits for
# a controller quorum that is gone, so sequential stops of a cluster hang.)
term_node() {
  local n=$1 pid
  if pid="$(running_pid "$n")"; then kill -TERM "$pid"; echo "$pid"; fi
}

wait_node() {
  local n=$1 pid=$2 i
  for i in $(seq 1 600); do
    is_ours "$pid" "$n" || { rm -f "$(pid_file "$n")"; say "node $n stopped"; return 0; }
    sleep 0.1
  done
  say "node $n ignored SIGTERM for 60s; sending SIGKILL to pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$(pid_file "$n")"
}

stop_all() {
  local n pids=()
  for n in $(seq 1 "$NODES"); do pids[$n]="$(term_node "$n")"; done
  for n in $(seq 1 "$NODES"); do
    if [ -n "${pids[$n]}" ]; then wait_node "$n" "${pids[$n]}"; else say "node $n is not running"; fi
  done
}

case "$CMD" in
  fetch) fetch ;;
  up)
    fetch; need_java "Kafka $KAFKA_VERSION"
    [ -x "$PY" ] || die "no Python virtualenv at $PY: run 'make venv' first"
    admin_password >/dev/null
    for n in $(seq 1 "$NODES"); do prepare_node "$n"; done
    for n in $(seq 1 "$NODES"); do start_node "$n"; done
    wait_ready
    ;;
  down) stop_all ;;
  status)
    for n in $(seq 1 "$NODES"); do
      if pid="$(running_pid "$n")"; then say "node $n running (pid $pid) on 127.0.0.1:$(client_port "$n")"
      else say "node $n not running"; fi
    done
    ;;
  bootstrap) bootstrap ;;
  *) die "unknown command '$CMD' (fetch | up | down | status)" ;;
esac
