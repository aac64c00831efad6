package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static io.strata.tiered.TestSegments.LAYOUT;
import static io.strata.tiered.TestSegments.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(StoreKind.class)
class RemoteSegmentReaderTest {

    private static final int CHUNK = 4096;
    private static final int CACHED_CHUNKS = 4;
    /** Ten whole chunks and a partial one. */
    private static final byte[] LOG = TestSegments.randomBytes(10 * CHUNK + 1000, 7);
    private static final int CHUNKS = 11;

    private final SegmentIds ids = new SegmentIds(Clock.systemUTC());

    @Parameter
    StoreKind storeKind;

    @TempDir
    Path objects;

    @TempDir
    Path sources;

    private InstrumentedStore store;
    private ChunkCache cache;
    private RemoteSegmentReader reader;
    private RemoteSegment segment;

    @BeforeEach
    void openStore() throws Exception {
        store = new InstrumentedStore(storeKind.open(objects));
        cache = new ChunkCache(store, CHUNK, CACHED_CHUNKS * CHUNK);
        reader = new RemoteSegmentReader(cache);
        segment = segmentOfSize(LOG.length);
        put(segment, LOG);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void readsAnyRangeByteForByte() {
        assertReads(0, 100);
        assertReads(CHUNK - 10, 20);
        assertReads(CHUNK, CHUNK);
        assertReads(3 * CHUNK - 1, 1);
        assertReads(100, 3 * CHUNK);
        assertReads(0, Integer.MAX_VALUE);
    }

    @Test
    void aReadPastTheEndYieldsTheBytesThatExist() {
        assertThat(read(LOG.length - 50, 1000)).isEqualTo(expected(LOG.length - 50, 1000));
        assertThat(read(LOG.length, 10).remaining()).isZero();
        assertThat(read(Long.MAX_VALUE, Integer.MAX_VALUE).remaining()).isZero();
        assertThat(read(10, 0).remaining()).isZero();
        assertThatThrownBy(() -> reader.read(segment, -1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reader.read(segment, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void servesRepeatedReadsOfAChunkFromTheCache() {
        read(0, 100);
        read(200, 100);
        read(CHUNK - 1, 1);

        assertThat(cache.stats()).isEqualTo(new ChunkCache.Stats(2, 1, 0, CHUNK, CHUNK));
        assertThat(store.gets()).hasSize(1);
    }

    @Test
    void concurrentReadsOfAChunkShareOneGet() {
        store.hold();
        CompletableFuture<ByteBuffer> first = reader.read(segment, 3 * CHUNK, 10);
        CompletableFuture<ByteBuffer> second = reader.read(segment, 3 * CHUNK + 100, 10);

        assertThat(first).isNotDone();
        store.release();
        assertThat(await(first)).isEqualTo(expected(3 * CHUNK, 10));
        assertThat(await(second)).isEqualTo(expected(3 * CHUNK + 100, 10));
        assertThat(store.gets()).hasSize(1);
        assertThat(cache.stats().hits()).isEqualTo(1);
    }

    @Test
    void keepsTheCachedBytesWithinTheBoundEvictingTheLeastRecentlyUsed() {
        // Every other chunk, so that no read looks sequential and reads ahead.
        for (int chunk = 0; chunk < 10; chunk += 2) {
            read((long) chunk * CHUNK, 1);
        }
        assertThat(cache.stats().cachedBytes()).isEqualTo(CACHED_CHUNKS * CHUNK);

        read(8L * CHUNK, 1);
        read(2L * CHUNK, 1);
        assertThat(cache.stats()).extracting(ChunkCache.Stats::hits, ChunkCache.Stats::misses).containsExactly(2L, 5L);
        read(0, 1);
        assertThat(cache.stats()).extracting(ChunkCache.Stats::hits, ChunkCache.Stats::misses).containsExactly(2L, 6L);
        assertThat(cache.stats().cachedBytes()).isEqualTo(CACHED_CHUNKS * CHUNK);
    }

    @Test
    void readsTheNextChunkAheadOfASequentialReader() {
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            assertThat(read((long) chunk * CHUNK, CHUNK)).isEqualTo(expected(chunk * CHUNK, CHUNK));
        }

        // Chunks 0 and 1 are missed; reading 1 after 0 fetches 2 ahead, and so on up to the last chunk.
        assertThat(cache.stats()).isEqualTo(new ChunkCache.Stats(CHUNKS - 2, 2, CHUNKS - 2, LOG.length,
                3L * CHUNK + 1000));
        assertThat(store.gets()).hasSize(CHUNKS);
    }

    @Test
    void aReadAcrossAChunkBoundaryIsSequentialButAJumpIsNot() {
        read(5L * CHUNK, 10);
        read(7L * CHUNK, 10);
        read(6L * CHUNK, 10);
        assertThat(cache.stats().readAheads()).isZero();

        read(2L * CHUNK - 10, 20);
        assertThat(cache.stats().readAheads()).isEqualTo(1);
        assertThat(read(2L * CHUNK + 10, 10)).isEqualTo(expected(2 * CHUNK + 10, 10));
        assertThat(cache.stats().misses()).isEqualTo(5);
    }

    @Test
    void aFailedGetFailsTheReadAndIsNotKept() throws Exception {
        RemoteSegment missing = segmentOfSize(100);
        RemoteSegment shortObject = segmentOfSize(2 * CHUNK);
        put(shortObject, TestSegments.randomBytes(CHUNK + 10, 8));

        assertThat(failure(reader.read(missing, 0, 10))).isInstanceOf(ObjectNotFoundException.class);
        assertThat(failure(reader.read(shortObject, CHUNK, 100)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ends before the " + 2 * CHUNK + " bytes");
        assertThat(cache.stats().cachedBytes()).isZero();

        put(missing, LOG);
        assertThat(read(missing, 0, 10)).isEqualTo(expected(0, 10));
    }

    private void assertReads(int position, int length) {
        ByteBuffer read = read(position, length);

        assertThat(read).as("%d bytes from %d", length, position).isEqualTo(expected(position, length));
        assertThat(read.position()).isZero();
        assertThat(read.isReadOnly()).isTrue();
    }

    private ByteBuffer read(long position, int length) {
        return read(segment, position, length);
    }

    private ByteBuffer read(RemoteSegment from, long position, int length) {
        return await(reader.read(from, position, length));
    }

    /** The bytes of the log that a read of {@code length} bytes from {@code position} yields. */
    private static ByteBuffer expected(int position, int length) {
        return ByteBuffer.wrap(LOG, position, Math.min(length, LOG.length - position));
    }

    private RemoteSegment segmentOfSize(long size) {
        return new RemoteSegment(LAYOUT, PARTITION, ids.next(), 0, 999, -1, size, false, false);
    }

    private void put(RemoteSegment target, byte[] log) throws Exception {
        await(store.put(target.key(SegmentFileType.LOG), Files.write(Files.createTempFile(sources, "log", ".bin"), log)));
    }
}
