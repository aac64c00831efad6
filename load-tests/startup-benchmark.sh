#!/usr/bin/env bash
# Start-up benchmark: Strata vs Apache Kafka, same machine, one run. Cold starts on an empty data directory (the port,
# the first acknowledged produce, the memory at rest), then restarts on many partitions that hold data: after a clean
# stop and after SIGKILL (the port, the first fetch served, every partition serving).
#
#   load-tests/startup-benchmark.sh                                     # both brokers, defaults below
#   PARTITIONS=50 DATA_MB=20 RUNS=1 load-tests/startup-benchmark.sh     # quick check, a few minutes
#   DATA_MB=10240 load-tests/startup-benchmark.sh                       # 10 GiB over 1,000 partitions
#   STRATA_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
#     STRATA_JAVA_OPTS="@deployment/jvm.options -XX:AOTCache=strata.aot" load-tests/startup-benchmark.sh
#
# Everything runs on 127.0.0.1 and every wait is bounded. See load-tests/README.md for what is measured and how to
# read the table.
set -euo pipefail
export LC_ALL=C

# The parameters given in the environment make up the exact command in the results (command_line, lib.sh).
PARAM_VARS=(BROKERS RUNS IDLE_S PARTITIONS DATA_MB RECORD_SIZE SEGMENT_BYTES PRODUCER_EXTRA_PROPS KCAT
  STRATA_JAVA STRATA_JAVA_OPTS KAFKA_HEAP_OPTS KAFKA_JVM_PERFORMANCE_OPTS TOOLS_JAVA_OPTS
  STRATA_PORT STRATA_HTTP_PORT STRATA_RAFT_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT
  STARTUP_TIMEOUT_S READY_TIMEOUT_S TOOL_TIMEOUT_S STOP_TIMEOUT_S STRATA_JAR STRATA_BUILD)

# ----------------------------------------------------------------------------------------------
# Parameters (environment variables).
# ----------------------------------------------------------------------------------------------
BROKERS="${BROKERS:-strata,kafka}"          # strata | kafka | strata,kafka
RUNS="${RUNS:-3}"                           # cold starts per broker; the table gives their median and range
IDLE_S="${IDLE_S:-5}"                       # seconds at rest after the first produce before VmRSS is read
PARTITIONS="${PARTITIONS:-1000}"            # partitions of the topic the restarts load
DATA_MB="${DATA_MB:-1024}"                  # MiB written to them before the restarts (10 GiB: DATA_MB=10240)
RECORD_SIZE="${RECORD_SIZE:-1024}"          # bytes per record of that data
# segment.bytes of that topic, the same on both brokers: Kafka 4 refuses less than 1 MiB, which gives each
# partition several segments once it holds a few MiB.
SEGMENT_BYTES="${SEGMENT_BYTES:-1048576}"
PRODUCER_EXTRA_PROPS="${PRODUCER_EXTRA_PROPS-linger.ms=20}"  # producer settings for writing the data
KCAT="${KCAT:-kcat}"                        # the client that times the first produce and the fetches

# Ports of their own, apart from the other benchmarks', so that one of those may run meanwhile.
STRATA_PORT="${STRATA_PORT:-19492}"
STRATA_HTTP_PORT="${STRATA_HTTP_PORT:-18480}"
STRATA_RAFT_PORT="${STRATA_RAFT_PORT:-17492}"   # its metadata Raft group's, on loopback (the default 7800 is shared)
KAFKA_PORT="${KAFKA_PORT:-29492}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-29493}"

# JVM options as in kafka-benchmark.sh: Kafka's are what bin/kafka-server-start.sh sets (KAFKA_JVM_PERFORMANCE_OPTS'
# default is in lib.sh); Strata's are STRATA_JAVA_OPTS, its recommended ones by default (lib.sh), run by STRATA_JAVA.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
TOOLS_JAVA_OPTS="${TOOLS_JAVA_OPTS:--Xmx512M}"

STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-300}"   # launch -> port accepts TCP
READY_TIMEOUT_S="${READY_TIMEOUT_S:-300}"       # launch -> first produce, first fetch, every partition; topic creation
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-120}"         # SIGTERM -> SIGKILL (a clean stop that needs SIGKILL fails the run)
# ProducerPerformance writing the data, at no less than 5 MB/s.
TOOL_TIMEOUT_S="${TOOL_TIMEOUT_S:-$(( DATA_MB / 5 > 240 ? DATA_MB / 5 : 240 ))}"

# ----------------------------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Also sets REPO_ROOT, LIB_DIR, KAFKA_VERSION, STRATA_JAR, STRATA_BUILD, STRATA_JAVA, RUN_ID and RESULTS_DIR.
# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"
COMMAND="$(command_line load-tests/startup-benchmark.sh "${PARAM_VARS[@]}")"
RESULTS_FILE="$RESULTS_DIR/$RUN_ID-startup.md"
LOG_DIR="$SCRIPT_DIR/target/benchmark-logs/$RUN_ID-startup"   # kept after the run (target/ is git-ignored)
WORK_DIR=""                                                   # broker data, removed on exit
FIRST_TOPIC="first-produce"   # auto-created by the first produce of each cold start
ROUND_ROBIN=org.apache.kafka.clients.producer.RoundRobinPartitioner
TOPIC="restart"               # PARTITIONS partitions holding DATA_MB, loaded by the restarts

is_uint "$RUNS"          || die "RUNS must be a positive integer (got '$RUNS')"
is_uint "$IDLE_S"        || die "IDLE_S must be a positive integer (got '$IDLE_S')"
is_uint "$PARTITIONS"    || die "PARTITIONS must be a positive integer (got '$PARTITIONS')"
is_uint "$DATA_MB"       || die "DATA_MB must be a positive integer (got '$DATA_MB')"
is_uint "$RECORD_SIZE"   || die "RECORD_SIZE must be a positive integer (got '$RECORD_SIZE')"
is_uint "$SEGMENT_BYTES" || die "SEGMENT_BYTES must be a positive integer (got '$SEGMENT_BYTES')"
# What run_producer_perf (lib.sh) writes: DATA_MB in records of RECORD_SIZE, as fast as the broker takes them.
DATA_RECORDS=$(( DATA_MB * 1048576 / RECORD_SIZE ))
THROUGHPUT=-1
ACKS=all
(( DATA_RECORDS > PARTITIONS )) \
  || die "DATA_MB=$DATA_MB is $DATA_RECORDS records of $RECORD_SIZE B: not more than PARTITIONS=$PARTITIONS"
# segment.index.bytes of that topic, the same on both brokers: room for an entry every 4 KiB of a segment
# (index.interval.bytes; 12 B in the time index) twice over. Kafka preallocates every new segment's index files at
# this size, and its default, 10 MiB, is meant for 1 GiB segments: with 1 MiB ones it would map two mostly empty
# 10 MiB files per MiB written, whose first writes fault in megabytes each (README.md, Benchmarks, many partitions).
SEGMENT_INDEX_BYTES=$(( (SEGMENT_BYTES * 24 / 4096 + 4095) / 4096 * 4096 ))
command -v "$KCAT" >/dev/null \
  || die "$KCAT not found: the first produce and the fetches are timed with kcat (Debian/Ubuntu: apt-get install kcat)"
KCAT_VERSION="$("$KCAT" -V 2>&1 | sed -n 's/^Version //p' | head -n1)"

select_systems BROKERS
stop_on_exit_traps
prepare_brokers_run strata-startup-bench
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# Strata creates topics on a client's Metadata request only when told to; Kafka does by default (stated here for
# the reader). Both then give a new topic one partition. Strata's metadata Raft group listens on a port of this
# script's, on loopback only, apart from any other Strata on the machine.
STRATA_ENV=(STRATA_TOPICS_AUTO_CREATE=true STRATA_RAFT_HOST=127.0.0.1 "STRATA_RAFT_PORT=$STRATA_RAFT_PORT")
KAFKA_PROPERTIES="auto.create.topics.enable=true"

