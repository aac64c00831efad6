package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.jboss.logging.Logger;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.protocols.raft.Log;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.RaftHandle;
import org.jgroups.raft.util.Utils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The replicated metadata log: a JGroups channel running JGroups-Raft, whose committed entries are
 * applied to a {@link MetadataStateMachine}. A single broker is a one-member Raft group that
 * elects itself; a cluster lists every member, and nothing else changes.
 *
 * <p>The JGroups stack is built in code ({@link RaftStack}).
 *
 * <p>A member's log directory has an id ({@link DirectoryId}) that the member records in the metadata
 * when it starts ({@link MetadataCommand.RegisterDirectory}). Elections count a member only once the
 * metadata it holds records its own directory ({@link VoterStanding}, {@link StandingElection}): a member
 * that lost its directory comes back with a new id and counts again once it has caught up past its
 * registration, so it never helps elect a leader that lacks entries it had acknowledged.
 *
 * <p>The log is snapshotted (and truncated) every {@link Settings#snapshotEveryEntries()} entries,
 * so a restart reads one snapshot and a short tail.
 */
public final class RaftMetadataLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RaftMetadataLog.class);
    /**
     * With several voters, a member's failure detection (FD_SOCK2) listens on the first free port from this far
     * above its Raft port, up to {@link #FAILURE_DETECTION_PORT_RANGE} further.
     */
    public static final int FAILURE_DETECTION_PORT_OFFSET = 100;
    public static final int FAILURE_DETECTION_PORT_RANGE = 20;

    /** The JGroups cluster every Strata metadata member joins. */
    public static final String CLUSTER_NAME = "strata-metadata";
    /**
     * Entries between snapshots. Replaying a log entry on a cold JVM costs far more than reading
     * its share of a snapshot (990 entries add ~150 ms to a restart, a 1000-topic snapshot ~10 ms),
     * and a snapshot of even thousands of topics is small, so snapshots are frequent.
     */
    public static final int DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100;
    /** How long a submitted command waits for its commit by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /**
     * How long {@link #start()} waits for a leader by default: as long as Kafka's broker waits to register
     * ({@code initial.broker.registration.timeout.ms}), since a member restarted while the others still settle a
     * leader change, or on a loaded machine, may need several election and merge rounds to learn one.
     */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A member of the metadata Raft group: its node id (also its Raft id) and the address its
     * Raft channel binds. Written {@code nodeId@host:port}.
     */
    public record Member(int nodeId, String host, int port) {

        public Member {
            Objects.requireNonNull(host, "host");
            if (nodeId < 0) {
                throw new IllegalArgumentException("node id must not be negative: " + nodeId);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("invalid port " + port);
            }
        }

        /** The member's Raft id and JGroups name. */
        public String raftId() {
            return Integer.toString(nodeId);
        }

        /** Parses {@code nodeId@host:port}, e.g. {@code 2@10.0.0.2:7800} or {@code 3@[::1]:7800}. */
        public static Member parse(String spec) {
            int at = spec.indexOf('@');
            int colon = spec.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == spec.length() - 1) {
                throw new IllegalArgumentException("a Raft member is nodeId@host:port, not '" + spec + "'");
            }
            String host = spec.substring(at + 1, colon).trim();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return new Member(Integer.parseInt(spec.substring(0, at).trim()), host,
                        Integer.parseInt(spec.substring(colon + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a Raft member is nodeId@host:port, not '" + spec + "'", e);
            }
        }

        @Override
        public String toString() {
            return nodeId + "@" + host + ":" + port;
        }
    }

    /**
     * @param dataDir              the broker's data directory; the Raft log and snapshots go to
     *                             {@code <dataDir>/meta}
     * @param nodeId               this member's node id: one of {@code members}, or, for a member that does not
     *                             vote (a JGroups-Raft learner), none of them
     * @param bindHost             the address the Raft channel binds
     * @param bindPort             the port it binds; 0 picks a free one (a single member only)
     * @param members              every voter of the group, this one included if it votes
     * @param startTimeout         how long {@link #start()} waits for a leader
     * @param submitTimeout        how long a submitted command may take to commit
     * @param snapshotEveryEntries log entries after which the log is snapshotted and truncated
     * @param fsync                fsync every log append (metadata changes are rare; keep it on)
     * @param secret               the secret the group's members share, which encrypts its traffic and admits only
     *                             them ({@link RaftStack}); without it, anything that reaches the port may join
     */
    public record Settings(Path dataDir, int nodeId, String bindHost, int bindPort, List<Member> members,
                           Duration startTimeout, Duration submitTimeout, int snapshotEveryEntries, boolean fsync,
                           Optional<RaftSecret> secret) {

        public Settings {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(bindHost, "bindHost");
            Objects.requireNonNull(startTimeout, "startTimeout");
            Objects.requireNonNull(submitTimeout, "submitTimeout");
            Objects.requireNonNull(secret, "secret");
            members = List.copyOf(members);
            requireGroup(nodeId, bindPort, members);
            if (snapshotEveryEntries < 1) {
                throw new IllegalArgumentException("snapshotEveryEntries must be positive");
            }
        }

        /**
         * Refuses voters that cannot form a group with this node, which binds {@code bindPort}: none, two with one
         * node id, or several with a port the OS chooses.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public static void requireGroup(int nodeId, int bindPort, List<Member> members) {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a member that does not vote needs the voters of its group");
            }
            if (members.stream().map(Member::nodeId).distinct().count() != members.size()) {
                throw new IllegalArgumentException("duplicate node ids in the Raft members " + members);
            }
            if (bindPort == 0 && (members.size() > 1 || !votes(nodeId, members))) {
                throw new IllegalArgumentException("a Raft group of several members needs a fixed port");
            }
        }

        /**
         * A one-member group with the default timeouts, a snapshot every
         * {@value RaftMetadataLog#DEFAULT_SNAPSHOT_EVERY_ENTRIES} entries and fsync on.
         */
        public static Settings alone(Path dataDir, int nodeId, String bindHost, int bindPort) {
            return of(dataDir, nodeId, bindHost, bindPort, List.of(new Member(nodeId, bindHost, bindPort)));
        }

        /**
         * A group of {@code members} with the default timeouts ({@link RaftMetadataLog#DEFAULT_START_TIMEOUT} to start,
         * {@link RaftMetadataLog#DEFAULT_TIMEOUT} to submit), a snapshot every {@value RaftMetadataLog#DEFAULT_SNAPSHOT_EVERY_ENTRIES} entries, fsync on and no
         * secret.
         */
        public static Settings of(Path dataDir, int nodeId, String bindHost, int bindPort, List<Member> members) {
            return new Settings(dataDir, nodeId, bindHost, bindPort, members, DEFAULT_START_TIMEOUT, DEFAULT_TIMEOUT,
                    DEFAULT_SNAPSHOT_EVERY_ENTRIES, true, Optional.empty());
        }

        /** These settings with the group's secret {@code value}, or none. */
        public Settings withSecret(Optional<RaftSecret> value) {
            return new Settings(dataDir, nodeId, bindHost, bindPort, members, startTimeout, submitTimeout,
                    snapshotEveryEntries, fsync, value);
        }

        /** Whether this member votes: it is one of the {@link #members}. */
        public boolean voter() {
            return votes(nodeId, members);
        }

        private static boolean votes(int nodeId, List<Member> members) {
            return members.stream().anyMatch(member -> member.nodeId() == nodeId);
        }

        /** {@code <dataDir>/meta}. */
        public Path logDir() {
            return dataDir.resolve("meta");
        }

        String raftId() {
            return Integer.toString(nodeId);
        }
    }

    private final Settings settings;
    private final MetadataStateMachine stateMachine = new MetadataStateMachine();
    private final AtomicBoolean snapshotPending = new AtomicBoolean();
    private final ExecutorService callbacks;
    private volatile JChannel channel;
    private volatile RaftHandle handle;
    private volatile Uuid directoryId;
    private volatile Duration startDuration;
    private volatile int boundPort;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;

    public RaftMetadataLog(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.boundPort = settings.bindPort();
        this.callbacks = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "strata-metadata-callbacks-" + settings.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        stateMachine.afterApply(this::maybeSnapshot);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Joins the group and returns once this member is the leader or knows the leader, and has recorded its
     * log directory in the metadata (a member back on a lost one has caught up by then); a lone member
     * elects itself. A new group elects its first leader once every member is up. A restarted member has replayed its snapshot and log by then, so
     * {@link #image()} is what it was before the restart.
     *
     * @throws IllegalStateException when the channel cannot start (e.g. the port is taken), no
     *                               leader is known within the start timeout, or the log is closed
     *                               meanwhile; nothing is left running
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the metadata log has already been started");
        }
        long begin = System.nanoTime();
        try {
            Files.createDirectories(settings.logDir());
            directoryId = DirectoryId.readOrCreate(settings.logDir());
            RaftStack stack = RaftStack.build(settings, this::standing);
            boundPort = stack.port();
            long stackBuilt = System.nanoTime();
            JChannel newChannel = new JChannel(stack.protocols());
            newChannel.name(settings.raftId());
            channel = newChannel;
            if (closed) {
                throw new IllegalStateException("closed while starting");
            }
            handle = new RaftHandle(newChannel, stateMachine);
            long channelBuilt = System.nanoTime();
            newChannel.connect(CLUSTER_NAME);
            LOG.debugf("Metadata Raft start: stack %d ms, channel %d ms, connect %d ms",
                    (stackBuilt - begin) / 1_000_000, (channelBuilt - stackBuilt) / 1_000_000,
                    (System.nanoTime() - channelBuilt) / 1_000_000);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("Cannot start metadata Raft member " + settings.raftId() + " on "
                    + settings.bindHost() + ":" + boundPort + " (log in " + settings.logDir() + "): " + e, e);
        }
        long deadline = begin + settings.startTimeout().toNanos();
        VoterStanding joined = standing();
        if (joined != VoterStanding.VOTER) {
            LOG.infof("Metadata Raft member %s joined on log directory %s, which the metadata it holds does not record "
                    + "(%s): its vote counts only once it has caught up with a leader, or, while no member knows of a "
                    + "recorded directory, once every member of %s is up", settings.raftId(), directoryId, joined,
                    settings.members());
        }
        while (handle.leader() == null) {
            if (closed) {
                throw new IllegalStateException("The metadata log was closed while waiting for a leader");
            }
            if (System.nanoTime() - deadline > 0) {
                close();
                throw new IllegalStateException("No metadata Raft leader within " + settings.startTimeout().toMillis()
                        + " ms: member " + settings.raftId() + " of " + settings.members() + " bound to "
                        + settings.bindHost() + ":" + boundPort + ". A majority of the members must be "
                        + "running and reach each other.");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        registerDirectory(deadline);
        startDuration = Duration.ofNanos(System.nanoTime() - begin);
        LOG.infof("Metadata Raft member %s started in %d ms: leader %s, %d topic(s), log entries %d..%d",
                settings.raftId(), startDuration.toMillis(), leader(), image().topics().size(),
                handle.log().firstAppended(), handle.log().lastAppended());
    }

    /**
     * Submits {@code command} until it is committed: again after a NotController failure, which the group gives
     * while its leadership changes hands, as it may right after the members first meet.
     *
     * @throws IllegalStateException if the command was refused, or {@code deadline} passed
     */
    private void submitUntilCommitted(MetadataCommand command, long deadline) throws Exception {
        while (true) {
            try {
                MetadataResult result = submit(command).get(Math.max(1, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (result.isError()) {
                    throw new IllegalStateException(result.message());
                }
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotControllerException) || closed || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LOG.debugf("Submitting %s again: %s", command, e.getCause().getMessage());
                Thread.sleep(100);
            }
        }
    }

    /**
     * Records this member's log directory in the metadata, unless the image holds it already, and waits until
     * this member has applied the record: then its log holds everything committed before, and it votes.
     */
    private void registerDirectory(long deadline) {
        VoterStanding before = standing();
        if (before == VoterStanding.VOTER) {
            return;
        }
        try {
            submitUntilCommitted(new MetadataCommand.RegisterDirectory(settings.nodeId(), directoryId), deadline);
            while (standing() != VoterStanding.VOTER) {
                if (closed || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("its registration was committed but has not reached it");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            close();
            throw new IllegalStateException("Metadata Raft member " + settings.raftId() + " could not record its log "
                    + "directory " + directoryId + " (" + settings.logDir() + ") within "
                    + settings.startTimeout().toMillis() + " ms: " + e.getMessage(), e);
        }
        LOG.infof("Metadata Raft member %s recorded its log directory %s (%s before): it votes from now on",
                settings.raftId(), directoryId, before);
    }

    /** The id of this member's log directory, or {@code null} before {@link #start()}. */
    public Uuid directoryId() {
        return directoryId;
    }

    /** Where this member stands in elections now, judged from its image and its log directory. */
    public VoterStanding standing() {
        Uuid directory = directoryId;
        return directory == null ? VoterStanding.CATCHING_UP : VoterStanding.of(image(), settings.nodeId(), directory);
    }

    /**
     * {@link #start()} on a thread of its own, so the broker can bind its listener and load
     * classes meanwhile: on 2 cores most of a cold start is class loading.
     */
    public CompletableFuture<Void> startAsync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                start();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "strata-metadata-start-" + settings.nodeId());
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    /** How long the last {@link #start()} took, or {@code null} before it returned. */
    public Duration startDuration() {
        return startDuration;
    }

    /**
     * Replicates {@code command} and completes with what applying it returned, once a majority
     * has committed it and the leader has applied it. On the leader (always, on a single node)
     * this member's listeners have run and {@link #image()} shows the change by then; a follower
     * forwards the command to the leader and its own image may lag a little.
     *
     * <p>Validation failures complete normally with an error {@link MetadataResult}; failing to
     * replicate completes exceptionally with {@link NotControllerException} (no leader, or this
     * member lost it) or {@link TimeoutException} (after the submit timeout; the command may still
     * be applied later). Completes on a metadata callback thread, never Raft's.
     */
    public CompletableFuture<MetadataResult> submit(MetadataCommand command) {
        RaftHandle raftHandle = handle;
        if (raftHandle == null || closed) {
            return CompletableFuture.failedFuture(new NotControllerException("The metadata log is not running."));
        }
        byte[] bytes = MetadataCommandFormat.serialize(command);
        CompletableFuture<byte[]> raw;
        try {
            raw = raftHandle.setAsync(bytes, 0, bytes.length);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(translate(e, command));
        }
        return raw.orTimeout(settings.submitTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync((response, error) -> {
                    if (error != null) {
                        throw translate(error, command);
                    }
                    if (response == null) {
                        throw new UnknownServerException("The metadata log returned no result for " + command);
                    }
                    return MetadataResult.deserialize(response);
                }, callbacks);
    }

    private RuntimeException translate(Throwable error, MetadataCommand command) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException apiException) {
            return apiException;
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return new TimeoutException("The metadata change was not committed within "
                    + settings.submitTimeout().toMillis() + " ms: " + command, cause);
        }
        if (cause instanceof CancellationException || cause instanceof IllegalStateException
                || cause instanceof org.jgroups.protocols.raft.RaftLeaderException) {
            return new NotControllerException("The metadata change could not be replicated (leader: " + leader()
                    + "): " + cause.getMessage());
        }
        return new UnknownServerException("The metadata change failed: " + cause, cause);
    }

    /** The current metadata; lock-free, never {@code null}. */
    public MetadataImage image() {
        return stateMachine.image();
    }

    /**
     * Calls {@code listener} with the new image after each change (and after a snapshot is
     * installed), on the Raft applier thread, before the change's {@link #submit} future
     * completes: the broker creates and deletes partition logs from here, so they exist when a
     * CreateTopics response goes out. Keep it short and never wait on a metadata future in it.
     * Register before {@link #start()} to see the image a restart replays.
     */
    public void addListener(Consumer<MetadataImage> listener) {
        stateMachine.addListener(listener);
    }

    public void removeListener(Consumer<MetadataImage> listener) {
        stateMachine.removeListener(listener);
    }

    /** Whether this member is the Raft leader. */
    public boolean isLeader() {
        RaftHandle raftHandle = handle;
        return raftHandle != null && raftHandle.isLeader();
    }

    /**
     * The leader's Raft id (its node id), or {@code null} when none is known or it is not in this member's view: a
     * leader that left stays the known one until an election, which a member cut off from the majority never holds.
     */
    public String leader() {
        RaftHandle raftHandle = handle;
        Address leader = raftHandle == null ? null : raftHandle.leader();
        if (leader == null) {
            return null;
        }
        JChannel current = channel;
        View view = current == null ? null : current.getView();
        return view != null && !view.containsMember(leader) ? null : leader.toString();
    }

    /** The group as this member sees it now, or {@code null} before it started. */
    public QuorumStatus quorum() {
        RaftHandle raftHandle = handle;
        return raftHandle == null ? null : QuorumStatus.of(raftHandle.raft(), settings.nodeId(), settings.members());
    }

    /**
     * The node ids of the members this one can reach now (itself included), from the JGroups view:
     * a broker whose process died leaves the view within the failure detector's timeout.
     */
    public Set<Integer> reachableNodeIds() {
        JChannel current = channel;
        View view = current == null ? null : current.getView();
        if (view == null) {
            return Set.of(settings.nodeId());
        }
        Set<Integer> ids = new HashSet<>();
        for (Address member : view.getMembers()) {
            // The Raft id travels in the address itself, whereas its logical name may not be known yet.
            try {
                ids.add(Integer.parseInt(Utils.extractRaftId(member)));
            } catch (IllegalStateException | NumberFormatException e) {
                // A member without a node id as its Raft id is no Strata broker.
            }
        }
        return ids;
    }

    /** Snapshots the state machine and truncates the log now, e.g. before a planned shutdown. */
    public CompletableFuture<Void> snapshot() {
        RaftHandle raftHandle = handle;
        if (raftHandle == null || closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("The metadata log is not running."));
        }
        return raftHandle.raft().snapshotAsync();
    }

    /** Entries in the log after the last snapshot (for tests and metrics). */
    public long logEntries() {
        RaftHandle raftHandle = handle;
        Log log = raftHandle == null ? null : raftHandle.log();
        return log == null ? 0 : Math.max(0, log.lastAppended() - log.firstAppended());
    }

    private void maybeSnapshot() {
        RaftHandle raftHandle = handle;
        if (raftHandle == null || closed) {
            return;
        }
        RAFT raft = raftHandle.raft();
        Log log = raft.log();
        if (log == null || raft.commitIndex() - log.firstAppended() < settings.snapshotEveryEntries()) {
            return;
        }
        if (snapshotPending.compareAndSet(false, true)) {
            // Queued behind the entry being applied and run by Raft's own thread: never blocks it.
            raft.snapshotAsync().whenComplete((ignored, error) -> {
                snapshotPending.set(false);
                if (error != null) {
                    LOG.warnf(error, "Snapshotting the metadata log failed");
                } else {
                    LOG.debugf("Snapshotted the metadata log at index %d", raft.commitIndex());
                }
            });
        }
    }

    /** The port the Raft channel binds: the configured one, or the free one picked for port 0. */
    public int port() {
        return boundPort;
    }

    /** Leaves the group and releases the port and the log. Idempotent; may be called while starting. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        JChannel toClose = channel;
        if (toClose != null) {
            try {
                toClose.close();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Closing the metadata Raft channel failed");
            }
        }
        callbacks.shutdown();
    }
}
