package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Who this broker is and where it keeps its data, under the prefix {@code strata}. Every setting of the
 * broker can also be given as an environment variable: upper case, dots and dashes as underscores
 * ({@code strata.node-id} is {@code STRATA_NODE_ID}). The other concerns have mappings of their own
 * under {@code strata.}: {@link KafkaListenerConfig}, {@link LogDefaultsConfig}, {@link TopicsConfig},
 * {@link RaftConfig}, {@link ReplicationConfig}, {@link LeadersConfig}, {@link GroupsConfig}, {@link TieringConfig},
 * {@link MetricsConfig} and {@link HttpAuthConfig}.
 */
@Unremovable
@ConfigMapping(prefix = "strata")
public interface BrokerConfig {

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

    /**
     * The address clients are told to connect to, of the one listener {@code strata.kafka.host} and {@code port} give;
     * with {@code strata.kafka.listeners}, {@code strata.kafka.advertised-listeners} says it instead, and these must be
     * left unset.
     */
    Advertised advertised();

    interface Advertised {
        /** Host clients connect to; defaults to the listener host, or this machine's name when bound to all interfaces. */
        Optional<String> host();

        /** Port clients connect to; defaults to the listener port. */
        Optional<Integer> port();
    }
}
