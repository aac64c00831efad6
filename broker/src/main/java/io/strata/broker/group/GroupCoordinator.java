package io.strata.broker.group;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.coordinator.InternalTopic;
import io.strata.broker.coordinator.SharedAttempt;
import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.GroupKey;
import io.strata.broker.group.GroupRecords.OffsetKey;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.txn.TransactionVerifier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The group coordinator of this broker: classic consumer groups (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup), committed offsets and their administration, stored in the internal topic
 * {@code __consumer_offsets} (created with {@code cleanup.policy=compact}, so the log cleaner keeps only
 * the latest record of each key).
 *
 * <p>All state belongs to one coordinator thread; every public method hands its work to that thread
 * and completes its future from there (a JoinGroup, for instance, once the rebalance completes).
 * Group state changes by records: the coordinator appends a record to the group's partition of
 * {@code __consumer_offsets} and applies it through the same replay path that rebuilds the state
 * from those partitions at start-up, so whichever broker coordinates a group later runs the same
 * code over the same records.
 *
 * <p>The topic is created with the first group request (FindCoordinator included), as Kafka does, and
 * loaded at start-up when it exists. While it loads, group requests fail at once with the retriable
 * COORDINATOR_LOAD_IN_PROGRESS, as Kafka answers them (heartbeats excepted, which get NONE), and
 * FindCoordinator answers without waiting for it; the offsets of
 * topics deleted meanwhile are removed once it is loaded. Committed offsets expire as
 * {@link OffsetCleaner} describes.
 */
