package io.strata.broker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the broker, under the prefix {@code strata}. Each one can also be given as an
 * environment variable: upper case, dots and dashes as underscores ({@code strata.kafka.port} is
 * {@code STRATA_KAFKA_PORT}).
 */
@ConfigMapping(prefix = "strata")
public interface StrataConfig {

    /** This broker's id in the cluster, reported to clients as the node id. */
    @WithDefault("1")
    int nodeId();

    /** Where partition logs and metadata live. */
    @WithDefault("./data")
    Path dataDir();

    /**
     * The rack (or availability zone) this broker runs in, registered in the cluster metadata and reported to
     * clients in Metadata and DescribeCluster; unset: no rack.
     */
    Optional<String> rack();

    /** The Kafka protocol listener. */
    Kafka kafka();

    /** The address clients are told to connect to. */
    Advertised advertised();

    /** Broker-wide defaults for topic configs; a topic's own config overrides them. */
    Log log();

    /** Topic creation rules. */
    Topics topics();

    /** The metadata Raft group. */
    Raft raft();

    /** Consumer groups and committed offsets. */
    Groups groups();

    interface Kafka {
        /** Interface to bind; {@code 127.0.0.1} in dev and test, all interfaces in prod. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port to bind. */
        @WithDefault("9092")
        int port();

        /** Largest request frame accepted; a larger one closes its connection. */
        @WithName("socket-request-max-bytes")
        @WithDefault("104857600")
        int socketRequestMaxBytes();

        /** Network event loop threads; 0 means one per core. */
        @WithDefault("0")
        int ioThreads();
    }

    interface Advertised {
        /** Host clients connect to; defaults to the listener host, or this machine's name when bound to all interfaces. */
        Optional<String> host();

        /** Port clients connect to; defaults to the listener port. */
        Optional<Integer> port();
    }

    interface Log {
        /** {@code retention.ms}: how long records are kept (7 days). */
        Optional<Long> retentionMs();

        /** {@code retention.bytes}: partition size kept; -1 is unlimited. */
        Optional<Long> retentionBytes();

        /** {@code segment.bytes}: size at which a segment rolls (1 GiB). */
        Optional<Integer> segmentBytes();

        /** {@code segment.ms}: age at which a segment rolls (7 days). */
        Optional<Long> segmentMs();

        /** {@code cleanup.policy}: {@code delete}, {@code compact} or both. */
        Optional<String> cleanupPolicy();

        /** {@code max.message.bytes}: largest record batch accepted. */
        Optional<Integer> maxMessageBytes();

        /** {@code message.timestamp.type}: {@code CreateTime} or {@code LogAppendTime}. */
        Optional<String> messageTimestampType();

        /** {@code flush.messages}: fsync after this many records. */
        Optional<Long> flushMessages();

        /** {@code flush.ms}: fsync at least this often. */
        Optional<Long> flushMs();

        /** {@code min.insync.replicas}. */
        Optional<Integer> minInsyncReplicas();

        /** {@code compression.type}. */
        Optional<String> compressionType();

        /** {@code remote.storage.enable}: tier the topic's closed segments to the object store. */
        Optional<Boolean> remoteStorageEnable();

        /** {@code local.retention.ms}: how long tiered segments also stay on local disk; -2 is {@code retention.ms}. */
        Optional<Long> localRetentionMs();

        /** {@code local.retention.bytes}: local bytes of tiered segments kept; -2 is {@code retention.bytes}. */
        Optional<Long> localRetentionBytes();

        /**
         * The most bytes the local partition logs may hold before produce is refused with a retriable
         * error: a guard for when the object store is down and tiering cannot free the disk. Unset: no limit.
         */
        Optional<Long> localDiskLimit();

        /** {@code log.retention.check.interval.ms}: how often retention looks for segments to delete. */
        @WithDefault("5m")
        Duration retentionCheckInterval();

        /**
         * When true, a produce request is acknowledged only after its records are fsynced, whatever
         * {@code flush.messages} says. Requests that arrive together share one fsync.
         */
        @WithDefault("false")
        boolean fsyncBeforeAck();

        /** How often the log cleaner looks for compacted partitions due for compaction. */
        @WithDefault("15s")
        Duration cleanerInterval();

