# What infra/kafka.sh, keycloak.sh and postgres.sh share: paths, messages, the JDK check, a Maven
# fetch and pid files. Sourced after the script sets NAME (the prefix of its messages).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${RIGHTS_STATE_DIR:-$ROOT/.state}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/rights-platform"

say() { echo "$NAME: $*"; }
die() { echo "$NAME: error: $*" >&2; exit 1; }

# need_java WHAT: WHAT (e.g. "Kafka 4.3.1") runs on Java 17+.
need_java() {
  command -v java >/dev/null 2>&1 || die "Java is missing: install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)"
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)"
  [ "${major:-0}" -ge 17 ] || die "$1 needs Java 17+, found $major: install openjdk-17-jre-headless"
}

need_maven() {
  command -v mvn >/dev/null 2>&1 || die "Maven is missing: install it (Debian: apt-get install maven) to fetch $1"
}

# mvn_copy POM_DIR TMP WHAT MAVEN_OPTIONS...: copies POM_DIR's dependencies as the options say;
# on failure removes TMP and stops.
mvn_copy() {
  local pom_dir=$1 tmp=$2 what=$3
  shift 3
  # sed: Maven's console library prints colour resets even in batch mode.
  (cd "$pom_dir" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies "$@" 2>&1 \
      | sed 's/\x1b\[[0-9;]*m//g') \
    || { rm -rf "$tmp"; die "mvn could not fetch $what (see above)"; }
}

# recorded_pid FILE WHAT [IS_OURS_ARGS...]: the pid in FILE if `is_ours PID IS_OURS_ARGS...`
# (the script's own test against reused pids) accepts it; a stale FILE is removed.
recorded_pid() {
  local file=$1 what=$2 pid
  shift 2
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null || true)"
  if [ -n "$pid" ] && is_ours "$pid" "$@"; then echo "$pid"; return 0; fi
  say "removing stale pid file $file (pid ${pid:-?} is not our $what)" >&2
  rm -f "$file"
  return 1
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
