#!/usr/bin/env bash
# Tiered-storage benchmark: upload throughput vs peak produce rate, and replay throughput of a consumer
# reading tiered history from an S3 bucket (S3Proxy, filesystem backend) vs the same from local segments.
#
#   load-tests/tiered-benchmark.sh                                   # 1 GiB per topic, defaults below
#   RECORDS=100000 SEGMENT_BYTES=8388608 load-tests/tiered-benchmark.sh   # quick smoke test
#
# Everything runs on 127.0.0.1. Every tool is bounded by a record count and by `timeout`, every wait
# by a deadline. See load-tests/README.md for what is measured and how to read the table.
set -euo pipefail
export LC_ALL=C

# The parameters given in the environment make up the exact command in the results (command_line, lib.sh).
PARAM_VARS=(STORE RECORDS RECORD_SIZE PARTITIONS SEGMENT_BYTES ACKS THROUGHPUT PRODUCER_EXTRA_PROPS CONSUMER_EXTRA_PROPS
  REPLAYS STRATA_PORT STRATA_HTTP_PORT S3PROXY_PORT BUCKET STRATA_JAVA STRATA_JAVA_OPTS S3PROXY_JAVA_OPTS TOOLS_JAVA_OPTS
  STRATA_TIERING_UPLOAD_INTERVAL STRATA_TIERING_CHUNK_SIZE STRATA_TIERING_CACHE_SIZE STRATA_LOG_RETENTION_CHECK_INTERVAL
  METRICS_SAMPLE_INTERVAL_S STARTUP_TIMEOUT_S READY_TIMEOUT_S TOOL_TIMEOUT_S UPLOAD_TIMEOUT_S STOP_TIMEOUT_S
  STRATA_JAR STRATA_BUILD)

# ----------------------------------------------------------------------------------------------
# Parameters (environment variables). With the defaults (1 GiB per topic) a run takes about 3-5 minutes
# on a 2-core machine.
# ----------------------------------------------------------------------------------------------
STORE="${STORE:-s3}"                        # s3: tier to S3Proxy over HTTP | file: to a local directory (Strata's
                                            # embedded store), to tell the S3 path's cost from the tiered read path's
RECORDS="${RECORDS:-1048576}"               # records produced into each topic, then replayed
RECORD_SIZE="${RECORD_SIZE:-1024}"          # bytes per record: 1048576 x 1024 B = 1 GiB
PARTITIONS="${PARTITIONS:-6}"               # partitions of both topics
SEGMENT_BYTES="${SEGMENT_BYTES:-67108864}"  # segment.bytes of both topics (64 MiB)
ACKS="${ACKS:-all}"
THROUGHPUT="${THROUGHPUT:--1}"              # ProducerPerformance --throughput (-1 = unthrottled: the peak)
PRODUCER_EXTRA_PROPS="${PRODUCER_EXTRA_PROPS:-}"  # e.g. "linger.ms=10 batch.size=65536"
CONSUMER_EXTRA_PROPS="${CONSUMER_EXTRA_PROPS:-}"  # e.g. "max.partition.fetch.bytes=4194304" (both replays)
REPLAYS="${REPLAYS:-1}"                     # replays of each topic (tiered, local, tiered, local, ...)

STRATA_PORT="${STRATA_PORT:-19192}"
STRATA_HTTP_PORT="${STRATA_HTTP_PORT:-18180}"
S3PROXY_PORT="${S3PROXY_PORT:-19900}"
BUCKET="${BUCKET:-strata-bench}"

S3PROXY_JAVA_OPTS="${S3PROXY_JAVA_OPTS--Xms64m -Xmx512m}"
TOOLS_JAVA_OPTS="${TOOLS_JAVA_OPTS:--Xmx512M}"
STRATA_TIERING_UPLOAD_INTERVAL="${STRATA_TIERING_UPLOAD_INTERVAL:-1s}"
STRATA_LOG_RETENTION_CHECK_INTERVAL="${STRATA_LOG_RETENTION_CHECK_INTERVAL:-1s}"
# STRATA_TIERING_CHUNK_SIZE, STRATA_TIERING_CACHE_SIZE: passed to Strata when set (Strata's defaults otherwise).

METRICS_SAMPLE_INTERVAL_S="${METRICS_SAMPLE_INTERVAL_S:-0.5}"
STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-30}"    # launch -> port accepts TCP (Strata and S3Proxy)
READY_TIMEOUT_S="${READY_TIMEOUT_S:-60}"        # topic creation, bucket answering
TOOL_TIMEOUT_S="${TOOL_TIMEOUT_S:-600}"         # hard limit per perf tool run
UPLOAD_TIMEOUT_S="${UPLOAD_TIMEOUT_S:-600}"     # produce end -> every closed segment tiered and freed locally
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-20}"          # SIGTERM -> SIGKILL

