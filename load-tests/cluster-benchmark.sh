#!/usr/bin/env bash
# Cluster benchmark: a 3-broker Strata cluster vs a 3-broker Apache Kafka cluster (KRaft, combined nodes), one after
# the other on this machine: replicated throughput (RF 3, min.insync.replicas=2, acks=all), the stall of an acks=all
# producer when its partition's leader is killed, and the brokers' resident memory.
#
#   load-tests/cluster-benchmark.sh                                  # both systems, defaults below (~8 min)
#   SYSTEMS=kafka RECORDS=20000 FAILOVER_RUNS=1 load-tests/cluster-benchmark.sh   # quick smoke test
#
# Everything runs on 127.0.0.1. Every tool is bounded by a record count and by `timeout`, every wait by a deadline.
# See load-tests/README.md for what is measured and how to read the table.
set -euo pipefail
export LC_ALL=C

# The parameters given in the environment make up the exact command in the results (command_line, lib.sh).
PARAM_VARS=(SYSTEMS RECORDS RECORD_SIZE PARTITIONS LATENCY_MESSAGES THROUGHPUT PRODUCER_EXTRA_PROPS
  FAILOVER_RUNS FAILOVER_RATE FAILOVER_WARMUP_S FAILOVER_AFTER_S STRATA_JAVA STRATA_JAVA_OPTS KAFKA_HEAP_OPTS
  KAFKA_JVM_PERFORMANCE_OPTS TOOLS_JAVA_OPTS STRATA_PORT_BASE STRATA_HTTP_PORT_BASE STRATA_RAFT_PORT_BASE KAFKA_PORT_BASE
  KAFKA_CONTROLLER_PORT_BASE STARTUP_TIMEOUT_S READY_TIMEOUT_S TOOL_TIMEOUT_S STOP_TIMEOUT_S STRATA_JAR STRATA_BUILD)

# ----------------------------------------------------------------------------------------------
# Parameters (environment variables). With the defaults a run of both systems takes about 8 minutes on a
# 2-core machine.
# ----------------------------------------------------------------------------------------------
SYSTEMS="${SYSTEMS:-strata,kafka}"          # strata | kafka | strata,kafka
RECORDS="${RECORDS:-300000}"                # records produced by ProducerPerformance, read back by ConsumerPerformance
RECORD_SIZE="${RECORD_SIZE:-1024}"          # bytes per record (all producers)
PARTITIONS="${PARTITIONS:-6}"               # partitions of the throughput and end-to-end topics
LATENCY_MESSAGES="${LATENCY_MESSAGES:-5000}"  # messages sent one at a time by EndToEndLatency
THROUGHPUT="${THROUGHPUT:--1}"              # ProducerPerformance --throughput (-1 = unthrottled)
PRODUCER_EXTRA_PROPS="${PRODUCER_EXTRA_PROPS:-}"  # e.g. "linger.ms=10 batch.size=65536"; default: client defaults
FAILOVER_RUNS="${FAILOVER_RUNS:-3}"         # leader kills per system
FAILOVER_RATE="${FAILOVER_RATE:-2000}"      # records/s of the failover producer
FAILOVER_WARMUP_S="${FAILOVER_WARMUP_S:-5}"  # producing before the leader is killed
FAILOVER_AFTER_S="${FAILOVER_AFTER_S:-15}"  # producing after the kill
ACKS=all                                    # acks=all everywhere: the point of a replicated cluster
NODES=(1 2 3)
REPLICATION_FACTOR=3
MIN_INSYNC_REPLICAS=2

# The same maximum heap, 512 MiB, for every node of both clusters. Kafka's scripts start the heap at its maximum, and
# Kafka also gets the rest of its scripts' JVM options (KAFKA_JVM_PERFORMANCE_OPTS, default in lib.sh); Strata runs
# with its recommended options (STRATA_JAVA_OPTS, default in lib.sh: deployment/jvm.options, whose -Xmx is 512m).
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}"
TOOLS_JAVA_OPTS="${TOOLS_JAVA_OPTS:--Xmx512M}"  # what bin/kafka-producer-perf-test.sh & co. set

