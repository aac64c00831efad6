# shellcheck shell=bash disable=SC2034  # the P_* and C_* results are read by the sourcing script
# Helpers shared by kafka-benchmark.sh, startup-benchmark.sh, tiered-benchmark.sh and cluster-benchmark.sh. Sourced,
# not run.
#
# The sourcing script sets SCRIPT_DIR (this directory) before sourcing it, and, before calling them: STARTUP_TIMEOUT_S,
# READY_TIMEOUT_S, TOOL_TIMEOUT_S, TOOLS_JAVA_OPTS, WORK_DIR, CLASSPATH_KAFKA, LOG_DIR, RSS_SAMPLE_INTERVAL_S, and the
# perf tools' RECORDS, RECORD_SIZE, THROUGHPUT, ACKS, PRODUCER_EXTRA_PROPS and LATENCY_MESSAGES. prepare_brokers_run
# sets WORK_DIR, JAVA_VERSION and CLASSPATH_KAFKA for a script that runs brokers.

# ----------------------------------------------------------------------------------------------
# Layout and build settings both benchmarks share. STRATA_JAR: the runnable Strata jar; default is the
# repository's build. Setting it (e.g. to a copy of an older build) turns the automatic build off unless
# STRATA_BUILD says otherwise.
# ----------------------------------------------------------------------------------------------
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
LIB_DIR="$SCRIPT_DIR/target/lib"
KAFKA_VERSION="4.1.1"
if [[ -n "${STRATA_JAR:-}" ]]; then STRATA_BUILD="${STRATA_BUILD:-never}"; fi
STRATA_BUILD="${STRATA_BUILD:-auto}"            # auto (build if jar missing or sources newer) | always | never
STRATA_JAR="$(realpath -m "${STRATA_JAR:-$REPO_ROOT/broker/target/quarkus-app/quarkus-run.jar}")"
RUN_ID="$(date +%Y-%m-%d-%H%M%S)"
RESULTS_DIR="$SCRIPT_DIR/results"
# Strata's JVM options: the ones it recommends (deployment/jvm.options), as Kafka runs with its scripts' options.
# Set it empty for plain `java -jar`, whose initial heap is 1/64 of the machine's memory.
STRATA_JAVA_OPTS="${STRATA_JAVA_OPTS-@$REPO_ROOT/deployment/jvm.options}"
# The java that runs Strata, e.g. another JDK's bin/java; Kafka and the client tools run with the java on PATH.
STRATA_JAVA="${STRATA_JAVA:-java}"
# What bin/kafka-server-start.sh and bin/kafka-run-class.sh give Kafka's JVM besides the heap.
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
TOPIC_REPLICATION_FACTOR="${TOPIC_REPLICATION_FACTOR:-1}"  # of the topics create_topic makes
# The client properties file every perf tool gets (TopicCommand, ProducerPerformance, ConsumerPerformance,
# EndToEndLatency): the listener's security settings (client_security_properties). Empty: none, PLAINTEXT.
CLIENT_CONFIG=""
# The command line that made the results (command_line), shown at their head; empty: none shown.
COMMAND=""