# ----------------------------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Also sets REPO_ROOT, LIB_DIR, KAFKA_VERSION, STRATA_JAR, STRATA_BUILD, RUN_ID and RESULTS_DIR.
# shellcheck source=lib.sh disable=SC2034  # CLASSPATH_KAFKA etc. are read by lib.sh
source "$SCRIPT_DIR/lib.sh"
COMMAND="$(command_line load-tests/tiered-benchmark.sh "${PARAM_VARS[@]}")"
S3PROXY_LIB_DIR="$SCRIPT_DIR/target/s3proxy-lib"
S3PROXY_VERSION="4.1.0"
RESULTS_FILE="$RESULTS_DIR/$RUN_ID-tiered.md"
LOG_DIR="$SCRIPT_DIR/target/benchmark-logs/$RUN_ID-tiered"   # kept after the run (target/ is git-ignored)
WORK_DIR=""                                                  # Strata data and the bucket, removed on exit
TIERED_TOPIC="tiered"
LOCAL_TOPIC="local"


is_uint "$RECORDS"       || die "RECORDS must be a positive integer (got '$RECORDS')"
is_uint "$RECORD_SIZE"   || die "RECORD_SIZE must be a positive integer (got '$RECORD_SIZE')"
is_uint "$PARTITIONS"    || die "PARTITIONS must be a positive integer (got '$PARTITIONS')"
is_uint "$SEGMENT_BYTES" || die "SEGMENT_BYTES must be a positive integer (got '$SEGMENT_BYTES')"
is_uint "$REPLAYS"       || die "REPLAYS must be a positive integer (got '$REPLAYS')"
case "$ACKS" in 0|1|all|-1) ;; *) die "ACKS must be 0, 1, all or -1";; esac
[[ "$BUCKET" =~ ^[a-z0-9][a-z0-9.-]{2,62}$ ]] || die "BUCKET must be a valid S3 bucket name (got '$BUCKET')"
command -v curl >/dev/null || die "curl not found on PATH (needed for /q/metrics and the S3Proxy check)"
command -v java >/dev/null || die "java not found on PATH"

# Clean-up: always stop what we started and remove the data.
stop_on_exit_traps

# ----------------------------------------------------------------------------------------------
# Preparation: build Strata if needed, fetch the Kafka jars and, separately, S3Proxy's.
# ----------------------------------------------------------------------------------------------
mkdir -p "$LOG_DIR" "$RESULTS_DIR"
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/strata-tiered-bench.XXXXXX")"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

ensure_strata_jar "$STRATA_JAR" "$STRATA_BUILD"
ensure_kafka_jars "$LIB_DIR" "$KAFKA_VERSION"
CLASSPATH_KAFKA="$LIB_DIR/*"
if [[ ! -f "$S3PROXY_LIB_DIR/s3proxy-$S3PROXY_VERSION.jar" ]]; then
  log "fetching S3Proxy $S3PROXY_VERSION and its dependencies into $S3PROXY_LIB_DIR"
  mvn_quiet -f load-tests/s3proxy/pom.xml dependency:copy-dependencies > "$LOG_DIR/s3proxy-jars.log" 2>&1 \
    || die "fetching the S3Proxy jars failed; log: $LOG_DIR/s3proxy-jars.log"
fi
write_tools_log4j "$WORK_DIR/log4j2-tools.properties"

# Consumer properties for both replays (empty unless CONSUMER_EXTRA_PROPS says otherwise).
CONSUMER_CONFIG="$WORK_DIR/consumer.properties"
: > "$CONSUMER_CONFIG"
for _p in $CONSUMER_EXTRA_PROPS; do
  [[ "$_p" == *=* ]] || die "CONSUMER_EXTRA_PROPS entries must be key=value (got '$_p')"
  echo "$_p" >> "$CONSUMER_CONFIG"
done

# Results: R[key] = value
declare -A R=()
METRICS_URL="http://127.0.0.1:$STRATA_HTTP_PORT/q/metrics"
METRICS_FILE="$LOG_DIR/metrics.tsv"

