#!/usr/bin/env bash
# Kafka-protocol benchmark: Strata vs Apache Kafka, same machine, same client tools, one run.
#
#   load-tests/kafka-benchmark.sh                      # both brokers, defaults below
#   BROKERS=kafka RECORDS=100000 load-tests/kafka-benchmark.sh
#   SECURITY=sasl_ssl load-tests/kafka-benchmark.sh      # both brokers behind TLS and SCRAM-SHA-512
#
# Everything runs on 127.0.0.1. Every tool is bounded by a record count and by `timeout`.
# See load-tests/README.md for what is measured and how to read the table.
set -euo pipefail
export LC_ALL=C

# ----------------------------------------------------------------------------------------------
# Parameters (environment variables). Defaults are sized for a 2-core machine: a full run of both
# brokers takes roughly 1-3 minutes (Kafka alone: ~40 s).
# ----------------------------------------------------------------------------------------------
BROKERS="${BROKERS:-strata,kafka}"          # strata | kafka | strata,kafka
RECORDS="${RECORDS:-1000000}"               # records produced by ProducerPerformance, read back by ConsumerPerformance
RECORD_SIZE="${RECORD_SIZE:-1024}"          # bytes per record (produce and end-to-end)
PARTITIONS="${PARTITIONS:-6}"               # partitions of each benchmark topic
TOPICS="${TOPICS:-1}"                       # topics of PARTITIONS partitions; the load goes to the first
LATENCY_PARTITIONS="${LATENCY_PARTITIONS:-$PARTITIONS}"  # partitions of the end-to-end latency topic
PRODUCE_RUNS="${PRODUCE_RUNS:-1}"           # ProducerPerformance runs; the table shows the first and the last
RESTART="${RESTART:-false}"                 # true: after the load, time a clean stop and a restart on the same data
CONNECTIONS="${CONNECTIONS:-0}"             # >0: that many idle long-polling consumer connections, then a storm of as many connects
CONNECTION_SECONDS="${CONNECTION_SECONDS:-20}"  # how long the broker's CPU is measured with the idle connections
LATENCY_MESSAGES="${LATENCY_MESSAGES:-10000}"  # messages sent one at a time by EndToEndLatency
ACKS="${ACKS:-all}"
THROUGHPUT="${THROUGHPUT:--1}"              # ProducerPerformance --throughput (-1 = unthrottled)
PRODUCER_EXTRA_PROPS="${PRODUCER_EXTRA_PROPS:-}"  # e.g. "linger.ms=10 batch.size=65536"; default: client defaults
TRANSACTION_MS="${TRANSACTION_MS:-0}"       # >0: ProducerPerformance commits a transaction every that many ms, and
                                            # ConsumerPerformance reads with isolation.level=read_committed
SECURITY="${SECURITY:-plaintext}"           # the brokers' Kafka listener: plaintext | ssl (TLS) | sasl_ssl (TLS and
                                            # SCRAM-SHA-512), with a CA and a server certificate made for the run

STRATA_PORT="${STRATA_PORT:-19092}"
STRATA_HTTP_PORT="${STRATA_HTTP_PORT:-18080}"
KAFKA_PORT="${KAFKA_PORT:-29092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-29093}"

# JVM options. Kafka's default is what bin/kafka-server-start.sh + bin/kafka-run-class.sh set.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
# KAFKA_JVM_PERFORMANCE_OPTS: the rest of what those scripts set; its default is in lib.sh.
# STRATA_JAVA_OPTS: Strata's recommended options by default (lib.sh), as Kafka runs with its scripts' options.
TOOLS_JAVA_OPTS="${TOOLS_JAVA_OPTS:--Xmx512M}"  # what bin/kafka-producer-perf-test.sh & co. set

STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-30}"    # broker launch -> port accepts TCP
READY_TIMEOUT_S="${READY_TIMEOUT_S:-60}"        # topic creation (retried until the broker answers)
TOOL_TIMEOUT_S="${TOOL_TIMEOUT_S:-240}"         # hard limit per perf tool run
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-20}"          # SIGTERM -> SIGKILL
RSS_SAMPLE_INTERVAL_S="${RSS_SAMPLE_INTERVAL_S:-0.25}"

# ----------------------------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Also sets REPO_ROOT, LIB_DIR, KAFKA_VERSION, STRATA_JAR, STRATA_BUILD, RUN_ID and RESULTS_DIR.
# shellcheck source=lib.sh disable=SC2034  # CLASSPATH_KAFKA etc. are read by lib.sh
source "$SCRIPT_DIR/lib.sh"
RESULTS_FILE="$RESULTS_DIR/$RUN_ID.md"
if [[ "$SECURITY" != plaintext ]]; then RESULTS_FILE="$RESULTS_DIR/$RUN_ID-$SECURITY.md"; fi
LOG_DIR="$SCRIPT_DIR/target/benchmark-logs/$RUN_ID"   # kept after the run (target/ is git-ignored)
WORK_DIR=""                                            # broker data, removed on exit


is_uint "$RECORDS"          || die "RECORDS must be a positive integer (got '$RECORDS')"
is_uint "$RECORD_SIZE"      || die "RECORD_SIZE must be a positive integer (got '$RECORD_SIZE')"
is_uint "$PARTITIONS"       || die "PARTITIONS must be a positive integer (got '$PARTITIONS')"
is_uint "$LATENCY_MESSAGES" || die "LATENCY_MESSAGES must be a positive integer (got '$LATENCY_MESSAGES')"
is_uint "$TOPICS"           || die "TOPICS must be a positive integer (got '$TOPICS')"
is_uint "$LATENCY_PARTITIONS" || die "LATENCY_PARTITIONS must be a positive integer (got '$LATENCY_PARTITIONS')"
is_uint "$PRODUCE_RUNS"     || die "PRODUCE_RUNS must be a positive integer (got '$PRODUCE_RUNS')"
[[ "$TRANSACTION_MS" =~ ^[0-9]+$ ]] || die "TRANSACTION_MS must be a whole number (got '$TRANSACTION_MS')"
case "$RESTART" in true|false) ;; *) die "RESTART must be true or false (got '$RESTART')";; esac
[[ "$CONNECTIONS" =~ ^[0-9]+$ ]] || die "CONNECTIONS must be a whole number (got '$CONNECTIONS')"
is_uint "$CONNECTION_SECONDS" || die "CONNECTION_SECONDS must be a positive integer (got '$CONNECTION_SECONDS')"
case "$ACKS" in 1|all) ;; *) die "ACKS must be 1 or all (EndToEndLatency accepts nothing else)";; esac
case "$SECURITY" in plaintext|ssl|sasl_ssl) ;; *) die "SECURITY must be plaintext, ssl or sasl_ssl (got '$SECURITY')";; esac
if [[ "$SECURITY" != plaintext ]] && (( CONNECTIONS > 0 )); then
  die "CONNECTIONS needs SECURITY=plaintext: ConnectionLoad speaks the Kafka protocol over plain TCP"
fi
SECURITY_PROTOCOL="${SECURITY^^}"   # Kafka's name: PLAINTEXT, SSL or SASL_SSL; also the name of Kafka's listener

select_systems BROKERS

# Clean-up: always stop what we started and remove broker data.
stop_on_exit_traps

# ----------------------------------------------------------------------------------------------
# Preparation: build Strata if needed, fetch the Kafka jars.
# ----------------------------------------------------------------------------------------------
prepare_brokers_run strata-bench

