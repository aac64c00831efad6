package io.strata.broker.txn;

import io.strata.broker.config.TransactionsConfig;

import java.time.Duration;

import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * Settings of the transaction coordinator, each named after the Kafka broker config it mirrors; their defaults
 * are {@link TransactionsConfig}'s. Immutable.
 *
 * @param maxTimeoutMs              {@code transaction.max.timeout.ms}: the longest transaction timeout a producer
 *                                  may ask for
 * @param stateLogPartitions        {@code transaction.state.log.num.partitions}: partitions of
 *                                  {@code __transaction_state} when this broker creates it
 * @param stateLogReplicationFactor {@code transaction.state.log.replication.factor}: its replicas, at most one
 *                                  per broker
 * @param abortTimedOutIntervalMs   {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}: how often
 *                                  timed-out transactions are aborted and expired ids removed
 * @param idExpirationMs            {@code transactional.id.expiration.ms}: how long an idle transactional id is kept
 * @param producerIdExpirationMs    {@code producer.id.expiration.ms}: how long a partition keeps an idle producer's
 *                                  state
 */
public record TransactionConfig(
        int maxTimeoutMs,
        int stateLogPartitions,
        short stateLogReplicationFactor,
        long abortTimedOutIntervalMs,
        long idExpirationMs,
        long producerIdExpirationMs) {

    public TransactionConfig {
        requireRange("strata.transactions.max-timeout-ms", maxTimeoutMs, 1, Integer.MAX_VALUE);
        requireRange("strata.transactions.state-log-partitions", stateLogPartitions, 1, 100_000);
        requireRange("strata.transactions.state-log-replication-factor", stateLogReplicationFactor, 1, Short.MAX_VALUE);
        requirePositive("strata.transactions.abort-timed-out-interval", Duration.ofMillis(abortTimedOutIntervalMs));
        requirePositive("strata.transactions.id-expiration", Duration.ofMillis(idExpirationMs));
        requirePositive("strata.transactions.producer-id-expiration", Duration.ofMillis(producerIdExpirationMs));
    }

    /** The settings the configuration gives. */
    public static TransactionConfig from(TransactionsConfig config) {
        return new TransactionConfig(config.maxTimeoutMs(), config.stateLogPartitions(),
                config.stateLogReplicationFactor(), config.abortTimedOutInterval().toMillis(),
                config.idExpiration().toMillis(), config.producerIdExpiration().toMillis());
    }
}