# Node n listens on <base> + n. Apart from the other benchmarks' ports and deployment/local-cluster.sh's.
STRATA_PORT_BASE="${STRATA_PORT_BASE:-19290}"
STRATA_HTTP_PORT_BASE="${STRATA_HTTP_PORT_BASE:-18290}"
STRATA_RAFT_PORT_BASE="${STRATA_RAFT_PORT_BASE:-17890}"
KAFKA_PORT_BASE="${KAFKA_PORT_BASE:-29290}"
KAFKA_CONTROLLER_PORT_BASE="${KAFKA_CONTROLLER_PORT_BASE:-29390}"

STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-90}"    # launch -> every node up (three JVMs starting on the same cores)
READY_TIMEOUT_S="${READY_TIMEOUT_S:-90}"        # topic creation (retried until the cluster accepts it)
TOOL_TIMEOUT_S="${TOOL_TIMEOUT_S:-240}"         # hard limit per tool run
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-20}"          # SIGTERM -> SIGKILL
RSS_SAMPLE_INTERVAL_S="${RSS_SAMPLE_INTERVAL_S:-0.25}"

# ----------------------------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Also sets REPO_ROOT, LIB_DIR, KAFKA_VERSION, STRATA_JAR, STRATA_BUILD, RUN_ID and RESULTS_DIR.
# shellcheck source=lib.sh disable=SC2034  # CLASSPATH_KAFKA, TOPIC_REPLICATION_FACTOR etc. are read by lib.sh
source "$SCRIPT_DIR/lib.sh"
COMMAND="$(command_line load-tests/cluster-benchmark.sh "${PARAM_VARS[@]}")"
TOPIC_REPLICATION_FACTOR=$REPLICATION_FACTOR
RESULTS_FILE="$RESULTS_DIR/$RUN_ID-cluster.md"
LOG_DIR="$SCRIPT_DIR/target/benchmark-logs/$RUN_ID-cluster"   # kept after the run (target/ is git-ignored)
WORK_DIR=""                                                    # broker data, removed on exit

for v in RECORDS RECORD_SIZE PARTITIONS LATENCY_MESSAGES FAILOVER_RUNS FAILOVER_RATE FAILOVER_WARMUP_S FAILOVER_AFTER_S; do
  is_uint "${!v}" || die "$v must be a positive integer (got '${!v}')"
done
select_systems SYSTEMS

stop_on_exit_traps

command -v curl >/dev/null || die "curl not found on PATH (needed for Strata's readiness check)"
prepare_brokers_run strata-cluster-bench

declare -A R=()       # results: R[<system>.<figure>]
declare -A PID=()     # node -> pid of the running broker process
declare -A SAMPLER=() # node -> pid of its RSS sampler

bootstrap_of() {  # system: every node's client address
  local base n out=()
  [[ "$1" == strata ]] && base=$STRATA_PORT_BASE || base=$KAFKA_PORT_BASE
  for n in "${NODES[@]}"; do out+=("127.0.0.1:$(( base + n ))"); done
  local IFS=,
  echo "${out[*]}"
}

# ----------------------------------------------------------------------------------------------
# Strata: three brokers, each a metadata Raft voter, tiering to one shared directory.
# ----------------------------------------------------------------------------------------------
strata_peers() {  # node: the other voters as id@host:port
  local n out=()
  for n in "${NODES[@]}"; do
    (( n == $1 )) || out+=("$n@127.0.0.1:$(( STRATA_RAFT_PORT_BASE + n ))")
  done
  local IFS=,
  echo "${out[*]}"
}

