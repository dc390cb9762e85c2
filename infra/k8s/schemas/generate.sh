#!/usr/bin/env bash
# Regenerates the committed JSON schemas of the custom resources the manifests use (Strimzi,
# CloudNativePG, KEDA), so the tests validate them with kubeconform without any network.
# The CRDs come from package registries only:
#   Strimzi        its API model and CRD generator from Maven Central (pom.xml beside this
#                  file), run as Strimzi's own build runs it
#   CloudNativePG  the CRDs in its Go module (config/crd/bases), through the Go module proxy
#   KEDA           likewise, from its Go module
# Run after changing a version below; commit what changes. Needs Java, Maven, Go.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$PWD"
PY="${PY:-../../../.venv/bin/python}"
CNPG_VERSION="v1.27.1"
KEDA_VERSION="v2.17.2"
GO="$(command -v go || echo /usr/local/go/bin/go)"
WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

echo "==> Strimzi CRDs (Maven Central)"
mvn -q -f pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$WORK/strimzi"
java -cp "$WORK/strimzi/*" io.strimzi.crdgenerator.CrdGenerator \
  --crd-api-version v1 --api-versions v1beta2 --storage-version v1beta2 --yaml \
  io.strimzi.api.kafka.model.kafka.Kafka="$WORK/kafka.yaml" \
  io.strimzi.api.kafka.model.nodepool.KafkaNodePool="$WORK/kafkanodepool.yaml" \
  io.strimzi.api.kafka.model.topic.KafkaTopic="$WORK/kafkatopic.yaml" \
  io.strimzi.api.kafka.model.user.KafkaUser="$WORK/kafkauser.yaml" 2>/dev/null

echo "==> CloudNativePG $CNPG_VERSION and KEDA $KEDA_VERSION CRDs (Go modules)"
module_dir() {
  (cd "$WORK" && GOFLAGS=-mod=mod GOMODCACHE="$WORK/gomod" "$GO" mod download -json "$1" \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
}
CNPG="$(module_dir "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION")/config/crd/bases"
KEDA="$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")/config/crd/bases"

rm -rf kafka.strimzi.io postgresql.cnpg.io keda.sh
"$PY" crd_to_jsonschema.py "$HERE" "$WORK"/kafka*.yaml \
  "$CNPG/postgresql.cnpg.io_clusters.yaml" "$CNPG/postgresql.cnpg.io_databases.yaml" \
  "$KEDA/keda.sh_scaledobjects.yaml" "$KEDA/keda.sh_triggerauthentications.yaml"