# ----------------------------------------------------------------------------------------------
# Security: one CA and one server certificate for both brokers, one SCRAM user (the clients' and, for Kafka
# and Strata alike, the inter-broker one), and the clients' properties (CLIENT_CONFIG), made for this run.
# ----------------------------------------------------------------------------------------------
TLS_DIR="$WORK_DIR/tls"
SASL_USER=admin
SASL_PASSWORD=""
if [[ "$SECURITY" != plaintext ]]; then
  make_tls_files "$TLS_DIR"
  if [[ "$SECURITY" == sasl_ssl ]]; then SASL_PASSWORD="$(openssl rand -hex 16)"; fi
  CLIENT_CONFIG="$WORK_DIR/client.properties"
  client_security_properties "$SECURITY_PROTOCOL" "$TLS_DIR/ca.pem" "$SASL_USER" "$SASL_PASSWORD" > "$CLIENT_CONFIG"
fi

# ----------------------------------------------------------------------------------------------
# Helpers shared by both brokers.
# ----------------------------------------------------------------------------------------------
# Results: R[<broker>.<metric>] = value
declare -A R=()

# ----------------------------------------------------------------------------------------------
# What the brokers start with besides lib.sh's start_strata and start_kafka settings (everything after "port
# accepts connections" is identical): the listener's security, and the partitions of a topic Kafka auto-creates.
# ----------------------------------------------------------------------------------------------
# Strata's environment for SECURITY (README.md, "TLS" and "SASL").
strata_security_env() {
  [[ "$SECURITY" == plaintext ]] && return 0
  echo "STRATA_KAFKA_SECURITY_PROTOCOL=$SECURITY_PROTOCOL"
  echo "STRATA_KAFKA_TLS_CERT_FILE=$TLS_DIR/server.pem"
  echo "STRATA_KAFKA_TLS_KEY_FILE=$TLS_DIR/server.key"
  echo "STRATA_INTER_BROKER_TLS_CA_FILE=$TLS_DIR/ca.pem"
  if [[ "$SECURITY" == sasl_ssl ]]; then
    echo "STRATA_SASL_MECHANISMS=SCRAM-SHA-512"
    echo "STRATA_SASL_BOOTSTRAP_USERS=$SASL_USER:$SASL_PASSWORD"
    echo "STRATA_INTER_BROKER_USERNAME=$SASL_USER"
    echo "STRATA_INTER_BROKER_PASSWORD=$SASL_PASSWORD"
  fi
}

# A PEM file as the value of a property, one line of the file per continued line, as Kafka reads inline PEM.
pem_property() {  # key file
  printf '%s=' "$1"
  awk 'NR > 1 { printf " \\\n" } { printf "%s", $0 } END { print "" }' "$2"
}

# Kafka's listener settings for SECURITY: the server certificate and key inline (a PEM key store file must hold
# an encrypted key), the CA for the broker's connections to the inter-broker listener, and for sasl_ssl SCRAM-SHA-512 for clients and the inter-broker connections, whose user the
# storage is formatted with (format_kafka_storage). The controller listener stays PLAINTEXT; no authorizer.
kafka_security_properties() {
  [[ "$SECURITY" == plaintext ]] && return 0
  echo "ssl.keystore.type=PEM"
  pem_property ssl.keystore.key "$TLS_DIR/server.key"
  pem_property ssl.keystore.certificate.chain "$TLS_DIR/server.pem"
  echo "ssl.truststore.type=PEM"
  echo "ssl.truststore.location=$TLS_DIR/ca.pem"
  if [[ "$SECURITY" == sasl_ssl ]]; then
    echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
    echo "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512"
    echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$SASL_USER\" password=\"$SASL_PASSWORD\";"
  fi
}

