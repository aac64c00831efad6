// @ts-check
// Produce and consume over the Kafka protocol with the xk6-kafka extension, for a k6 built with it (see
// load-tests/README.md): RATE produce calls a second of BATCH messages each (acks=all), while CONSUMERS
// readers of one consumer group read the topic. setup() creates the topic unless it exists.
//
//   ./k6 run load-tests/k6/kafka-produce-consume.js -e BROKERS=127.0.0.1:9092 -e RATE=100
//
// Settings (-e NAME=value): BROKERS (127.0.0.1:9092, comma-separated), TOPIC (k6-kafka), GROUP (k6-kafka),
// PARTITIONS (3) and REPLICATION_FACTOR (1) when the topic is created, RATE (20 calls/s), BATCH (10
// messages per call), CONSUMERS (PARTITIONS), VALUE_BYTES (100), DURATION (30s).
import { check } from "k6";
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import { Connection, MILLISECOND, Reader, SCHEMA_TYPE_STRING, SchemaRegistry, Writer } from "k6/x/kafka";
import { DURATION, env, envNumber } from "./lib/env.js";
import { constantRate } from "./lib/scenarios.js";

const BROKERS = env("BROKERS", "127.0.0.1:9092").split(",");
const TOPIC = env("TOPIC", "k6-kafka");
const GROUP = env("GROUP", "k6-kafka");
const PARTITIONS = Math.max(1, envNumber("PARTITIONS", 3));
const REPLICATION_FACTOR = Math.max(1, envNumber("REPLICATION_FACTOR", 1));
const RATE = envNumber("RATE", 20);
const BATCH = Math.max(1, envNumber("BATCH", 10));
const CONSUMERS = Math.max(1, envNumber("CONSUMERS", PARTITIONS));
const FILLER = "x".repeat(envNumber("VALUE_BYTES", 100));
const PREFIX = "k6:";

const serde = new SchemaRegistry();
const messagesProduced = new Counter("messages_produced");
const messagesConsumed = new Counter("messages_consumed");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    produce: constantRate(RATE, "produce"),
    consume: { executor: "constant-vus", vus: CONSUMERS, duration: DURATION, exec: "consume" },
  },
  thresholds: {
    // The extension's own counts of failed writes and reads.
    kafka_writer_error_count: ["count==0"],
    kafka_reader_error_count: ["count==0"],
    checks: ["rate>0.99"],
    messages_produced: ["count>0"],
    messages_consumed: ["count>0"],
  },
};

export function setup() {
  const connection = new Connection({ address: BROKERS[0] });
  try {
    if (!connection.listTopics().includes(TOPIC)) {
      connection.createTopic({ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: REPLICATION_FACTOR });
    }
  } finally {
    connection.close();
  }
}

// Made on first use, by the VUs of the scenario that needs them: a Reader made in the init context would
// join the group from every VU, producers included, and hold partitions that no one reads.
/** @type {Writer | undefined} */
let writer;
/** @type {Reader | undefined} */
let reader;

export function produce() {
  if (writer === undefined) {
    // A partial batch waits 5 ms for more, as Kafka's producer lingers by default (the extension's v1 waits 1 s).
    writer = new Writer({ brokers: BROKERS, topic: TOPIC, requiredAcks: -1, batchTimeout: 5 * MILLISECOND });
  }
  const first = exec.scenario.iterationInTest * BATCH;
  /** @type {import("k6/x/kafka").ProducedMessage[]} */
  const messages = [];
  for (let n = first; n < first + BATCH; n++) {
    const id = `${PREFIX}${n}:`;
    messages.push({
      key: serde.serialize({ data: `key-${n}`, schemaType: SCHEMA_TYPE_STRING }),
      value: serde.serialize({ data: id + FILLER.substring(id.length), schemaType: SCHEMA_TYPE_STRING }),
    });
  }
  writer.produce({ messages }); // throws, failing the iteration, unless every message is acknowledged
  messagesProduced.add(BATCH);
}

export function consume() {
  if (reader === undefined) {
    reader = new Reader({ brokers: BROKERS, groupId: GROUP, groupTopics: [TOPIC], maxWait: "1s" });
  }
  // Up to BATCH messages, or what arrived within maxWait: a consumer that caught up is not failing.
  const messages = reader.consume({ limit: BATCH, expectTimeout: true });
  if (messages.length === 0) {
    return;
  }
  // v2 readers commit when told; v1 readers have no commitOffsets and committed each message as they read it.
  if (reader.commitOffsets !== undefined) {
    reader.commitOffsets();
  }
  check(messages, {
    "consume: messages of this topic written by this script": (list) => list.every((m) => m.topic === TOPIC
      && m.value !== undefined
      && serde.deserialize({ data: m.value, schemaType: SCHEMA_TYPE_STRING }).startsWith(PREFIX)),
  });
  messagesConsumed.add(messages.length);
}
