package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestSegments.LAYOUT;
import static io.strata.tiered.TestSegments.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanSweeperTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration GRACE_PERIOD = Duration.ofHours(1);

    @TempDir
    Path objects;

    @TempDir
    Path sources;

    private ObjectStore store;
    private OrphanSweeper sweeper;

    @BeforeEach
    void openStore() {
        store = new LocalDirectoryObjectStore(objects);
        sweeper = new OrphanSweeper(store, LAYOUT, GRACE_PERIOD, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void deletesOnlyTheUncommittedSegmentsOlderThanTheGracePeriod() throws Exception {
        UUID committed = uploadedAt(NOW.minus(Duration.ofDays(2)));
        List<ObjectKey> orphans = new ArrayList<>(put(PARTITION, uploadedAt(NOW.minus(Duration.ofDays(1))), true));
        orphans.addAll(put(PARTITION, uploadedAt(NOW.minus(GRACE_PERIOD)), false));
        List<ObjectKey> kept = new ArrayList<>(put(PARTITION, committed, true));
        // Uploads in flight or uploaded and about to be committed.
        kept.addAll(put(PARTITION, uploadedAt(NOW.minus(GRACE_PERIOD).plusMillis(1)), false));
        kept.addAll(put(PARTITION, uploadedAt(NOW.plus(Duration.ofMinutes(1))), false));
        // Keys whose age is unknown, and another partition's orphan.
        kept.addAll(put(PARTITION, UUID.randomUUID(), false));
        kept.add(put(new ObjectKey(LAYOUT.partitionPrefix(PARTITION) + "/notes.txt")));
        RemotePartition other = new RemotePartition(PARTITION.topic(), PARTITION.topicId(), 30);
        List<ObjectKey> otherPartition = put(other, uploadedAt(NOW.minus(Duration.ofDays(1))), false);

        List<ObjectKey> deleted = await(sweeper.sweep(PARTITION, Set.of(committed)));

        assertThat(deleted).containsExactlyElementsOf(orphans.stream().sorted().toList());
        assertThat(await(store.list(LAYOUT.partitionPrefix(PARTITION)))).containsExactlyInAnyOrderElementsOf(kept);
        assertThat(await(store.list(LAYOUT.partitionPrefix(other)))).containsExactlyInAnyOrderElementsOf(otherPartition);
    }

    @Test
    void findsNothingToDeleteInAnEmptyPartition() {
        assertThat(await(sweeper.sweep(PARTITION, Set.of()))).isEmpty();
    }

    private static UUID uploadedAt(Instant time) {
        return new SegmentIds(Clock.fixed(time, ZoneOffset.UTC)).next();
    }

    /** Puts the files of a segment, as an upload would have; returns their keys. */
    private List<ObjectKey> put(RemotePartition partition, UUID segmentId, boolean withSnapshot) throws Exception {
        List<ObjectKey> keys = new RemoteSegment(LAYOUT, partition, segmentId, 100, 199, -1, 1, withSnapshot, false).keys();
        for (ObjectKey key : keys) {
            put(key);
        }
        return keys;
    }

    private ObjectKey put(ObjectKey key) throws Exception {
        await(store.put(key, Files.write(Files.createTempFile(sources, "object", ".bin"), new byte[] {1})));
        return key;
    }
}