start_strata_node() {  # node
  local n="$1" rack=a
  (( n % 2 == 0 )) && rack=b
  mkdir -p "$WORK_DIR/strata-$n" "$WORK_DIR/strata-bucket"
  # shellcheck disable=SC2086
  STRATA_NODE_ID="$n" STRATA_RACK="$rack" STRATA_DATA_DIR="$WORK_DIR/strata-$n" \
  STRATA_KAFKA_HOST=127.0.0.1 STRATA_KAFKA_PORT=$(( STRATA_PORT_BASE + n )) \
  STRATA_ADVERTISED_HOST=127.0.0.1 STRATA_ADVERTISED_PORT=$(( STRATA_PORT_BASE + n )) \
  STRATA_RAFT_HOST=127.0.0.1 STRATA_RAFT_PORT=$(( STRATA_RAFT_PORT_BASE + n )) STRATA_RAFT_PEERS="$(strata_peers "$n")" \
  STRATA_TIERING_URL="file://$WORK_DIR/strata-bucket" QUARKUS_HTTP_PORT=$(( STRATA_HTTP_PORT_BASE + n )) \
  STRATA_TOPICS_DEFAULT_REPLICATION_FACTOR=$REPLICATION_FACTOR STRATA_LOG_MIN_INSYNC_REPLICAS=$MIN_INSYNC_REPLICAS \
  STRATA_GROUPS_INITIAL_REBALANCE_DELAY_MS=0 \
    "$STRATA_JAVA" $STRATA_JAVA_OPTS -jar "$STRATA_JAR" >> "$LOG_DIR/strata-$n.log" 2>&1 &
  PID[$n]=$!
  started "Strata node $n" "${PID[$n]}" "$STOP_TIMEOUT_S"
}

strata_ports() {  # node
  echo "$(( STRATA_PORT_BASE + $1 )) $(( STRATA_HTTP_PORT_BASE + $1 )) $(( STRATA_RAFT_PORT_BASE + $1 ))"
}

prepare_strata_cluster() { :; }  # nothing to format: the brokers find each other through STRATA_RAFT_PEERS

# Ready: /q/health/ready answers 200 (a majority of the voters runs).
await_strata_node() {  # node deadline_ms
  local n="$1" deadline="$2"
  until curl -fs -m 2 -o /dev/null "http://127.0.0.1:$(( STRATA_HTTP_PORT_BASE + n ))/q/health/ready"; do
    kill -0 "${PID[$n]}" 2>/dev/null || die "Strata node $n exited during start-up; log: $LOG_DIR/strata-$n.log"
    (( $(now_ms) < deadline )) || die "Strata node $n not ready within ${STARTUP_TIMEOUT_S} s; log: $LOG_DIR/strata-$n.log"
    sleep 0.2
  done
}

# ----------------------------------------------------------------------------------------------
# Apache Kafka: three combined broker+controller nodes, a static 3-voter controller quorum.
# ----------------------------------------------------------------------------------------------
kafka_voters() {
  local n out=()
  for n in "${NODES[@]}"; do out+=("$n@127.0.0.1:$(( KAFKA_CONTROLLER_PORT_BASE + n ))"); done
  local IFS=,
  echo "${out[*]}"
}

write_kafka_node_config() {  # node
  local n="$1" dir="$WORK_DIR/kafka-$n"
  local port=$(( KAFKA_PORT_BASE + n )) cport=$(( KAFKA_CONTROLLER_PORT_BASE + n ))
  mkdir -p "$dir/logs"
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=$n
broker.rack=$( (( n % 2 == 0 )) && echo b || echo a )
controller.quorum.voters=$(kafka_voters)
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/logs
num.partitions=$PARTITIONS
default.replication.factor=$REPLICATION_FACTOR
min.insync.replicas=$MIN_INSYNC_REPLICAS
offsets.topic.replication.factor=$REPLICATION_FACTOR
share.coordinator.state.topic.replication.factor=$REPLICATION_FACTOR
share.coordinator.state.topic.min.isr=$MIN_INSYNC_REPLICAS
transaction.state.log.replication.factor=$REPLICATION_FACTOR
transaction.state.log.min.isr=$MIN_INSYNC_REPLICAS
$(kafka_common_properties)
EOF
}

