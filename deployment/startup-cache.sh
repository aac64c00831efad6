#!/usr/bin/env bash
# Builds the JVM's start-up cache for the packaged broker by a training run: a broker on a scratch data
# directory and free loopback ports, a REST produce and read, a Kafka client's produce and group read
# (StartupTraining.java), health and a metrics scrape, then a clean stop,
# at which the JVM writes what it loaded (and, from JDK 25, what it linked and profiled).
#
#   deployment/startup-cache.sh                 # with `java` on the PATH (or JAVA=/path/to/java)
#   java -XX:AOTCache=broker/target/quarkus-app/strata.aot @deployment/jvm.options -jar ...   # JDK 25+
#   java -XX:SharedArchiveFile=broker/target/quarkus-app/strata.jsa @deployment/jvm.options -jar ...  # JDK 17-24
#
# The cache belongs to one build of the broker and one JDK: make it again after either changes (the JVM
# ignores a stale one, with a warning, and starts as without it). Prints the path of the file it made.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_DIR="$REPO_ROOT/broker/target/quarkus-app"
JAR="$APP_DIR/quarkus-run.jar"
JAVA="${JAVA:-java}"
TIMEOUT_S="${TIMEOUT_S:-120}"

die() { echo "startup-cache: $*" >&2; exit 1; }

[[ -f "$JAR" ]] || die "no packaged broker at $JAR: run ./mvnw -B -DskipTests package first"
command -v curl >/dev/null || die "curl is needed for the training run"
feature="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }')"
[[ "$feature" =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA"
if (( feature >= 25 )); then
  # JDK 25 (JEP 514/515): one run records the training and writes the cache at exit.
  cache="$APP_DIR/strata.aot"; record=(-XX:AOTCacheOutput="$cache")
else
  cache="$APP_DIR/strata.jsa"; record=(-XX:ArchiveClassesAtExit="$cache")
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work="$(mktemp -d)"
pid=""
finish() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT
kafka_port="$(free_port)"; http_port="$(free_port)"; raft_port="$(free_port)"
rm -f "$cache"

# The options of a real start, so the cache matches them (a cache made with another collector is not used).
# shellcheck disable=SC2086
STRATA_DATA_DIR="$work/data" STRATA_KAFKA_HOST=127.0.0.1 STRATA_KAFKA_PORT="$kafka_port" \
  STRATA_RAFT_HOST=127.0.0.1 STRATA_RAFT_PORT="$raft_port" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$http_port" \
  "$JAVA" "${record[@]}" @"$REPO_ROOT/deployment/jvm.options" -jar "$JAR" > "$work/broker.log" 2>&1 &
pid=$!

http="http://127.0.0.1:$http_port"
deadline=$(( SECONDS + TIMEOUT_S ))
until curl -sf "$http/q/health/ready" > /dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/broker.log" >&2; die "the broker exited during the training run"; }
  (( SECONDS < deadline )) || die "the broker was not ready within ${TIMEOUT_S}s; log: $work/broker.log"
  sleep 0.2
done
cluster="$(curl -sf "$http/v3/clusters" | sed -n 's/.*"cluster_id":"\([^"]*\)".*/\1/p')"
[[ -n "$cluster" ]] || die "no cluster id from $http/v3/clusters"
curl -sf -X POST -H 'Content-Type: application/json' -d '{"topic_name":"training","partitions_count":1}' \
  "$http/v3/clusters/$cluster/topics" > /dev/null
for i in 1 2 3; do
  curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"value\":{\"type\":\"STRING\",\"data\":\"record $i\"}}" \
    "$http/v3/clusters/$cluster/topics/training/records" > /dev/null
done
curl -sf "$http/v3/clusters/$cluster/topics/training/partitions/0/records?offset=0" > /dev/null
curl -sf "$http/q/metrics" > /dev/null
# The client runs in source-file mode on the broker's own kafka-clients, with no logging binding (SLF4J's no-op).
client_path="$(find "$APP_DIR/lib/main" -name 'org.apache.kafka.kafka-clients-*.jar' -o -name 'org.lz4.*.jar' \
  -o -name 'org.xerial.snappy.*.jar' -o -name 'com.github.luben.zstd-jni-*.jar' -o -name 'org.slf4j.slf4j-api-*.jar' \
  | paste -sd:)"
timeout "$TIMEOUT_S" "$JAVA" -cp "$client_path" "$REPO_ROOT/deployment/StartupTraining.java" "127.0.0.1:$kafka_port" training \
  > "$work/client.log" 2>&1 || { cat "$work/client.log" >&2; die "the Kafka client of the training run failed"; }

kill -TERM "$pid"
# Its exit status is SIGTERM's; what counts is the cache the JVM writes on the way out.
wait "$pid" || true
pid=""
[[ -s "$cache" ]] || { cat "$work/broker.log" >&2; die "the JVM wrote no cache at $cache"; }
echo "$cache"