log()  { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die()  { printf '[%(%H:%M:%S)T] ERROR: %s\n' -1 "$*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 )); }

# SIGTERM, wait up to timeout_s, then SIGKILL. Only ever called with pids this script started.
stop_pid() {  # pid timeout_s
  local pid="$1" t="$2" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < t * 10; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after ${t}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# ----------------------------------------------------------------------------------------------
# Clean-up on exit: stop_on_exit_traps makes any exit (error, Ctrl-C, TERM) stop the running tool and
# every process registered with started (the last started first: a sampler before the broker it
# samples, a broker before the store it tiers to), remove WORK_DIR, and keep the logs of a failed run.
# ----------------------------------------------------------------------------------------------
TOOL_PID=""      # the perf tool run_tool is waiting for
STARTED=()       # "pid stop_timeout_s name" of each process still to stop, in start order

started() {  # name pid stop_timeout_s
  STARTED+=("$2 $3 $1")
}

# Stops a process registered with started now, and forgets it.
stop_started() {  # pid
  local i pid t name
  for i in "${!STARTED[@]}"; do
    read -r pid t name <<< "${STARTED[$i]}"
    if [[ "$pid" == "$1" ]]; then
      stop_pid "$pid" "$t"
      unset "STARTED[$i]"
      return 0
    fi
  done
}

cleanup() {
  local rc=$? i pid t name
  set +e
  trap - EXIT INT TERM
  if [[ -n "$TOOL_PID" ]]; then stop_pid "$TOOL_PID" 5; fi
  local order=("${!STARTED[@]}")
  for (( i = ${#order[@]} - 1; i >= 0; i-- )); do
    read -r pid t name <<< "${STARTED[${order[$i]}]}"
    log "cleanup: stopping $name (pid $pid)"
    stop_pid "$pid" "$t"
  done
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
  if (( rc != 0 )); then log "failed (exit $rc); logs kept in $LOG_DIR"; fi
  exit "$rc"
}

stop_on_exit_traps() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Maven, quiet, offline first (everything may already be in ~/.m2), then online.
mvn_quiet() {  # args...
  (cd "$REPO_ROOT" && { ./mvnw -q -o "$@" || ./mvnw -q "$@"; })
}

# Builds Strata when mode says so: always | never | auto (jar missing or older than a source file).
ensure_strata_jar() {  # jar mode
  local jar="$1" mode="$2" need_build=false
  case "$mode" in
    always) need_build=true ;;
    never)  ;;
    auto)
      if [[ ! -f "$jar" ]]; then
        need_build=true
      elif [[ -n "$(cd "$REPO_ROOT" && find pom.xml broker tiered-storage -path '*/target' -prune -o -type f -newer "$jar" -print -quit 2>/dev/null)" ]]; then
        need_build=true
      fi ;;
    *) die "STRATA_BUILD must be auto, always or never" ;;
  esac
  if $need_build; then
    log "building Strata (./mvnw -q -DskipTests package), output: $LOG_DIR/strata-build.log"
    mvn_quiet -DskipTests package > "$LOG_DIR/strata-build.log" 2>&1 \
      || die "Strata build failed; log: $LOG_DIR/strata-build.log"
  fi
  [[ -f "$jar" ]] || die "Strata jar not found: $jar"
}

# Fetches the Kafka broker and perf tool jars (load-tests/pom.xml) into lib_dir when missing.
ensure_kafka_jars() {  # lib_dir kafka_version
  local dir="$1" version="$2"
  if [[ ! -f "$dir/kafka_2.13-$version.jar" || ! -f "$dir/kafka-tools-$version.jar" ]]; then
    log "fetching Apache Kafka $version jars into $dir"
    mvn_quiet -f load-tests/pom.xml dependency:copy-dependencies > "$LOG_DIR/kafka-jars.log" 2>&1 \
      || die "fetching the Kafka jars failed; log: $LOG_DIR/kafka-jars.log"
  fi
}

# Log4j 2 configuration: level and above, to target (SYSTEM_OUT or SYSTEM_ERR).
write_log4j() {  # file level target
  cat > "$1" <<EOT
status = warn
appender.console.type = Console
appender.console.name = CONSOLE
appender.console.target = $3
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $2
rootLogger.appenderRef.console.ref = CONSOLE
EOT
}

# Log4j 2 configuration for a Kafka broker: INFO to its stdout, the state-change log only from WARN.
write_broker_log4j() {  # file
  write_log4j "$1" INFO SYSTEM_OUT
  cat >> "$1" <<'EOF'
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

# Log4j 2 configuration for the client tools: WARN and above, to stderr.
write_tools_log4j() {  # file
  write_log4j "$1" WARN SYSTEM_ERR
}

# How Strata is started, for a results table: paths relative to the repository.
strata_command() { echo "$STRATA_JAVA ${STRATA_JAVA_OPTS:+${STRATA_JAVA_OPTS//$REPO_ROOT\//} }-jar ${STRATA_JAR#"$REPO_ROOT"/}"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_port_free() {  # port what
  if port_open "$1"; then
    die "port $1 ($2) is already in use on 127.0.0.1; stop whatever listens there or choose another port"
  fi
}

run_tool() {  # logfile mainclass args...   (bounded by TOOL_TIMEOUT_S; output to logfile)
  local logfile="$1"; shift
  local rc=0
  # shellcheck disable=SC2086
  timeout --kill-after=10 "$TOOL_TIMEOUT_S" \
    java $TOOLS_JAVA_OPTS -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" \
      -cp "$CLASSPATH_KAFKA" "$@" > "$logfile" 2>&1 &
  TOOL_PID=$!
  wait "$TOOL_PID" || rc=$?
  TOOL_PID=""
  if (( rc == 124 || rc == 137 )); then
    log "$1 did not finish within ${TOOL_TIMEOUT_S} s; log: $logfile"
  fi
  return "$rc"
}

# The server.properties lines every Kafka node of the benchmarks shares: those of the distribution's
# config/server.properties that are not about roles, ports, paths or replication.
kafka_common_properties() {
  cat <<'EOF'
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
num.recovery.threads.per.data.dir=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
EOF
}

# ----------------------------------------------------------------------------------------------
# One broker of each kind on 127.0.0.1, as kafka-benchmark.sh and startup-benchmark.sh start them: data under
# WORK_DIR, output appended to LOG_DIR/strata.log or LOG_DIR/kafka.log. The sourcing script sets STRATA_PORT,
# STRATA_HTTP_PORT, KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_HEAP_OPTS and STOP_TIMEOUT_S, and may set the four
# variables below. Each start_* sets LAUNCH_MS (taken just before the fork), BROKER_PID, BROKER_PORT and BROKER_LOG,
# and registers the broker with started.
# ----------------------------------------------------------------------------------------------
STRATA_ENV=()            # NAME=value settings for Strata's environment besides ports, host and data directory
KAFKA_PROPERTIES=""      # lines appended to Kafka's server.properties
KAFKA_FORMAT_ARGS=()     # further arguments of Kafka's StorageTool format, e.g. --add-scram
# SECURITY_PROTOCOL: Kafka's listener, also its name (PLAINTEXT unless set).

start_strata() {
  local data="$WORK_DIR/strata-data" logfile="$LOG_DIR/strata.log"
  mkdir -p "$data"
  ensure_port_free "$STRATA_PORT" "Strata Kafka listener"
  ensure_port_free "$STRATA_HTTP_PORT" "Strata HTTP"
  LAUNCH_MS=$(now_ms)
  # Kafka's shipped server.properties sets group.initial.rebalance.delay.ms=0; Strata runs with the same.
  # shellcheck disable=SC2086  # STRATA_JAVA_OPTS holds several options
  STRATA_GROUPS_INITIAL_REBALANCE_DELAY_MS=0 \
  STRATA_KAFKA_PORT="$STRATA_PORT" STRATA_DATA_DIR="$data" QUARKUS_HTTP_PORT="$STRATA_HTTP_PORT" \
  STRATA_KAFKA_HOST=127.0.0.1 STRATA_ADVERTISED_HOST=127.0.0.1 \
    env "${STRATA_ENV[@]}" "$STRATA_JAVA" $STRATA_JAVA_OPTS -jar "$STRATA_JAR" >> "$logfile" 2>&1 &
  BROKER_PID=$!
  started Strata "$BROKER_PID" "$STOP_TIMEOUT_S"
  BROKER_PORT=$STRATA_PORT
  BROKER_LOG=$logfile
}

start_kafka() {
  local dir="$WORK_DIR/kafka" logfile="$LOG_DIR/kafka.log" protocol="${SECURITY_PROTOCOL:-PLAINTEXT}"
  mkdir -p "$dir/logs"
  ensure_port_free "$KAFKA_PORT" "Kafka broker listener"
  ensure_port_free "$KAFKA_CONTROLLER_PORT" "Kafka controller listener"
  cat > "$dir/server.properties" <<EOT
# Single-node KRaft (combined broker + controller), loopback only. Mirrors config/server.properties
# of the Kafka distribution except for ports and paths; the benchmark's own lines follow them.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=$protocol://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=$protocol://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=$protocol
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,$protocol:$protocol
log.dirs=$dir/logs
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
$(kafka_common_properties)
$KAFKA_PROPERTIES
EOT
  if [[ ! -f "$dir/logs/meta.properties" ]]; then format_kafka_storage "$dir"; fi
  LAUNCH_MS=$(now_ms)
  # shellcheck disable=SC2086  # the option variables hold several options
  java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS \
    -Dlog4j2.configurationFile="$WORK_DIR/log4j2-broker.properties" \
    -cp "$CLASSPATH_KAFKA" kafka.Kafka "$dir/server.properties" >> "$logfile" 2>&1 &
  BROKER_PID=$!
  started "Apache Kafka" "$BROKER_PID" "$STOP_TIMEOUT_S"
  BROKER_PORT=$KAFKA_PORT
  BROKER_LOG=$logfile
}

# Formats the log directory of dir/server.properties as a new single-node cluster with a random id.
format_kafka_storage() {  # dir
  local dir="$1" cluster_id
  cluster_id="$(java -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" -cp "$CLASSPATH_KAFKA" \
                  kafka.tools.StorageTool random-uuid 2>>"$LOG_DIR/kafka-storage.log")" \
    || die "kafka-storage random-uuid failed; log: $LOG_DIR/kafka-storage.log"
  timeout 120 java -Dlog4j2.configurationFile="$WORK_DIR/log4j2-tools.properties" -cp "$CLASSPATH_KAFKA" \
      kafka.tools.StorageTool format --config "$dir/server.properties" --cluster-id "$cluster_id" --standalone \
      "${KAFKA_FORMAT_ARGS[@]}" \
      >> "$LOG_DIR/kafka-storage.log" 2>&1 \
    || die "kafka-storage format failed; log: $LOG_DIR/kafka-storage.log"
}

# Deletes what start_strata or start_kafka keeps under WORK_DIR, so that the next start is on an empty directory.
remove_broker_data() {  # strata|kafka
  case "$1" in
    strata) rm -rf "${WORK_DIR:?}/strata-data" ;;
    kafka)  rm -rf "${WORK_DIR:?}/kafka" ;;
    *) die "no broker named $1" ;;
  esac
}

