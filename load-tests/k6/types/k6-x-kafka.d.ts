// The parts of the xk6-kafka extension's module (`k6/x/kafka`) that kafka-produce-consume.js uses, as the
// extension documents them; it publishes no type package. Writer, Reader and Connection are its v1 API,
// which v2 keeps as deprecated aliases of Producer, Consumer and AdminClient, so the script runs with both.
declare module "k6/x/kafka" {
  /** Bytes as the extension hands them over. */
  export type Bytes = Uint8Array;

  /** Go durations: a number of nanoseconds; multiply these. */
  export const MILLISECOND: number;
  export const SECOND: number;

  export const SCHEMA_TYPE_STRING: "STRING";

  export interface WriterConfig {
    brokers: string[];
    topic: string;
    /** -1: all in-sync replicas; the default, 0, does not wait for the broker at all. */
    requiredAcks?: -1 | 0 | 1;
    /** The most messages per partition batch. */
    batchSize?: number;
    /** How long a partial batch waits for more messages, in nanoseconds (v2: linger.ms). */
    batchTimeout?: number;
  }

  export interface ProducedMessage {
    key?: Bytes;
    value: Bytes;
  }

  export class Writer {
    constructor(config: WriterConfig);
    /** Throws when a message is not written. */
    produce(config: { messages: ProducedMessage[] }): void;
    close(): void;
  }

  export interface ReaderConfig {
    brokers: string[];
    /** A group's readers name its topics in groupTopics; a reader without a group names one topic. */
    groupId?: string;
    groupTopics?: string[];
    topic?: string;
    /** How long one read waits for a message, as a Go duration string ("1s"). */
    maxWait?: string;
  }

  export interface ConsumedMessage {
    topic: string;
    partition: number;
    offset: number;
    key?: Bytes;
    value?: Bytes;
    time: string;
  }

  export class Reader {
    constructor(config: ReaderConfig);
    /** With expectTimeout, returns what arrived within maxWait instead of throwing. */
    consume(config: { limit: number; expectTimeout?: boolean }): ConsumedMessage[];
    /**
     * v2 only: commits the group's offsets of the messages consumed. v1 readers have no such method:
     * they commit each message as they read it.
     */
    commitOffsets?: () => void;
    close(): void;
  }

  export interface TopicConfig {
    topic: string;
    numPartitions: number;
    replicationFactor: number;
  }

  export class Connection {
    constructor(config: { address: string });
    listTopics(): string[];
    createTopic(config: TopicConfig): void;
    close(): void;
  }

  export class SchemaRegistry {
    /** Without a configuration, it only serializes, which STRING needs. */
    constructor();
    serialize(container: { data: string; schemaType: "STRING" }): Bytes;
    deserialize(container: { data: Bytes; schemaType: "STRING" }): string;
  }
}