# One scrape of /q/metrics as one line:
#   t_ms uploaded_bytes upload_lag_bytes tiered_local tiered_remote local_local remote_read cache_hits cache_misses
# (tiered_local etc.: strata_partition_log_bytes summed over the partitions of a topic and tier.)
scrape_metrics() {
  local t body
  t=$(now_ms)
  body="$(curl -sf --max-time 5 "$METRICS_URL")" || return 1
  awk -v t="$t" -v tt="$TIERED_TOPIC" -v lt="$LOCAL_TOPIC" '
    /^strata_tiering_uploaded_bytes_total[ {]/     { u = $NF }
    /^strata_tiering_upload_lag_bytes[ {]/         { l = $NF }
    /^strata_tiering_remote_read_bytes_total[ {]/  { rr = $NF }
    /^strata_tiering_cache_hits_total[ {]/         { h = $NF }
    /^strata_tiering_cache_misses_total[ {]/       { m = $NF }
    /^strata_partition_log_bytes\{/ {
      if (index($0, "topic=\"" tt "\"")) { if (index($0, "tier=\"local\"")) tl += $NF; else if (index($0, "tier=\"remote\"")) tr += $NF }
      else if (index($0, "topic=\"" lt "\"") && index($0, "tier=\"local\"")) ll += $NF
    }
    END { printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", t, u, l, tl, tr, ll, rr, h, m }' <<< "$body"
}

# Samples the metrics every METRICS_SAMPLE_INTERVAL_S into METRICS_FILE while Strata runs (at most 2 h).
start_metrics_sampler() {
  (
    deadline=$(( $(date +%s) + 7200 ))
    while kill -0 "$STRATA_PID" 2>/dev/null && (( $(date +%s) < deadline )); do
      scrape_metrics >> "$METRICS_FILE" || true
      sleep "$METRICS_SAMPLE_INTERVAL_S"
    done
  ) &
  SAMPLER_PID=$!
  started "metrics sampler" "$SAMPLER_PID" 2
}

# Partition directories of a topic in Strata's data directory, and how many .log segments each holds.
segment_counts() {  # topic -> one count per partition directory
  local d
  while IFS= read -r d; do
    find "$d" -maxdepth 1 -name '*.log' | wc -l
  done < <(find "$STRATA_DATA" -type d -name "$1-[0-9]*" -not -path '*/tiering-*' | sort)
}

mb()      { awk -v b="$1" -v s="${2:-1}" 'BEGIN{ if (s + 0 > 0) printf "%.1f", b / 1048576 / s; else printf "-" }'; }  # bytes [seconds] -> MB or MB/s
secs()    { awk -v ms="$1" 'BEGIN{ printf "%.1f", ms / 1000 }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ----------------------------------------------------------------------------------------------
# 1. S3Proxy, filesystem backend, in its own JVM.
# ----------------------------------------------------------------------------------------------
START_S=$(date +%s)
S3_DIR="$WORK_DIR/s3proxy"
mkdir -p "$S3_DIR/data/$BUCKET"   # the filesystem backend's bucket is a directory
cat > "$S3_DIR/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3PROXY_PORT
s3proxy.authorization=none
jclouds.provider=filesystem
jclouds.filesystem.basedir=$S3_DIR/data
EOF
# Without a configuration S3Proxy's logback logs every request at DEBUG, which costs throughput.
cat > "$S3_DIR/logback.xml" <<'EOF'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.gaul.shaded.org.eclipse.jetty" level="WARN"/>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>
EOF
ensure_port_free "$S3PROXY_PORT" "S3Proxy"
ensure_port_free "$STRATA_PORT" "Strata Kafka listener"
ensure_port_free "$STRATA_HTTP_PORT" "Strata HTTP"
log "=== S3Proxy $S3PROXY_VERSION (filesystem backend) on 127.0.0.1:$S3PROXY_PORT, bucket $BUCKET ==="
S3PROXY_LOG="$LOG_DIR/s3proxy.log"
LAUNCH_MS=$(now_ms)
# shellcheck disable=SC2086
java $S3PROXY_JAVA_OPTS -Dlogback.configurationFile="$S3_DIR/logback.xml" -cp "$S3PROXY_LIB_DIR/*" \
  org.gaul.s3proxy.Main --properties "$S3_DIR/s3proxy.properties" > "$S3PROXY_LOG" 2>&1 &
S3PROXY_PID=$!
started S3Proxy "$S3PROXY_PID" "$STOP_TIMEOUT_S"
S3_STARTUP_MS=$(wait_for_port "S3Proxy" "$S3PROXY_PID" "$S3PROXY_PORT" "$LAUNCH_MS" "$S3PROXY_LOG")
# The port may open before the handler serves: list the bucket until it answers 200.
deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 ))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$S3PROXY_PORT/$BUCKET?max-keys=1" || true)" == 200 ]]; do
  kill -0 "$S3PROXY_PID" 2>/dev/null || die "S3Proxy exited; log: $S3PROXY_LOG"
  (( $(now_ms) < deadline )) || die "S3Proxy does not list bucket $BUCKET within ${READY_TIMEOUT_S} s; log: $S3PROXY_LOG"
  sleep 0.2
done
log "S3Proxy answers after $(( $(now_ms) - LAUNCH_MS )) ms (port open after ${S3_STARTUP_MS} ms, pid $S3PROXY_PID)"

# ----------------------------------------------------------------------------------------------
# 2. Strata, tiering to the bucket.
# ----------------------------------------------------------------------------------------------
STRATA_DATA="$WORK_DIR/strata-data"
STRATA_LOG="$LOG_DIR/strata.log"
mkdir -p "$STRATA_DATA"
case "$STORE" in
  s3) TIERING_URL="s3://$BUCKET/strata" ;;
  file) TIERING_URL="file://$WORK_DIR/file-store" ;;
  *) die "STORE must be s3 or file (got '$STORE')" ;;
esac
log "=== Strata ($STRATA_JAVA_OPTS) on 127.0.0.1:$STRATA_PORT, HTTP $STRATA_HTTP_PORT, tiering to $TIERING_URL ==="
STRATA_EXTRA_ENV=()
[[ -n "${STRATA_TIERING_CHUNK_SIZE:-}" ]] && STRATA_EXTRA_ENV+=("STRATA_TIERING_CHUNK_SIZE=$STRATA_TIERING_CHUNK_SIZE")
[[ -n "${STRATA_TIERING_CACHE_SIZE:-}" ]] && STRATA_EXTRA_ENV+=("STRATA_TIERING_CACHE_SIZE=$STRATA_TIERING_CACHE_SIZE")
LAUNCH_MS=$(now_ms)
# shellcheck disable=SC2086
env STRATA_KAFKA_PORT="$STRATA_PORT" STRATA_KAFKA_HOST=127.0.0.1 STRATA_ADVERTISED_HOST=127.0.0.1 \
    STRATA_DATA_DIR="$STRATA_DATA" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$STRATA_HTTP_PORT" STRATA_GROUPS_INITIAL_REBALANCE_DELAY_MS=0 \
    STRATA_TIERING_URL="$TIERING_URL" STRATA_TIERING_S3_PATH_STYLE=true \
    AWS_ENDPOINT_URL_S3="http://127.0.0.1:$S3PROXY_PORT" AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=strata-bench AWS_SECRET_ACCESS_KEY=strata-bench-secret AWS_EC2_METADATA_DISABLED=true \
    STRATA_TIERING_UPLOAD_INTERVAL="$STRATA_TIERING_UPLOAD_INTERVAL" \
    STRATA_LOG_RETENTION_CHECK_INTERVAL="$STRATA_LOG_RETENTION_CHECK_INTERVAL" \
    STRATA_METRICS_PARTITION_REFRESH_INTERVAL=1s \
    "${STRATA_EXTRA_ENV[@]}" \
  "$STRATA_JAVA" $STRATA_JAVA_OPTS -jar "$STRATA_JAR" > "$STRATA_LOG" 2>&1 &
STRATA_PID=$!
started Strata "$STRATA_PID" "$STOP_TIMEOUT_S"
R[strata_startup_ms]=$(wait_for_port "Strata" "$STRATA_PID" "$STRATA_PORT" "$LAUNCH_MS" "$STRATA_LOG")
log "Strata accepts connections after ${R[strata_startup_ms]} ms (pid $STRATA_PID)"
BS="127.0.0.1:$STRATA_PORT"

# ----------------------------------------------------------------------------------------------
# 3. Topics: same partitions and segment.bytes; one tiered with no local retention, one plain.
# ----------------------------------------------------------------------------------------------
deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 ))
for t in "$TIERED_TOPIC" "$LOCAL_TOPIC"; do
  configs=(--config "segment.bytes=$SEGMENT_BYTES")
  [[ "$t" == "$TIERED_TOPIC" ]] && configs+=(--config remote.storage.enable=true --config local.retention.ms=0)
  create_topic "$LOG_DIR/topic-$t.log" "$t" "$BS" "$PARTITIONS" Strata "$STRATA_PID" "$STRATA_LOG" "$deadline" \
    "${configs[@]}"