# Kafka's controller refuses a request of more than 10,000 records (a topic and each of its partitions
# count one), so larger topics are created with this many partitions and then grown to their size.
CREATE_PARTITIONS_STEP=5000

# Creates a topic with TopicCommand, retrying until the broker answers: its port may accept
# connections before it serves requests. Dies when the broker exits or at deadline_ms.
create_topic() {  # logfile topic bootstrap partitions label pid broker_log deadline_ms [TopicCommand args...]
  local tlog="$1" topic="$2" bs="$3" partitions="$4" label="$5" pid="$6" blog="$7" deadline="$8"; shift 8
  local count=$(( partitions < CREATE_PARTITIONS_STEP ? partitions : CREATE_PARTITIONS_STEP ))
  until run_tool "$tlog" org.apache.kafka.tools.TopicCommand ${CLIENT_CONFIG:+--command-config "$CLIENT_CONFIG"} \
          --bootstrap-server "$bs" --create --if-not-exists --topic "$topic" \
          --partitions "$count" --replication-factor "$TOPIC_REPLICATION_FACTOR" "$@"; do
    kill -0 "$pid" 2>/dev/null || die "$label exited; log: $blog"
    # A refusal of the topic itself (a setting out of range, say) is final: asking again only waits out the deadline.
    if grep -qE 'Invalid(Configuration|Partitions)Exception|ConfigException|PolicyViolation' "$tlog"; then
      die "$label refused topic $topic: $(grep -m1 -E 'Error while executing topic command' "$tlog"); log: $tlog"
    fi
    (( $(now_ms) < deadline )) || die "$label could not create topic $topic within ${READY_TIMEOUT_S} s; logs: $tlog, $blog"
    sleep 1
  done
  while (( count < partitions )); do
    count=$(( partitions - count < CREATE_PARTITIONS_STEP ? partitions : count + CREATE_PARTITIONS_STEP ))
    run_tool "$tlog" org.apache.kafka.tools.TopicCommand ${CLIENT_CONFIG:+--command-config "$CLIENT_CONFIG"} \
        --bootstrap-server "$bs" --alter --topic "$topic" --partitions "$count" \
      || die "$label could not grow topic $topic to $count partitions; logs: $tlog, $blog"
  done
}

