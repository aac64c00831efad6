package io.strata.broker.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionIndexTest {

    private static final long BASE = 100;
    private static final AbortedTxn FIRST = new AbortedTxn(1, 95, 102, 96);
    private static final AbortedTxn SECOND = new AbortedTxn(2, 103, 110, 111);
    private static final AbortedTxn THIRD = new AbortedTxn(1, 112, 120, 121);

    @TempDir
    Path dir;
    private Path file;
    private TransactionIndex index;

    @BeforeEach
    void setUp() {
        file = LogFiles.transactionIndexFile(dir, BASE);
        index = new TransactionIndex(BASE, file);
    }

    @AfterEach
    void tearDown() throws IOException {
        index.close();
    }

    private void appendAll() throws IOException {
        index.append(FIRST);
        index.append(SECOND);
        index.append(THIRD);
    }

    @Test
    void hasNoFileUntilItsFirstEntry() throws IOException {
        assertThat(index.allAbortedTxns()).isEmpty();
        assertThat(index.collectAbortedTxns(BASE, 200)).isEqualTo(new TransactionIndex.SearchResult(List.of(), false));
        index.truncateTo(BASE);
        index.sanityCheck();
        index.flush();
        index.renameTo(LogFiles.withSuffix(file, LogFiles.CLEANED_SUFFIX));
        index.renameTo(file);
        assertThat(file).doesNotExist();

        index.append(FIRST);
        assertThat(Files.size(file)).isEqualTo(TransactionIndex.ENTRY_SIZE);
    }

    @Test
    void writesKafkasEntryFormat() throws IOException {
        index.append(SECOND);
        index.close();

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(bytes.capacity()).isEqualTo(34);
        assertThat(bytes.getShort()).as("version").isZero();
        assertThat(bytes.getLong()).as("producer id").isEqualTo(2);
        assertThat(bytes.getLong()).as("first offset").isEqualTo(103);
        assertThat(bytes.getLong()).as("last offset").isEqualTo(110);
        assertThat(bytes.getLong()).as("last stable offset").isEqualTo(111);
    }

    @Test
    void collectsTheTransactionsOverlappingTheRangeAndStopsOnceTheRangeIsStable() throws IOException {
        appendAll();

        assertThat(index.collectAbortedTxns(103, 112))
                .as("FIRST ends before the fetch offset; SECOND's last stable offset 111 covers the upper bound")
                .isEqualTo(new TransactionIndex.SearchResult(List.of(SECOND), true));
        assertThat(index.collectAbortedTxns(BASE, 103))
                .as("SECOND starts at the upper bound")
                .isEqualTo(new TransactionIndex.SearchResult(List.of(FIRST), true));
        assertThat(index.collectAbortedTxns(BASE, 500))
                .as("no entry is stable up to 500: a later segment may hold more")
                .isEqualTo(new TransactionIndex.SearchResult(List.of(FIRST, SECOND, THIRD), false));
    }

    @Test
    void truncateToDropsTheEntriesEndingAtOrAfterTheOffset() throws IOException {
        appendAll();

        index.truncateTo(111);
        assertThat(index.allAbortedTxns()).containsExactly(FIRST, SECOND);
        index.truncateTo(110);
        assertThat(index.allAbortedTxns()).containsExactly(FIRST);
        assertThat(Files.size(file)).isEqualTo(TransactionIndex.ENTRY_SIZE);

        index.append(SECOND);
        assertThat(index.allAbortedTxns()).containsExactly(FIRST, SECOND);
    }

    @Test
    void resetEmptiesItAndDeletesTheFile() throws IOException {
        appendAll();

        index.reset();
        assertThat(file).doesNotExist();
        assertThat(index.allAbortedTxns()).isEmpty();

        index.append(THIRD);
        assertThat(index.allAbortedTxns()).containsExactly(THIRD);
    }

    @Test
    void reopensTheEntriesFromDiskAndKeepsTheirOrder() throws IOException {
        appendAll();
        index.close();

        index = new TransactionIndex(BASE, file);
        assertThat(index.allAbortedTxns()).containsExactly(FIRST, SECOND, THIRD);
        assertThatThrownBy(() -> index.append(SECOND))
                .as("the last entry is read back from the file")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAnEntryThatDoesNotEndAfterTheLast() throws IOException {
        index.append(SECOND);

        assertThatThrownBy(() -> index.append(FIRST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ending at offset 102")
                .hasMessageContaining("after one ending at offset 110")
                .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> index.append(new AbortedTxn(3, 100, 110, 111)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.append(new AbortedTxn(3, 130, 125, 131)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before its first offset");
        assertThat(index.allAbortedTxns()).containsExactly(SECOND);
    }

    @Test
    void renameMovesTheFileAndKeepsItReadable() throws IOException {
        appendAll();
        Path deleted = LogFiles.deletedFile(file);

        index.renameTo(deleted);
        assertThat(file).doesNotExist();
        assertThat(index.file()).isEqualTo(deleted);
        assertThat(index.allAbortedTxns()).containsExactly(FIRST, SECOND, THIRD);

        index.deleteIfExists();
        assertThat(deleted).doesNotExist();
    }

    @Test
    void anIndexWithoutAFileClearsTheNameItIsRenamedTo() throws IOException {
        Path deleted = LogFiles.deletedFile(file);
        Files.write(deleted, new byte[TransactionIndex.ENTRY_SIZE]);

        index.renameTo(deleted);

        assertThat(deleted).as("an older segment's retired index").doesNotExist();
        assertThat(index.allAbortedTxns()).isEmpty();
    }

    @Test
    void sanityCheckRejectsAPartialEntry() throws IOException {
        appendAll();
        index.close();
        Files.write(file, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);

        index = new TransactionIndex(BASE, file);
        assertThatThrownBy(index::sanityCheck)
                .isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("partial entry at byte 102");
        assertThatThrownBy(index::allAbortedTxns).isInstanceOf(CorruptIndexException.class);
    }

    @Test
    void sanityCheckRejectsAnUnknownVersionOrInvertedOffsets() throws IOException {
        index.append(FIRST);
        index.close();
        Files.write(file, entry(1, 7, 130, 140, 141), StandardOpenOption.APPEND);
        index = new TransactionIndex(BASE, file);
        assertThatThrownBy(index::sanityCheck)
                .isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("unknown version 1 at byte 34")
                .hasMessageContaining(file.toString());

        Files.write(file, entry(0, 7, 140, 130, 141));
        assertThatThrownBy(index::sanityCheck)
                .isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("at byte 0")
                .hasMessageContaining("before its first offset");

        Files.write(file, entry(0, 7, 40, 50, 51));
        assertThatThrownBy(index::sanityCheck)
                .isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("before the segment's base offset 100");
    }

    private static byte[] entry(int version, long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
        return ByteBuffer.allocate(TransactionIndex.ENTRY_SIZE)
                .putShort((short) version)
                .putLong(producerId)
                .putLong(firstOffset)
                .putLong(lastOffset)
                .putLong(lastStableOffset)
                .array();
    }
}