done
log "topics $TIERED_TOPIC (remote.storage.enable=true, local.retention.ms=0) and $LOCAL_TOPIC: $PARTITIONS partitions, segment.bytes=$SEGMENT_BYTES"
scrape_metrics > /dev/null || die "cannot read $METRICS_URL; log: $STRATA_LOG"
start_metrics_sampler

produce() {  # topic key
  local plog="$LOG_DIR/producer-$1.log"
  log "ProducerPerformance -> $1: $RECORDS x $RECORD_SIZE B, acks=$ACKS, throughput=$THROUGHPUT"
  run_producer_perf "$plog" "$BS" "$1" "on $1"
  store_results "$2" produce_mbps=P_MBPS produce_rps=P_RPS produce_p99_ms=P_P99_MS
}

# ----------------------------------------------------------------------------------------------
# 4. Produce into the tiered topic and follow the uploads.
# ----------------------------------------------------------------------------------------------
PT0=$(now_ms)
produce "$TIERED_TOPIC" tiered
PT1=$(now_ms)
R[tiered.produce_wall_s]=$(secs $(( PT1 - PT0 )))

log "waiting until every closed segment of $TIERED_TOPIC is tiered and deleted locally (at most ${UPLOAD_TIMEOUT_S} s)"
upload_interval_ms=$(awk -v s="$STRATA_TIERING_UPLOAD_INTERVAL" 'BEGIN{
  v = s + 0; if (s ~ /ms$/) print int(v); else if (s ~ /m$/) print int(v * 60000); else print int(v * 1000) }')
