// @ts-check
// The scenarios the scripts share.
import { DURATION } from "./env.js";

/**
 * Starts `rate` iterations a second for DURATION, whatever the broker's latency, so that a slow broker shows as
 * longer durations and more VUs, not as a lower rate. Starts with a VU for every ten iterations a second and
 * adds VUs, up to `rate` or at least ten, while iterations wait for answers.
 * @param {number} rate
 * @param {string} [exec] the exported function each iteration runs; the default function when omitted
 * @returns {import("k6/options").Scenario}
 */
export function constantRate(rate, exec) {
  /** @type {import("k6/options").Scenario} */
  const scenario = {
    executor: "constant-arrival-rate",
    rate,
    timeUnit: "1s",
    duration: DURATION,
    preAllocatedVUs: Math.max(1, Math.ceil(rate / 10)),
    maxVUs: Math.max(10, rate),
  };
  if (exec !== undefined) {
    scenario.exec = exec;
  }
  return scenario;
}
