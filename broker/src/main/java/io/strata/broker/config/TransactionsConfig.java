package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The transaction coordinator, under the prefix {@code strata.transactions}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.transactions")
public interface TransactionsConfig {

    /** {@code transaction.max.timeout.ms}: the longest {@code transaction.timeout.ms} a producer may ask for (15 minutes). */
    @WithDefault("900000")
    int maxTimeoutMs();

    /** {@code transaction.state.log.num.partitions}: partitions of {@code __transaction_state} when it is created. */
    @WithDefault("50")
    int stateLogPartitions();

    /**
     * {@code transaction.state.log.replication.factor}: replicas of each partition of {@code __transaction_state}
     * when it is created, at most as many as the cluster has brokers, which it waits for.
     */
    @WithDefault("3")
    short stateLogReplicationFactor();

    /**
     * {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}: how often transactions open longer than
     * their timeout are looked for and aborted, and expired transactional ids removed.
     */
    @WithDefault("10s")
    Duration abortTimedOutInterval();

    /**
     * {@code transactional.id.expiration.ms}: how long a transactional id without an open transaction is kept
     * after its last use (7 days).
     */
    @WithDefault("168h")
    Duration idExpiration();

    /**
     * {@code producer.id.expiration.ms}: how long a partition keeps the state of a producer id (its epoch and last
     * sequences, which detect duplicates) after the producer's last write there, when it has no transaction open
     * there (1 day). Checked every {@code strata.log.retention-check-interval}.
     */
    @WithDefault("24h")
    Duration producerIdExpiration();
}
