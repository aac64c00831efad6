// @ts-check
// Read records by offset over the REST API at a constant rate, as a consumer without a group reads: each
// request asks for READ_RECORDS records from a random offset of a random partition this broker leads,
// among the SEED_RECORDS records per partition that setup() writes first.
//
//   k6 run load-tests/k6/rest-read-by-offset.js -e BASE_URL=http://127.0.0.1:8080 -e RATE=200
//
// Settings (-e NAME=value): BASE_URL, TOPIC (k6-rest), PARTITIONS (3, when the topic is created),
// RATE (50 requests/s), READ_RECORDS (10), SEED_RECORDS (1000 per partition), VALUE_BYTES (100),
// DURATION (30s), P95_MS (200) and P99_MS (500), HTTP_USER and HTTP_PASSWORD.
import http from "k6/http";
import { check } from "k6";
import { Counter } from "k6/metrics";
import { envNumber } from "./lib/env.js";
import { constantRate } from "./lib/scenarios.js";
import { discover, json, latency, params, seed, thresholds, topicUrl } from "./lib/strata.js";

const RATE = envNumber("RATE", 50);
const READ_RECORDS = Math.max(1, envNumber("READ_RECORDS", 10));
const SEED_RECORDS = Math.max(1, envNumber("SEED_RECORDS", 1000));
const recordsRead = new Counter("records_read");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    "read-by-offset": constantRate(RATE),
  },
  thresholds: thresholds({
    "http_req_duration{scenario:read-by-offset}": latency(),
    records_read: ["count>0"],
  }),
};

export function setup() {
  return seed(discover(), SEED_RECORDS);
}

/** @param {import("./lib/strata.js").SetupData} data */
export default function (data) {
  const p = data.partitions[Math.floor(Math.random() * data.partitions.length)];
  const offset = p.earliest + Math.floor(Math.random() * (p.latest - p.earliest));
  const res = http.get(`${topicUrl(data.cluster)}/partitions/${p.partition}/records?offset=${offset}`
    + `&max_records=${READ_RECORDS}`, params("GET records?offset"));
  /** @type {import("./lib/strata.js").RecordList} */
  const list = res.status === 200 ? json(res) : { next_offset: -1, data: [] };
  check(res, {
    "read: status 200": (r) => r.status === 200,
    // At or after the offset asked for: a transaction's marker, if another client wrote one, takes an offset.
    "read: records from the offset": () => list.data.length > 0 && list.data[0].offset >= offset
      && list.data.length <= READ_RECORDS,
    "read: next_offset follows the last record": () => list.data.length > 0
      && list.next_offset > list.data[list.data.length - 1].offset,
  });
  recordsRead.add(list.data.length);
}