# Before the launch: each node's configuration, and its log directory formatted with one cluster id (the static
# quorum needs no --standalone or --initial-controllers). The three formats run at once.
prepare_kafka_cluster() {
  local n cluster_id pids=() rc=0
  cluster_id="$(java -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" -cp "$CLASSPATH_KAFKA" \
                  kafka.tools.StorageTool random-uuid 2>>"$LOG_DIR/kafka-storage.log")" \
    || die "kafka-storage random-uuid failed; log: $LOG_DIR/kafka-storage.log"
  for n in "${NODES[@]}"; do
    write_kafka_node_config "$n"
    timeout 120 java -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" -cp "$CLASSPATH_KAFKA" \
        kafka.tools.StorageTool format --config "$WORK_DIR/kafka-$n/server.properties" --cluster-id "$cluster_id" \
        > "$LOG_DIR/kafka-storage-$n.log" 2>&1 &
    pids+=($!)
  done
  for n in "${!pids[@]}"; do wait "${pids[$n]}" || rc=$?; done
  (( rc == 0 )) || die "kafka-storage format failed; logs: $LOG_DIR/kafka-storage-*.log"
}

start_kafka_node() {  # node
  local n="$1"
  # shellcheck disable=SC2086
  java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS -Dlog4j2.configurationFile="$WORK_DIR/log4j2-broker.properties" \
    -cp "$CLASSPATH_KAFKA" kafka.Kafka "$WORK_DIR/kafka-$n/server.properties" >> "$LOG_DIR/kafka-$n.log" 2>&1 &
  PID[$n]=$!
  started "Kafka node $n" "${PID[$n]}" "$STOP_TIMEOUT_S"
}

kafka_ports() {  # node
  echo "$(( KAFKA_PORT_BASE + $1 )) $(( KAFKA_CONTROLLER_PORT_BASE + $1 ))"
}

# Up: the client port accepts TCP; whether the node serves requests is up to the retries that follow.
await_kafka_node() {  # node deadline_ms
  local n="$1"
  wait_for_port "Kafka node $n" "${PID[$n]}" $(( KAFKA_PORT_BASE + n )) $(( $2 - STARTUP_TIMEOUT_S * 1000 )) \
    "$LOG_DIR/kafka-$n.log" > /dev/null
}

# ----------------------------------------------------------------------------------------------
# The benchmark proper: identical for both systems.
# ----------------------------------------------------------------------------------------------
stop_cluster() {  # system
  local n
  for n in "${NODES[@]}"; do kill -TERM "${PID[$n]}" 2>/dev/null || true; done  # all at once: no quorum left to wait for
  for n in "${NODES[@]}"; do
    stop_started "${PID[$n]}"
    [[ -n "${SAMPLER[$n]:-}" ]] && stop_started "${SAMPLER[$n]}"
  done
  PID=(); SAMPLER=()
}

