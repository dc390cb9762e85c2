#!/bin/sh
# Kafka in compose.yaml (image apache/kafka): one KRaft node secured as infra/kafka.sh secures
# the local one (docs/design/KAFKA.md, "Authentication and ACLs"): SASL/SCRAM-SHA-512 on every
# client listener, the admin the only super user with its credential written at format time
# (the image's own start script cannot add one), the StandardAuthorizer and no anonymous port.
# Listeners: INTERNAL kafka:19092 for the containers, EXTERNAL 9092 advertised to the host as
# KAFKA_EXTERNAL_ADVERTISED (default 127.0.0.1:9092, what `make run`'s clients use).
# `kafka-setup` then creates the other users, the topics and the ACLs (infra/kafka_topics.py).
set -eu
pw="${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is needed}"
external="${KAFKA_EXTERNAL_ADVERTISED:-127.0.0.1:9092}"
data=/var/lib/kafka/data
conf=/tmp/kafka/server.properties
scram='org.apache.kafka.common.security.scram.ScramLoginModule required'

umask 077  # the files below hold the admin's password
mkdir -p /tmp/kafka
cat > "$conf" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:9093
listeners=INTERNAL://0.0.0.0:19092,EXTERNAL://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=INTERNAL://kafka:19092,EXTERNAL://$external,CONTROLLER://127.0.0.1:9093
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$pw" user_admin="$pw";
listener.name.internal.scram-sha-512.sasl.jaas.config=$scram username="admin" password="$pw";
listener.name.external.scram-sha-512.sasl.jaas.config=$scram username="admin" password="$pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
log.dirs=$data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
EOF

# The healthcheck's login (compose.yaml): the admin asks for the broker's API versions.
cat > /tmp/kafka/admin.properties <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$scram username="admin" password="$pw";
EOF

if [ ! -f "$data/meta.properties" ]; then
  cluster_id="$(/opt/kafka/bin/kafka-storage.sh random-uuid | tail -n 1)"
  /opt/kafka/bin/kafka-storage.sh format --standalone -t "$cluster_id" -c "$conf" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$pw]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$conf"
