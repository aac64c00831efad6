package io.strata.broker.server;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.BrokerFencer;
import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.PreferredLeaderBalancer;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.compaction.LogCleanerService;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.config.DynamicBrokerConfigs;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.partition.RetentionService;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.ApiRouter;
import io.strata.broker.protocol.ConnectionLimits;
import io.strata.broker.protocol.InterBrokerClients;
import io.strata.broker.protocol.KafkaListener;
import io.strata.broker.protocol.ListenerAuthentication;
import io.strata.broker.protocol.ListenerSettings;
import io.strata.broker.protocol.RequestForwarder;
import io.strata.broker.protocol.RequestMemoryPool;
import io.strata.broker.protocol.fetch.FetchSessionCache;
import io.strata.broker.protocol.handlers.AclsHandler;
import io.strata.broker.protocol.handlers.AuditedChanges;
import io.strata.broker.protocol.handlers.AlterConfigsHandler;
import io.strata.broker.protocol.handlers.AlterPartitionReassignmentsHandler;
import io.strata.broker.protocol.handlers.ClientQuotasHandler;
import io.strata.broker.protocol.handlers.ConfigAlterations;
import io.strata.broker.protocol.handlers.CreatePartitionsHandler;
import io.strata.broker.protocol.handlers.CreateTopicsHandler;
import io.strata.broker.protocol.handlers.DeleteRecordsHandler;
import io.strata.broker.protocol.handlers.DeleteTopicsHandler;
import io.strata.broker.protocol.handlers.DescribeClusterHandler;
import io.strata.broker.protocol.handlers.DescribeTopicPartitionsHandler;
import io.strata.broker.protocol.handlers.DescribeConfigsHandler;
import io.strata.broker.protocol.handlers.DescribeLogDirsHandler;
import io.strata.broker.protocol.handlers.DescribeProducersHandler;
import io.strata.broker.protocol.handlers.DescribeQuorumHandler;
import io.strata.broker.protocol.handlers.ElectLeadersHandler;
import io.strata.broker.protocol.handlers.FetchHandler;
import io.strata.broker.protocol.handlers.FindCoordinatorHandler;
import io.strata.broker.protocol.handlers.GroupApis;
import io.strata.broker.protocol.handlers.IncrementalAlterConfigsHandler;
import io.strata.broker.protocol.handlers.ListPartitionReassignmentsHandler;
import io.strata.broker.protocol.handlers.ListOffsetsHandler;
import io.strata.broker.protocol.handlers.MetadataHandler;
import io.strata.broker.protocol.handlers.TransactionApis;
import io.strata.broker.protocol.handlers.UnregisterBrokerHandler;
import io.strata.broker.protocol.handlers.OffsetForLeaderEpochHandler;
import io.strata.broker.protocol.handlers.ProduceHandler;
import io.strata.broker.protocol.handlers.SaslApis;
import io.strata.broker.protocol.handlers.ScramCredentialsHandler;
import io.strata.broker.protocol.handlers.SecurityMetadata;
import io.strata.broker.protocol.handlers.WriteTxnMarkersHandler;
import io.strata.broker.quota.ClientQuotaManager;
import io.strata.broker.quota.QuotaThrottle;
import io.strata.broker.remote.RemoteLogReader;
import io.strata.broker.remote.TieredLog;
import io.strata.broker.replication.IsrUpdater;
import io.strata.broker.replication.ReplicaFetcherManager;
import io.strata.broker.replication.ReplicationThrottle;
import io.strata.broker.security.Authorizer;
import io.strata.broker.security.BootstrapUsers;
import io.strata.broker.security.SaslMechanisms;
import io.strata.broker.tiering.TieringService;
import io.strata.broker.tiering.TieringSettings;
import io.strata.broker.txn.ProducerIdManager;
import io.strata.broker.txn.TransactionCoordinator;
import io.strata.broker.txn.TransactionMarkerWriter;
import io.strata.broker.txn.TransactionVerifier;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.ObjectStores;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Strata broker: metadata, partitions and the Kafka listeners, started in that order and
 * closed in reverse. The application container only feeds it settings.
 */