# Runs ProducerPerformance: RECORDS records of RECORD_SIZE bytes at THROUGHPUT, with ACKS and
# PRODUCER_EXTRA_PROPS, in transactions of TRANSACTION_MS ms when that is set above 0. Dies unless every
# record was sent; leaves the summary in the P_* variables.
run_producer_perf() {  # logfile bootstrap topic what
  local logfile="$1" bs="$2" topic="$3" what="$4" transactions=()
  if (( ${TRANSACTION_MS:-0} > 0 )); then
    transactions=(--transactional-id "bench-txn-$RUN_ID" --transaction-duration-ms "$TRANSACTION_MS")
  fi
  # shellcheck disable=SC2086
  run_tool "$logfile" org.apache.kafka.tools.ProducerPerformance \
      --topic "$topic" --num-records "$RECORDS" --record-size "$RECORD_SIZE" --throughput "$THROUGHPUT" \
      "${transactions[@]}" ${CLIENT_CONFIG:+--producer.config "$CLIENT_CONFIG"} \
      --producer-props bootstrap.servers="$bs" acks="$ACKS" $PRODUCER_EXTRA_PROPS \
    || die "ProducerPerformance failed $what; log: $logfile"
  parse_producer_summary "$logfile"
  (( P_RECORDS == RECORDS )) || die "ProducerPerformance sent $P_RECORDS records, expected $RECORDS; log: $logfile"
}

