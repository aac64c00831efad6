package io.strata.broker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * The metadata Raft group, under the prefix {@code strata.raft}.
 */
@ConfigMapping(prefix = "strata.raft")
public interface RaftConfig {

    /** Interface the metadata Raft group binds. */
    @WithDefault("127.0.0.1")
    String host();

    /** Port the metadata Raft group binds. */
    @WithDefault("7800")
    int port();

    /** The other members of the metadata Raft group as {@code nodeId@host:port}; empty on a single node. */
    Optional<List<String>> peers();
}