mapfile -t STRATA_ENV < <(strata_security_env)
KAFKA_PROPERTIES="num.partitions=$PARTITIONS
$(kafka_security_properties)"
if [[ "$SECURITY" == sasl_ssl ]]; then
  KAFKA_FORMAT_ARGS=(--add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
fi

# ----------------------------------------------------------------------------------------------
# The benchmark proper: identical for both brokers.
# ----------------------------------------------------------------------------------------------
bench() {  # name (strata|kafka)
  local name="$1" label
  [[ "$name" == strata ]] && label="Strata" || label="Apache Kafka"
  log "=== $label, $SECURITY_PROTOCOL ==="
  "start_$name"
  local pid="$BROKER_PID" port="$BROKER_PORT" blog="$BROKER_LOG" bs="127.0.0.1:$BROKER_PORT"
  local rss_file="$WORK_DIR/$name.rss"
  start_rss_sampler "$name" "$pid" "$rss_file"

  local startup_ms
  startup_ms=$(wait_for_port "$label" "$pid" "$port" "$LAUNCH_MS" "$blog")
  R[$name.startup_ms]=$startup_ms
  log "$label accepts connections on $bs after ${startup_ms} ms (pid $pid)"

  # Topics. Retry: the port may accept connections before the broker serves requests. The first topic
  # takes the load; the time to create all TOPICS is reported.
  local topic="bench-$RUN_ID" lat_topic="bench-latency-$RUN_ID" t i
  local deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 )) create_start
  create_start=$(now_ms)
  for (( i = 1; i <= TOPICS; i++ )); do
    t="$topic"; (( i == 1 )) || t="$topic-$i"
    create_topic "$LOG_DIR/$name-topic-$t.log" "$t" "$bs" "$PARTITIONS" "$label" "$pid" "$blog" "$deadline"
  done
  R[$name.create_ms]=$(( $(now_ms) - create_start ))
  create_topic "$LOG_DIR/$name-topic-$lat_topic.log" "$lat_topic" "$bs" "$LATENCY_PARTITIONS" "$label" "$pid" "$blog" \
    "$deadline"
  R[$name.idle_rss_kb]=$(current_rss_kb "$pid")
  log "$TOPICS topic(s) of $PARTITIONS partitions created in ${R[$name.create_ms]} ms, and $lat_topic" \
      "($LATENCY_PARTITIONS partitions); RSS after start-up: $(( ${R[$name.idle_rss_kb]} / 1024 )) MiB"

  # 1. Produce, PRODUCE_RUNS times: the first run meets every partition for the first time.
  local plog run
  for (( run = 1; run <= PRODUCE_RUNS; run++ )); do
    plog="$LOG_DIR/$name-producer-$run.log"
    log "ProducerPerformance run $run of $PRODUCE_RUNS: $RECORDS x $RECORD_SIZE B, acks=$ACKS, throughput=$THROUGHPUT"
    run_producer_perf "$plog" "$bs" "$topic" "against $label"
    if (( run == 1 )); then
      store_results "$name" produce_rps=P_RPS produce_mbps=P_MBPS produce_avg_ms=P_AVG_MS produce_max_ms=P_MAX_MS \
        produce_p50_ms=P_P50_MS produce_p99_ms=P_P99_MS
    else
      store_results "$name" produce_last_rps=P_RPS produce_last_p99_ms=P_P99_MS
    fi
  done

  # 2. Consume the same records.
  local clog="$LOG_DIR/$name-consumer.log"
  log "ConsumerPerformance: $RECORDS records from $topic"
  local isolation=()
  if (( TRANSACTION_MS > 0 )); then
    client_config_with "$WORK_DIR/read-committed.properties" isolation.level=read_committed
    isolation=(--consumer.config "$WORK_DIR/read-committed.properties")
  fi
  run_consumer_perf "$clog" "$bs" "$topic" "bench-consumer-$RUN_ID" "against $label" --timeout 30000 "${isolation[@]}"
  echo "  consumed $C_N records: $C_RPS records/s, $C_MBPS MB/s overall; fetch only: $C_FRPS records/s, $C_FMBPS MB/s; group join ${C_REB_MS} ms" >&2
  store_results "$name" consume_rps=C_RPS consume_mbps=C_MBPS consume_fetch_rps=C_FRPS consume_fetch_mbps=C_FMBPS \
    consume_join_ms=C_REB_MS

  # 3. End-to-end latency: one message at a time, produce (acks) then poll.
  local elog="$LOG_DIR/$name-e2e.log"
  log "EndToEndLatency: $LATENCY_MESSAGES x $RECORD_SIZE B, acks=$ACKS"
  run_e2e_latency "$elog" "$bs" "$lat_topic" "against $label"
  store_results "$name" e2e_avg_ms=E_AVG_MS e2e_p99_ms=E_P99_MS

  # Last RSS sample after the load, then stop.
  sleep 1
  local last peak
  last=$(current_rss_kb "$pid")
  peak=$(cat "$rss_file")
  if (( last > peak )); then peak=$last; fi
  R[$name.peak_rss_kb]=$peak
  R[$name.after_rss_kb]=$last
  log "$label RSS: peak $(( peak / 1024 )) MiB, after load $(( last / 1024 )) MiB"

  # Idle consumer connections long-polling the latency topic's partition 0, then a connection storm.
  if (( CONNECTIONS > 0 )); then
    local cload="$LOG_DIR/$name-connections.log" key value
    log "ConnectionLoad: $CONNECTIONS idle long-polling connections for ${CONNECTION_SECONDS} s, then a storm of $CONNECTIONS connects"
    # shellcheck disable=SC2086
    timeout --kill-after=10 "$TOOL_TIMEOUT_S" java $TOOLS_JAVA_OPTS -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" \
        -cp "$CLASSPATH_KAFKA" "$SCRIPT_DIR/ConnectionLoad.java" "$bs" "$pid" "$lat_topic" "$CONNECTIONS" \
        "$CONNECTION_SECONDS" > "$cload" 2>&1 \
      || die "ConnectionLoad failed against $label; log: $cload"
    while IFS='=' read -r key value; do
      [[ "$key" =~ ^[a-z0-9_]+$ && -n "$value" ]] && R[$name.$key]=$value
    done < "$cload"
    [[ -n "${R[$name.idle_cpu_pct]:-}" ]] || die "cannot read ConnectionLoad's results; log: $cload"
    echo "  $(grep -E '^[a-z0-9_]+=' "$cload" | tr '\n' ' ')" >&2
  fi
  log "stopping $label"
  local stop_start
  stop_start=$(now_ms)
  stop_started "$pid"
  R[$name.stop_ms]=$(( $(now_ms) - stop_start ))
  stop_started "$SAMPLER_PID"

  # 4. Restart on the same data, after the clean stop.
  if $RESTART; then
    log "$label stopped in ${R[$name.stop_ms]} ms (SIGKILL after ${STOP_TIMEOUT_S} s); restarting on the same data"
    "start_$name"
    R[$name.restart_ms]=$(wait_for_port "$label" "$BROKER_PID" "$BROKER_PORT" "$LAUNCH_MS" "$BROKER_LOG")
    log "$label accepts connections again after ${R[$name.restart_ms]} ms"
    stop_started "$BROKER_PID"
  fi
  remove_broker_data "$name"
}