# Runs ConsumerPerformance over RECORDS records of a topic as a group; further arguments go to the tool.
# It gets --consumer.config CLIENT_CONFIG unless they name a --consumer.config, which then holds CLIENT_CONFIG's
# properties too (client_config_with). Dies unless it read them all; leaves the result in the C_* variables.
run_consumer_perf() {  # logfile bootstrap topic group what [ConsumerPerformance args...]
  local logfile="$1" bs="$2" topic="$3" group="$4" what="$5" config=(); shift 5
  if [[ -n "$CLIENT_CONFIG" && " $* " != *" --consumer.config "* ]]; then config=(--consumer.config "$CLIENT_CONFIG"); fi
  run_tool "$logfile" org.apache.kafka.tools.ConsumerPerformance \
      --bootstrap-server "$bs" --topic "$topic" --messages "$RECORDS" --group "$group" "${config[@]}" "$@" \
    || die "ConsumerPerformance failed $what; log: $logfile"
  parse_consumer_result "$logfile" "$RECORDS"
}

# Copies variables into the caller's results map R: R[<prefix>.<key>]=$VARIABLE for each key=VARIABLE.
store_results() {  # prefix key=VARIABLE...
  local prefix=$1 pair var
  shift
  for pair in "$@"; do
    var=${pair#*=}
    R[$prefix.${pair%%=*}]=${!var}
  done
}

# Runs EndToEndLatency: LATENCY_MESSAGES messages of RECORD_SIZE bytes, one at a time, with ACKS. Leaves
# average and percentiles (ms) in E_AVG_MS E_P50_MS E_P99_MS E_P999_MS; dies when it fails.
run_e2e_latency() {  # logfile bootstrap topic what
  local logfile="$1" bs="$2" topic="$3" what="$4" pct
  run_tool "$logfile" org.apache.kafka.tools.EndToEndLatency "$bs" "$topic" "$LATENCY_MESSAGES" "$ACKS" "$RECORD_SIZE" \
      ${CLIENT_CONFIG:+"$CLIENT_CONFIG"} \
    || die "EndToEndLatency failed $what; log: $logfile"
  E_AVG_MS="$(sed -nE 's/^Avg latency: ([0-9.]+) ms$/\1/p' "$logfile" | tail -n1)"
  pct="$(sed -nE 's/^Percentiles: 50th = ([0-9]+), 99th = ([0-9]+), 99\.9th = ([0-9]+)$/\1 \2 \3/p' "$logfile" | tail -n1)"
  [[ -n "$E_AVG_MS" && -n "$pct" ]] || die "cannot parse EndToEndLatency output; log: $logfile"
  read -r E_P50_MS E_P99_MS E_P999_MS <<< "$pct"
  echo "  end-to-end: avg $E_AVG_MS ms, p50 $E_P50_MS ms, p99 $E_P99_MS ms, p99.9 $E_P999_MS ms" >&2
}

# ----------------------------------------------------------------------------------------------
# Listener security: TLS files and the clients' settings.
# ----------------------------------------------------------------------------------------------
# Writes file: the properties of CLIENT_CONFIG (when set), then the given ones.
client_config_with() {  # file key=value...
  local file="$1"; shift
  { if [[ -n "$CLIENT_CONFIG" ]]; then cat "$CLIENT_CONFIG"; fi; printf '%s\n' "$@"; } > "$file"
}

# Makes a CA and a server certificate it signs for 127.0.0.1 and localhost (RSA 2048, valid two days) in dir:
# ca.pem, the CA's certificate; server.key, the server's unencrypted PKCS#8 key; server.pem, the server's
# certificate alone (clients trust the CA itself; Kafka 4.1 refuses an inline PEM chain with the CA appended:
# its start-up check fails with "Invalid CertificateVerify signature").
make_tls_files() {  # dir
  local dir="$1" log="$LOG_DIR/openssl.log"
  mkdir -p "$dir"
  {
    timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Strata benchmark CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" &&
    timeout 60 openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$dir/server.key" -out "$dir/server.csr" &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext" &&
    timeout 60 openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial 1 -days 2 \
        -extfile "$dir/server.ext" -out "$dir/server.pem"
  } >> "$log" 2>&1 || die "openssl could not make the TLS certificates; log: $log"
}

# The client properties for a listener's security protocol: SSL and SASL_SSL trust ca_file (PEM), SASL_SSL logs in
# as user with SCRAM-SHA-512; nothing for PLAINTEXT.
client_security_properties() {  # protocol ca_file user password
  case "$1" in
    PLAINTEXT) return 0 ;;
    SSL|SASL_SSL) ;;
    *) die "unknown security protocol $1" ;;
  esac
  echo "security.protocol=$1"
  echo "ssl.truststore.type=PEM"
  echo "ssl.truststore.location=$2"
  if [[ "$1" == SASL_SSL ]]; then
    echo "sasl.mechanism=SCRAM-SHA-512"
    echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$3\" password=\"$4\";"
  fi
}

