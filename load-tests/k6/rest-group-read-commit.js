// @ts-check
// Consume as a group over the REST API while records arrive: each VU reads a partition from the group's
// committed offset (`?group=`) and commits the answer's next_offset (`offsets:reset` with "to": "offset"),
// as a REST client consumes as a group; a producer writes RATE requests a second meanwhile. setup() writes
// SEED_RECORDS records per partition first, so that a group that already caught up has records to read.
//
//   k6 run load-tests/k6/rest-group-read-commit.js -e BASE_URL=http://127.0.0.1:8080 -e GROUP=rest-readers
//
// Settings (-e NAME=value): BASE_URL, TOPIC (k6-rest), PARTITIONS (3, when the topic is created), GROUP
// (k6-rest), VUS (PARTITIONS readers), RATE (20 produce requests/s), READ_RECORDS (100), WAIT_MS (1000: how
// long a read waits at the end of the log), SEED_RECORDS (200 per partition), VALUE_BYTES (100),
// DURATION (30s), P95_MS (200) and P99_MS (500) for produce requests, commits and reads (which may take
// WAIT_MS more, waiting at the end of the log), HTTP_USER and HTTP_PASSWORD.
import http from "k6/http";
import { check } from "k6";
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import { DURATION, env, envNumber } from "./lib/env.js";
import { constantRate } from "./lib/scenarios.js";
import { BASE_URL, PARTITIONS, TOPIC, discover, json, latency, params, produce, seed, thresholds, topicUrl }
  from "./lib/strata.js";

const GROUP = env("GROUP", "k6-rest");
const VUS = Math.max(1, envNumber("VUS", PARTITIONS));
const RATE = envNumber("RATE", 20);
const READ_RECORDS = Math.max(1, envNumber("READ_RECORDS", 100));
const WAIT_MS = envNumber("WAIT_MS", 1000);
const SEED_RECORDS = envNumber("SEED_RECORDS", 200);
const recordsProduced = new Counter("records_produced");
const recordsRead = new Counter("records_read");
const commits = new Counter("offsets_committed");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    "group-read-commit": { executor: "constant-vus", vus: VUS, duration: DURATION, exec: "readAndCommit" },
    produce: constantRate(RATE, "produceRecords"),
  },
  thresholds: thresholds({
    "http_req_duration{name:GET records?group}": latency(WAIT_MS),
    "http_req_duration{name:POST offsets:reset}": latency(),
    "http_req_duration{scenario:produce}": latency(),
    records_read: ["count>0"],
    offsets_committed: ["count>0"],
  }),
};

export function setup() {
  return seed(discover(), SEED_RECORDS);
}

/**
 * One poll and commit of one reader. Reader i reads partition i of the partitions this broker leads; readers
 * beyond their number read as further groups (GROUP-1, ...). So each partition of a group has one reader, as
 * a consumer group assigns it to one member, and no two readers race to commit the same offset.
 * @param {import("./lib/strata.js").SetupData} data
 */
export function readAndCommit(data) {
  const reader = exec.vu.idInTest - 1;
  const partition = data.partitions[reader % data.partitions.length].partition;
  const round = Math.floor(reader / data.partitions.length);
  const group = round === 0 ? GROUP : `${GROUP}-${round}`;

  const read = http.get(`${topicUrl(data.cluster)}/partitions/${partition}/records`
    + `?group=${encodeURIComponent(group)}&max_records=${READ_RECORDS}&max_wait_ms=${WAIT_MS}`,
  params("GET records?group"));
  /** @type {import("./lib/strata.js").RecordList} */
  const list = read.status === 200 ? json(read) : { next_offset: -1, data: [] };
  check(read, { "group read: status 200": (r) => r.status === 200 });
  if (list.data.length === 0) {
    return; // caught up: the read already waited WAIT_MS for records
  }
  recordsRead.add(list.data.length);

  const commit = http.post(`${BASE_URL}/v3/clusters/${data.cluster}/consumer-groups/${encodeURIComponent(group)}`
    + "/offsets:reset",
  JSON.stringify({ topic: TOPIC, partitions: [partition], to: "offset", offset: list.next_offset }),
  params("POST offsets:reset"));
  /** @type {import("./lib/strata.js").ResetResult} */
  const reset = commit.status === 200 ? json(commit) : { data: [] };
  const committed = check(commit, {
    "commit: status 200": (r) => r.status === 200,
    "commit: the group's offset is next_offset": () => reset.data.length === 1
      && reset.data[0].partition_id === partition && reset.data[0].offset === list.next_offset,
  });
  if (committed) {
    commits.add(1);
  }
}

/** @param {import("./lib/strata.js").SetupData} data */
export function produceRecords(data) {
  recordsProduced.add(produce(data, exec.scenario.iterationInTest, 1));
}

/**
 * Reports how far the group is behind at the end, as a line of the run's output.
 * @param {import("./lib/strata.js").SetupData} data
 */
export function teardown(data) {
  const res = http.get(`${BASE_URL}/v3/clusters/${data.cluster}/consumer-groups/${encodeURIComponent(GROUP)}`
    + "/lag-summary", params("GET lag-summary"));
  if (res.status === 200) {
    /** @type {import("./lib/strata.js").LagSummary} */
    const lag = json(res);
    console.log(`group ${GROUP}: total lag ${lag.total_lag} records, largest ${lag.max_lag}`);
  }
}
