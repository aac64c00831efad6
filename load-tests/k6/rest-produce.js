// @ts-check
// Produce over the REST API at a constant rate: RATE requests a second of BATCH records each, whatever the
// broker's latency, so that a slow broker shows as longer durations and more VUs, not as a lower rate.
//
//   k6 run load-tests/k6/rest-produce.js -e BASE_URL=http://127.0.0.1:8080 -e RATE=200 -e DURATION=1m
//
// Settings (-e NAME=value): BASE_URL, TOPIC (k6-rest), PARTITIONS (3, when the topic is created),
// RATE (50 requests/s), BATCH (1 record per request), VALUE_BYTES (100), DURATION (30s),
// P95_MS (200) and P99_MS (500) for the thresholds, HTTP_USER and HTTP_PASSWORD for basic authentication.
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import { envNumber } from "./lib/env.js";
import { constantRate } from "./lib/scenarios.js";
import { discover, latency, produce, thresholds } from "./lib/strata.js";

const RATE = envNumber("RATE", 50);
const BATCH = Math.max(1, envNumber("BATCH", 1));
const recordsProduced = new Counter("records_produced");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    produce: constantRate(RATE),
  },
  thresholds: thresholds({
    // The load's requests only: setup's topic creation waits for the metadata change.
    "http_req_duration{scenario:produce}": latency(),
    // A run that wrote nothing has failed, however fast its errors came back.
    records_produced: ["count>0"],
  }),
};

export function setup() {
  return discover();
}

/** @param {import("./lib/strata.js").SetupData} data */
export default function (data) {
  recordsProduced.add(produce(data, exec.scenario.iterationInTest, BATCH));
}
