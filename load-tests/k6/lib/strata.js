// @ts-check
// What the REST scripts share: the broker's address and credentials, the setup that finds the cluster id,
// creates the topic if it is missing and finds the partitions this broker leads, one produce request, and the
// thresholds.
import http from "k6/http";
import encoding from "k6/encoding";
import { check, fail } from "k6";
import { env, envNumber } from "./env.js";

/**
 * The parts of the REST API's answers the scripts read (README, "REST API").
 * @typedef {{cluster_id: string}} Cluster
 * @typedef {{partition_id: number, earliest_offset: number | null, latest_offset: number | null}} Partition
 * @typedef {{error_code: number, message?: string, partition_id: number, offset?: number}} ProduceResult
 * @typedef {{offset: number}} ReadRecord
 * @typedef {{next_offset: number, data: ReadRecord[]}} RecordList
 * @typedef {{data: {partition_id: number, offset: number}[]}} ResetResult
 * @typedef {{total_lag: number, max_lag: number}} LagSummary
 *
 * What setup() hands to every iteration.
 * @typedef {{partition: number, earliest: number, latest: number}} LedPartition
 * @typedef {{cluster: string, partitions: LedPartition[]}} SetupData
 */

export const BASE_URL = env("BASE_URL", "http://127.0.0.1:8080").replace(/\/+$/, "");
export const TOPIC = env("TOPIC", "k6-rest");
export const PARTITIONS = envNumber("PARTITIONS", 3);
/** Thresholds on the durations of the load's requests, in milliseconds. */
const P95_MS = envNumber("P95_MS", 200);
const P99_MS = envNumber("P99_MS", 500);
const FILLER = "x".repeat(envNumber("VALUE_BYTES", 100));
/** Records per request when setup() writes records to read: with small values, far below a body size limit. */
const SEED_BATCH = 100;

// Not USER: k6 passes the shell's environment on, and the shell's USER would switch credentials on.
const HTTP_USER = env("HTTP_USER", "");
/** @type {{[name: string]: string}} */
const HEADERS = HTTP_USER === ""
  ? { "Content-Type": "application/json" }
  : {
    "Content-Type": "application/json",
    Authorization: `Basic ${encoding.b64encode(`${HTTP_USER}:${env("HTTP_PASSWORD", "")}`)}`,
  };

/**
 * The thresholds every REST script sets, failed requests and checks, with the script's own.
 * @param {{[name: string]: import("k6/options").Threshold[]}} own
 */
export function thresholds(own) {
  return { http_req_failed: ["rate<0.01"], checks: ["rate>0.99"], ...own };
}

/**
 * Thresholds on the durations of requests: P95_MS and P99_MS, plus `allowanceMs` for requests that wait.
 * @param {number} [allowanceMs]
 */
export function latency(allowanceMs = 0) {
  return [`p(95)<${P95_MS + allowanceMs}`, `p(99)<${P99_MS + allowanceMs}`];
}

/**
 * Request parameters. `name` groups the requests of one kind in the metrics whatever their offsets and
 * partitions, so that k6 keeps one time series per kind instead of one per URL.
 * @param {string} name
 * @param {import("k6/http").Params["responseCallback"]} [expected] the statuses that are not failures
 * @returns {import("k6/http").Params}
 */
export function params(name, expected) {
  return expected === undefined
    ? { headers: HEADERS, tags: { name } }
    : { headers: HEADERS, tags: { name }, responseCallback: expected };
}

/** @param {string} cluster */
export function topicUrl(cluster) {
  return `${BASE_URL}/v3/clusters/${cluster}/topics/${encodeURIComponent(TOPIC)}`;
}

/**
 * The JSON body of a response; the caller declares its type.
 * @param {import("k6/http").Response} res
 * @returns {any}
 */
export function json(res) {
  if (typeof res.body !== "string") {
    fail(`${res.request.method} ${res.url}: no body (status ${res.status}, ${res.error})`);
  }
  return JSON.parse(res.body);
}

/**
 * Ends setup() with the answer when a request it depends on fails.
 * @param {import("k6/http").Response} res
 * @param {number} status
 */
function expectStatus(res, status) {
  if (res.status !== status) {
    fail(`${res.request.method} ${res.url} answered ${res.status}, expected ${status}: ${res.body}`);
  }
}