        /** Memory of the log cleaner's key map, 24 bytes per key (Kafka's {@code log.cleaner.dedupe.buffer.size}). */
        @WithDefault("33554432")
        long cleanerDedupeBufferSize();
    }

    interface Topics {
        /** {@code auto.create.topics.enable}: create a topic when a client asks for its metadata. */
        @WithName("auto-create")
        @WithDefault("false")
        boolean autoCreate();

        /** {@code num.partitions}: partitions of a topic created without a count. */
        @WithDefault("1")
        int defaultPartitions();

        /** {@code default.replication.factor}: replicas of a topic created with -1. */
        @WithDefault("1")
        short defaultReplicationFactor();
    }

    interface Raft {
        /** Interface the metadata Raft group binds. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port the metadata Raft group binds. */
        @WithDefault("7800")
        int port();

        /** The other members of the metadata Raft group as {@code nodeId@host:port}; empty on a single node. */
        Optional<List<String>> peers();
    }

    interface Groups {
        /** {@code group.initial.rebalance.delay.ms}: how long the first rebalance of an empty group waits for more members. */
        @WithDefault("3000")
        int initialRebalanceDelayMs();

        /** {@code group.min.session.timeout.ms}: smallest session timeout a consumer may ask for. */
        @WithDefault("6000")
        int minSessionTimeoutMs();

        /** {@code group.max.session.timeout.ms}: largest session timeout a consumer may ask for. */
        @WithDefault("1800000")
        int maxSessionTimeoutMs();

        /** {@code offsets.topic.num.partitions}: partitions of {@code __consumer_offsets} when it is created. */
        @WithDefault("50")
        int offsetsTopicPartitions();

        /** {@code offset.metadata.max.bytes}: longest metadata of a committed offset. */
        @WithDefault("4096")
        int offsetMetadataMaxBytes();
    }

    /** Tiering closed segments to an object store. */
    Tiering tiering();

    interface Tiering {
        /** The object store: {@code file:///dir} or {@code s3://bucket/prefix}; {@code <data-dir>/tiered} if unset. */
        Optional<URI> url();

        /** Name the S3 bucket in the URL path rather than the host name (MinIO and most S3-compatible stores). */
        @WithName("s3-path-style")
        @WithDefault("false")
        boolean s3PathStyle();

        /** How often closed segments are looked for and uploaded. */
        @WithDefault("5s")
        Duration uploadInterval();

        /** Bytes of a tiered segment fetched with one ranged GET by readers of old offsets. */
        @WithDefault("1048576")
        int chunkSize();

        /** The most bytes of fetched chunks kept in memory for readers of old offsets. */
        @WithDefault("67108864")
        long cacheSize();

        /** The most bytes of tiered segments' offset and time indexes kept in memory (16 MiB). */
        @WithDefault("16777216")
        long indexCacheSize();

        /**
         * How old an object that no manifest names must be before the orphan sweeper deletes it: longer
         * than the slowest upload plus its commit, so that an upload in flight is never taken for an orphan.
         */
        @WithDefault("10m")
        Duration orphanGracePeriod();

        /** How often every tiered partition's prefix is listed for orphaned objects. */
        @WithDefault("1h")
        Duration orphanSweepInterval();

        /**
         * How long the objects of a segment taken out of the manifest (by retention, DeleteRecords or
         * compaction) stay, so that reads that found it in the manifest just before can finish.
         */
        @WithDefault("1m")
        Duration removedSegmentDeleteDelay();

        /** S3: how long to wait for a TCP connection. */
        @WithName("s3-connect-timeout")
        @WithDefault("3s")
        Duration s3ConnectTimeout();

        /** S3: how long one HTTP attempt may take before it is retried; enough for an 8 MiB part on a slow link. */
        @WithName("s3-attempt-timeout")
        @WithDefault("30s")
        Duration s3AttemptTimeout();

        /** S3: how long one request may take, retries included; at least the attempt timeout. */
        @WithName("s3-call-timeout")
        @WithDefault("2m")
        Duration s3CallTimeout();
    }

    /** Metrics. */
    Metrics metrics();

    interface Metrics {
        /** How often the consumer lag gauges are recomputed. */
        @WithDefault("10s")
        Duration lagRefreshInterval();

        /** How often the per-partition log size gauges and the set of per-topic traffic counters are refreshed. */
        @WithDefault("10s")
        Duration partitionRefreshInterval();
    }
}