public final class Broker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Broker.class);
    /** How long a request forwarded to the metadata leader's broker may take to connect, and then to answer. */
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final BrokerSettings settings;
    private final TopicConfigCatalog catalog = new TopicConfigCatalog();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final FetchSessionCache fetchSessions = new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_SESSIONS, Time.SYSTEM);
    private RaftMetadataLog metadata;
    private PartitionManager partitions;
    private RemoteLogReader remoteReader;
    private ReplicationThrottle leaderThrottle;
    private TieringService tieringService;
    private TopicAdmin topicAdmin;
    private GroupCoordinator groupCoordinator;
    private ProducerIdManager producerIds;
    private TransactionMarkerWriter markerWriter;
    private TransactionVerifier transactionVerifier;
    private TransactionCoordinator transactionCoordinator;
    private RequestForwarder forwarder;
    private IsrUpdater isrUpdater;
    private final KafkaListenerGroup listeners = new KafkaListenerGroup();
    private Authorizer authorizer;
    /** The SASL mechanisms of the listeners that use SASL; null when none does. */
    private SaslMechanisms saslMechanisms;
    private BrokerIdentity identity;

    private Broker(BrokerSettings settings) {
        this.settings = settings;
    }

    /** Starts a broker; on failure everything already started is closed again. */
    public static Broker start(BrokerSettings settings) {
        Broker broker = new Broker(settings);
        try {
            broker.startAll();
            return broker;
        } catch (Exception e) {
            broker.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
    }

    private void startAll() throws InterruptedException, IOException {
        long begin = System.nanoTime();
        Optional<String> remembered = MetaProperties.clusterId(settings.dataDir(), settings.nodeId());

        metadata = new RaftMetadataLog(raftSettings());
        started.add(metadata);
        metadata.start();
        String clusterId = agreeClusterId(remembered);
        BrokerFencer fencer = new BrokerFencer(metadata);
        started.add(fencer);
        fencer.start();
        if (settings.autoLeaderRebalance()) {
            PreferredLeaderBalancer balancer = new PreferredLeaderBalancer(metadata, settings.leaderImbalanceCheckInterval());
            started.add(balancer);
            balancer.start();
        }

        ObjectStore store = openObjectStore();
        TieringSettings tiering = settings.tiering();
        remoteReader = new RemoteLogReader(store, tiering.chunkSize(), tiering.cacheBytes(), tiering.indexCacheBytes());
        partitions = new PartitionManager(settings.nodeId(), logsDir(), catalog,
                settings.topicDefaults(), Time.SYSTEM,
                (topicId, partition) -> new TieredLog(topicId, partition, metadata, remoteReader),
                settings.localDiskLimitBytes());
        started.add(partitions);
        leaderThrottle = throttle(ReplicationThrottle.Side.LEADER);
        InterBrokerClients interBroker = new InterBrokerClients(settings.interBroker());
        ReplicaFetcherManager fetchers = new ReplicaFetcherManager(settings.nodeId(), partitions, interBroker,
                throttle(ReplicationThrottle.Side.FOLLOWER), Time.SYSTEM);
        started.add(fetchers);
        partitions.addReconcileListener(fetchers::onReconciled);
        isrUpdater = new IsrUpdater(partitions, metadata, settings.replicaLagTimeMax());
        started.add(isrUpdater);
        isrUpdater.start();
        tieringService = new TieringService(store, partitions, metadata, tiering,
                settings.dataDir().resolve("tiering-staging"), settings.cleaner(),
                settings.dataDir().resolve("tiering-compaction"));
        started.add(tieringService);
        tieringService.start();
        RetentionService retention = new RetentionService(partitions, settings.retentionCheckInterval(),
                settings.transactions().producerIdExpirationMs(), Time.SYSTEM);
        started.add(retention);
        retention.start();
        // After the partitions and before them on the way down: a compaction never outlives its log.
        LogCleanerService cleaner = new LogCleanerService(partitions, settings.cleaner(), Time.SYSTEM);
        started.add(cleaner);
        cleaner.start();

        identity = new BrokerIdentity(clusterId, settings.nodeId());
        topicAdmin = new TopicAdmin(metadata, catalog, settings.topicDefaults(), settings.defaultPartitions(),
                settings.defaultReplicationFactor());
        forwarder = new RequestForwarder(interBroker, FORWARD_TIMEOUT);
        started.add(forwarder);
        transactionVerifier = new TransactionVerifier(settings.nodeId(), metadata::image,
                (id, producerId, epoch, partitions) -> transactionCoordinator.addPartitions(id, producerId, epoch,
                        partitions, true), forwarder);
        groupCoordinator = new GroupCoordinator(settings.groups(), partitions, topicAdmin, transactionVerifier,
                settings.fsyncBeforeAck(), Time.SYSTEM);
        started.add(groupCoordinator);
        groupCoordinator.start(partitions.loaded());
        metadata.addListener(groupCoordinator::onMetadataImage);
        partitions.addReconcileListener(groupCoordinator::followLeadership);
        producerIds = new ProducerIdManager(metadata);
        markerWriter = new TransactionMarkerWriter(partitions, metadata::image, settings.fsyncBeforeAck(),
                groupCoordinator::onTransactionMarker);
        transactionCoordinator = new TransactionCoordinator(settings.transactions(), partitions, topicAdmin,
                producerIds, markerWriter, forwarder, settings.fsyncBeforeAck(), Time.SYSTEM);
        started.add(transactionCoordinator);
        transactionCoordinator.start(partitions.loaded());
        partitions.addReconcileListener(transactionCoordinator::followLeadership);
        BootstrapUsers.create(settings.sasl(), () -> metadata.image().security(), metadata::submit,
                metadata.settings().startTimeout());
        authorizer = settings.authorizer().authorizer(() -> metadata.image().security());
        bindListeners();
        // Only now: thousands of partitions opening on every core would hold the listener back. Each serves as soon
        // as it is open; until then Metadata waits for it a moment (MetadataHandler), then names no leader for it.
        // The directories of topics deleted while the broker was down go first.
        metadata.addListener(partitions::onMetadataImage);
        partitions.load(metadata.image());
        BrokerRegistration registration = new BrokerRegistration(metadata, partitions,
                new BrokerImage(settings.nodeId(), listeners.advertised(), settings.rack(), false));
        registration.register();
        metadata.addListener(registration::onImage);
        // Closed first: leadership moves away while the listeners still answer.
        started.add(registration);
        LOG.infof("Strata broker %d of cluster %s listening on %s; brokers reach each other on %s; started in %d ms",
                settings.nodeId(), clusterId, listeners.describe(), settings.listeners().interBrokerListener(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }

    /**
     * One Kafka listener per configured one, each with its own TLS and SASL as its security protocol says, all
     * serving the same APIs and sharing the connection limits, which Kafka counts per broker (the creation rate
     * leaves a separate inter-broker listener out).
     */
    private void bindListeners() throws IOException, InterruptedException {
        started.add(listeners);
        ApiRouter router = new ApiRouter(handlers());
        ConnectionLimits limits = new ConnectionLimits(settings.maxConnectionsPerIp(),
                settings.maxConnectionCreationRate(), settings.connectionsMaxIdle());
        RequestMemoryPool requestMemory = new RequestMemoryPool(settings.queuedMaxRequestBytes());
        ListenerAuthentication withoutSasl = new ListenerAuthentication(null, null, authorizer);
        // One set of mechanisms for every SASL listener and the REST API: OAUTHBEARER's key set is fetched once.
        if (settings.listeners().usesSasl()) {
            saslMechanisms = SaslMechanisms.of(settings.sasl(), () -> metadata.image().security());
        }
        ListenerAuthentication withSasl = saslMechanisms != null
                ? new ListenerAuthentication(saslMechanisms, settings.sasl(), authorizer) : withoutSasl;
        List<ListenerSettings> all = settings.listeners().listeners();
        for (ListenerSettings listener : all) {
            boolean separateInterBroker = all.size() > 1
                    && listener.name().equals(settings.listeners().interBrokerListener());
            listeners.bind(listener, new KafkaListener(listener.name(), router, settings.requestMetrics(),
                    settings.socketRequestMaxBytes(), settings.ioThreads(),
                    separateInterBroker ? limits.withoutCreationRate() : limits, requestMemory,
                    listener.usesTls() ? settings.tls() : Optional.empty(),
                    listener.usesSasl() ? withSasl : withoutSasl));
        }
    }

    /**
     * The cluster's id, as the metadata quorum agreed it: the first broker to commit one names the cluster
     * (the id its data directory remembers, or a new one), and every broker adopts it. A data directory
     * that remembers another cluster is refused: its logs belong elsewhere.
     */
    private String agreeClusterId(Optional<String> remembered) throws InterruptedException {
        if (metadata.image().clusterId().isEmpty()) {
            MetadataResult result = metadata.submit(new MetadataCommand.SetClusterId(
                    remembered.orElseGet(() -> Uuid.randomUuid().toString()))).join();
            if (result.isError()) {
                throw new IllegalStateException("Cannot name the cluster: " + result.message());
            }
        }
        // A follower's image may trail the commit it forwarded to the leader by a moment.
        long deadline = System.nanoTime() + metadata.settings().startTimeout().toNanos();
        while (metadata.image().clusterId().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("The cluster id was committed but has not reached this broker within "
                        + metadata.settings().startTimeout().toMillis() + " ms");
            }
            Thread.sleep(5);
        }
        String agreed = metadata.image().clusterId().orElseThrow();
        if (remembered.isPresent() && !remembered.get().equals(agreed)) {
            throw new IllegalStateException("The data directory " + settings.dataDir() + " belongs to cluster "
                    + remembered.get() + ", but the brokers of STRATA_RAFT_PEERS form cluster " + agreed
                    + "; point this broker at its own cluster's peers, or give it an empty STRATA_DATA_DIR.");
        }
        if (remembered.isEmpty()) {
            MetaProperties.write(settings.dataDir(), agreed, settings.nodeId());
        }
        return agreed;
    }

    /** One side of the replication throttle, following the metadata from now on. */
    private ReplicationThrottle throttle(ReplicationThrottle.Side side) {
        ReplicationThrottle throttle = new ReplicationThrottle(side, settings.nodeId(), Time.SYSTEM);
        started.add(throttle);
        metadata.addListener(throttle::onMetadataImage);
        throttle.onMetadataImage(metadata.image());
        return throttle;
    }

    /** Opened before the partitions, which read tiered segments, and closed after them and the tiering service. */
    private ObjectStore openObjectStore() throws IOException {
        TieringSettings tiering = settings.tiering();
        ObjectStore store;
        try {
            store = ObjectStores.open(tiering.storeUrl(settings.dataDir()), Map.of(
                    ObjectStores.S3_PATH_STYLE, Boolean.toString(tiering.s3PathStyle()),
                    ObjectStores.S3_CONNECT_TIMEOUT_MS, Long.toString(tiering.s3ConnectTimeout().toMillis()),
                    ObjectStores.S3_ATTEMPT_TIMEOUT_MS, Long.toString(tiering.s3AttemptTimeout().toMillis()),
                    ObjectStores.S3_CALL_TIMEOUT_MS, Long.toString(tiering.s3CallTimeout().toMillis())),
                    tiering.environment());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("strata.tiering.url (STRATA_TIERING_URL): " + e.getMessage(), e);
        }
        started.add(store);
        return store;
    }

    /** The directory of partition logs: Kafka's one log dir of this broker. */
    private Path logsDir() {
        return settings.dataDir().resolve("logs");
    }

    private RaftMetadataLog.Settings raftSettings() {
        return RaftMetadataLog.Settings.of(settings.dataDir(), settings.nodeId(), settings.raftHost(),
                settings.raftPort(), settings.raftMembers()).withSecret(settings.raftSecret());
    }

    /** The handler of every API key served besides ApiVersions, which the router answers itself. */
    private List<ApiHandler<?>> handlers() {
        ConfigAlterations alterations = new ConfigAlterations(topicAdmin, settings.nodeId());
        SecurityMetadata security = new SecurityMetadata(() -> metadata.image().security(), metadata::submit);
        ScramCredentialsHandler scramCredentials = new ScramCredentialsHandler(security);
        AclsHandler acls = new AclsHandler(security, settings.authorizer().enabled());
        ClientQuotasHandler clientQuotas = new ClientQuotasHandler(security);
        ClientQuotaManager quotas = settings.quotas().manager(() -> metadata.image().security(), Time.SYSTEM);
        List<ApiHandler<?>> handlers = new ArrayList<>(List.of(
                ApiHandler.of(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, scramCredentials::describe),
                ApiHandler.of(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, scramCredentials::alter),
                ApiHandler.of(ApiKeys.CREATE_ACLS, acls::create),
                ApiHandler.of(ApiKeys.DESCRIBE_ACLS, acls::describe),
                ApiHandler.of(ApiKeys.DELETE_ACLS, acls::delete),
                ApiHandler.of(ApiKeys.DESCRIBE_CLIENT_QUOTAS, clientQuotas::describe),
                ApiHandler.of(ApiKeys.ALTER_CLIENT_QUOTAS, clientQuotas::alter),
                ApiHandler.of(ApiKeys.METADATA,
                        new MetadataHandler(topicAdmin, partitions, identity, settings.autoCreateTopics())::handle),
                ApiHandler.of(ApiKeys.PRODUCE, QuotaThrottle.produce(quotas,
                        new ProduceHandler(partitions, metadata::image, transactionVerifier,
                                settings.fsyncBeforeAck())::handle)::apply),
                ApiHandler.of(ApiKeys.FETCH, QuotaThrottle.fetch(quotas, new FetchHandler(partitions, metadata::image,
                        fetchSessions, settings.replicaSelector(), leaderThrottle)::handle)::apply),
                ApiHandler.of(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(partitions, metadata::image)::handle),
                ApiHandler.of(ApiKeys.OFFSET_FOR_LEADER_EPOCH,
                        new OffsetForLeaderEpochHandler(partitions, metadata::image)::handle),
                ApiHandler.of(ApiKeys.DELETE_RECORDS, new DeleteRecordsHandler(partitions, metadata::image)::handle),
                ApiHandler.of(ApiKeys.DESCRIBE_PRODUCERS,
                        new DescribeProducersHandler(partitions, metadata::image)::handle),
                ApiHandler.of(ApiKeys.WRITE_TXN_MARKERS, new WriteTxnMarkersHandler(markerWriter)::handle),
                ApiHandler.of(ApiKeys.CREATE_TOPICS, new CreateTopicsHandler(topicAdmin)::handle),
                ApiHandler.of(ApiKeys.DELETE_TOPICS, new DeleteTopicsHandler(topicAdmin)::handle),
                ApiHandler.of(ApiKeys.CREATE_PARTITIONS,
                        new CreatePartitionsHandler(topicAdmin)::handle),
                ApiHandler.of(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsHandler(topicAdmin, settings.nodeId(),
                        this::describeBrokerConfigs)::handle),
                ApiHandler.of(ApiKeys.ALTER_CONFIGS, new AlterConfigsHandler(alterations)::handle),
                ApiHandler.of(ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                        new IncrementalAlterConfigsHandler(alterations)::handle),
                ApiHandler.of(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(metadata::image, identity)::handle),
                ApiHandler.of(ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
                        new DescribeTopicPartitionsHandler(metadata::image)::handle),
                ApiHandler.of(ApiKeys.ELECT_LEADERS, new ElectLeadersHandler(topicAdmin)::handle),
                ApiHandler.of(ApiKeys.UNREGISTER_BROKER, new UnregisterBrokerHandler(metadata)::handle),
                ApiHandler.of(ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                        new AlterPartitionReassignmentsHandler(topicAdmin)::handle),
                ApiHandler.of(ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                        new ListPartitionReassignmentsHandler(metadata::image)::handle),
                ApiHandler.of(ApiKeys.DESCRIBE_LOG_DIRS,
                        new DescribeLogDirsHandler(partitions, logsDir())::handle),
                ApiHandler.of(ApiKeys.DESCRIBE_QUORUM,
                        new DescribeQuorumHandler(metadata, forwarder, Time.SYSTEM)::handle),
                ApiHandler.of(ApiKeys.FIND_COORDINATOR,
                        new FindCoordinatorHandler(groupCoordinator, transactionCoordinator, metadata::image)::handle)));
        handlers.addAll(new SaslApis(Time.SYSTEM).handlers());
        handlers.addAll(new GroupApis(groupCoordinator).handlers());
        handlers.addAll(new TransactionApis(transactionCoordinator, producerIds, metadata::image,
                settings.groups().offsetsTopicPartitions()).handlers());
        return QuotaThrottle.requests(quotas, AuditedChanges.wrap(handlers));
    }

    /** This broker's configs as DescribeConfigs reports them: its settings, then the dynamic ones. */
    private List<ConfigEntry> describeBrokerConfigs() {
        MetadataImage image = metadata.image();
        List<ConfigEntry> entries = new ArrayList<>(catalog.describeBroker(brokerConfigValues()));
        entries.addAll(DynamicBrokerConfigs.describe(image.brokerConfigs(Integer.toString(settings.nodeId())),
                image.brokerConfigs("")));
        return entries;
    }

    /** The broker configs DescribeConfigs reports: what this broker runs with, under Kafka's broker config names. */
    private Map<String, String> brokerConfigValues() {
        Map<String, String> values = new HashMap<>(catalog.brokerConfigsFromTopicDefaults(settings.topicDefaults()));
        values.put(TopicConfigCatalog.NODE_ID_CONFIG, Integer.toString(settings.nodeId()));
        values.put(TopicConfigCatalog.BROKER_ID_CONFIG, Integer.toString(settings.nodeId()));
        values.put(TopicConfigCatalog.LOG_DIRS_CONFIG, logsDir().toAbsolutePath().toString());
        values.put(TopicConfigCatalog.NUM_PARTITIONS_CONFIG, Integer.toString(settings.defaultPartitions()));
        values.put(TopicConfigCatalog.DEFAULT_REPLICATION_FACTOR_CONFIG, Short.toString(settings.defaultReplicationFactor()));
        values.put(TopicConfigCatalog.AUTO_CREATE_TOPICS_ENABLE_CONFIG, Boolean.toString(settings.autoCreateTopics()));
        values.put(TopicConfigCatalog.SOCKET_REQUEST_MAX_BYTES_CONFIG, Integer.toString(settings.socketRequestMaxBytes()));
        return values;
    }

    /** Where the first Kafka listener is bound. */
    public InetSocketAddress kafkaAddress() {
        return listeners.address(listeners.first());
    }

    /** Where Kafka listener {@code name} is bound. */
    public InetSocketAddress kafkaAddress(String name) {
        return listeners.address(name);
    }

    /** Completes once every event loop of the Kafka listeners ran a no-op: the network threads answer. */
    public CompletableFuture<Void> probeKafkaEventLoops() {
        return listeners.probeEventLoops();
    }

    /** Kafka connections open now, on all the listeners. */
    public int kafkaConnections() {
        return listeners.openConnections();
    }

    /** Kafka connections open now on listener {@code name}. */
    public int kafkaConnections(String name) {
        return listeners.openConnections(name);
    }

    /** The directory of partition logs, metadata and staging. */
    public Path dataDir() {
        return settings.dataDir();
    }

    /** What principals may do, by the ACLs when the authorizer is on; for the REST API as for Kafka requests. */
    public Authorizer authorizer() {
        return authorizer;
    }

    /**
     * The principal name of an OAUTHBEARER token, checked as the Kafka listeners check one; empty when it is refused,
     * or no listener takes OAUTHBEARER. May block while the identity provider's key set is fetched.
     */
    public Optional<String> tokenPrincipal(String token) {
        SaslMechanisms mechanisms = saslMechanisms;
        return mechanisms == null ? Optional.empty() : mechanisms.tokenPrincipal(token);
    }

    public BrokerIdentity identity() {
        return identity;
    }

    public MetadataImage metadataImage() {
        return metadata.image();
    }

    public TopicAdmin topicAdmin() {
        return topicAdmin;
    }

    /** Uploads to the object store, and its status. */
    public TieringService tiering() {
        return tieringService;
    }

    /** Reads from the object store. */
    public RemoteLogReader remoteLogReader() {
        return remoteReader;
    }

    public PartitionManager partitions() {
        return partitions;
    }

    public GroupCoordinator groupCoordinator() {
        return groupCoordinator;
    }

    public TransactionCoordinator transactionCoordinator() {
        return transactionCoordinator;
    }

    /** Commits the in-sync replica changes of the partitions this broker leads. */
    public IsrUpdater isrUpdater() {
        return isrUpdater;
    }

    /** The metadata quorum's leader as this broker knows it: {@code null} while it knows none. */
    public String metadataLeader() {
        return metadata.leader();
    }

    /** Whether this broker is the metadata quorum's leader, the cluster's controller. */
    public boolean isController() {
        return metadata.isLeader();
    }

    /** The incremental fetch sessions of the clients and followers fetching from this broker. */
    public FetchSessionCache fetchSessions() {
        return fetchSessions;
    }

    /** Whether acks=all appends (and REST appends) are acknowledged only once fsynced. */
    public boolean fsyncBeforeAck() {
        return settings.fsyncBeforeAck();
    }

    /** The name of the listener the brokers reach each other on. */
    public String interBrokerListener() {
        return settings.listeners().interBrokerListener();
    }

    /** The bootstrap address clients use: what the first listener advertises. */
    public String bootstrapServers() {
        return bootstrapServers(listeners.first());
    }

    /** The bootstrap address of listener {@code name}: what it advertises. */
    public String bootstrapServers(String name) {
        Endpoint endpoint = listeners.advertised(name);
        return endpoint.host() + ":" + endpoint.port();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warnf(e, "Error while stopping the broker");
            }
        }
        started.clear();
    }
}