stable_ms=$(( 2 * upload_interval_ms + 1000 )); (( stable_ms >= 3000 )) || stable_ms=3000
deadline=$(( $(now_ms) + UPLOAD_TIMEOUT_S * 1000 ))
T_FREED=""
while :; do
  kill -0 "$STRATA_PID" 2>/dev/null || die "Strata exited; log: $STRATA_LOG"
  (( $(now_ms) < deadline )) || die "uploads did not catch up within ${UPLOAD_TIMEOUT_S} s after produce; metrics: $METRICS_FILE, log: $STRATA_LOG"
  sleep 0.5
  last="$(tail -n1 "$METRICS_FILE")"
  read -r t u l _ <<< "$last"
  (( t > PT1 && l == 0 )) || continue
  # The lag gauge is computed at the end of each upload round: trust a 0 only when no upload finished
  # for two rounds since produce ended, and when every partition holds only its active segment locally
  # (local.retention.ms=0 deletes a segment once it is in the manifest).
  last_change=$(awk -v u="$u" '$2 != u { t = $1 } END { printf "%.0f", t + 0 }' "$METRICS_FILE")
  (( t - (last_change > PT1 ? last_change : PT1) >= stable_ms )) || continue
  counts="$(segment_counts "$TIERED_TOPIC" | sort -u | tr '\n' ' ')"
  [[ -n "$counts" ]] || die "no partition directory of $TIERED_TOPIC under $STRATA_DATA"
  if [[ "$counts" == "1 " ]]; then T_FREED=$(now_ms); break; fi
done
sleep 2   # one more refresh of the partition size gauges (every 1 s)
scrape_metrics > "$WORK_DIR/after-upload.txt" || die "cannot read $METRICS_URL"
read -r _ up_total _ tl_bytes tr_bytes _ < "$WORK_DIR/after-upload.txt"
(( up_total > 0 )) || die "nothing was tiered: no segment closed (raise RECORDS or lower SEGMENT_BYTES)"