current_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Starts a background sampler that records the peak VmRSS (kB) of pid into outfile every
# RSS_SAMPLE_INTERVAL_S. Bounded by the life of the process and by a hard cap of one hour.
start_rss_sampler() {  # name pid outfile   (sets SAMPLER_PID)
  local name="$1" pid="$2" out="$3"
  echo 0 > "$out"
  (
    peak=0; deadline=$(( $(date +%s) + 3600 ))
    while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      if [[ -n "$rss" ]] && (( rss > peak )); then peak=$rss; echo "$peak" > "$out.tmp" && mv "$out.tmp" "$out"; fi
      sleep "$RSS_SAMPLE_INTERVAL_S"
    done
  ) &
  SAMPLER_PID=$!
  started "$name RSS sampler" "$SAMPLER_PID" 2
}

# Sets RUN_STRATA and RUN_KAFKA from the variable named $1: 'strata', 'kafka' or both, comma-separated.
select_systems() {  # variable name
  local name="$1" item items
  RUN_STRATA=false; RUN_KAFKA=false
  IFS=', ' read -r -a items <<< "${!name}"
  for item in "${items[@]}"; do
    case "$item" in
      strata) RUN_STRATA=true ;;
      kafka)  RUN_KAFKA=true ;;
      "") ;;
      *) die "$name must be 'strata', 'kafka' or 'strata,kafka' (got '${!name}')" ;;
    esac
  done
  $RUN_STRATA || $RUN_KAFKA || die "$name selects nothing to run"
}

# The preparation of a run of Strata and/or Kafka brokers: the log and results directories, a fresh WORK_DIR
# named after $1, JAVA_VERSION, the Strata jar (when RUN_STRATA), the Kafka jars on CLASSPATH_KAFKA, and the
# Log4j 2 configurations in WORK_DIR: brokers log INFO to their stdout (redirected to a file), tools only WARN.
prepare_brokers_run() {  # work_dir_prefix
  mkdir -p "$LOG_DIR" "$RESULTS_DIR"
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  command -v java >/dev/null || die "java not found on PATH"
  JAVA_VERSION="$(java -version 2>&1 | head -n1)"
  if $RUN_STRATA; then
    command -v "$STRATA_JAVA" >/dev/null || die "STRATA_JAVA: $STRATA_JAVA not found"
    ensure_strata_jar "$STRATA_JAR" "$STRATA_BUILD"
  fi
  ensure_kafka_jars "$LIB_DIR" "$KAFKA_VERSION"
  CLASSPATH_KAFKA="$LIB_DIR/*"
  write_broker_log4j "$WORK_DIR/log4j2-broker.properties"
  write_tools_log4j "$WORK_DIR/log4j2-tools.properties"
}

# Runs the function $1 for each system select_systems chose, Strata first, and sets ELAPSED_S to the seconds it took.
run_selected_systems() {  # function
  local start_s
  start_s=$(date +%s)
  if $RUN_STRATA; then "$1" strata; fi
  if $RUN_KAFKA; then "$1" kafka; fi
  ELAPSED_S=$(( $(date +%s) - start_s ))
}

# The head of a results file: its title, the command that made it (COMMAND, when set), and the table of figures
# (TABLE_MD).
results_head() {  # title
  echo "# $1"
  echo
  if [[ -n "$COMMAND" ]]; then
    echo "\`\`\`bash"
    echo "$COMMAND"
    echo "\`\`\`"
    echo
  fi
  echo "$TABLE_MD"
  echo
}

# Writes RESULTS_FILE: its head (results_head), the explanation of the figures read from stdin, the parameters
# (PARAMS_MD) and where the logs are, after the label given with -l (default Logs); then shows the results on the
# console with the function given with -c (default print_results: the figures and the parameters).
write_results() {  # [-l logs_label] [-c console_function] title
  local label=Logs console=print_results opt OPTIND=1
  while getopts l:c: opt; do
    case "$opt" in
      l) label=$OPTARG ;;
      c) console=$OPTARG ;;
      *) die "write_results: unknown option" ;;
    esac
  done
  shift $(( OPTIND - 1 ))
  {
    results_head "$1"
    cat
    echo
    echo "## Parameters"
    echo
    echo "$PARAMS_MD"
    echo
    echo "$label: \`${LOG_DIR#"$REPO_ROOT"/}\`"
  } > "$RESULTS_FILE"
  "$console"
  log "results written to ${RESULTS_FILE#"$REPO_ROOT"/}; logs in ${LOG_DIR#"$REPO_ROOT"/}"
}

