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

class TimeIndexTest {

    private static final long BASE = 500;

    @TempDir
    Path dir;
    private Path file;
    private TimeIndex index;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("00000000000000000500.timeindex");
        index = new TimeIndex(file, BASE, 4 * TimeIndex.ENTRY_SIZE);
    }

    @AfterEach
    void tearDown() throws Exception {
        index.close();
    }

    @Test
    void theClosedFileHoldsTheEntriesInTheFormatTieredStorageReads() throws Exception {
        index.maybeAppend(100, BASE + 3, false);
        index.maybeAppend(200, BASE + 9, false);
        index.close();

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(bytes.capacity()).isEqualTo(2 * IndexEntries.TIME_ENTRY_SIZE);
        assertThat(IndexEntries.timeEntryTimestamp(bytes, 1)).isEqualTo(200);
        assertThat(IndexEntries.timeEntryRelativeOffset(bytes, 1)).isEqualTo(9);
    }

    @Test
    void lookupFindsTheLargestTimestampAtOrBelowTheTarget() {
        assertThat(index.lookup(1000)).isEqualTo(new TimestampOffset(-1, BASE));
        index.maybeAppend(100, BASE + 3, false);
        index.maybeAppend(200, BASE + 9, false);

        assertThat(index.lookup(99)).isEqualTo(new TimestampOffset(-1, BASE));
        assertThat(index.lookup(100)).isEqualTo(new TimestampOffset(100, BASE + 3));
        assertThat(index.lookup(199)).isEqualTo(new TimestampOffset(100, BASE + 3));
        assertThat(index.lookup(5000)).isEqualTo(new TimestampOffset(200, BASE + 9));
        assertThat(index.lastEntry()).isEqualTo(new TimestampOffset(200, BASE + 9));
    }

    @Test
    void skipsEntriesWithoutANewerTimestampAndRejectsOffsetsGoingBack() {
        assertThat(index.maybeAppend(100, BASE + 3, false)).isTrue();
        assertThat(index.maybeAppend(100, BASE + 5, false)).isFalse();
        assertThat(index.maybeAppend(90, BASE + 6, false)).isFalse();
        assertThat(index.entries()).isEqualTo(1);
        assertThatThrownBy(() -> index.maybeAppend(300, BASE + 2, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsTheLastSlotForTheFinalEntry() {
        index.maybeAppend(1, BASE + 1, false);
        index.maybeAppend(2, BASE + 2, false);
        index.maybeAppend(3, BASE + 3, false);
        assertThat(index.isFull()).isTrue();
        assertThatThrownBy(() -> index.maybeAppend(4, BASE + 4, false)).isInstanceOf(IllegalStateException.class);
        assertThat(index.maybeAppend(4, BASE + 4, true)).isTrue();
        assertThat(index.maybeAppend(5, BASE + 5, true)).isFalse();
        assertThat(index.lastEntry()).isEqualTo(new TimestampOffset(4, BASE + 4));
    }

    @Test
    void truncateToDropsEntriesAtOrAboveTheOffset() {
        index.maybeAppend(100, BASE + 3, false);
        index.maybeAppend(200, BASE + 9, false);
        index.truncateTo(BASE + 9);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.lookup(300)).isEqualTo(new TimestampOffset(100, BASE + 3));
    }

    @Test
    void trimmedFileReopensWithItsEntries() throws Exception {
        index.maybeAppend(100, BASE + 3, false);
        index.maybeAppend(200, BASE + 9, false);
        index.close();
        assertThat(Files.size(file)).isEqualTo(24);

        index = new TimeIndex(file, BASE, 1024);
        assertThat(index.entries()).isEqualTo(2);
        index.sanityCheck();
        assertThat(index.entry(0)).isEqualTo(new TimestampOffset(100, BASE + 3));
    }

    @Test
    void sanityCheckCatchesAZeroFilledFile() throws Exception {
        index.close();
        Files.write(file, new byte[3 * TimeIndex.ENTRY_SIZE]);
        index = new TimeIndex(file, BASE, 1024);
        assertThatThrownBy(index::sanityCheck).isInstanceOf(CorruptIndexException.class);
    }

    @Test
    void aReopenedIndexGrowsInWholeEntries() throws Exception {
        index.close();
        Path small = dir.resolve("small.timeindex");
        index = new TimeIndex(small, BASE, 1 << 20);
        index.maybeAppend(1000, BASE + 1, false);
        index.close();
        assertThat(Files.size(small)).isEqualTo(TimeIndex.ENTRY_SIZE);

        index = new TimeIndex(small, BASE, 1 << 20);
        index.resize(1 << 20);
        index.maybeAppend(2000, BASE + 2, false);
        assertThat(Files.size(small) % TimeIndex.ENTRY_SIZE).as("a file a crash leaves untrimmed stays readable").isZero();
    }
}
