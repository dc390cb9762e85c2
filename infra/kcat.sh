#!/usr/bin/env bash
# Runs Debian's kcat with the librdkafka that confluent-kafka ships in the virtualenv.
#
# Debian 12's librdkafka 2.0.2 fails every SCRAM login to Kafka 4 ("invalid credentials":
# it repeats the client nonce, which Kafka 4 rejects; fixed in librdkafka 2.6.1, #4895), and
# the broker here accepts no other login. Same arguments as kcat, e.g. the README's example.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
command -v kcat >/dev/null 2>&1 || { echo "kcat: install it first (make tools)" >&2; exit 1; }
lib="$("$PY" -c 'import glob, os, confluent_kafka as c; print(sorted(glob.glob(os.path.join(os.path.dirname(c.__file__) + ".libs", "librdkafka-*.so.1")))[-1])')" \
  || { echo "kcat: no confluent-kafka in $PY: run 'make venv' first" >&2; exit 1; }
# The wheel renames the library; kcat asks for librdkafka.so.1, so a link of that name.
dir="${RIGHTS_STATE_DIR:-$ROOT/.state}/librdkafka"
mkdir -p "$dir"
ln -sfn "$lib" "$dir/librdkafka.so.1"
LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec kcat "$@"
