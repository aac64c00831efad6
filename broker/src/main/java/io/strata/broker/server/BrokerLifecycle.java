package io.strata.broker.server;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.GroupsConfig;
import io.strata.broker.config.KafkaListenerConfig;
import io.strata.broker.config.LeadersConfig;
import io.strata.broker.config.LogDefaultsConfig;
import io.strata.broker.config.RaftConfig;
import io.strata.broker.config.ReplicationConfig;
import io.strata.broker.config.TieringConfig;
import io.strata.broker.config.TopicsConfig;
import io.strata.broker.config.TransactionsConfig;
import io.strata.broker.protocol.RequestMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Starts the broker with the application, with the {@link BrokerSettings} the configuration gives, and
 * stops it with the application. The packaged application has checked the settings before it started
 * (see {@link StrataMain}); a start-up that skips that check, such as dev mode, is still stopped here
 * with one line naming a bad setting.
 */
@ApplicationScoped
public class BrokerLifecycle {

    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class);

    private final BrokerConfig brokerConfig;
    private final KafkaListenerConfig kafka;
    private final LogDefaultsConfig log;
    private final TopicsConfig topics;
    private final RaftConfig raft;
    private final GroupsConfig groups;
    private final TransactionsConfig transactions;
    private final TieringConfig tiering;
    private final ReplicationConfig replication;
    private final LeadersConfig leaders;
    private final RequestMetrics requestMetrics;
    private volatile Broker broker;

    public BrokerLifecycle(BrokerConfig brokerConfig, KafkaListenerConfig kafka, LogDefaultsConfig log,
                           TopicsConfig topics, RaftConfig raft, GroupsConfig groups, TransactionsConfig transactions,
                           TieringConfig tiering, ReplicationConfig replication, LeadersConfig leaders,
                           RequestMetrics requestMetrics) {
        this.brokerConfig = brokerConfig;
        this.kafka = kafka;
        this.log = log;
        this.topics = topics;
        this.raft = raft;
        this.groups = groups;
        this.transactions = transactions;
        this.tiering = tiering;
        this.replication = replication;
        this.leaders = leaders;
        this.requestMetrics = requestMetrics;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            broker = Broker.start(BrokerSettings.from(brokerConfig, kafka, log, topics, raft, groups, transactions, tiering,
                    replication, leaders, requestMetrics));
        } catch (IllegalArgumentException e) {
            LOG.errorf("Invalid setting, not starting: %s", e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        Broker running = broker;
        if (running != null) {
            running.close();
        }
    }

    /** The running broker, or null before start-up finished. */
    public Broker broker() {
        return broker;
    }
}