# Wait until a process's port accepts TCP connections; prints ms since launch.
wait_for_port() {  # name pid port launch_ms logfile
  local name="$1" pid="$2" port="$3" t0="$4" logfile="$5"
  local deadline=$(( t0 + STARTUP_TIMEOUT_S * 1000 ))
  while :; do
    if port_open "$port"; then echo $(( $(now_ms) - t0 )); return 0; fi
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up; log: $logfile"
    (( $(now_ms) < deadline )) || die "$name did not accept connections within ${STARTUP_TIMEOUT_S} s; log: $logfile"
    sleep 0.01
  done
}

# Parses the summary line of ProducerPerformance into P_RECORDS P_RPS P_MBPS P_AVG_MS P_MAX_MS P_P50_MS
# P_P95_MS P_P99_MS P_P999_MS; dies when it is missing.
parse_producer_summary() {  # logfile
  local line
  line="$(grep -E '^[0-9]+ records sent, .* 99\.9th\.$' "$1" | tail -n1 || true)"
  [[ -n "$line" ]] || die "cannot find ProducerPerformance summary in $1"
  echo "  $line" >&2
  if [[ "$line" =~ ^([0-9]+)\ records\ sent,\ ([0-9.]+)\ records/sec\ \(([0-9.]+)\ MB/sec\),\ ([0-9.]+)\ ms\ avg\ latency,\ ([0-9.]+)\ ms\ max\ latency,\ ([0-9]+)\ ms\ 50th,\ ([0-9]+)\ ms\ 95th,\ ([0-9]+)\ ms\ 99th,\ ([0-9]+)\ ms\ 99\.9th\.$ ]]; then
    P_RECORDS=${BASH_REMATCH[1]} P_RPS=${BASH_REMATCH[2]} P_MBPS=${BASH_REMATCH[3]}
    P_AVG_MS=${BASH_REMATCH[4]} P_MAX_MS=${BASH_REMATCH[5]} P_P50_MS=${BASH_REMATCH[6]}
    P_P95_MS=${BASH_REMATCH[7]} P_P99_MS=${BASH_REMATCH[8]} P_P999_MS=${BASH_REMATCH[9]}
  else
    die "cannot parse ProducerPerformance summary '$line'; log: $1"
  fi
}

# Parses ConsumerPerformance's result row into C_N C_RPS C_MBPS C_REB_MS C_FRPS C_FMBPS C_FETCH_MS;
# dies when it is missing or when the tool stopped early.
parse_consumer_result() {  # logfile expected_records
  local parsed
  if grep -q 'WARNING: Exiting before consuming the expected number of messages' "$1"; then
    die "ConsumerPerformance did not read all $2 records; log: $1"
  fi
  # header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  #         rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  parsed="$(awk -F', *' '
      /^start\.time/ { for (i = 1; i <= NF; i++) col[$i] = i; have = 1; next }
      have && NF >= 10 { row = $0; split($0, v, /, */) }
      END {
        if (!row) exit 1
        print v[col["data.consumed.in.nMsg"]], v[col["nMsg.sec"]], v[col["MB.sec"]], \
              v[col["rebalance.time.ms"]], v[col["fetch.nMsg.sec"]], v[col["fetch.MB.sec"]], v[col["fetch.time.ms"]]
      }' "$1")" || die "cannot parse ConsumerPerformance output; log: $1"
  read -r C_N C_RPS C_MBPS C_REB_MS C_FRPS C_FMBPS C_FETCH_MS <<< "$parsed"
  (( C_N >= $2 )) || die "ConsumerPerformance read $C_N records, expected $2; log: $1"
}

# ----------------------------------------------------------------------------------------------
# Reports.
# ----------------------------------------------------------------------------------------------
# A figure for a table cell: "-" when empty, whole numbers from 100 on, else two decimals.
fmt_num() { [[ -z "$1" ]] && { echo "-"; return; }; awk -v x="$1" 'BEGIN{ if (x+0 >= 100 || x == int(x)) printf "%.0f", x; else printf "%.2f", x }'; }