# Upload figures from the samples (columns: t u lag ...).
#   first activity: first sample with lag > 0 or bytes uploaded; caught up: first sample with the final total.
#   while behind: bytes uploaded in sample intervals that began with lag > 0 or saw an upload, over their time.
read -r T_UP0 T_UP1 LAG_AT_PT1 LAG_MAX BUSY_BYTES BUSY_MS UP_AT_PT1 < <(awk -v pt1="$PT1" -v pt0="$PT0" -v fin="$up_total" '
  $1 >= pt0 {
    if (start == "" && ($3 > 0 || $2 > u0)) start = (pt > 0 ? pt : $1)
    if (caught == "" && $2 >= fin) caught = $1
    if ($3 > lagmax) lagmax = $3
    if ($1 <= pt1) { lagpt1 = $3; uppt1 = $2 }
    if (pt > 0 && (plag > 0 || $2 > pu)) { busyb += $2 - pu; busyt += $1 - pt }
  }
  { if (NR == 1) u0 = $2; pt = $1; pu = $2; plag = $3 }
  END { printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", start, caught, lagpt1, lagmax, busyb, busyt, uppt1 }' "$METRICS_FILE")
R[upload_mb]=$(mb "$up_total")
R[upload_window_s]=$(secs $(( T_UP1 - T_UP0 )))
R[upload_window_mbps]=$(mb "$up_total" "$(secs $(( T_UP1 - T_UP0 )))")
R[upload_busy_mbps]=$(mb "$BUSY_BYTES" "$(secs "$BUSY_MS")")
R[upload_during_produce_mb]=$(mb "$UP_AT_PT1")
R[lag_at_produce_end_mb]=$(mb "$LAG_AT_PT1")
R[backlog_at_produce_end_mb]=$(mb $(( up_total - UP_AT_PT1 )))
R[lag_max_mb]=$(mb "$LAG_MAX")
R[caught_up_after_s]=$(secs $(( T_UP1 > PT1 ? T_UP1 - PT1 : 0 )))
R[freed_after_s]=$(secs $(( T_FREED - PT1 )))
R[tiered_remote_mb]=$(mb "$tr_bytes")
R[tiered_local_mb]=$(mb "$tl_bytes")
R[tiered_remote_share]=$(awk -v r="$tr_bytes" -v l="$tl_bytes" 'BEGIN{ printf "%.0f", (r + l > 0) ? 100 * r / (r + l) : 0 }')
R[bucket_mb]=$(mb "$(du -sb "$S3_DIR/data/$BUCKET" | cut -f1)")
log "uploaded $(mb "$up_total") MB, $(mb $(( up_total - UP_AT_PT1 ))) MB of it after produce ended; window $(secs $(( T_UP1 - T_UP0 ))) s -> ${R[upload_window_mbps]} MB/s, while behind ${R[upload_busy_mbps]} MB/s; lag at produce end ${R[lag_at_produce_end_mb]} MB, max ${R[lag_max_mb]} MB; caught up ${R[caught_up_after_s]} s after produce, local segments freed after ${R[freed_after_s]} s"
log "tiered topic before replay: ${R[tiered_remote_mb]} MB in the bucket, ${R[tiered_local_mb]} MB local (active segments)"

# ----------------------------------------------------------------------------------------------
# 5. Produce the same into the plain topic.
# ----------------------------------------------------------------------------------------------
produce "$LOCAL_TOPIC" local
LOAD_BEFORE_REPLAY="$(loadavg)"

# ----------------------------------------------------------------------------------------------
# 6. Replays from the earliest offset: tiered (bucket, then the active segments), then local.
# ----------------------------------------------------------------------------------------------
replay() {  # topic key round
  local clog="$LOG_DIR/replay-$1-$3.log" before after
  log "ConsumerPerformance <- $1 (replay $3): $RECORDS records from the earliest offset"
  before="$(scrape_metrics)" || die "cannot read $METRICS_URL"
  run_consumer_perf "$clog" "$BS" "$1" "replay-$1-$3-$RUN_ID" "on $1" --consumer.config "$CONSUMER_CONFIG" --timeout 60000
  after="$(scrape_metrics)" || die "cannot read $METRICS_URL"
  R[$2.$3.fetch_mbps]=$(awk -v x="$C_FMBPS" 'BEGIN{ printf "%.1f", x }')
  R[$2.$3.mbps]=$(awk -v x="$C_MBPS" 'BEGIN{ printf "%.1f", x }')
  R[$2.$3.fetch_s]=$(secs "$C_FETCH_MS")
  R[$2.$3.join_ms]=$C_REB_MS
  read -r _ _ _ _ _ _ rr0 h0 m0 <<< "$before"
  read -r _ _ _ _ _ _ rr1 h1 m1 <<< "$after"
  R[$2.$3.remote_read_mb]=$(mb $(( rr1 - rr0 )))
  R[$2.$3.cache_hits]=$(( h1 - h0 ))
  R[$2.$3.cache_misses]=$(( m1 - m0 ))
  R[$2.$3.cache_hit_ratio]=$(awk -v h=$(( h1 - h0 )) -v m=$(( m1 - m0 )) 'BEGIN{ if (h + m > 0) printf "%.2f", h / (h + m); else printf "-" }')
  echo "  $C_N records: fetch ${R[$2.$3.fetch_mbps]} MB/s ($(secs "$C_FETCH_MS") s), incl. join ${R[$2.$3.mbps]} MB/s; from the bucket $(mb $(( rr1 - rr0 ))) MB, chunk cache hits/misses $(( h1 - h0 ))/$(( m1 - m0 ))" >&2
}
for (( i = 1; i <= REPLAYS; i++ )); do
  replay "$TIERED_TOPIC" tiered "$i"
  replay "$LOCAL_TOPIC" local "$i"
  R[ratio.$i]=$(awk -v a="${R[tiered.$i.fetch_mbps]}" -v b="${R[local.$i.fetch_mbps]}" 'BEGIN{ printf "%.2f", (b > 0) ? a / b : 0 }')
done
scrape_metrics > "$WORK_DIR/final.txt" || die "cannot read $METRICS_URL"
FINAL_HIT_RATIO="$(curl -sf --max-time 5 "$METRICS_URL" | awk '/^strata_tiering_cache_hit_ratio[ {]/ { printf "%.2f", $NF }')"
REMOTE_ERRORS="$(curl -sf --max-time 5 "$METRICS_URL" | awk '/^strata_tiering_remote_errors_total\{/ { s += $NF } END { printf "%.0f", s }')"
LOAD_END="$(loadavg)"
ELAPSED_S=$(( $(date +%s) - START_S ))

stop_started "$SAMPLER_PID"
log "stopping Strata and S3Proxy"
stop_started "$STRATA_PID"
stop_started "$S3PROXY_PID"
STRATA_ERRORS=$(grep -cE '^[0-9 :.,-]+ ERROR ' "$STRATA_LOG" || true)
STRATA_WARNS=$(grep -cE '^[0-9 :.,-]+ WARN ' "$STRATA_LOG" || true)
S3PROXY_ERRORS=$(grep -cE ' (ERROR|WARN) ' "$S3PROXY_LOG" || true)

# ----------------------------------------------------------------------------------------------
# Report.
# ----------------------------------------------------------------------------------------------
met() { awk -v a="$1" -v b="$2" 'BEGIN{ print (a + 0 >= b + 0) ? "yes" : "NO" }'; }
TABLE_MD="| Figure | Value | Target | Met |
|---|---:|---|---|
| Produce into \`$TIERED_TOPIC\` (peak ingest) | ${R[tiered.produce_mbps]} MB/s (${R[tiered.produce_rps]} records/s, p99 ${R[tiered.produce_p99_ms]} ms) | | |
| Produce into \`$LOCAL_TOPIC\` | ${R[local.produce_mbps]} MB/s (${R[local.produce_rps]} records/s, p99 ${R[local.produce_p99_ms]} ms) | | |
| Upload throughput while behind | ${R[upload_busy_mbps]} MB/s | ≥ peak ingest (${R[tiered.produce_mbps]} MB/s) | $(met "${R[upload_busy_mbps]}" "${R[tiered.produce_mbps]}") |
| Upload throughput over the upload window | ${R[upload_window_mbps]} MB/s (${R[upload_mb]} MB in ${R[upload_window_s]} s) | | |
| Uploaded by the end of produce | ${R[upload_during_produce_mb]} MB of ${R[upload_mb]} MB | | |
| Left to upload at the end of produce | ${R[backlog_at_produce_end_mb]} MB (total uploaded − uploaded by then) | | |
| Upload lag gauge at the end of produce / max | ${R[lag_at_produce_end_mb]} MB / ${R[lag_max_mb]} MB | | |
| Uploads caught up (lag 0) | ${R[caught_up_after_s]} s after produce | | |
| Tiered segments deleted locally | ${R[freed_after_s]} s after produce | | |
| \`$TIERED_TOPIC\` before replay: bucket / local | ${R[tiered_remote_mb]} MB / ${R[tiered_local_mb]} MB (${R[tiered_remote_share]} % in the bucket; bucket on disk ${R[bucket_mb]} MB) | | |"
for (( i = 1; i <= REPLAYS; i++ )); do
  sfx=""; (( REPLAYS > 1 )) && sfx=" #$i"
  TABLE_MD+="
| Replay \`$TIERED_TOPIC\`$sfx (bucket + active segments) | ${R[tiered.$i.fetch_mbps]} MB/s fetch, ${R[tiered.$i.mbps]} MB/s incl. join (${R[tiered.$i.fetch_s]} s) | | |
| Replay \`$LOCAL_TOPIC\`$sfx (local segments) | ${R[local.$i.fetch_mbps]} MB/s fetch, ${R[local.$i.mbps]} MB/s incl. join (${R[local.$i.fetch_s]} s) | | |
| Replay ratio tiered / local$sfx (fetch) | ${R[ratio.$i]} | ≥ 0.5 | $(met "${R[ratio.$i]}" 0.5) |
| Read from the bucket during the tiered replay$sfx | ${R[tiered.$i.remote_read_mb]} MB; chunk cache hits/misses ${R[tiered.$i.cache_hits]}/${R[tiered.$i.cache_misses]} (hit ratio ${R[tiered.$i.cache_hit_ratio]}) | | |"
done
TABLE_MD+="
| \`strata_tiering_cache_hit_ratio\` at the end | ${FINAL_HIT_RATIO:--} | | |
| Errors | Strata log: $STRATA_ERRORS ERROR, $STRATA_WARNS WARN lines; \`strata_tiering_remote_errors_total\`: ${REMOTE_ERRORS:--}; S3Proxy log: $S3PROXY_ERRORS ERROR/WARN lines | | |"

GIT_REV="$(git_revision)"
PARAMS_MD="| Parameter | Value |
|---|---|
| Command | \`$COMMAND\` |
| Records | $RECORDS x $RECORD_SIZE B into each topic ($(mb $(( RECORDS * RECORD_SIZE ))) MB of values) |
| Topics | \`$TIERED_TOPIC\` (remote.storage.enable=true, local.retention.ms=0) and \`$LOCAL_TOPIC\`: $PARTITIONS partitions, segment.bytes=$SEGMENT_BYTES |
| Producer | ProducerPerformance, acks=$ACKS, --throughput $THROUGHPUT, ${PRODUCER_EXTRA_PROPS:-client defaults (linger.ms=5, batch.size=16384, no compression)} |
| Consumer | ConsumerPerformance, new group per replay, from earliest, --messages $RECORDS, ${CONSUMER_EXTRA_PROPS:-client defaults (max.partition.fetch.bytes=1 MiB, fetch.max.bytes=50 MiB)}; $REPLAYS replay(s) of each topic, tiered first |
| Strata | \`$(strata_command)\`, git $GIT_REV; STRATA_TIERING_URL=$TIERING_URL, STRATA_TIERING_S3_PATH_STYLE=true, STRATA_TIERING_UPLOAD_INTERVAL=$STRATA_TIERING_UPLOAD_INTERVAL, STRATA_LOG_RETENTION_CHECK_INTERVAL=$STRATA_LOG_RETENTION_CHECK_INTERVAL, STRATA_TIERING_CHUNK_SIZE=${STRATA_TIERING_CHUNK_SIZE:-default (1048576)}, STRATA_TIERING_CACHE_SIZE=${STRATA_TIERING_CACHE_SIZE:-default (67108864)}; start-up ${R[strata_startup_ms]} ms |
| Object store | $( [[ $STORE == file ]] && echo "a local directory ($TIERING_URL); S3Proxy ran idle: " )S3Proxy $S3PROXY_VERSION, filesystem backend on the same disk, own JVM \`$S3PROXY_JAVA_OPTS\`, 127.0.0.1:$S3PROXY_PORT, no authentication |
| Client tools | Apache Kafka $KAFKA_VERSION (kafka-tools), JVM opts \`$TOOLS_JAVA_OPTS\` |
| Java | $(java_description) |
| Machine | $(machine_description) |
| Load average (1/5/15 min) | start $LOAD_START; before the replays $LOAD_BEFORE_REPLAY; end $LOAD_END |
| Run | $RUN_ID, $ELAPSED_S s from S3Proxy start to the last replay |"

# The figures for the console: a line a figure, with its target and whether it was met.
print_tiered_results() {
  echo
  tr -d '`' <<< "$TABLE_MD" | awk -F'|' 'NR > 2 {
      for (i = 2; i <= 5; i++) { gsub(/^ +| +$/, "", $i) }
      printf "%-52s %s%s\n", $2, $3, ($4 != "" ? "   [target " $4 ": " $5 "]" : "") }'
  echo
}

write_results -l "Logs and the metric samples (\`metrics.tsv\`)" -c print_tiered_results \
    "Tiered-storage benchmark: uploads and replay from S3Proxy vs local segments ($RUN_ID)" <<EOF
MB = 2^20 bytes. Produce and replay figures from ProducerPerformance and ConsumerPerformance ("fetch" excludes
the consumer-group join). Upload figures from \`/q/metrics\`, sampled every ${METRICS_SAMPLE_INTERVAL_S} s
(\`strata_tiering_uploaded_bytes_total\`, \`strata_tiering_upload_lag_bytes\`, which is computed at the end of each
upload round): "while behind" = bytes uploaded in the sample intervals that began with a lag or saw an upload,
over their time; the upload window runs from the first lag or upload to the last upload. The tiered replay reads
the partitions' closed segments from the bucket and their active segments (never tiered) from local disk.
EOF
