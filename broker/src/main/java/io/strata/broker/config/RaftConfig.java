package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * The metadata Raft group, under the prefix {@code strata.raft}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.raft")
public interface RaftConfig {

    /** Interface the metadata Raft group binds. */
    @WithDefault("127.0.0.1")
    String host();

    /** Port the metadata Raft group binds. */
    @WithDefault("7800")
    int port();

    /**
     * The other voters of the metadata Raft group as {@code nodeId@host:port}; empty on a single node. With
     * {@link #voter()} false, every voter.
     */
    Optional<List<String>> peers();

    /**
     * Whether this broker votes in the metadata Raft group. {@code false} makes it a non-voting member (a
     * JGroups-Raft learner): it receives every metadata change from the leader of the voters named in
     * {@link #peers()}, submits its own through it, and never votes, leads or counts towards a majority, so a
     * cluster grows past its 3 or 5 voters without making metadata changes slower.
     */
    @WithDefault("true")
    boolean voter();

    /**
     * The secret every member of the group shares, the same on every broker, at least 16 characters: the group's
     * traffic is encrypted with a key derived from it, and only members that prove they know it may join. Unset, anything
     * that reaches the port may join. Never logged. Not together with {@link #secretFile()}.
     */
    Optional<String> secret();

    /** A file whose content, trimmed, is the {@link #secret()}. */
    Optional<String> secretFile();
}
