package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static io.strata.tiered.TestSegments.LAYOUT;
import static io.strata.tiered.TestSegments.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteIndexTest {

    private static final long BASE = 1000;
    private static final byte[] OFFSET_INDEX = TestSegments.offsetIndex(BASE,
            BASE, 0, BASE + 10, 4096, BASE + 25, 8192, BASE + 40, 12_288);
    private static final byte[] TIME_INDEX = TestSegments.timeIndex(BASE,
            100, BASE + 5, 200, BASE + 12, 300, BASE + 30);
    private static final int INDEXES_BYTES = OFFSET_INDEX.length + TIME_INDEX.length;

    private final SegmentIds ids = new SegmentIds(Clock.systemUTC());

    @TempDir
    Path objects;

    @TempDir
    Path sources;

    private InstrumentedStore store;
    private RemoteIndex index;

    @BeforeEach
    void openStore() {
        store = new InstrumentedStore(new LocalDirectoryObjectStore(objects));
        index = new RemoteIndex(store, 1 << 20);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void findsThePositionOfTheLastEntryAtOrBelowTheOffset() throws Exception {
        RemoteSegment segment = upload(OFFSET_INDEX, TIME_INDEX);

        assertThat(position(segment, 0)).isZero();
        assertThat(position(segment, BASE)).isZero();
        assertThat(position(segment, BASE + 9)).isZero();
        assertThat(position(segment, BASE + 10)).isEqualTo(4096);
        assertThat(position(segment, BASE + 24)).isEqualTo(4096);
        assertThat(position(segment, BASE + 25)).isEqualTo(8192);
        assertThat(position(segment, BASE + 40)).isEqualTo(12_288);
        assertThat(position(segment, Long.MAX_VALUE)).isEqualTo(12_288);
    }

    @Test
    void findsTheOffsetOfTheLastEntryAtOrBelowTheTimestamp() throws Exception {
        RemoteSegment segment = upload(OFFSET_INDEX, TIME_INDEX);

        assertThat(offsetForTimestamp(segment, -1)).isEqualTo(BASE);
        assertThat(offsetForTimestamp(segment, 99)).isEqualTo(BASE);
        assertThat(offsetForTimestamp(segment, 100)).isEqualTo(BASE + 5);
        assertThat(offsetForTimestamp(segment, 199)).isEqualTo(BASE + 5);
        assertThat(offsetForTimestamp(segment, 200)).isEqualTo(BASE + 12);
        assertThat(offsetForTimestamp(segment, Long.MAX_VALUE)).isEqualTo(BASE + 30);
    }

    @Test
    void emptyIndexesPointAtTheStartOfTheSegment() throws Exception {
        RemoteSegment segment = upload(new byte[0], new byte[0]);

        assertThat(position(segment, BASE + 50)).isZero();
        assertThat(offsetForTimestamp(segment, 1_000)).isEqualTo(BASE);
    }

    @Test
    void loadsEachIndexWithOneGetSharedByConcurrentLookupsAndKeepsIt() throws Exception {
        RemoteSegment segment = upload(OFFSET_INDEX, TIME_INDEX);
        store.hold();

        CompletableFuture<Integer> first = index.position(segment, BASE + 10);
        CompletableFuture<Long> second = index.offsetForTimestamp(segment, 200);
        store.release();

        assertThat(await(first)).isEqualTo(4096);
        assertThat(await(second)).isEqualTo(BASE + 12);
        assertThat(position(segment, BASE + 25)).isEqualTo(8192);
        assertThat(store.gets()).containsExactlyInAnyOrder(segment.key(SegmentFileType.OFFSET_INDEX),
                segment.key(SegmentFileType.TIME_INDEX));
    }

    @Test
    void evictsTheLeastRecentlyUsedIndexesBeyondItsBound() throws Exception {
        RemoteIndex small = new RemoteIndex(store, 2 * INDEXES_BYTES);
        RemoteSegment first = upload(OFFSET_INDEX, TIME_INDEX);
        RemoteSegment second = upload(OFFSET_INDEX, TIME_INDEX);
        RemoteSegment third = upload(OFFSET_INDEX, TIME_INDEX);

        await(small.position(first, BASE));
        await(small.position(second, BASE));
        await(small.position(first, BASE));
        await(small.position(third, BASE));
        assertThat(store.gets()).hasSize(6);

        await(small.position(first, BASE));
        assertThat(store.gets()).hasSize(6);
        await(small.position(second, BASE));
        assertThat(store.gets()).hasSize(8);
    }

    @Test
    void aTornOrMissingIndexFailsTheLookupAndIsNotKept() throws Exception {
        RemoteSegment torn = upload(new byte[9], TIME_INDEX);
        RemoteSegment missing = new RemoteSegment(LAYOUT, PARTITION, ids.next(), BASE, BASE + 99, -1, 0, false, false);

        assertThat(failure(index.position(torn, BASE)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Object " + torn.key(SegmentFileType.OFFSET_INDEX)
                        + " has 9 bytes, not a whole number of 8-byte entries");
        assertThat(failure(index.offsetForTimestamp(missing, 0)))
                .isInstanceOf(ObjectNotFoundException.class);

        put(missing.key(SegmentFileType.OFFSET_INDEX), OFFSET_INDEX);
        put(missing.key(SegmentFileType.TIME_INDEX), TIME_INDEX);
        assertThat(await(index.offsetForTimestamp(missing, 200))).isEqualTo(BASE + 12);
    }

    private int position(RemoteSegment segment, long offset) {
        return await(index.position(segment, offset));
    }

    private long offsetForTimestamp(RemoteSegment segment, long timestamp) {
        return await(index.offsetForTimestamp(segment, timestamp));
    }

    private RemoteSegment upload(byte[] offsetIndex, byte[] timeIndex) throws Exception {
        RemoteSegment segment = new RemoteSegment(LAYOUT, PARTITION, ids.next(), BASE, BASE + 99, 300, 16_384, false, false);
        put(segment.key(SegmentFileType.OFFSET_INDEX), offsetIndex);
        put(segment.key(SegmentFileType.TIME_INDEX), timeIndex);
        return segment;
    }

    private void put(ObjectKey key, byte[] contents) throws Exception {
        await(store.put(key, Files.write(Files.createTempFile(sources, "index", ".bin"), contents)));
    }
}
