#!/usr/bin/env bash
# Starts, stops or shows a cluster of three Strata brokers on this machine, from the packaged broker
# (broker/target/quarkus-app, built with ./mvnw -DskipTests package when missing).
#
#   deployment/local-cluster.sh start    # brokers 1..3: Kafka 9092..9094, HTTP 8080..8082, Raft 7800..7802
#   deployment/local-cluster.sh status
#   deployment/local-cluster.sh stop     # SIGTERM, then waits for each broker to exit
#
# Everything lives under LOCAL_CLUSTER_DIR (default ./local-cluster): a data directory, a log and a pid
# file per broker, and the directory all three tier to, standing in for a shared bucket. Brokers 1 and 3
# are in rack a, broker 2 in rack b. Each broker gets only the settings a cluster node needs; start them
# in any order, restart one with the same settings, or delete its data directory first to see it rejoin.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$REPO_ROOT/broker/target/quarkus-app/quarkus-run.jar"
CLUSTER_DIR="$(realpath -m "${LOCAL_CLUSTER_DIR:-./local-cluster}")"
JAVA_OPTS="${JAVA_OPTS:-@$REPO_ROOT/deployment/jvm.options}"
NODES=(1 2 3)

die() { echo "local-cluster: $*" >&2; exit 1; }

kafka_port() { echo $((9091 + $1)); }
http_port() { echo $((8079 + $1)); }
raft_port() { echo $((7799 + $1)); }
rack() { if (( $1 % 2 == 1 )); then echo a; else echo b; fi; }

peers_of() {  # node: the other voters as id@host:port
  local node="$1" peers=() other
  for other in "${NODES[@]}"; do
    (( other == node )) || peers+=("$other@127.0.0.1:$(raft_port "$other")")
  done
  local IFS=,
  echo "${peers[*]}"
}

running() {  # node
  local pid_file="$CLUSTER_DIR/broker-$1.pid"
  [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

start_node() {  # node
  local node="$1"
  if running "$node"; then
    echo "broker $node is already running (pid $(cat "$CLUSTER_DIR/broker-$node.pid"))"
    return
  fi
  mkdir -p "$CLUSTER_DIR/broker-$node" "$CLUSTER_DIR/bucket"
  # shellcheck disable=SC2086  # JAVA_OPTS holds several options
  env STRATA_NODE_ID="$node" \
      STRATA_RACK="$(rack "$node")" \
      STRATA_DATA_DIR="$CLUSTER_DIR/broker-$node" \
      STRATA_KAFKA_HOST=127.0.0.1 STRATA_KAFKA_PORT="$(kafka_port "$node")" \
      STRATA_ADVERTISED_HOST=127.0.0.1 STRATA_ADVERTISED_PORT="$(kafka_port "$node")" \
      STRATA_RAFT_HOST=127.0.0.1 STRATA_RAFT_PORT="$(raft_port "$node")" \
      STRATA_RAFT_PEERS="$(peers_of "$node")" \
      STRATA_TIERING_URL="file://$CLUSTER_DIR/bucket" \
      STRATA_TOPICS_DEFAULT_REPLICATION_FACTOR=3 STRATA_LOG_MIN_INSYNC_REPLICAS=2 \
      QUARKUS_HTTP_PORT="$(http_port "$node")" \
      nohup java $JAVA_OPTS -jar "$JAR" > "$CLUSTER_DIR/broker-$node.log" 2>&1 &
  echo $! > "$CLUSTER_DIR/broker-$node.pid"
  echo "broker $node: kafka 127.0.0.1:$(kafka_port "$node"), http :$(http_port "$node"), rack $(rack "$node"), log $CLUSTER_DIR/broker-$node.log"
}

await_ready() {  # node; a broker is ready once a majority of the voters runs
  local node="$1" deadline=$((SECONDS + 60))
  until curl -fs "http://127.0.0.1:$(http_port "$node")/q/health/ready" > /dev/null 2>&1; do
    running "$node" || die "broker $node exited; see $CLUSTER_DIR/broker-$node.log"
    (( SECONDS < deadline )) || die "broker $node is not ready after 60 s; see $CLUSTER_DIR/broker-$node.log"
    sleep 0.5
  done
}

stop_node() {  # node
  local node="$1" pid deadline
  if ! running "$node"; then
    rm -f "$CLUSTER_DIR/broker-$node.pid"
    return
  fi
  pid="$(cat "$CLUSTER_DIR/broker-$node.pid")"
  kill -TERM "$pid"
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    (( SECONDS < deadline )) || { kill -KILL "$pid"; echo "broker $node did not stop within 30 s: killed"; break; }
    sleep 0.2
  done
  rm -f "$CLUSTER_DIR/broker-$node.pid"
  echo "broker $node stopped"
}

case "${1:-}" in
  start)
    command -v java > /dev/null || die "java not found on PATH"
    command -v curl > /dev/null || die "curl not found on PATH"
    if [[ ! -f "$JAR" ]]; then
      echo "building the broker: ./mvnw -q -DskipTests package"
      (cd "$REPO_ROOT" && ./mvnw -q -DskipTests package)
    fi
    for node in "${NODES[@]}"; do start_node "$node"; done
    for node in "${NODES[@]}"; do await_ready "$node"; done
    echo "ready: bootstrap servers 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
    ;;
  stop)
    for node in "${NODES[@]}"; do stop_node "$node"; done
    ;;
  status)
    for node in "${NODES[@]}"; do
      if running "$node"; then
        echo "broker $node: running (pid $(cat "$CLUSTER_DIR/broker-$node.pid")), kafka 127.0.0.1:$(kafka_port "$node")"
      else
        echo "broker $node: stopped"
      fi
    done
    ;;
  *)
    die "usage: $0 start|stop|status"
    ;;
esac