# Short client back-offs, so that kcat notices within milliseconds what the broker has become able to do, instead
# of librdkafka's defaults of 100 ms to 10 s between reconnects and 250-500 ms before a retry. Without sparse
# connections librdkafka reconnects on its own after each back-off; with them (its default) it tries again only
# when it next needs the broker, about once a second while the port is still closed.
KCAT_COMMON=(-X enable.sparse.connections=false -X reconnect.backoff.ms=5 -X reconnect.backoff.max.ms=20
  -X topic.metadata.refresh.fast.interval.ms=5)
# The producer also refreshes its topic's metadata every 10 ms: a broker that creates the topic in the background
# (Kafka) answers the first requests without it, and librdkafka otherwise asks again only once a second.
KCAT_PRODUCER=("${KCAT_COMMON[@]}" -X topic.metadata.refresh.interval.ms=10 -X retry.backoff.ms=5 -X acks=all
  -X linger.ms=0)
KCAT_CONSUMER=("${KCAT_COMMON[@]}" -X fetch.error.backoff.ms=5 -X fetch.wait.max.ms=10)

# Results: R[<broker>.<key>] = value, R[<broker>.<key>.range] = "min-max" of the runs.
declare -A R=()

# ----------------------------------------------------------------------------------------------
# Client-visible readiness. Each attempt function runs kcat once, bounded by ATTEMPT_S, and succeeds when the
# broker did what it asks for.
# ----------------------------------------------------------------------------------------------
ATTEMPT_S=1

# -E: kcat goes on through refused connections and a partition's retriable errors (librdkafka retries after the
# back-offs above) instead of exiting; what still ends it (no metadata within 5 s, a message timed out, ATTEMPT_S)
# ends one attempt, and ms_until starts the next.

# One message, acks=all, to a topic the produce creates.
produce_one() {  # bootstrap topic
  echo "first" | timeout --kill-after=2 "$ATTEMPT_S" "$KCAT" -P -E -b "$1" -t "$2" \
    -X message.timeout.ms=$(( ATTEMPT_S * 1000 )) "${KCAT_PRODUCER[@]}"
}

# The fetches ask for offset 0, the start of every partition (nothing of the topic is deleted), rather than for
# "beginning": that would take a ListOffsets first, which librdkafka retries only after 500 ms when a partition is
# not served yet, while it retries a fetch after fetch.error.backoff.ms.

# One record of partition 0.
fetch_first() {  # bootstrap topic
  local out
  out="$(timeout --kill-after=2 "$ATTEMPT_S" "$KCAT" -C -E -b "$1" -t "$2" -p 0 -o 0 -c 1 -e -q -f '%o\n' \
           "${KCAT_CONSUMER[@]}")" || return 1
  [[ -n "$out" ]]
}

# A record from every partition: kcat fetches all of them from offset 0, at most 64 KiB of each per fetch (the
# producer's batches are smaller: a partition whose first batch is larger would come only one at a time), and awk
# stops reading once each partition has given a record, which ends kcat on the closed pipe.
fetch_every() {  # bootstrap topic
  local served
  served="$(timeout --kill-after=2 "$ATTEMPT_S" "$KCAT" -C -E -u -b "$1" -t "$2" -o 0 -e -q -f '%p\n' \
              -X fetch.message.max.bytes=65536 "${KCAT_CONSUMER[@]}" \
            | awk -v all="$PARTITIONS" '!seen[$1]++ && ++served == all { exit } END { print served + 0 }')" || true
  echo "$served of $PARTITIONS partitions returned a record" >&2
  (( served == PARTITIONS ))
}

# Runs an attempt function until it succeeds, and prints the ms from from_ms until then. Attempts go on until
# from_ms + READY_TIMEOUT_S; the run dies then, or once the broker has exited, which is looked at after each attempt:
# an attempt lasts ATTEMPT_MAX_S at most. kcat's messages go to logfile.
ATTEMPT_MAX_S=15
ms_until() {  # what label pid from_ms logfile attempt args...
  local what="$1" label="$2" pid="$3" from="$4" logfile="$5" left; shift 5
  local deadline=$(( from + READY_TIMEOUT_S * 1000 ))
  while :; do
    left=$(( deadline - $(now_ms) ))
    (( left > 0 )) || die "$label: no $what within ${READY_TIMEOUT_S} s; logs: $logfile, $LOG_DIR"
    ATTEMPT_S=$(( (left + 999) / 1000 < ATTEMPT_MAX_S ? (left + 999) / 1000 : ATTEMPT_MAX_S ))
    if "$@" >> "$logfile" 2>&1; then
      echo $(( $(now_ms) - from ))
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "$label exited; log: $BROKER_LOG"
    sleep 0.01
  done
}

