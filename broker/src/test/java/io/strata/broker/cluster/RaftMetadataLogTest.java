package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AllocateProducerIds;
import io.strata.broker.cluster.MetadataCommand.AlterTopicConfigs;
import io.strata.broker.cluster.MetadataCommand.CreatePartitions;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.RaftMetadataLog.Member;
import io.strata.broker.cluster.RaftMetadataLog.Settings;
import io.strata.broker.testing.Directories;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.strata.broker.cluster.RaftLogs.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RaftMetadataLogTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final RaftLogs raftLogs = new RaftLogs();

    /** {@code self}'s settings in a group of {@code members}, waiting at most {@code startTimeout} for a leader. */
    private static Settings member(Path dataDir, Member self, List<Member> members, Duration startTimeout) {
        return new Settings(dataDir, self.nodeId(), self.host(), self.port(), members, startTimeout,
                RaftMetadataLog.DEFAULT_TIMEOUT, RaftMetadataLog.DEFAULT_SNAPSHOT_EVERY_ENTRIES, true, Optional.empty());
    }

    @Test
    void oneMemberGroupKeepsItsImageAcrossARestart() throws Exception {
        Settings settings = Settings.alone(dir, 1, "127.0.0.1", 0);
        RaftMetadataLog log = raftLogs.start(settings);
        System.out.printf("metadata start, fresh single member: %d ms%n", log.startDuration().toMillis());
        assertThat(log.isLeader()).isTrue();
        assertThat(log.leader()).isEqualTo("1");
        assertThat(Files.isDirectory(dir.resolve("meta"))).isTrue();

        Uuid orders = Uuid.randomUuid();
        Uuid payments = Uuid.randomUuid();
        Uuid scratch = Uuid.randomUuid();
        ok(log.submit(new RegisterBroker(1, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), null)));
        ok(log.submit(new CreateTopic("orders", orders, 3, (short) 1, Map.of("retention.ms", "1000", "cleanup.policy", "compact"), List.of())));
        ok(log.submit(new CreateTopic("payments", payments, 1, (short) 1, Map.of(), List.of())));
        ok(log.submit(new CreateTopic("scratch", scratch, 1, (short) 1, Map.of(), List.of())));
        ok(log.submit(new AlterTopicConfigs("orders", Map.of("segment.bytes", "2048"), Set.of("cleanup.policy"))));
        ok(log.submit(AlterTopicConfigs.replaceAll("payments", Map.of("max.message.bytes", "100"))));
        ok(log.submit(new CreatePartitions("orders", 6, List.of())));
        ok(log.submit(new DeleteTopic(scratch)));
        long firstBlock = ok(log.submit(new AllocateProducerIds(1000))).value();
        long secondBlock = ok(log.submit(new AllocateProducerIds(1000))).value();
        assertThat(secondBlock).isEqualTo(firstBlock + 1000);

        MetadataResult duplicate = log.submit(new CreateTopic("orders", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of()))
                .get(10, TimeUnit.SECONDS);
        assertThat(duplicate.error()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS);

        MetadataImage before = log.image();
        assertThat(before.topic("orders")).contains(new TopicImage("orders", orders,
                Collections.nCopies(6, PartitionImage.assigned(List.of(1))), (short) 1,
                Map.of("retention.ms", "1000", "segment.bytes", "2048")));
        assertThat(before.topic("payments").orElseThrow().configs()).isEqualTo(Map.of("max.message.bytes", "100"));
        assertThat(before.topic(scratch)).isEmpty();
        assertThat(before.brokers()).containsExactly(
                new BrokerImage(1, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), null, false));
        log.close();

        RaftMetadataLog restarted = raftLogs.start(settings);
        System.out.printf("metadata start, restarted single member: %d ms%n", restarted.startDuration().toMillis());
        assertThat(restarted.image()).isEqualTo(before);
        long thirdBlock = ok(restarted.submit(new AllocateProducerIds(1000))).value();
        assertThat(thirdBlock).isGreaterThanOrEqualTo(secondBlock + 1000);
    }

    @Test
    void listenersRunBeforeTheSubmissionCompletesAndSeeTheReplayOnRestart() throws Exception {
        Settings settings = Settings.alone(dir, 1, "127.0.0.1", 0);
        RaftMetadataLog log = raftLogs.create(settings);
        AtomicReference<MetadataImage> seen = new AtomicReference<>();
        AtomicReference<String> thread = new AtomicReference<>();
        log.addListener(image -> {
            seen.set(image);
            thread.set(Thread.currentThread().getName());
        });
        log.start();

        ok(log.submit(new CreateTopic("orders", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));
        assertThat(seen.get().topic("orders")).isPresent();
        assertThat(thread.get()).doesNotStartWith("strata-metadata-callbacks");
        log.close();

        RaftMetadataLog restarted = raftLogs.create(settings);
        AtomicReference<MetadataImage> replayed = new AtomicReference<>();
        restarted.addListener(replayed::set);
        restarted.start();
        assertThat(replayed.get()).isNotNull();
        assertThat(replayed.get().topic("orders")).isPresent();
    }

    @Test
    void snapshotsKeepTheLogShortAndARestartStartsFromThem() throws Exception {
        Settings settings = new Settings(dir, 1, "127.0.0.1", 0, List.of(new Member(1, "127.0.0.1", 0)),
                RaftMetadataLog.DEFAULT_TIMEOUT, RaftMetadataLog.DEFAULT_TIMEOUT, 20, true, Optional.empty());
        RaftMetadataLog log = raftLogs.start(settings);
        for (int i = 0; i < 100; i++) {
            ok(log.submit(new CreateTopic("topic-" + i, Uuid.randomUuid(), 1, (short) 1, Map.of("retention.ms", Integer.toString(i)), List.of())));
        }
        long block = ok(log.submit(new AllocateProducerIds(500))).value();
        await().atMost(Duration.ofSeconds(5)).until(() -> log.logEntries() <= 20);
        MetadataImage before = log.image();
        log.close();

        RaftMetadataLog restarted = raftLogs.start(settings);
        assertThat(restarted.image()).isEqualTo(before);
        assertThat(restarted.image().topics()).hasSize(100);
        assertThat(restarted.logEntries()).isLessThanOrEqualTo(20);
        assertThat(ok(restarted.submit(new AllocateProducerIds(500))).value()).isEqualTo(block + 500);
    }

    @Test
    void explicitSnapshotTruncatesTheLog() throws Exception {
        RaftMetadataLog log = raftLogs.start(Settings.alone(dir, 1, "127.0.0.1", 0));
        for (int i = 0; i < 5; i++) {
            ok(log.submit(new AllocateProducerIds(1)));
        }
        assertThat(log.logEntries()).isGreaterThanOrEqualTo(4);
        log.snapshot().get(5, TimeUnit.SECONDS);
        assertThat(log.logEntries()).isZero();
        assertThat(log.image().nextProducerId()).isEqualTo(5);
    }

    @Test
    void twoGroupsInOneJvmOnDifferentPortsStayApart() throws Exception {
        RaftMetadataLog a = raftLogs.start(Settings.alone(dir.resolve("a"), 1, "127.0.0.1", 0));
        RaftMetadataLog b = raftLogs.start(Settings.alone(dir.resolve("b"), 1, "127.0.0.1", 0));
        assertThat(a.port()).isNotEqualTo(b.port());

        ok(a.submit(new CreateTopic("only-in-a", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));
        ok(b.submit(new CreateTopic("only-in-b", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));

        assertThat(a.image().topics()).extracting(TopicImage::name).containsExactly("only-in-a");
        assertThat(b.image().topics()).extracting(TopicImage::name).containsExactly("only-in-b");
        assertThat(a.isLeader()).isTrue();
        assertThat(b.isLeader()).isTrue();
    }

    @Test
    void threeMembersReplicateEveryChangeAndFollowersForwardToTheLeader() throws Exception {
        List<Member> members = List.of(new Member(1, "127.0.0.1", FreePorts.take(1)[0]), new Member(2, "127.0.0.1", FreePorts.take(1)[0]),
                new Member(3, "127.0.0.1", FreePorts.take(1)[0]));
        List<CompletableFuture<RaftMetadataLog>> starting = new ArrayList<>();
        for (Member member : members) {
            Settings settings = member(dir.resolve("node-" + member.nodeId()), member, members, Duration.ofSeconds(20));
            RaftMetadataLog log = raftLogs.create(settings);
            starting.add(CompletableFuture.supplyAsync(() -> {
                log.start();
                return log;
            }));
        }
        List<RaftMetadataLog> logs = new ArrayList<>();
        for (CompletableFuture<RaftMetadataLog> future : starting) {
            logs.add(future.get(30, TimeUnit.SECONDS));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.stream().filter(RaftMetadataLog::isLeader).count() == 1
                && logs.stream().allMatch(l -> l.leader() != null && l.leader().equals(logs.get(0).leader())));
        RaftMetadataLog leader = logs.stream().filter(RaftMetadataLog::isLeader).findFirst().orElseThrow();
        RaftMetadataLog follower = logs.stream().filter(l -> !l.isLeader()).findFirst().orElseThrow();

        ok(leader.submit(new CreateTopic("from-leader", Uuid.randomUuid(), 2, (short) 1, Map.of(), List.of())));
        ok(follower.submit(new CreateTopic("from-follower", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));
        long block = ok(follower.submit(new AllocateProducerIds(100))).value();
        // An entry larger than a fragment crosses the network in pieces.
        String large = "x".repeat(2_500_000);
        ok(leader.submit(new AlterTopicConfigs("from-leader", Map.of("large", large), Set.of())));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (RaftMetadataLog log : logs) {
                assertThat(log.image().topics()).extracting(TopicImage::name)
                        .containsExactly("from-follower", "from-leader");
                assertThat(log.image().nextProducerId()).isEqualTo(block + 100);
                assertThat(log.image().topic("from-leader").orElseThrow().configs()).containsEntry("large", large);
            }
        });

        // A majority (2 of 3) keeps going without the third.
        RaftMetadataLog stopped = logs.stream().filter(l -> l != leader).findFirst().orElseThrow();
        stopped.close();
        ok(leader.submit(new CreatePartitions("from-leader", 4, List.of())));
        assertThat(leader.image().topic("from-leader").orElseThrow().partitions()).isEqualTo(4);

        // Back with its log, it is sent what it missed although nothing changes meanwhile.
        RaftMetadataLog restarted = raftLogs.start(stopped.settings());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(restarted.image().topic("from-leader").orElseThrow().partitions()).isEqualTo(4));
    }

    /**
     * Members 1 and 3 hold a topic; member 2 loses its log directory, and member 1 stops. Member 3 remembers
     * the topic, but with the empty member 2 it would be a majority: no leader may be elected until member 1
     * is back, and then member 2 catches up and votes again, under a new directory id.
     */
    @Test
    void aMemberThatLostItsLogDoesNotCountUntilItCaughtUp() throws Exception {
        List<Member> members = List.of(new Member(1, "127.0.0.1", FreePorts.take(1)[0]),
                new Member(2, "127.0.0.1", FreePorts.take(1)[0]), new Member(3, "127.0.0.1", FreePorts.take(1)[0]));
        List<RaftMetadataLog> logs = new ArrayList<>();
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (Member member : members) {
            RaftMetadataLog log = raftLogs.create(member(dir.resolve("node-" + member.nodeId()), member, members,
                    Duration.ofSeconds(20)));
            logs.add(log);
            starting.add(log.startAsync());
        }
        for (CompletableFuture<Void> started : starting) {
            started.get(30, TimeUnit.SECONDS);
        }
        assertThat(logs).allMatch(log -> log.standing() == VoterStanding.VOTER);
        ok(logs.get(0).submit(new CreateTopic("kept", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.stream().allMatch(log -> log.image().topic("kept").isPresent()));
        Uuid lostDirectory = logs.get(1).directoryId();

        logs.get(1).close();
        Directories.delete(dir.resolve("node-2"));
        logs.get(0).close();
        RaftMetadataLog wiped = raftLogs.create(logs.get(1).settings());
        CompletableFuture<Void> wipedStart = wiped.startAsync();
        Thread.sleep(3000);
        assertThat(logs.get(2).leader()).as("members 2 (empty) and 3 elect nobody").isNull();
        assertThat(wipedStart).isNotDone();
        assertThat(wiped.standing()).isEqualTo(VoterStanding.BOOTSTRAPPING);

        RaftMetadataLog back = raftLogs.start(logs.get(0).settings());
        wipedStart.get(20, TimeUnit.SECONDS);
        assertThat(wiped.image().topic("kept")).isPresent();
        assertThat(wiped.standing()).isEqualTo(VoterStanding.VOTER);
        assertThat(wiped.directoryId()).isNotEqualTo(lostDirectory);
        assertThat(back.image().directory(2)).contains(wiped.directoryId());
    }

    @Test
    void startFailsClearlyWhenThePortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            RaftMetadataLog log = raftLogs.create(Settings.alone(dir, 1, "127.0.0.1", taken.getLocalPort()));
            assertThatThrownBy(log::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot start metadata Raft member 1")
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()));
        }
    }

    @Test
    void startGivesUpWithoutAMajority() {
        List<Member> members = List.of(new Member(1, "127.0.0.1", FreePorts.take(1)[0]), new Member(2, "127.0.0.1", FreePorts.take(1)[0]),
                new Member(3, "127.0.0.1", FreePorts.take(1)[0]));
        RaftMetadataLog log = raftLogs.create(member(dir, members.get(0), members, Duration.ofMillis(1500)));
        assertThatThrownBy(log::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No metadata Raft leader within 1500 ms")
                .hasMessageContaining("majority");
    }

    @Test
    void closingEndsAStartThatWaitsForAMajority() throws Exception {
        List<Member> members = List.of(new Member(1, "127.0.0.1", FreePorts.take(1)[0]), new Member(2, "127.0.0.1", FreePorts.take(1)[0]),
                new Member(3, "127.0.0.1", FreePorts.take(1)[0]));
        RaftMetadataLog log = raftLogs.create(member(dir, members.get(0), members, Duration.ofSeconds(30)));
        CompletableFuture<Void> starting = log.startAsync();
        Thread.sleep(1200);
        log.close();
        assertThatThrownBy(() -> starting.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void startAsyncCompletesOnceALeaderIsKnown() throws Exception {
        RaftMetadataLog log = raftLogs.create(Settings.alone(dir, 1, "127.0.0.1", 0));
        log.startAsync().get(10, TimeUnit.SECONDS);
        assertThat(log.isLeader()).isTrue();
        assertThatThrownBy(log::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
    }

    @Test
    void submittingToAClosedLogFailsWithNotController() {
        RaftMetadataLog log = raftLogs.start(Settings.alone(dir, 1, "127.0.0.1", 0));
        log.close();
        log.close();
        assertThatThrownBy(() -> log.submit(new AllocateProducerIds(1)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotControllerException.class);
    }

    @Test
    void settingsAreChecked() {
        assertThat(Member.parse("2@10.0.0.2:7800")).isEqualTo(new Member(2, "10.0.0.2", 7800));
        assertThat(Member.parse("3@[::1]:7800")).isEqualTo(new Member(3, "::1", 7800));
        assertThat(Member.parse(new Member(4, "h", 1).toString())).isEqualTo(new Member(4, "h", 1));
        assertThatThrownBy(() -> Member.parse("10.0.0.2:7800")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Member.parse("x@h:1")).isInstanceOf(IllegalArgumentException.class);
        Settings single = Settings.alone(dir, 1, "127.0.0.1", 7800);
        assertThat(single.logDir()).isEqualTo(dir.resolve("meta"));
        assertThat(single.voter()).isTrue();
        assertThat(Settings.of(dir, 1, "127.0.0.1", 7800, List.of(new Member(2, "127.0.0.1", 7801))).voter())
                .as("a node missing from the voters follows them without voting").isFalse();
        assertThatThrownBy(() -> Settings.of(dir, 1, "127.0.0.1", 7800, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs the voters");
        assertThatThrownBy(() -> Settings.of(dir, 1, "127.0.0.1", 0,
                List.of(new Member(1, "127.0.0.1", 0), new Member(2, "127.0.0.1", 7801))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed port");
    }
}
