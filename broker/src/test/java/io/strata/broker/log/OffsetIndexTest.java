package io.strata.broker.log;

import io.strata.tiered.IndexEntries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffsetIndexTest {

    private static final long BASE = 1000;

    @TempDir
    Path dir;
    private Path file;
    private OffsetIndex index;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("00000000000000001000.index");
        index = new OffsetIndex(file, BASE, 10 * OffsetIndex.ENTRY_SIZE + 3);
    }

    @AfterEach
    void tearDown() throws Exception {
        index.close();
    }

    @Test
    void theClosedFileHoldsTheEntriesInTheFormatTieredStorageReads() throws Exception {
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);
        index.close();

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(bytes.capacity()).isEqualTo(2 * IndexEntries.OFFSET_ENTRY_SIZE);
        assertThat(IndexEntries.offsetEntryRelativeOffset(bytes, 1)).isEqualTo(20);
        assertThat(IndexEntries.offsetEntryPosition(bytes, 1)).isEqualTo(200);
    }

    @Test
    void aNewIndexHasNoFileUntilItsFirstEntryAndThenWholeEntries() throws Exception {
        assertThat(file).doesNotExist();
        assertThat(index.maxEntries()).isEqualTo(10);
        assertThat(index.entries()).isZero();
        assertThat(index.lookup(BASE + 5)).isEqualTo(new OffsetPosition(BASE, 0));
        assertThat(file).as("a lookup of an empty index needs no file").doesNotExist();

        index.append(BASE + 1, 1);
        assertThat(Files.size(file)).isEqualTo(80);
    }

    @Test
    void lookupFindsTheLargestEntryAtOrBelowTheTarget() {
        assertThat(index.lookup(BASE + 5)).isEqualTo(new OffsetPosition(BASE, 0));
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);
        index.append(BASE + 30, 300);

        assertThat(index.lookup(BASE)).isEqualTo(new OffsetPosition(BASE, 0));
        assertThat(index.lookup(BASE + 9)).isEqualTo(new OffsetPosition(BASE, 0));
        assertThat(index.lookup(BASE + 10)).isEqualTo(new OffsetPosition(BASE + 10, 100));
        assertThat(index.lookup(BASE + 25)).isEqualTo(new OffsetPosition(BASE + 20, 200));
        assertThat(index.lookup(BASE + 30)).isEqualTo(new OffsetPosition(BASE + 30, 300));
        assertThat(index.lookup(Long.MAX_VALUE)).isEqualTo(new OffsetPosition(BASE + 30, 300));
        assertThat(index.lastEntry()).isEqualTo(new OffsetPosition(BASE + 30, 300));
    }

    @Test
    void lookupAgreesWithALinearScanOnEveryTarget() {
        for (int i = 1; i <= 10; i++) {
            index.append(BASE + i * 7L, i * 50);
        }
        for (long target = BASE; target < BASE + 80; target++) {
            long expected = BASE;
            for (int i = 1; i <= 10; i++) {
                if (BASE + i * 7L <= target) {
                    expected = BASE + i * 7L;
                }
            }
            assertThat(index.lookup(target).offset()).as("target %d", target).isEqualTo(expected);
        }
    }

    @Test
    void rejectsEntriesThatDoNotIncrease() {
        index.append(BASE + 10, 100);
        assertThatThrownBy(() -> index.append(BASE + 10, 200)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.append(BASE + 11, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.append(BASE - 1, 300)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.append(BASE + Integer.MAX_VALUE + 1L, 300))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fullIndexRefusesAppends() {
        for (int i = 1; i <= 10; i++) {
            assertThat(index.isFull()).isFalse();
            index.append(BASE + i, i);
        }
        assertThat(index.isFull()).isTrue();
        assertThatThrownBy(() -> index.append(BASE + 11, 11)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void truncateToDropsEntriesAtOrAboveTheOffset() {
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);
        index.append(BASE + 30, 300);

        index.truncateTo(BASE + 21);
        assertThat(index.entries()).isEqualTo(2);
        index.truncateTo(BASE + 20);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.lookup(BASE + 25)).isEqualTo(new OffsetPosition(BASE + 10, 100));
        index.append(BASE + 15, 150);
        assertThat(index.lastEntry()).isEqualTo(new OffsetPosition(BASE + 15, 150));
        index.truncateTo(BASE);
        assertThat(index.entries()).isZero();
    }

    @Test
    void resizeAndTrimKeepEntriesAndReopenReadsThemBack() throws Exception {
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);

        assertThat(index.resize(1024)).isTrue();
        assertThat(index.maxEntries()).isEqualTo(128);
        assertThat(index.lookup(BASE + 25)).isEqualTo(new OffsetPosition(BASE + 20, 200));
        assertThatThrownBy(() -> index.resize(8)).isInstanceOf(IllegalArgumentException.class);

        index.trimToValidSize();
        assertThat(Files.size(file)).isEqualTo(16);
        assertThat(index.isFull()).isTrue();
        index.close();

        OffsetIndex reopened = new OffsetIndex(file, BASE, 1024);
        assertThat(reopened.entries()).isEqualTo(2);
        assertThat(reopened.lookup(BASE + 15)).isEqualTo(new OffsetPosition(BASE + 10, 100));
        reopened.sanityCheck();
        reopened.resize(1024);
        reopened.append(BASE + 30, 300);
        assertThat(reopened.entries()).isEqualTo(3);
        index = reopened;
    }

    @Test
    void sanityCheckCatchesZeroFilledAndTornFiles() throws Exception {
        index.close();
        Files.write(file, new byte[5 * OffsetIndex.ENTRY_SIZE]);
        index = new OffsetIndex(file, BASE, 1024);
        assertThat(index.entries()).isEqualTo(5);
        assertThatThrownBy(index::sanityCheck).isInstanceOf(CorruptIndexException.class);
        index.close();

        Files.write(file, new byte[OffsetIndex.ENTRY_SIZE + 3]);
        index = new OffsetIndex(file, BASE, 1024);
        assertThatThrownBy(index::sanityCheck).isInstanceOf(CorruptIndexException.class);
    }

    @Test
    void aResetOfAFileNeverMappedLeavesNoStaleEntriesOnTrim() throws Exception {
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);
        index.close();
        index = new OffsetIndex(file, BASE, 1024);
        index.reset(1024);
        index.trimToValidSize();
        index.close();

        index = new OffsetIndex(file, BASE, 1024);
        assertThat(index.entries()).isZero();
        assertThat(Files.size(file)).isZero();
    }

    @Test
    void resetEmptiesAndRegrows() throws Exception {
        index.append(BASE + 10, 100);
        index.trimToValidSize();
        index.reset(800);
        assertThat(index.entries()).isZero();
        assertThat(index.maxEntries()).isEqualTo(100);
    }

    @Test
    void closedIndexRefusesLookups() throws Exception {
        index.close();
        assertThatThrownBy(() -> index.lookup(BASE)).isInstanceOf(IllegalStateException.class);
        index.close();
    }

    @Test
    void aLargeIndexMapsOnePageAndGrowsAsEntriesArrive() throws Exception {
        index.close();
        Path large = dir.resolve("large.index");
        index = new OffsetIndex(large, BASE, 1 << 20);
        assertThat(index.maxEntries()).isEqualTo((1 << 20) / OffsetIndex.ENTRY_SIZE);

        int onePage = MappedIndex.INITIAL_MAPPED_BYTES / OffsetIndex.ENTRY_SIZE;
        index.append(BASE + 1, 10);
        assertThat(Files.size(large)).isEqualTo(MappedIndex.INITIAL_MAPPED_BYTES);
        for (int i = 2; i <= onePage + 1; i++) {
            index.append(BASE + i, 10 * i);
        }
        assertThat(Files.size(large)).isEqualTo(2L * MappedIndex.INITIAL_MAPPED_BYTES);
        assertThat(index.lookup(BASE + 1)).isEqualTo(new OffsetPosition(BASE + 1, 10));
        assertThat(index.lastEntry()).isEqualTo(new OffsetPosition(BASE + onePage + 1, 10 * (onePage + 1)));
        index.sanityCheck();

        index.close();
        assertThat(Files.size(large)).isEqualTo((onePage + 1L) * OffsetIndex.ENTRY_SIZE);
        index = new OffsetIndex(large, BASE, 1 << 20);
        assertThat(index.resize(1 << 20)).isTrue();
        assertThat(Files.size(large)).as("reopened for appends, the file is not extended up front")
                .isEqualTo((onePage + 1L) * OffsetIndex.ENTRY_SIZE);
        index.append(BASE + onePage + 2, 10 * (onePage + 2));
        assertThat(index.entries()).isEqualTo(onePage + 2);
        assertThat(Files.size(large)).as("doubled").isEqualTo(2L * (onePage + 1) * OffsetIndex.ENTRY_SIZE);
    }
}