# Polls the broker's port in the background from its launch, while the caller times a client; await_port waits for
# the result.
watch_port() {  # label
  wait_for_port "$1" "$BROKER_PID" "$BROKER_PORT" "$LAUNCH_MS" "$BROKER_LOG" > "$WORK_DIR/port-ms" &
  WATCH_PID=$!
  started "port watch" "$WATCH_PID" 1
}

# Sets PORT_MS to the ms from the launch until the port accepted a connection. Not in a subshell: only this shell
# can wait for the watch and forget it.
await_port() {  # label
  wait "$WATCH_PID" || die "$1 never accepted connections; log: $BROKER_LOG"
  stop_started "$WATCH_PID"
  PORT_MS="$(cat "$WORK_DIR/port-ms")"
}

# Starts the broker (lib.sh's start_strata or start_kafka, which check their Kafka and HTTP or controller ports),
# after a line in its log, which every start of the run appends to, that says which start follows.
start_broker() {  # name text
  printf '\n===== startup-benchmark: %s =====\n' "$2" >> "$LOG_DIR/$1.log"
  if [[ "$1" == strata ]]; then ensure_port_free "$STRATA_RAFT_PORT" "Strata metadata Raft"; fi
  "start_$1"
}

# Sets R[<name>.<key>] to the median of the values and R[<name>.<key>.range] to their range, when there are several.
store_median() {  # name key values...
  local name="$1" key="$2"; shift 2
  median_range "$@"
  R[$name.$key]=$STAT_MEDIAN
  if (( $# > 1 )); then R[$name.$key.range]=$STAT_RANGE; fi
}

# ----------------------------------------------------------------------------------------------
# The benchmark proper: identical for both brokers.
# ----------------------------------------------------------------------------------------------
# RUNS starts on an empty data directory: the port, the first produce (kcat started right after the launch), and
# VmRSS after IDLE_S at rest. The broker of the last run stays up for the restarts.
cold_starts() {  # name label
  local name="$1" label="$2" run port first rss ports=() firsts=() rsss=()
  for (( run = 1; run <= RUNS; run++ )); do
    remove_broker_data "$name"
    start_broker "$name" "cold start $run of $RUNS"
    watch_port "$label"
    first=$(ms_until "acknowledged produce" "$label" "$BROKER_PID" "$LAUNCH_MS" "$LOG_DIR/$name-produce-$run.log" \
              produce_one "127.0.0.1:$BROKER_PORT" "$FIRST_TOPIC")
    await_port "$label"
    port=$PORT_MS
    sleep "$IDLE_S"
    rss=$(( $(current_rss_kb "$BROKER_PID") / 1024 ))
    log "$label cold start $run of $RUNS: port open after $port ms, first produce acknowledged after $first ms," \
        "RSS ${rss} MiB after ${IDLE_S} s at rest"
    ports+=("$port"); firsts+=("$first"); rsss+=("$rss")
    if (( run < RUNS )); then stop_started "$BROKER_PID"; fi
  done
  store_median "$name" cold_port_ms "${ports[@]}"
  store_median "$name" first_produce_ms "${firsts[@]}"
  store_median "$name" idle_rss_mib "${rsss[@]}"
}

# The topic the restarts load: PARTITIONS partitions of SEGMENT_BYTES segments holding DATA_MB; then one fetch of
# every partition, which checks that each holds records and shows how long one such check takes on a broker that
# has everything loaded.
load_data() {  # name label
  local name="$1" label="$2" bs="127.0.0.1:$BROKER_PORT" deadline
  deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 ))
  create_topic "$LOG_DIR/$name-topic.log" "$TOPIC" "$bs" "$PARTITIONS" "$label" "$BROKER_PID" "$BROKER_LOG" \
    "$deadline" --config "segment.bytes=$SEGMENT_BYTES" --config "segment.index.bytes=$SEGMENT_INDEX_BYTES"
  log "$label: writing $DATA_MB MiB ($DATA_RECORDS records of $RECORD_SIZE B) to $PARTITIONS partitions"
  # One record to each partition first, so that every one holds records however the rest falls; the rest with the
  # producer's default partitioner, whose full batches write far faster to many partitions than round-robin's.
  RECORDS=$PARTITIONS PRODUCER_EXTRA_PROPS="partitioner.class=$ROUND_ROBIN $PRODUCER_EXTRA_PROPS" \
    run_producer_perf "$LOG_DIR/$name-producer-each.log" "$bs" "$TOPIC" "against $label"
  RECORDS=$(( DATA_RECORDS - PARTITIONS )) run_producer_perf "$LOG_DIR/$name-producer.log" "$bs" "$TOPIC" "against $label"
  R[$name.load_mbps]=$P_MBPS
  R[$name.every_check_ms]=$(ms_until "record from every partition" "$label" "$BROKER_PID" "$(now_ms)" \
                              "$LOG_DIR/$name-every-loaded.log" fetch_every "$bs" "$TOPIC")
}