run_selected_systems bench

# ----------------------------------------------------------------------------------------------
# Report.
# ----------------------------------------------------------------------------------------------
# row: label key unit better target_op target_value
#   better: higher|lower (which direction is good); target: ge/le = ratio >=/<= value,
#   lt3 = Strata below a third of Kafka, abslt = Strata's own value below value.
ROWS=(
  "Create the topics|create_ms|ms|lower|le|1.0"
  "Produce throughput|produce_rps|records/s|higher|ge|1.0"
  "Produce throughput|produce_mbps|MB/s|higher|ge|1.0"
  "Produce latency avg|produce_avg_ms|ms|lower||"
  "Produce latency p50|produce_p50_ms|ms|lower||"
  "Produce latency p99|produce_p99_ms|ms|lower|le|1.0"
  "Produce latency max|produce_max_ms|ms|lower||"
  "Produce throughput, last run|produce_last_rps|records/s|higher|ge|1.0"
  "Produce latency p99, last run|produce_last_p99_ms|ms|lower|le|1.0"
  "Consume throughput (fetch)|consume_fetch_rps|records/s|higher|ge|1.0"
  "Consume throughput (fetch)|consume_fetch_mbps|MB/s|higher|ge|1.0"
  "Consume throughput (incl. join)|consume_rps|records/s|higher||"
  "Consume throughput (incl. join)|consume_mbps|MB/s|higher||"
  "Consumer group join|consume_join_ms|ms|lower||"
  "End-to-end latency avg|e2e_avg_ms|ms|lower||"
  "End-to-end latency p99|e2e_p99_ms|ms|lower||"
  "Start-up to accepting TCP|startup_ms|ms|lower|abslt|1500"
  "Peak RSS|peak_rss_mib|MiB|lower|lt3|0.3333"
  "RSS after start-up (idle)|idle_rss_mib|MiB|lower||"
  "RSS after the load|after_rss_mib|MiB|lower|le|0.5"
  "Idle connections (long-polling Fetch)|idle_connections|connections|higher||"
  "CPU with the idle connections|idle_cpu_pct|% of a core|lower|abslt|5"
  "Live heap per idle connection|heap_per_connection_kb|KiB|lower||"
  "RSS per idle connection|rss_per_connection_kb|KiB|lower||"
  "Connection storm: served|storm_served|connections|higher||"
  "Connection storm: refused|storm_refused|connections|lower||"
  "Established client's p99 before the storm|probe_p99_before_ms|ms|lower||"
  "Established client's p99 during the storm|probe_p99_during_ms|ms|lower||"
  "Clean stop (SIGTERM to exit)|stop_ms|ms|lower|abslt|3000"
  "Restart to accepting TCP|restart_ms|ms|lower|le|1.0"
)
for n in strata kafka; do
  if [[ -n "${R[$n.peak_rss_kb]:-}" ]]; then R[$n.peak_rss_mib]=$(awk -v k="${R[$n.peak_rss_kb]}" 'BEGIN{printf "%.0f", k/1024}'); fi
  if [[ -n "${R[$n.idle_rss_kb]:-}" ]]; then R[$n.idle_rss_mib]=$(awk -v k="${R[$n.idle_rss_kb]}" 'BEGIN{printf "%.0f", k/1024}'); fi
  if [[ -n "${R[$n.after_rss_kb]:-}" ]]; then R[$n.after_rss_mib]=$(awk -v k="${R[$n.after_rss_kb]}" 'BEGIN{printf "%.0f", k/1024}'); fi
