package io.strata.broker.partition;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionOpeningsTest {

    private static final TopicPartition A = new TopicPartition("t", 0);
    private static final TopicPartition B = new TopicPartition("t", 1);

    private final PartitionOpenings openings = new PartitionOpenings();

    @Test
    void aWaitEndsOnceTheLastPartitionNotOpenYetOpens() {
        CompletableFuture<Void> waiting = openings.await(List.of(A, B), tp -> false);

        openings.opened(A);
        assertThat(waiting).isNotDone();
        openings.opened(B);
        assertThat(waiting).isCompleted();
    }

    @Test
    void partitionsAlreadyOpenAreNotWaitedFor() {
        assertThat(openings.await(List.of(A, B), Set.of(A, B)::contains)).isCompleted();

        CompletableFuture<Void> waiting = openings.await(List.of(A, B), Set.of(A)::contains);
        openings.opened(B);
        assertThat(waiting).isCompleted();
    }

    @Test
    void theEndOfTheLoadEndsEveryWaitAndAnyLaterOne() {
        CompletableFuture<Void> waiting = openings.await(List.of(A), tp -> false);

        openings.loadOver();

        assertThat(waiting).isCompleted();
        assertThat(openings.await(List.of(B), tp -> false)).isCompleted();
    }
}