# One restart on the data: clean (SIGTERM, wait for the exit) or kill (SIGKILL), then the port, the first record of
# partition 0, and a record from every partition, each timed from the launch.
restart() {  # name label clean|kill
  local name="$1" label="$2" how="$3" pid="$BROKER_PID" stop_start stop first every port
  if [[ "$how" == clean ]]; then
    stop_start=$(now_ms)
    stop_started "$pid"
    stop=$(( $(now_ms) - stop_start ))
    (( stop < STOP_TIMEOUT_S * 1000 )) \
      || die "$label did not stop within STOP_TIMEOUT_S=${STOP_TIMEOUT_S} s of SIGTERM; log: $BROKER_LOG"
    R[$name.stop_ms]=$stop
    log "$label stopped $stop ms after SIGTERM"
  else
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true   # reaped here, where bash's "Killed" notice goes nowhere
    stop_started "$pid"
  fi
  start_broker "$name" "restart after $([[ "$how" == clean ]] && echo "a clean stop" || echo SIGKILL)"
  watch_port "$label"
  local bs="127.0.0.1:$BROKER_PORT"
  first=$(ms_until "record from partition 0" "$label" "$BROKER_PID" "$LAUNCH_MS" "$LOG_DIR/$name-$how-first.log" \
            fetch_first "$bs" "$TOPIC")
  every=$(ms_until "record from every partition" "$label" "$BROKER_PID" "$LAUNCH_MS" "$LOG_DIR/$name-$how-every.log" \
            fetch_every "$bs" "$TOPIC")
  await_port "$label"
  port=$PORT_MS
  R[$name.${how}_port_ms]=$port
  R[$name.${how}_first_ms]=$first
  R[$name.${how}_every_ms]=$every
  log "$label restart ($how): port open after $port ms, first record after $first ms, every partition after $every ms"
}

bench() {  # name (strata|kafka)
  local name="$1" label
  [[ "$name" == strata ]] && label="Strata" || label="Apache Kafka"
  log "=== $label ==="
  cold_starts "$name" "$label"
  load_data "$name" "$label"
  restart "$name" "$label" clean
  restart "$name" "$label" kill
  stop_started "$BROKER_PID"
  remove_broker_data "$name"
}