# One leader kill: a 1-partition topic, FailoverStall producing, its leader killed after FAILOVER_WARMUP_S.
failover_run() {  # system label run bootstrap
  local name="$1" label="$2" run="$3" bs="$4"
  local topic="failover-$RUN_ID-$run" flog="$LOG_DIR/$name-failover-$run.log"
  local leader_file="$WORK_DIR/$name-leader-$run" kill_file="$WORK_DIR/$name-kill-$run" deadline leader
  deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 ))
  create_topic "$LOG_DIR/$name-topic-$topic.log" "$topic" "$bs" 1 "$label" "${PID[1]}" "$LOG_DIR/$name-1.log" "$deadline" \
    --config min.insync.replicas=$MIN_INSYNC_REPLICAS
  log "failover run $run of $FAILOVER_RUNS: $FAILOVER_RATE records/s to $topic; the leader is killed after ${FAILOVER_WARMUP_S} s"
  # shellcheck disable=SC2086
  timeout --kill-after=10 "$TOOL_TIMEOUT_S" java $TOOLS_JAVA_OPTS -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" \
      -cp "$CLASSPATH_KAFKA" "$SCRIPT_DIR/FailoverStall.java" "$bs" "$topic" "$FAILOVER_RATE" "$RECORD_SIZE" \
      "$FAILOVER_WARMUP_S" "$FAILOVER_AFTER_S" "$leader_file" "$kill_file" > "$flog" 2>&1 &
  TOOL_PID=$!
  # FailoverStall writes the leader once the partition is fully in sync and it starts producing.
  until [[ -s "$leader_file" ]]; do
    kill -0 "$TOOL_PID" 2>/dev/null || die "FailoverStall exited before it started producing; log: $flog"
    (( $(now_ms) < deadline + 120000 )) || die "FailoverStall did not start producing in time; log: $flog"
    sleep 0.05
  done
  leader="$(tr -d '[:space:]' < "$leader_file")"
  [[ -n "${PID[$leader]:-}" ]] || die "FailoverStall reports leader '$leader', not a node of this cluster; log: $flog"
  sleep "$FAILOVER_WARMUP_S"
  now_ms > "$kill_file"
  kill -KILL "${PID[$leader]}" 2>/dev/null || true
  wait "${PID[$leader]}" 2>/dev/null || true
  stop_started "${PID[$leader]}"
  log "  killed node $leader (pid ${PID[$leader]}, SIGKILL), the partition's leader"
  local rc=0
  wait "$TOOL_PID" || rc=$?
  TOOL_PID=""
  (( rc == 0 )) || die "FailoverStall failed (exit $rc) against $label; log: $flog"
  local key value
  declare -gA F=()
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[a-z0-9_]+$ && -n "$value" ]] && F[$key]=$value
  done < "$flog"
  [[ -n "${F[max_gap_ms]:-}" && -n "${F[verified]:-}" ]] || die "cannot read FailoverStall's results; log: $flog"
  echo "  longest ack gap ${F[max_gap_ms]} ms (before the kill: ${F[max_gap_before_ms]} ms), kill to first ack" \
       "${F[kill_to_first_ack_ms]} ms; acked ${F[acked]} of ${F[sent]}, failed ${F[failed]} (${F[first_error]});" \
       "read back at their offsets: ${F[verified]} (lost ${F[lost]}, duplicates ${F[duplicates]})" >&2
  FAILED_NODE=$leader
}

