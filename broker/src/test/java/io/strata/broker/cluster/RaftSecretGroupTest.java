package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.RaftMetadataLog.Member;
import io.strata.broker.cluster.RaftMetadataLog.Settings;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.strata.broker.cluster.RaftLogs.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Metadata Raft members sharing a secret form their group over real JGroups on loopback; a member without the secret,
 * or with another one, and anything else that reaches the port, stay out of it.
 */
class RaftSecretGroupTest {

    private static final RaftSecret SECRET = RaftSecret.of("the secret of this metadata group");
    private static final RaftSecret OTHER_SECRET = RaftSecret.of("the secret of some other group");
    /** How long member 3 waits for a leader: one left out of the group gives up then. */
    private static final Duration MEMBER_3_START_TIMEOUT = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    @RegisterExtension
    final RaftLogs raftLogs = new RaftLogs();

    @Test
    void membersSharingTheSecretElectALeaderAndReplicate() throws Exception {
        List<RaftMetadataLog> group = startGroup(3);
        RaftMetadataLog follower = group.stream().filter(log -> !log.isLeader()).findFirst().orElseThrow();

        ok(follower.submit(new CreateTopic("members-only", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(group).allSatisfy(log -> {
            assertThat(log.image().topic("members-only")).isPresent();
            assertThat(log.reachableNodeIds()).containsExactlyInAnyOrder(1, 2, 3);
        }));
    }

    @Test
    void onlyAMemberWithTheGroupsSecretJoins() throws Exception {
        List<RaftMetadataLog> group = startGroup(2);
        List<Member> voters = group.get(0).settings().members();
        ok(group.get(0).submit(new CreateTopic("members-only", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));

        for (Optional<RaftSecret> secret : List.of(Optional.of(OTHER_SECRET), Optional.<RaftSecret>empty())) {
            RaftMetadataLog outsider = raftLogs.create(beyondTheVoters(voters, secret));
            CompletableFuture<Void> starting = outsider.startAsync();
            while (!starting.isDone()) {
                assertThat(group).allSatisfy(log -> assertThat(log.reachableNodeIds()).containsExactlyInAnyOrder(1, 2));
                assertThat(outsider.image().topic("members-only")).isEmpty();
                assertThat(outsider.reachableNodeIds()).containsExactly(3);
                Thread.sleep(50);
            }
            assertThatThrownBy(() -> starting.get(1, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("No metadata Raft leader");
        }
        ok(group.get(1).submit(new CreateTopic("still-working", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));

        // The same member with the group's secret is let in and sent every change.
        RaftMetadataLog insider = raftLogs.start(beyondTheVoters(voters, Optional.of(SECRET)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(insider.image().topic("still-working")).isPresent();
            assertThat(group.get(0).reachableNodeIds()).containsExactlyInAnyOrder(1, 2, 3);
        });
    }

    @Test
    void bytesFromOutsideTheGroupChangeNothing() throws Exception {
        List<RaftMetadataLog> group = startGroup(2);
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        for (RaftMetadataLog log : group) {
            for (byte[] start : List.of(new byte[0], "bela".getBytes(StandardCharsets.US_ASCII))) {
                // Random bytes, and random bytes after the cookie a JGroups TCP connection starts with.
                try (Socket socket = new Socket("127.0.0.1", log.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(start);
                    out.write(garbage);
                    out.flush();
                }
            }
        }
        ok(group.get(1).submit(new CreateTopic("after-garbage", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(group).allSatisfy(log -> {
            assertThat(log.image().topic("after-garbage")).isPresent();
            assertThat(log.reachableNodeIds()).containsExactlyInAnyOrder(1, 2);
        }));
    }

    /** Member 3, a broker beyond {@code voters}, which learns every change from their leader once in the group. */
    private Settings beyondTheVoters(List<Member> voters, Optional<RaftSecret> secret) {
        return new Settings(dir.resolve("member-3-" + Uuid.randomUuid()), 3, "127.0.0.1", FreePorts.take(1)[0], voters,
                MEMBER_3_START_TIMEOUT, RaftMetadataLog.DEFAULT_TIMEOUT, RaftMetadataLog.DEFAULT_SNAPSHOT_EVERY_ENTRIES,
                true, secret);
    }

    /** {@code size} voters sharing {@link #SECRET}, started at once, once they agree on a leader. */
    private List<RaftMetadataLog> startGroup(int size) throws Exception {
        int[] ports = FreePorts.take(size);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new Member(i + 1, "127.0.0.1", ports[i]));
        }
        List<RaftMetadataLog> group = new ArrayList<>();
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (Member member : members) {
            RaftMetadataLog log = raftLogs.create(Settings.of(dir.resolve("node-" + member.nodeId()), member.nodeId(),
                    member.host(), member.port(), members).withSecret(Optional.of(SECRET)));
            group.add(log);
            starting.add(log.startAsync());
        }
        for (CompletableFuture<Void> started : starting) {
            started.get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stream().filter(RaftMetadataLog::isLeader).count() == 1
                && group.stream().allMatch(log -> log.leader() != null && log.leader().equals(group.get(0).leader())));
        return group;
    }
}
