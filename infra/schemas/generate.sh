#!/usr/bin/env bash
# Regenerates the committed JSON schemas the deployment files are validated against
# (tests/unit/deploy/), so the tests need no network:
#   crds/<group>/<kind>_<version>.json   the custom resources infra/k8s uses, for kubeconform:
#     Strimzi        its API model and CRD generator from Maven Central (pom.xml beside this
#                    file), run as Strimzi's own build runs it; the generator is published
#                    up to 0.45.0, whose kafka.strimzi.io/v1beta2 later releases still serve
#     CloudNativePG  the CRDs in its Go module (config/crd/bases), through the Go module proxy
#     KEDA           likewise, from its Go module
#   compose-spec.json   the Compose specification's schema, from compose-go's Go module
#                       (infra/docker/compose.yaml)
# The Kubernetes API's own schemas come from the PyPI package kubernetes-validate (installed
# by `make venv`). Run after changing a version below, then commit what changed. Needs Java,
# Maven and Go.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$PWD"
PY="${PY:-$HERE/../../.venv/bin/python}"
CNPG_VERSION="v1.27.1"
KEDA_VERSION="v2.17.2"
COMPOSE_GO_VERSION="v2.16.2"
GO="$(command -v go || echo /usr/local/go/bin/go)"
WORK="$(mktemp -d)"
# The module cache is read-only: make it writable before removing it.
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

echo "==> Strimzi CRDs (Maven Central)"
mvn -q -f pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$WORK/strimzi"
java -cp "$WORK/strimzi/*" io.strimzi.crdgenerator.CrdGenerator \
  --crd-api-version v1 --api-versions v1beta2 --storage-version v1beta2 --yaml \
  io.strimzi.api.kafka.model.kafka.Kafka="$WORK/kafka.yaml" \
  io.strimzi.api.kafka.model.nodepool.KafkaNodePool="$WORK/kafkanodepool.yaml" \
  io.strimzi.api.kafka.model.topic.KafkaTopic="$WORK/kafkatopic.yaml" \
  io.strimzi.api.kafka.model.user.KafkaUser="$WORK/kafkauser.yaml" 2>/dev/null

echo "==> CloudNativePG $CNPG_VERSION, KEDA $KEDA_VERSION, compose-go $COMPOSE_GO_VERSION (Go modules)"
module_dir() {
  (cd "$WORK" && GOFLAGS=-mod=mod GOMODCACHE="$WORK/gomod" "$GO" mod download -json "$1" \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
}
CNPG="$(module_dir "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION")/config/crd/bases"
KEDA="$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")/config/crd/bases"
COMPOSE="$(module_dir "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION")/schema"

rm -rf crds
"$PY" crd_to_jsonschema.py crds "$WORK"/kafka*.yaml \
  "$CNPG/postgresql.cnpg.io_clusters.yaml" "$CNPG/postgresql.cnpg.io_databases.yaml" \
  "$KEDA/keda.sh_scaledobjects.yaml" "$KEDA/keda.sh_triggerauthentications.yaml"
cp "$COMPOSE/compose-spec.json" compose-spec.json