bench() {  # system (strata|kafka)
  local name="$1" label n
  [[ "$name" == strata ]] && label="Strata" || label="Apache Kafka"
  log "=== $label: 3 nodes ==="
  for n in "${NODES[@]}"; do
    for p in $("${name}_ports" "$n"); do ensure_port_free "$p" "$label node $n"; done
  done
  local launch deadline bs
  bs="$(bootstrap_of "$name")"
  "prepare_${name}_cluster"
  launch=$(now_ms)
  for n in "${NODES[@]}"; do
    "start_${name}_node" "$n"
    start_rss_sampler "$label node $n" "${PID[$n]}" "$WORK_DIR/$name-$n.rss"
    SAMPLER[$n]=$SAMPLER_PID
  done
  deadline=$(( launch + STARTUP_TIMEOUT_S * 1000 ))
  for n in "${NODES[@]}"; do "await_${name}_node" "$n" "$deadline"; done
  log "$label: all nodes up after $(( $(now_ms) - launch )) ms; bootstrap $bs"

  # 1. Throughput: RF 3, min.insync.replicas=2, acks=all.
  local topic="bench-$RUN_ID" lat_topic="bench-latency-$RUN_ID"
  deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 ))
  create_topic "$LOG_DIR/$name-topic-$topic.log" "$topic" "$bs" "$PARTITIONS" "$label" "${PID[1]}" "$LOG_DIR/$name-1.log" \
    "$deadline" --config min.insync.replicas=$MIN_INSYNC_REPLICAS
  R[$name.ready_ms]=$(( $(now_ms) - launch ))
  create_topic "$LOG_DIR/$name-topic-$lat_topic.log" "$lat_topic" "$bs" "$PARTITIONS" "$label" "${PID[1]}" \
    "$LOG_DIR/$name-1.log" "$deadline" --config min.insync.replicas=$MIN_INSYNC_REPLICAS
  log "$label: topics created; ${R[$name.ready_ms]} ms from launch to the first"

  log "ProducerPerformance: $RECORDS x $RECORD_SIZE B, acks=$ACKS, throughput=$THROUGHPUT"
  run_producer_perf "$LOG_DIR/$name-producer.log" "$bs" "$topic" "against $label"
  store_results "$name" produce_rps=P_RPS produce_mbps=P_MBPS produce_avg_ms=P_AVG_MS produce_p50_ms=P_P50_MS \
    produce_p99_ms=P_P99_MS produce_max_ms=P_MAX_MS

  log "ConsumerPerformance: $RECORDS records from $topic"
  run_consumer_perf "$LOG_DIR/$name-consumer.log" "$bs" "$topic" "bench-consumer-$RUN_ID" "against $label" --timeout 30000
  echo "  consumed $C_N records: $C_RPS records/s, $C_MBPS MB/s overall; fetch only: $C_FRPS records/s, $C_FMBPS MB/s; group join ${C_REB_MS} ms" >&2
  store_results "$name" consume_fetch_rps=C_FRPS consume_fetch_mbps=C_FMBPS consume_rps=C_RPS consume_join_ms=C_REB_MS

  log "EndToEndLatency: $LATENCY_MESSAGES x $RECORD_SIZE B, acks=$ACKS"
  run_e2e_latency "$LOG_DIR/$name-e2e.log" "$bs" "$lat_topic" "against $label"
  store_results "$name" e2e_avg_ms=E_AVG_MS e2e_p99_ms=E_P99_MS

  # 3. Memory: peak from launch until after the load, and right after it, per node.
  sleep 1
  local peaks=() afters=() peak last
  for n in "${NODES[@]}"; do
    last=$(current_rss_kb "${PID[$n]}")
    peak=$(cat "$WORK_DIR/$name-$n.rss")
    (( last > peak )) && peak=$last
    peaks+=($(( peak / 1024 ))); afters+=($(( last / 1024 )))
    stop_started "${SAMPLER[$n]}"; unset "SAMPLER[$n]"
  done
  median_range "${peaks[@]}"
  R[$name.peak_rss_max_mib]=$STAT_MAX
  R[$name.peak_rss_sum_mib]=$(( peaks[0] + peaks[1] + peaks[2] ))
  median_range "${afters[@]}"
  R[$name.after_rss_max_mib]=$STAT_MAX
  R[$name.rss_nodes]="peak ${peaks[*]} MiB, after the load ${afters[*]} MiB (nodes 1 2 3)"
  log "$label RSS per node: ${R[$name.rss_nodes]}"

  # 2. Failover: kill the leader, restart it for the next run.
  local run gaps=() recov=() acked=() failed=() before=() verified=0 lost=0 dups=0 stopped=0 errors=()
  for (( run = 1; run <= FAILOVER_RUNS; run++ )); do
    failover_run "$name" "$label" "$run" "$bs"
    gaps+=("${F[max_gap_ms]}"); acked+=("${F[acked]}"); failed+=("${F[failed]}"); before+=("${F[max_gap_before_ms]}")
    [[ "${F[kill_to_first_ack_ms]}" =~ ^[0-9]+$ ]] && recov+=("${F[kill_to_first_ack_ms]}")
    [[ "${F[verified]}" == yes ]] && verified=$(( verified + 1 ))
    [[ "${F[acks_stopped]}" == yes ]] && stopped=$(( stopped + 1 ))
    [[ "${F[first_error]}" == none ]] || errors+=("${F[first_error]}")
    lost=$(( lost + F[lost] )); dups=$(( dups + F[duplicates] ))
    if (( run < FAILOVER_RUNS )); then
      log "  restarting node $FAILED_NODE on its data"
      "start_${name}_node" "$FAILED_NODE"
      "await_${name}_node" "$FAILED_NODE" $(( $(now_ms) + STARTUP_TIMEOUT_S * 1000 ))
    fi
  done
  median_range "${gaps[@]}";   R[$name.fo_gap_ms]=$STAT_MEDIAN;    R[$name.fo_gap_ms.range]=$STAT_RANGE
  median_range "${before[@]}"; R[$name.fo_before_ms]=$STAT_MEDIAN; R[$name.fo_before_ms.range]=$STAT_RANGE
  if (( ${#recov[@]} > 0 )); then
    median_range "${recov[@]}"; R[$name.fo_recovery_ms]=$STAT_MEDIAN; R[$name.fo_recovery_ms.range]=$STAT_RANGE
  fi
  median_range "${acked[@]}";  R[$name.fo_acked]=$STAT_MEDIAN;     R[$name.fo_acked.range]=$STAT_RANGE
  median_range "${failed[@]}"; R[$name.fo_failed]=$STAT_MEDIAN;    R[$name.fo_failed.range]=$STAT_RANGE
  R[$name.fo_verified]="$verified of $FAILOVER_RUNS runs"
  R[$name.fo_lost]=$lost
  R[$name.fo_duplicates]=$dups
  R[$name.fo_notes]="runs in which acks never resumed: $stopped; errors: ${errors[*]:-none}"
  log "$label failover: longest ack gap median ${R[$name.fo_gap_ms]} ms (${R[$name.fo_gap_ms.range]}), ${R[$name.fo_verified]} verified"

  log "stopping $label"
  stop_cluster "$name"
}

# Each system runs in a subshell with its own clean-up and work directory, so that one that fails (the message
# goes to the table) still leaves the other to run; the results come back through a file.
run_system() {  # system
  local name="$1" rc=0 console="$LOG_DIR/$1-console.log"
  (
    mkdir -p "$WORK_DIR/$name"
    cp "$WORK_DIR"/log4j2-*.properties "$WORK_DIR/$name/"
    WORK_DIR="$WORK_DIR/$name"
    stop_on_exit_traps
    bench "$name"
    declare -p R | sed 's/^declare -A /declare -gA /' > "$WORK_DIR.results"
  ) 2> >(tee -a "$console" >&2) || rc=$?
  if (( rc == 0 )); then
    # shellcheck disable=SC1090
    source "$WORK_DIR/$name.results"
  else
    (( rc == 130 || rc == 143 )) && exit "$rc"
    R[$name.failed]="$(sed -nE 's/^\[[0-9:]+\] ERROR: //p' "$console" | tail -n1)"
    R[$name.failed]="${R[$name.failed]:-exit $rc}"
    log "$name failed: ${R[$name.failed]}"
  fi
}

run_selected_systems run_system

# ----------------------------------------------------------------------------------------------
# Report.
# ----------------------------------------------------------------------------------------------
# row: label key unit better (higher|lower|"" for figures that are not compared)
ROWS=(
  "Launch to the first topic created|ready_ms|ms|lower"
  "Produce throughput|produce_rps|records/s|higher"
  "Produce throughput|produce_mbps|MB/s|higher"
  "Produce latency avg|produce_avg_ms|ms|lower"
  "Produce latency p50|produce_p50_ms|ms|lower"
  "Produce latency p99|produce_p99_ms|ms|lower"
  "Produce latency max|produce_max_ms|ms|lower"
  "Consume throughput (fetch)|consume_fetch_rps|records/s|higher"
  "Consume throughput (fetch)|consume_fetch_mbps|MB/s|higher"
  "Consume throughput (incl. join)|consume_rps|records/s|higher"
  "Consumer group join|consume_join_ms|ms|lower"
  "End-to-end latency avg|e2e_avg_ms|ms|lower"
  "End-to-end latency p99|e2e_p99_ms|ms|lower"
  "Failover: longest ack gap around the kill, median (range)|fo_gap_ms|ms|lower"
  "Failover: kill to the first ack, median (range)|fo_recovery_ms|ms|lower"
  "Failover: longest ack gap before the kill, median (range)|fo_before_ms|ms|lower"
  "Failover: acknowledged records, median (range)|fo_acked|records|higher"
  "Failover: failed sends, median (range)|fo_failed|records|lower"
  "Failover: every acknowledged record read back at its offset|fo_verified|runs|"
  "Failover: acknowledged records missing from their offset, all runs|fo_lost|records|lower"
  "Failover: records stored more than once, all runs|fo_duplicates|records|lower"
  "Peak RSS per broker (largest of 3)|peak_rss_max_mib|MiB|lower"
  "Peak RSS, 3 brokers together|peak_rss_sum_mib|MiB|lower"
  "RSS after the load per broker (largest of 3)|after_rss_max_mib|MiB|lower"
)

for n in strata kafka; do
  if [[ -n "${R[$n.failed]:-}" ]]; then R[$n.completed]="NO (see Failed below)"
  elif [[ -n "${R[$n.ready_ms]:-}" ]]; then R[$n.completed]=yes; fi
done
TABLE_MD="$(comparison_table "Run completed|completed||" "${ROWS[@]}")"

PARAMS_MD="| Parameter | Value |
|---|---|
| Command | \`$COMMAND\` |
| Clusters | 3 nodes each on 127.0.0.1, one system after the other; every topic replication factor $REPLICATION_FACTOR, min.insync.replicas=$MIN_INSYNC_REPLICAS |
| Throughput | ProducerPerformance: $RECORDS x $RECORD_SIZE B to $PARTITIONS partitions, acks=$ACKS, --throughput $THROUGHPUT, ${PRODUCER_EXTRA_PROPS:-client defaults (linger.ms=5, batch.size=16384, no compression)}; ConsumerPerformance: new group, from earliest, --messages $RECORDS; EndToEndLatency: $LATENCY_MESSAGES messages, acks=$ACKS, $PARTITIONS partitions |
| Failover | $FAILOVER_RUNS run(s) per system: FailoverStall.java, idempotent acks=all producer, $FAILOVER_RATE records/s x $RECORD_SIZE B to a 1-partition topic (RF $REPLICATION_FACTOR); its leader SIGKILLed after $FAILOVER_WARMUP_S s, producing goes on for $FAILOVER_AFTER_S s; gaps counted from 1 s before the kill; read back from the survivors; the killed node restarted before the next run |
| Failed | Strata: ${R[strata.failed]:-no}; Kafka: ${R[kafka.failed]:-no} |
| Failover notes | Strata: ${R[strata.fo_notes]:--}; Kafka: ${R[kafka.fo_notes]:--} |
| RSS per node | Strata: ${R[strata.rss_nodes]:--}; Kafka: ${R[kafka.rss_nodes]:--} |
| Strata | \`$(strata_command)\` x 3, racks a b a, tiering to one shared directory, git $(git_revision) |
| Apache Kafka | $KAFKA_VERSION KRaft, 3 combined broker+controller nodes, controller.quorum.voters, racks a b a, JVM \`$KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS\` |
| Client tools | Apache Kafka $KAFKA_VERSION (kafka-tools, kafka-clients), JVM opts \`$TOOLS_JAVA_OPTS\` |
| Java | $(java_description) |
| Machine | $(machine_description) |
| Run | $RUN_ID, $ELAPSED_S s for the systems' runs |"

write_results "Cluster benchmark: 3 Strata brokers vs 3 Apache Kafka $KAFKA_VERSION nodes ($RUN_ID)" <<EOF
Ratio = Strata / Kafka, of the medians for the failover figures. "Better" says which direction is good.
MB = 2^20 bytes. Throughput figures from ProducerPerformance, ConsumerPerformance ("fetch" excludes the
consumer-group join) and EndToEndLatency. Failover figures from FailoverStall.java: the longest time between two
consecutive acknowledgements from 1 s before the kill to the end (when acknowledgements never resumed, up to the
end of the run), the time from the kill to the first acknowledgement after it, and the same longest gap before
the kill for comparison. RSS = VmRSS of each broker JVM, sampled every ${RSS_SAMPLE_INTERVAL_S} s from launch
until after the throughput load (before the failover runs).
EOF