/**
 * The setup of every REST script: the cluster id, the topic (created with PARTITIONS partitions unless it
 * exists, so that reruns and concurrent runs share it), and the partitions this broker leads.
 * @returns {SetupData}
 */
export function discover() {
  const clusters = http.get(`${BASE_URL}/v3/clusters`, params("GET clusters"));
  expectStatus(clusters, 200);
  /** @type {{data: Cluster[]}} */
  const list = json(clusters);
  const cluster = list.data[0].cluster_id;

  // A missing topic is expected here, not a failed request.
  const existing = http.get(topicUrl(cluster), params("GET topic", http.expectedStatuses(200, 404)));
  if (existing.status === 404) {
    const body = JSON.stringify({ topic_name: TOPIC, partitions_count: PARTITIONS });
    const created = http.post(`${BASE_URL}/v3/clusters/${cluster}/topics`, body,
      params("POST topics", http.expectedStatuses(201, 409)));
    // 409 TOPIC_ALREADY_EXISTS: another run created it in between.
    if (created.status !== 409) {
      expectStatus(created, 201);
    }
  } else {
    expectStatus(existing, 200);
  }
  return { cluster, partitions: ledPartitions(cluster) };
}

/**
 * The partitions of the topic this broker leads, with their offsets now. Only the leader reports a
 * partition's offsets, and every other broker answers 421 to its reads and writes, so the scripts use
 * only these: against a cluster, each broker's BASE_URL loads its own share.
 * @param {string} cluster
 * @returns {LedPartition[]}
 */
export function ledPartitions(cluster) {
  const res = http.get(`${topicUrl(cluster)}/partitions`, params("GET partitions"));
  expectStatus(res, 200);
  /** @type {{data: Partition[]}} */
  const list = json(res);
  /** @type {LedPartition[]} */
  const led = [];
  for (const p of list.data) {
    if (p.earliest_offset !== null && p.latest_offset !== null) {
      led.push({ partition: p.partition_id, earliest: p.earliest_offset, latest: p.latest_offset });
    }
  }
  if (led.length === 0) {
    fail(`the broker at ${BASE_URL} leads no partition of ${TOPIC}: give the address of a broker that does`);
  }
  return led;
}

/**
 * Writes `count` records to each partition this broker leads, so that the reading scripts find records.
 * @param {SetupData} setup
 * @param {number} count
 * @returns {SetupData} the same partitions with their offsets after the writes
 */
export function seed(setup, count) {
  for (const p of setup.partitions) {
    for (let written = 0; written < count; written += SEED_BATCH) {
      const res = http.post(`${topicUrl(setup.cluster)}/records`,
        JSON.stringify(records(p.partition, written, Math.min(SEED_BATCH, count - written))), params("POST records"));
      expectStatus(res, 200);
    }
  }
  return { cluster: setup.cluster, partitions: ledPartitions(setup.cluster) };
}

/**
 * `count` records for one partition, numbered from `first`: a STRING key and a STRING value of
 * VALUE_BYTES bytes that starts with the record's number.
 * @param {number} partition
 * @param {number} first
 * @param {number} count
 */
function records(partition, first, count) {
  const list = [];
  for (let n = first; n < first + count; n++) {
    const id = `${n}:`;
    list.push({ partition_id: partition, key: { type: "STRING", data: `key-${n}` },
      value: { type: "STRING", data: id + FILLER.substring(id.length) } });
  }
  return list;
}

/**
 * One produce request of `batch` records (a single record object when 1, else a JSON array) to one of the
 * partitions this broker leads, round robin by `n`; checks that every record got an offset.
 * @param {SetupData} data
 * @param {number} n the iteration's number in the test
 * @param {number} batch
 * @returns {number} the records written
 */
export function produce(data, n, batch) {
  const partition = data.partitions[n % data.partitions.length].partition;
  const list = records(partition, n * batch, batch);
  const res = http.post(`${topicUrl(data.cluster)}/records`, JSON.stringify(batch === 1 ? list[0] : list),
    params("POST records"));
  /** @type {ProduceResult[]} */
  let results = [];
  if (res.status === 200) {
    const answer = json(res);
    results = Array.isArray(answer) ? answer : [answer];
  }
  const ok = check(res, {
    "produce: status 200": (r) => r.status === 200,
    "produce: every record has an offset": () => results.length === batch
      && results.every((r) => r.error_code === 200 && typeof r.offset === "number"),
  });
  return ok ? batch : 0;
}