# Strata's figure over Kafka's, two decimals; "n/a" when Kafka's is zero.
ratio_of() {  # strata kafka
  awk -v s="$1" -v k="$2" 'BEGIN{ if (k+0 == 0) print "n/a"; else printf "%.2f", s/k }'
}

# Median and range of whole numbers: sets STAT_MEDIAN (the lower middle for an even count), STAT_MAX and STAT_RANGE
# ("min-max").
median_range() {  # values...
  local sorted
  mapfile -t sorted < <(printf '%s\n' "$@" | sort -n)
  STAT_MEDIAN=${sorted[$(( (${#sorted[@]} - 1) / 2 ))]}
  STAT_MAX=${sorted[-1]}
  STAT_RANGE="${sorted[0]}-${sorted[-1]}"
}

# A broker's figure from the caller's results map R for a table cell: R[<broker>.<key>], followed by
# R[<broker>.<key>.range] in parentheses when there is one; "-" when there is no figure.
result_cell() {  # broker key
  local v="${R[$1.$2]:-}"
  [[ "$v" =~ ^[0-9.]+$ ]] && v="$(fmt_num "$v")"
  [[ -n "${R[$1.$2.range]:-}" ]] && v+=" (${R[$1.$2.range]})"
  echo "${v:--}"
}

# The Markdown table comparing Strata's figures with Kafka's from the caller's results map R, a row per argument
# "label|key|unit|better": better is higher or lower (the ratio Strata/Kafka is given), or empty for a figure that is
# not compared.
comparison_table() {  # row...
  local row label key unit better s k ratio
  echo "| Figure | Unit | Strata | Kafka | Strata/Kafka | Better |"
  echo "|---|---|---:|---:|---:|---|"
  for row in "$@"; do
    IFS='|' read -r label key unit better <<< "$row"
    s="${R[strata.$key]:-}"; k="${R[kafka.$key]:-}"
    ratio="-"
    if [[ -n "$better" && "$s" =~ ^[0-9.]+$ && "$k" =~ ^[0-9.]+$ ]]; then
      ratio=$(ratio_of "$s" "$k")
    fi
    echo "| $label | $unit | $(result_cell strata "$key") | $(result_cell kafka "$key") | $ratio | ${better:--} |"
  done
}

# Prints a Markdown table (on stdin) for the console: aligned columns, no separator row.
print_table() {
  sed -e 's/^| //' -e 's/ |$//' | awk -F' [|] ' '
    { n++; for (i = 1; i <= NF; i++) { cell[n, i] = $i; if (length($i) > w[i]) w[i] = length($i) } if (NF > nf) nf = NF }
    END { for (r = 1; r <= n; r++) { if (r == 2) continue; line = "";
            for (i = 1; i <= nf; i++) line = line sprintf("%-" w[i] "s  ", cell[r, i]); print line } }'
}

# Prints the figures (TABLE_MD) and the parameters (PARAMS_MD) for the console.
print_results() {
  echo
  echo "$TABLE_MD" | print_table
  echo
  echo "$PARAMS_MD" | tail -n +3 | sed -e 's/^| //' -e 's/ |$//' -e 's/ | /: /' -e 's/`//g'
  echo
}

# The exact command, for the results: those of the given variables that were in the script's environment
# when it started (read from /proc, so defaults filled in since do not count), then the script.
command_line() {  # script var...
  local script="$1" v line out=""
  shift
  for v in "$@"; do
    while IFS= read -r -d '' line; do
      if [[ "$line" == "$v="* ]]; then out+="$v=$(printf '%q' "${line#*=}") "; fi
    done < "/proc/$$/environ"
  done
  echo "$out$script"
}

# The checked-out commit, marked when the work tree differs from it.
git_revision() {
  local rev
  rev="$(cd "$REPO_ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git -C "$REPO_ROOT" diff --quiet HEAD 2>/dev/null || rev+=" (+ uncommitted changes)"
  echo "$rev"
}

# The Java of the run, for the results: the version java prints, and Strata's when STRATA_JAVA is another java.
java_description() {
  local kafka strata
  kafka="$(java -version 2>&1 | head -n1)"
  if [[ "$STRATA_JAVA" == java ]]; then echo "$kafka"; return; fi
  strata="$("$STRATA_JAVA" -version 2>&1 | head -n1)"
  echo "Strata: $strata (\`$STRATA_JAVA\`); Kafka and the tools: $kafka"
}

machine_description() {
  echo "$(nproc) cores, $(awk '/^MemTotal:/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
}