public final class GroupCoordinator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GroupCoordinator.class);
    /** Kafka's {@code offsets.topic.segment.bytes}. */
    private static final String OFFSETS_SEGMENT_BYTES = "104857600";
    private static final short FIRST_GROUP_ID_NOT_FOUND_DESCRIBE_VERSION = 6;
    private static final String GROUP_TYPE = "classic";

    private final CoordinatorRuntime runtime;
    private final Rebalancer rebalancer;
    private final Membership membership;
    private final OffsetManager offsets;
    private final OffsetCleaner cleaner;
    private final GroupLoader loader;
    private final TopicAdmin topicAdmin;
    private final SharedAttempt<Void> ready = new SharedAttempt<>();
    private volatile Set<Uuid> knownTopicIds = Set.of();
    private volatile boolean loading;

    /**
     * @param verifier asks transaction coordinators whether a TxnOffsetCommit's transaction includes the group's
     *                 partition (KIP-890)
     */
    public GroupCoordinator(GroupConfig config, PartitionManager partitions, TopicAdmin topicAdmin,
                            TransactionVerifier verifier, boolean fsyncBeforeAck, Time time) {
        this.topicAdmin = topicAdmin;
        this.runtime = new CoordinatorRuntime(config, partitions, topicAdmin::image, fsyncBeforeAck, time);
        this.rebalancer = new Rebalancer(runtime);
        this.membership = new Membership(runtime, rebalancer);
        this.offsets = new OffsetManager(runtime, rebalancer, verifier);
        this.cleaner = new OffsetCleaner(runtime, rebalancer);
        this.loader = new GroupLoader(runtime, rebalancer);
    }

    /**
     * Loads {@code __consumer_offsets} once {@code partitionsOpen} completes, if the topic exists; group requests
     * get COORDINATOR_LOAD_IN_PROGRESS meanwhile. Otherwise the first group request creates it.
     */
    public void start(CompletionStage<Void> partitionsOpen) {
        Optional<TopicImage> topic = topicAdmin.image().topic(Topic.GROUP_METADATA_TOPIC_NAME);
        if (topic.isPresent()) {
            CompletableFuture<Void> loaded = new CompletableFuture<>();
            ready.set(loaded);
            loading = true;
            // Loaded even if another partition failed to open: its own partitions may all be open.
            partitionsOpen.whenComplete((ignored, error) -> load(topic.get(), loaded));
        }
    }

    /**
     * Completes once {@code __consumer_offsets} exists and is loaded, creating it if needed; fails
     * with COORDINATOR_NOT_AVAILABLE if that failed (the next call tries again).
     */
    public CompletableFuture<Void> ready() {
        return ready.get(mine -> {
            Optional<TopicImage> existing = topicAdmin.image().topic(Topic.GROUP_METADATA_TOPIC_NAME);
            if (existing.isPresent()) {
                load(existing.get(), mine);
                return;
            }
            InternalTopic.create(topicAdmin, runtime.partitions(), Topic.GROUP_METADATA_TOPIC_NAME,
                            runtime.config().offsetsTopicPartitions(), runtime.config().offsetsTopicReplicationFactor(),
                            Map.of("segment.bytes", OFFSETS_SEGMENT_BYTES, "compression.type", "producer"), 0)
                    .whenComplete((topic, error) -> {
                        if (error != null) {
                            mine.completeExceptionally(error);
                        } else {
                            load(topic, mine);
                        }
                    });
        });
    }

    /**
     * Replays every partition of the topic from its start on the coordinator thread, removes the
     * offsets of topics deleted since they were committed and those expired, schedules the next
     * expiry, then completes {@code loaded}.
     */
    private void load(TopicImage topic, CompletableFuture<Void> loaded) {
        loading = true;
        runtime.call(() -> {
            long begin = System.nanoTime();
            runtime.setOffsetsTopicPartitions(topic.partitions());
            // The partitions led now; later leadership changes load and unload more (followLeadership).
            CoordinatorLog.ReplayTotals counts = loader.follow(topic);
            LOG.infof("Loaded %d group(s) and %d committed offset(s) from %d record(s) (%d bytes) of the partitions "
                            + "of %s this broker leads in %d ms", runtime.store().groups().size(),
                    runtime.store().offsetCount(), counts.records(), counts.bytes(), topic.name(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
            // Topics deleted while no coordinator held these offsets left them behind: the image says which.
            MetadataImage image = runtime.image();
            knownTopicIds = topicIds(image);
            cleaner.removeOffsetsOfDeletedTopics(image);
            cleaner.expireNowAndSchedule();
            return CompletableFuture.<Void>completedFuture(null);
        }).whenComplete((ignored, error) -> {
            loading = false;
            if (error != null) {
                LOG.errorf(error, "Loading %s failed", topic.name());
                loaded.completeExceptionally(new CoordinatorNotAvailableException("Loading the group coordinator failed: "
                        + error.getMessage()));
            } else {
                loaded.complete(null);
            }
        });
    }

    /**
     * Follows the leadership of {@code __consumer_offsets} once the partitions have applied {@code image}: the
     * partitions this broker started leading are loaded, those it stopped leading unloaded. Until the first
     * load is done it does nothing: that load takes the partitions led by then.
     */
    public void followLeadership(MetadataImage image) {
        Optional<TopicImage> topic = image.topic(Topic.GROUP_METADATA_TOPIC_NAME);
        if (!ready.succeeded() || topic.isEmpty()) {
            return;
        }
        runtime.call(() -> {
            loader.follow(topic.get());
            return CompletableFuture.<Void>completedFuture(null);
        });
    }

    /**
     * Completes once {@code __consumer_offsets} exists, which is all FindCoordinator needs to name this
     * broker: the load of an existing topic is not awaited (group requests get COORDINATOR_LOAD_IN_PROGRESS
     * meanwhile), whereas a topic this call has to create is waited for with its load, which is of empty
     * partitions. Fails with COORDINATOR_NOT_AVAILABLE if creating it failed.
     */
    public CompletableFuture<Void> offsetsTopicCreated() {
        CompletableFuture<Void> loaded = ready();
        boolean exists = topicAdmin.image().topic(Topic.GROUP_METADATA_TOPIC_NAME).isPresent();
        return exists && !loaded.isCompletedExceptionally() ? CompletableFuture.completedFuture(null) : loaded;
    }

    /**
     * {@link #whenReady(Supplier)} for a request about {@code groupId}: NOT_COORDINATOR unless this broker is
     * the group's coordinator.
     */
    private <T> CompletableFuture<T> whenReady(String groupId, Supplier<CompletableFuture<T>> task) {
        if (!coordinates(groupId)) {
            return CompletableFuture.failedFuture(notCoordinator(groupId));
        }
        if (loadingGroupsOf(groupId)) {
            return CompletableFuture.failedFuture(new CoordinatorLoadInProgressException("The group coordinator is "
                    + "loading the partition of " + Topic.GROUP_METADATA_TOPIC_NAME + " that holds group " + groupId + "."));
        }
        return whenReady(task);
    }

    /** Whether this broker leads the group's partition but has not replayed it since it started leading it. */
    private boolean loadingGroupsOf(String groupId) {
        return ready.succeeded() && topicAdmin.image().topic(Topic.GROUP_METADATA_TOPIC_NAME).isPresent()
                && !loader.isLoaded(partitionFor(groupId));
    }

    /**
     * Whether this broker coordinates {@code groupId}: it leads the group's partition of {@code __consumer_offsets}.
     * Before the topic exists every broker does, as the first group request creates it.
     */
    boolean coordinates(String groupId) {
        Optional<TopicImage> topic = topicAdmin.image().topic(Topic.GROUP_METADATA_TOPIC_NAME);
        if (topic.isEmpty()) {
            return true;
        }
        int partition = partitionFor(groupId, topic.get().partitions());
        return topic.get().partition(partition).leader() == runtime.partitions().nodeId();
    }

    private static NotCoordinatorException notCoordinator(String groupId) {
        return new NotCoordinatorException("This broker is not the coordinator of group " + groupId
                + ": it does not lead the group's partition of " + Topic.GROUP_METADATA_TOPIC_NAME + ".");
    }

    /**
     * Runs a group request's {@code task} on the coordinator thread once the coordinator is loaded,
     * creating {@code __consumer_offsets} if needed. While it loads the request fails at once with
     * COORDINATOR_LOAD_IN_PROGRESS: a client retries that, whereas a wait as long as the load could
     * outlast its request timeout.
     */
    private <T> CompletableFuture<T> whenReady(Supplier<CompletableFuture<T>> task) {
        if (loading) {
            return CompletableFuture.failedFuture(new CoordinatorLoadInProgressException(
                    "The group coordinator is loading " + Topic.GROUP_METADATA_TOPIC_NAME + "."));
        }
        return ready().thenCompose(ignored -> runtime.call(task));
    }

    /**
     * For requests that only look at groups: without {@code __consumer_offsets} there are none, so
     * they run against the empty state instead of creating the topic (Kafka creates it only for
     * FindCoordinator and the group protocol itself). The REST API and the lag metrics use it too:
     * during the load, REST answers the retriable error as 503, and the metrics keep their last values.
     */
    private <T> CompletableFuture<T> whenReadyIfAny(Supplier<CompletableFuture<T>> task) {
        return hasNoOffsetsTopic() ? runtime.call(task) : whenReady(task);
    }

    private boolean hasNoOffsetsTopic() {
        return !ready.started() && topicAdmin.image().topic(Topic.GROUP_METADATA_TOPIC_NAME).isEmpty();
    }

    /** The partition of {@code __consumer_offsets} that holds {@code groupId}: {@code abs(hash) % partitions}, as Kafka. */
    public int partitionFor(String groupId) {
        return runtime.partitionFor(groupId);
    }

    /** The partition that holds {@code groupId} in a {@code __consumer_offsets} of {@code partitions} partitions. */
    public static int partitionFor(String groupId, int partitions) {
        return CoordinatorRuntime.partitionFor(groupId, partitions);
    }

    // ---- group membership ----

    public CompletableFuture<JoinGroupResponseData> joinGroup(ClientContext client, JoinGroupRequestData request) {
        return whenReady(request.groupId(), () -> {
            CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
            membership.join(client, request, future);
            return future;
        });
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request) {
        return whenReady(request.groupId(), () -> {
            CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
            membership.sync(request, future);
            return future;
        });
    }

    /**
     * A heartbeat while {@code __consumer_offsets} loads is answered with NONE, as Kafka answers it: the
     * group's state is not known yet, and the Java client has no retry for COORDINATOR_LOAD_IN_PROGRESS
     * on a heartbeat.
     */
    public CompletableFuture<HeartbeatResponseData> heartbeat(HeartbeatRequestData request) {
        if ((loading || loadingGroupsOf(request.groupId())) && coordinates(request.groupId())) {
            return CompletableFuture.completedFuture(new HeartbeatResponseData());
        }
        return whenReady(request.groupId(), () -> CompletableFuture.completedFuture(membership.heartbeat(request)));
    }

    /**
     * Removes members from a group.
     *
     * @return the group-level error and the per-member results (the latter only with {@code NONE})
     */
    public CompletableFuture<LeaveGroupOutcome> leaveGroup(String groupId, List<MemberIdentity> members) {
        return whenReady(groupId, () -> {
            Membership.LeaveResult result = membership.leave(groupId, members);
            return CompletableFuture.completedFuture(new LeaveGroupOutcome(result.error(), result.members()));
        });
    }

    /** The outcome of a LeaveGroup request. */
    public record LeaveGroupOutcome(Errors error,
                                    List<org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse> members) {
    }

    // ---- offsets ----

    /** Commits offsets; topics are addressed by name. */
    public CompletableFuture<OffsetCommitResponseData> commitOffsets(ClientContext client, OffsetCommitRequestData request) {
        return whenReady(request.groupId(), () -> offsets.commit(client, request));
    }

    /**
     * Commits offsets within a producer's transaction: they apply when its marker commits them. The first commit of
     * a transaction to the group's partition is written only once the producer's transaction coordinator confirmed
     * that the transaction includes it (AddOffsetsToTxn added it), as a produce is (KIP-890).
     */
    public CompletableFuture<TxnOffsetCommitResponseData> commitTransactionalOffsets(TxnOffsetCommitRequestData request,
                                                                                  short version) {
        return whenReady(request.groupId(), () -> offsets.verifyTransaction(request, version))
                .thenCompose(verified -> whenReady(request.groupId(),
                        () -> offsets.commitTransactional(request, verified)));
    }


    /**
     * A transaction marker was written to {@code tp}: when it is a partition of {@code __consumer_offsets} this
     * broker coordinates, the producer's transactional offsets of its groups are committed or dropped.
     */
    public void onTransactionMarker(TopicPartition tp, long producerId, boolean commit) {
        if (!tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
            return;
        }
        // Checked on the coordinator thread, where loads run too: a marker acknowledged during a load is either
        // in the records it replays or applied after it.
        runtime.call(() -> {
            if (loader.isLoaded(tp.partition())) {
                runtime.completeTransaction(tp.partition(), producerId, commit);
            }
            return CompletableFuture.<Void>completedFuture(null);
        });
    }

    /** The committed offsets of one group; {@code topics == null} asks for all of them. */
    public CompletableFuture<OffsetFetchResponseGroup> fetchOffsets(String groupId, List<OffsetFetchRequestTopics> topics) {
        return fetchOffsets(groupId, topics, false);
    }

    /** {@link #fetchOffsets(String, List)}, with KIP-447's {@code requireStable} of a read_committed consumer. */
    public CompletableFuture<OffsetFetchResponseGroup> fetchOffsets(String groupId, List<OffsetFetchRequestTopics> topics,
                                                                   boolean requireStable) {
        return whenReady(groupId, () -> CompletableFuture.completedFuture(offsets.fetch(groupId, topics, requireStable)));
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        return whenReady(request.groupId(), () -> offsets.delete(request));
    }

    // ---- group administration ----

    /**
     * The groups, optionally only those in {@code states} (case-insensitive, as ListGroups v4 filters)
     * and of {@code types} (ListGroups v5; every group here is {@code classic}). Empty filters match all.
     */
    public CompletableFuture<List<ListedGroup>> listGroups(Collection<String> states, Collection<String> types) {
        Set<String> stateFilter = lowerCase(states);
        Set<String> typeFilter = lowerCase(types);
        return whenReadyIfAny(() -> {
            List<ListedGroup> result = new ArrayList<>();
            if (!typeFilter.isEmpty() && !typeFilter.contains(GROUP_TYPE)) {
                return CompletableFuture.completedFuture(result);
            }
            for (ClassicGroup group : runtime.store().groups()) {
                if (stateFilter.isEmpty() || stateFilter.contains(group.state().lowerCaseName())) {
                    result.add(new ListedGroup()
                            .setGroupId(group.groupId())
                            .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                            .setGroupState(group.state().toString())
                            .setGroupType(GROUP_TYPE));
                }
            }
            return CompletableFuture.completedFuture(result);
        });
    }

    /** DescribeGroups of {@code version}: members with their metadata and assignments when the group is Stable. */
    public CompletableFuture<List<DescribedGroup>> describeGroups(List<String> groupIds, short version) {
        return whenReadyIfAny(() -> {
            List<DescribedGroup> result = new ArrayList<>();
            for (String groupId : groupIds) {
                result.add(describe(groupId, version));
            }
            return CompletableFuture.completedFuture(result);
        });
    }

    private DescribedGroup describe(String groupId, short version) {
        if (groupId == null || groupId.isEmpty()) {
            return new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        if (!coordinates(groupId)) {
            return new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.NOT_COORDINATOR.code());
        }
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null) {
            DescribedGroup dead = new DescribedGroup().setGroupId(groupId).setGroupState(GroupState.DEAD.toString())
                    .setProtocolType("").setProtocolData("");
            if (version >= FIRST_GROUP_ID_NOT_FOUND_DESCRIBE_VERSION) {
                dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId + " not found.");
            }
            return dead;
        }
        boolean stable = group.isInState(GroupState.STABLE);
        DescribedGroup described = new DescribedGroup()
                .setGroupId(groupId)
                .setGroupState(group.state().toString())
                .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                .setProtocolData(stable ? group.protocolName() : "");
        for (GroupMember member : group.members()) {
            described.members().add(new DescribedGroupMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setMemberMetadata(stable ? member.metadata(group.protocolName()) : new byte[0])
                    .setMemberAssignment(stable ? member.assignment() : new byte[0]));
        }
        return described;
    }

    /** Deletes empty groups with their committed offsets; groups with members fail with NON_EMPTY_GROUP. */
    public CompletableFuture<List<DeletableGroupResult>> deleteGroups(List<String> groupIds) {
        return whenReady(() -> {
            List<DeletableGroupResult> results = new ArrayList<>();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (String groupId : groupIds) {
                DeletableGroupResult result = new DeletableGroupResult().setGroupId(groupId);
                results.add(result);
                Errors error = deleteGroup(groupId, writes, result);
                result.setErrorCode(error.code());
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((ignored, error) -> results);
        });
    }

    private Errors deleteGroup(String groupId, List<CompletableFuture<Void>> writes, DeletableGroupResult result) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (!coordinates(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null || group.isInState(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!group.isInState(GroupState.EMPTY)) {
            return Errors.NON_EMPTY_GROUP;
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        runtime.store().offsets(groupId).keySet().forEach(tp ->
                records.add(CoordinatorRecord.tombstone(new OffsetKey(groupId, tp.topic(), tp.partition()))));
        records.add(CoordinatorRecord.tombstone(new GroupKey(groupId)));
        try {
            writes.add(runtime.write(groupId, records).exceptionally(error -> {
                result.setErrorCode(CoordinatorLog.writeError(error).code());
                return null;
            }));
        } catch (RuntimeException e) {
            return CoordinatorLog.writeError(e);
        }
        rebalancer.onDeleted(group);
        LOG.infof("Deleted group %s and its %d committed offset(s)", groupId, records.size() - 1);
        return Errors.NONE;
    }

    // ---- lag ----

    /**
     * The lag of each partition the group has committed an offset for: the partition's high
     * watermark (its log end offset for consumers) minus the committed offset, never below 0.
     * Empty for an unknown group. For the REST API and metrics; fails with COORDINATOR_LOAD_IN_PROGRESS
     * while {@code __consumer_offsets} loads.
     */
    public CompletableFuture<List<PartitionLag>> lag(String groupId) {
        return whenReadyIfAny(() -> {
            List<PartitionLag> result = new ArrayList<>();
            MetadataImage image = runtime.image();
            runtime.store().offsets(groupId).forEach((tp, offset) -> {
                if (!OffsetManager.isCurrent(image, tp.topic(), offset)) {
                    return;
                }
                runtime.partitions().partition(tp).ifPresent(partition -> {
                    long end = partition.highWatermark();
                    result.add(new PartitionLag(tp, offset.offset(), end, Math.max(0, end - offset.offset())));
                });
            });
            return CompletableFuture.completedFuture(result);
        });
    }

    /**
     * The lag of one partition for one group.
     *
     * @param endOffset the high watermark when computed
     */
    public record PartitionLag(TopicPartition partition, long committedOffset, long endOffset, long lag) {
    }

    /** The ids of the groups this coordinator holds; fails with COORDINATOR_LOAD_IN_PROGRESS while it loads. */
    public CompletableFuture<List<String>> groupIds() {
        return whenReadyIfAny(() -> CompletableFuture.completedFuture(
                runtime.store().groups().stream().map(ClassicGroup::groupId).sorted().toList()));
    }

    // ---- topic deletion ----

    /**
     * Called with each new metadata image: when topics were deleted, the offsets committed for
     * them are deleted too (tombstones), as Kafka does, so a later topic of the same name starts
     * without them; so are the groups left Empty without offsets.
     */
    public void onMetadataImage(MetadataImage image) {
        if (!ready.succeeded()) {
            return;
        }
        Set<Uuid> ids = topicIds(image);
        Set<Uuid> previous = knownTopicIds;
        knownTopicIds = ids;
        if (ids.containsAll(previous)) {
            return;
        }
        runtime.call(() -> {
            cleaner.removeOffsetsOfDeletedTopics(runtime.image());
            return CompletableFuture.<Void>completedFuture(null);
        });
    }

    private static Set<Uuid> topicIds(MetadataImage image) {
        return image.topics().stream().map(TopicImage::topicId).collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<String> lowerCase(Collection<String> values) {
        return values == null ? Set.of() : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    @Override
    public void close() {
        runtime.close();
    }
}