run_selected_systems bench
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ----------------------------------------------------------------------------------------------
# Report.
# ----------------------------------------------------------------------------------------------
# row: label|key|unit|better (higher, lower, or empty for a figure that is not compared)
ROWS=(
  "Cold start: launch to the port accepting TCP|cold_port_ms|ms|lower"
  "Cold start: launch to the first produce acknowledged|first_produce_ms|ms|lower"
  "Idle RSS, ${IDLE_S} s after the first produce|idle_rss_mib|MiB|lower"
  "Writing the data (ProducerPerformance)|load_mbps|MB/s|"
  "A record from every partition, all loaded (one check)|every_check_ms|ms|"
  "Clean stop: SIGTERM to exit|stop_ms|ms|lower"
  "Clean restart: launch to the port accepting TCP|clean_port_ms|ms|lower"
  "Clean restart: launch to the first record of partition 0|clean_first_ms|ms|lower"
  "Clean restart: launch to a record from every partition|clean_every_ms|ms|lower"
  "Restart after SIGKILL: launch to the port accepting TCP|kill_port_ms|ms|lower"
  "Restart after SIGKILL: launch to the first record of partition 0|kill_first_ms|ms|lower"
  "Restart after SIGKILL: launch to a record from every partition|kill_every_ms|ms|lower"
)
TABLE_MD="$(comparison_table "${ROWS[@]}")"

MIB_PER_PARTITION=$(awk -v d="$DATA_MB" -v p="$PARTITIONS" 'BEGIN { printf "%.1f", d / p }')
PARAMS_MD="| Parameter | Value |
|---|---|
| Command | \`$COMMAND\` |
| Brokers | $BROKERS, one after the other, on 127.0.0.1 |
| Cold starts (RUNS) | $RUNS per broker, each on an empty data directory (Kafka's formatted before the launch, untimed); the table gives the median and, for several runs, the range |
| First produce | kcat, started right after the launch: \`kcat -P -E -t $FIRST_TOPIC ${KCAT_PRODUCER[*]}\`, one message, waiting through refused connections itself; the topic is auto-created by the produce with 1 partition (Strata: STRATA_TOPICS_AUTO_CREATE=true; Kafka: auto.create.topics.enable=true, its default) |
| Idle RSS | VmRSS of the broker JVM ${IDLE_S} s (IDLE_S) after the first produce was acknowledged, nothing else happening |
| Restart data | topic \`$TOPIC\`, PARTITIONS=$PARTITIONS, replication factor 1, segment.bytes=$SEGMENT_BYTES (SEGMENT_BYTES), segment.index.bytes=$SEGMENT_INDEX_BYTES on both; DATA_MB=$DATA_MB MiB (about $MIB_PER_PARTITION MiB per partition) as $DATA_RECORDS records of $RECORD_SIZE B by ProducerPerformance, acks=$ACKS, ${PRODUCER_EXTRA_PROPS:-other settings at the client defaults}: one record to each partition with RoundRobinPartitioner, then the rest with the default partitioner |
| Restarts | on the same data: SIGTERM and wait for the exit (clean), or SIGKILL; then the port is polled every 10 ms from the launch while kcat retries, every 10 ms after a failed attempt: first record: \`kcat -C -t $TOPIC -p 0 -o 0 -c 1\`; every partition: \`kcat -C -t $TOPIC -o 0 -X fetch.message.max.bytes=65536\` until it has returned a record from each of the $PARTITIONS partitions; both with -E and \`${KCAT_CONSUMER[*]}\`. The page cache holds the data (it was just written) |
| kcat | $KCAT_VERSION |
| Strata | \`$(strata_command)\`, ${STRATA_ENV[*]}, port $STRATA_PORT, git $(git_revision) |
| Apache Kafka | $KAFKA_VERSION KRaft combined broker+controller, 1 node, port $KAFKA_PORT, JVM \`$KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS\` |
| Client tools | Apache Kafka $KAFKA_VERSION (kafka-tools), JVM opts \`$TOOLS_JAVA_OPTS\` |
| Java | $(java_description) |
| Machine | $(machine_description) |
| Load average (1/5/15 min) | start $LOAD_START; end $LOAD_END |
| Run | $RUN_ID, $ELAPSED_S s for the brokers' runs |"

write_results "Start-up benchmark: Strata vs Apache Kafka $KAFKA_VERSION ($RUN_ID)" <<EOF
Ratio = Strata / Kafka, of the medians where there are several runs. "Better" says which direction is good.
Every time counts from the broker's launch (the fork of its JVM) to what a client sees: the port accepting a
TCP connection, a produce acknowledged, a record fetched. MB = 2^20 bytes. RSS = VmRSS of the broker JVM.
EOF
