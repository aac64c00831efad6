package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static io.strata.tiered.TestSegments.LAYOUT;
import static io.strata.tiered.TestSegments.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(StoreKind.class)
class SegmentUploaderTest {

    private static final int MAX_ATTEMPTS = 3;
    private static final long BASE_OFFSET = 4096;

    @Parameter
    StoreKind storeKind;

    @TempDir
    Path segments;

    @TempDir
    Path objects;

    private InstrumentedStore store;
    private SegmentUploader uploader;

    @BeforeEach
    void openStore() {
        store = new InstrumentedStore(storeKind.open(objects));
        uploader = new SegmentUploader(store, LAYOUT, new SegmentIds(Clock.systemUTC()),
                new RetryPolicy(MAX_ATTEMPTS, Duration.ofMillis(1), Duration.ofMillis(5)), ForkJoinPool.commonPool());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void uploadsEveryFileOfTheSegmentByteForByte() throws Exception {
        byte[] log = TestSegments.randomBytes(1_500_000, 1);
        LocalSegmentFiles files = TestSegments.write(segments, BASE_OFFSET, log, true);
        Instant start = Instant.now();

        RemoteSegment segment = await(uploader.upload(PARTITION, files));

        assertThat(segment).isEqualTo(new RemoteSegment(LAYOUT, PARTITION, segment.segmentId(), BASE_OFFSET,
                files.lastOffset(), files.maxTimestamp(), log.length, true, false));
        assertThat(SegmentIds.uploadTime(segment.segmentId())).hasValueSatisfying(time ->
                assertThat(time).isBetween(start.minusMillis(1), Instant.now()));
        assertThat(await(store.list(LAYOUT.partitionPrefix(PARTITION))))
                .containsExactlyInAnyOrderElementsOf(segment.keys());
        for (Map.Entry<SegmentFileType, Path> file : files.files().entrySet()) {
            assertThat(await(store.get(segment.key(file.getKey()), 0, Integer.MAX_VALUE)))
                    .as(file.getKey().name())
                    .isEqualTo(ByteBuffer.wrap(Files.readAllBytes(file.getValue())));
        }
    }

    @Test
    void eachUploadOfASegmentHasKeysOfItsOwn() throws Exception {
        LocalSegmentFiles files = TestSegments.write(segments, BASE_OFFSET, TestSegments.randomBytes(1000, 2), false);

        RemoteSegment first = await(uploader.upload(PARTITION, files));
        RemoteSegment second = await(uploader.upload(PARTITION, files));

        assertThat(second.segmentId()).isNotEqualTo(first.segmentId());
        assertThat(first.keys()).hasSize(3).doesNotContainAnyElementsOf(second.keys());
        assertThat(await(store.list(LAYOUT.partitionPrefix(PARTITION)))).hasSize(6);
    }

    @Test
    void retriesFailedPutsUnderTheSameKeys() throws Exception {
        LocalSegmentFiles files = TestSegments.write(segments, BASE_OFFSET, TestSegments.randomBytes(1000, 3), true);
        store.failPuts(key -> true, MAX_ATTEMPTS - 1);

        RemoteSegment segment = await(uploader.upload(PARTITION, files));

        assertThat(store.puts()).hasSize(4 + MAX_ATTEMPTS - 1).containsOnlyElementsOf(segment.keys());
        assertThat(await(store.list(LAYOUT.partitionPrefix(PARTITION))))
                .containsExactlyInAnyOrderElementsOf(segment.keys());
    }

    @Test
    void deletesWhatItUploadedOnceAPutHasFailedForGood() throws Exception {
        LocalSegmentFiles files = TestSegments.write(segments, BASE_OFFSET, TestSegments.randomBytes(1000, 4), true);
        store.failPuts(key -> key.value().endsWith(".timeindex"), Integer.MAX_VALUE);

        Throwable failure = failure(uploader.upload(PARTITION, files));

        assertThat(failure).isInstanceOf(SegmentUploadException.class)
                .hasMessageStartingWith("Upload of the segment with base offset 4096 of " + PARTITION + " (segment id ")
                .hasMessageContaining("injected failure")
                .hasCauseInstanceOf(ObjectStoreException.class);
        UUID segmentId = ((SegmentUploadException) failure).segmentId();
        ObjectKey timeIndex = LAYOUT.segmentFile(PARTITION, BASE_OFFSET, segmentId, SegmentFileType.TIME_INDEX);
        assertThat(store.puts()).filteredOn(timeIndex::equals).hasSize(MAX_ATTEMPTS);
        assertThat(store.deletes()).hasSize(4).allSatisfy(key ->
                assertThat(LAYOUT.segmentId(PARTITION, key)).hasValue(segmentId));
        assertThat(await(store.list(LAYOUT.partitionPrefix(PARTITION)))).isEmpty();
    }

    @Test
    void failsWithoutPuttingAnythingWhenAFileIsMissing() throws Exception {
        LocalSegmentFiles files = TestSegments.write(segments, BASE_OFFSET, TestSegments.randomBytes(1000, 5), true);
        Files.delete(files.producerSnapshot().orElseThrow());

        assertThat(failure(uploader.upload(PARTITION, files)))
                .isInstanceOf(SegmentUploadException.class)
                .hasMessageContaining("base offset 4096")
                .cause().isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(".snapshot");
        assertThat(store.puts()).isEmpty();
    }

    @Test
    void returnsBeforeTheUploadCompletes() throws Exception {
        LocalSegmentFiles files = TestSegments.write(segments, BASE_OFFSET, TestSegments.randomBytes(1000, 6), false);
        store.hold();

        CompletableFuture<RemoteSegment> upload = uploader.upload(PARTITION, files);

        assertThat(upload).isNotDone();
        store.release();
        assertThat(await(upload).keys()).hasSize(3);
    }
}