done

TABLE_MD="| Figure | Unit | Strata | Kafka | Strata/Kafka | Better | Target | Met |
|---|---|---:|---:|---:|---|---|---|"
for row in "${ROWS[@]}"; do
  IFS='|' read -r label key unit better top tval <<< "$row"
  s="${R[strata.$key]:-}"; k="${R[kafka.$key]:-}"
  ratio="-"
  if [[ -n "$s" && -n "$k" ]]; then
    ratio=$(ratio_of "$s" "$k")
  fi
  target="-"; met="-"
  case "$top" in
    ge)    target="ratio >= $tval"
              [[ "$ratio" =~ ^[0-9.]+$ ]] && met=$(awk -v r="$ratio" -v t="$tval" 'BEGIN{print (r >= t) ? "yes" : "NO"}') ;;
    le)    target="ratio <= $tval"
              [[ "$ratio" =~ ^[0-9.]+$ ]] && met=$(awk -v r="$ratio" -v t="$tval" 'BEGIN{print (r <= t) ? "yes" : "NO"}') ;;
    lt3)   target="ratio < 1/3"
              [[ -n "$s" && -n "$k" ]] && met=$(awk -v s="$s" -v k="$k" 'BEGIN{print (s * 3 < k) ? "yes" : "NO"}') ;;
    abslt) target="Strata < $tval $unit"
              [[ -n "$s" ]] && met=$(awk -v s="$s" -v t="$tval" 'BEGIN{print (s < t) ? "yes" : "NO"}') ;;
  esac
  TABLE_MD+=$'\n'"| $label | $unit | $(fmt_num "$s") | $(fmt_num "$k") | $ratio | $better | $target | $met |"
