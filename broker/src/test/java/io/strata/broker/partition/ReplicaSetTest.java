package io.strata.broker.partition;

import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TempDirLogs;
import io.strata.broker.log.TestLogConfigs;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leader's view of its followers: the high watermark, acks=all waiters and the in-sync replicas it wants. */
class ReplicaSetTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final int MIN_ISR = 2;

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(TP);

    private PartitionLog log;
    private ReplicaSet replicas;

    @BeforeEach
    void setUp() {
        log = logs.open(TestLogConfigs.defaults());
        replicas = new ReplicaSet(1, TP, logs.time());
        replicas.update(new PartitionImage(List.of(1, 2, 3), List.of(1, 2, 3), 1, 0), log, MIN_ISR).complete();
    }

    @Test
    void theHighWatermarkIsTheSmallestLogEndOfTheInSyncReplicas() {
        append(3);
        assertThat(replicas.advanceHighWatermark(log, MIN_ISR).highWatermarkMoved()).isFalse();
        assertThat(log.highWatermark()).isZero();

        replicas.followerFetched(2, 3, log, MIN_ISR).complete();
        assertThat(log.highWatermark()).as("follower 3 has not fetched yet").isZero();
        ReplicaSet.Progress progress = replicas.followerFetched(3, 2, log, MIN_ISR);
        assertThat(progress.highWatermarkMoved()).isTrue();
        assertThat(log.highWatermark()).isEqualTo(2);
        replicas.followerFetched(3, 3, log, MIN_ISR).complete();
        assertThat(log.highWatermark()).isEqualTo(3);
    }

    @Test
    void aConsumerIsPointedToTheFirstInSyncFollowerInItsRackWhoseLogReachesItsOffset() {
        Map<Integer, String> racks = Map.of(1, "a", 2, "b", 3, "b");
        IntFunction<Optional<String>> liveRack = id -> Optional.ofNullable(racks.get(id));
        append(4);
        assertThat(replicas.preferredReadReplica("b", 0, liveRack)).as("no follower fetched yet").isEmpty();
        replicas.followerFetched(2, 2, log, MIN_ISR).complete();
        replicas.followerFetched(3, 4, log, MIN_ISR).complete();
        assertThat(replicas.preferredReadReplica("b", 2, liveRack)).hasValue(2);
        assertThat(replicas.preferredReadReplica("b", 3, liveRack)).as("follower 2 ends before offset 3").hasValue(3);
        assertThat(replicas.preferredReadReplica("a", 0, liveRack)).as("the leader is in rack a").isEmpty();
        assertThat(replicas.preferredReadReplica("c", 0, liveRack)).isEmpty();

        replicas.update(new PartitionImage(List.of(1, 2, 3), List.of(1, 3), 1, 0), log, MIN_ISR).complete();
        replicas.followerFetched(3, 4, log, MIN_ISR).complete();
        assertThat(replicas.preferredReadReplica("b", 0, liveRack)).as("follower 2 left the in-sync replicas")
                .hasValue(3);
        assertThat(replicas.preferredReadReplica("b", 0, id -> id == 3 ? Optional.empty() : liveRack.apply(id)))
                .as("broker 3 is down").isEmpty();
    }

    @Test
    void acksAllWaitsForEveryInSyncReplica() {
        append(2);
        CompletableFuture<Void> acknowledged = replicas.awaitHighWatermark(log, 2, MIN_ISR);
        replicas.followerFetched(2, 2, log, MIN_ISR).complete();
        assertThat(acknowledged).isNotDone();
        replicas.followerFetched(3, 2, log, MIN_ISR).complete();
        assertThat(acknowledged).isCompleted();
    }

    @Test
    void aFollowerOutOfTheInSyncReplicasDoesNotHoldTheHighWatermarkBack() {
        replicas.update(new PartitionImage(List.of(1, 2, 3), List.of(1, 2), 1, 0), log, MIN_ISR).complete();
        append(2);
        replicas.followerFetched(2, 2, log, MIN_ISR).complete();
        assertThat(log.highWatermark()).isEqualTo(2);
    }

    @Test
    void anAppendReleasedBelowMinInsyncReplicasFails() {
        append(1);
        CompletableFuture<Void> acknowledged = replicas.awaitHighWatermark(log, 1, MIN_ISR);
        replicas.update(new PartitionImage(List.of(1, 2, 3), List.of(1), 1, 0), log, MIN_ISR).complete();
        assertThat(acknowledged).isCompletedExceptionally();
        assertThatThrownBy(acknowledged::join).hasCauseInstanceOf(NotEnoughReplicasAfterAppendException.class);
    }

    @Test
    void aPartitionWithFewerReplicasThanMinInsyncReplicasNeedsOnlyThoseInSync() {
        replicas.update(new PartitionImage(List.of(1), List.of(1), 1, 0), log, MIN_ISR).complete();
        append(1);
        CompletableFuture<Void> acknowledged = replicas.awaitHighWatermark(log, 1, MIN_ISR);
        replicas.advanceHighWatermark(log, MIN_ISR).complete();
        assertThat(log.highWatermark()).isEqualTo(1);
        assertThat(acknowledged).isCompleted();
    }

    @Test
    void losingLeadershipFailsTheWaitingAppends() {
        append(1);
        CompletableFuture<Void> acknowledged = replicas.awaitHighWatermark(log, 1, MIN_ISR);
        replicas.update(new PartitionImage(List.of(1, 2, 3), List.of(2, 3), 2, 1), log, MIN_ISR).complete();
        assertThatThrownBy(acknowledged::join).hasCauseInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(replicas.followerFetched(3, 1, log, MIN_ISR).known()).as("a follower no longer reports here").isFalse();
    }

    @Test
    void aFollowerThatStopsCatchingUpLeavesAndOneThatCatchesUpJoins() {
        append(2);
        replicas.followerFetched(2, 2, log, MIN_ISR).complete();
        replicas.followerFetched(3, 2, log, MIN_ISR).complete();
        assertThat(replicas.wantedIsr(log.highWatermark(), 10_000, id -> true)).isEmpty();

        append(1);
        logs.time().advance(5_000);
        replicas.followerFetched(2, 3, log, MIN_ISR).complete();
        logs.time().advance(6_000);
        assertThat(replicas.wantedIsr(log.highWatermark(), 10_000, id -> true)).contains(List.of(1, 2));

        replicas.update(new PartitionImage(List.of(1, 2, 3), List.of(1, 2), 1, 0), log, MIN_ISR).complete();
        assertThat(log.highWatermark()).isEqualTo(3);
        replicas.followerFetched(3, 2, log, MIN_ISR).complete();
        assertThat(replicas.wantedIsr(log.highWatermark(), 10_000, id -> true)).as("behind the high watermark").isEmpty();
        replicas.followerFetched(3, 3, log, MIN_ISR).complete();
        assertThat(replicas.wantedIsr(log.highWatermark(), 10_000, id -> id != 3)).as("broker 3 is fenced").isEmpty();
        assertThat(replicas.wantedIsr(log.highWatermark(), 10_000, id -> true)).isEqualTo(Optional.of(List.of(1, 2, 3)));
    }

    private void append(int records) {
        for (int i = 0; i < records; i++) {
            log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("v" + i).getBytes())), 0);
        }
    }
}