done

# The listener security of the run, for the parameters, with Strata's TLS provider as it logged it at start-up.
security_description() {
  local tls="TLS 1.3, a server certificate (RSA 2048, SAN IP:127.0.0.1, DNS:localhost) from a CA made for the run, no client certificates; the clients trust the CA (PEM); Kafka uses the JDK's TLS" strata_tls
  strata_tls="$(sed -nE 's/.*Kafka listener TLS: (.*) provider,.*/\1/p' "$LOG_DIR/strata.log" 2>/dev/null | head -n1)"
  tls+="${strata_tls:+, Strata $strata_tls}"
  case "$SECURITY" in
    plaintext) echo "PLAINTEXT" ;;
    ssl)       echo "SSL: $tls" ;;
    sasl_ssl)  echo "SASL_SSL: $tls; SCRAM-SHA-512, one user for the clients and the inter-broker connections, no authorizer" ;;
  esac
}

GIT_REV="$(git_revision)"
PARAMS_MD="| Parameter | Value |
|---|---|
| Brokers | $BROKERS |
| SECURITY (both brokers' Kafka listener, every client) | $(security_description) |
| RECORDS (produce, then consume) | $RECORDS |
| RECORD_SIZE | $RECORD_SIZE B |
| PARTITIONS | $PARTITIONS (replication factor 1) |
| TOPICS (of PARTITIONS each; the load goes to the first) | $TOPICS |
| LATENCY_PARTITIONS (end-to-end topic) | $LATENCY_PARTITIONS |
| PRODUCE_RUNS | $PRODUCE_RUNS |
| RESTART (timed clean stop and restart) | $RESTART |
| CONNECTIONS (idle long-polling consumers, then a storm of as many connects) | $CONNECTIONS, CPU measured over $CONNECTION_SECONDS s |
| LATENCY_MESSAGES (end-to-end) | $LATENCY_MESSAGES |
| Producer | acks=$ACKS, --throughput $THROUGHPUT, other producer settings: ${PRODUCER_EXTRA_PROPS:-client defaults (Kafka $KAFKA_VERSION: linger.ms=5, batch.size=16384, compression none)} |
| Transactions | $( (( TRANSACTION_MS > 0 )) && echo "ProducerPerformance commits every $TRANSACTION_MS ms (\`--transaction-duration-ms\`); the consumer reads read_committed" || echo "none" ) |
| Consumer | ConsumerPerformance defaults (fetch size 1 MiB), new group, from earliest, --timeout 30000 |
| End-to-end | EndToEndLatency: send(acks=$ACKS).get() then poll, linger.ms=0, fetch.max.wait.ms=0; percentiles in whole ms |
| Client tools | Apache Kafka $KAFKA_VERSION (kafka-tools), JVM opts \`$TOOLS_JAVA_OPTS\` |
| Strata | \`$(strata_command)\`, port $STRATA_PORT, git $GIT_REV |
| Apache Kafka | $KAFKA_VERSION KRaft combined broker+controller, 1 node, port $KAFKA_PORT, JVM \`$KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS\` |
| Java | $(java_description) |
| Machine | $(machine_description) |
| Run | $RUN_ID, $ELAPSED_S s for the brokers' runs |"

write_results -l "Tool logs" "Kafka-protocol benchmark: Strata vs Apache Kafka $KAFKA_VERSION over $SECURITY_PROTOCOL ($RUN_ID)" <<EOF
Ratio = Strata / Kafka. "Better" says which direction is good for the figure.
Producer figures from ProducerPerformance, consumer figures from ConsumerPerformance ("fetch" excludes the
consumer-group join, "incl. join" is the whole run), end-to-end from EndToEndLatency. MB = 2^20 bytes.
Start-up = process launch until the Kafka port accepts a TCP connection. RSS = VmRSS of the broker JVM,
sampled every ${RSS_SAMPLE_INTERVAL_S} s from launch until after the load.
EOF
