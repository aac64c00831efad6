package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LeaderEpochCacheTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT_FILE);
    }

    private LeaderEpochCache.Loaded load() throws IOException {
        return LeaderEpochCache.load(file(), TP);
    }

    private LeaderEpochCache cacheWith(EpochEntry... entries) throws IOException {
        LeaderEpochCache cache = load().cache();
        for (EpochEntry entry : entries) {
            cache.assign(entry.epoch(), entry.startOffset());
        }
        return cache;
    }

    @Test
    void assignRecordsOnlyEpochsAboveTheLatest() throws IOException {
        LeaderEpochCache cache = load().cache();
        assertThat(cache.latestEpoch()).isEmpty();

        cache.assign(-1, 0);
        cache.assign(1, 0);
        cache.assign(1, 5);
        cache.assign(3, 10);
        cache.assign(2, 12);

        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 10));
        assertThat(cache.latestEpoch()).hasValue(3);
    }

    @Test
    void aNewEpochDropsEntriesThatDoNotStartBeforeIt() throws IOException {
        LeaderEpochCache cache = cacheWith(new EpochEntry(1, 0), new EpochEntry(2, 10));
        // Epoch 2 never wrote a record: epoch 3 starts where it did.
        cache.assign(3, 10);
        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 10));
    }

    @Test
    void endOffsetForFollowsKafka() throws IOException {
        LeaderEpochCache cache = cacheWith(new EpochEntry(1, 0), new EpochEntry(3, 10), new EpochEntry(5, 20));
        long logEnd = 30;

        // The latest epoch ends at the log end.
        assertThat(cache.endOffsetFor(5, logEnd)).isEqualTo(new EpochEndOffset(5, 30));
        // A known epoch ends where the next one starts.
        assertThat(cache.endOffsetFor(3, logEnd)).isEqualTo(new EpochEndOffset(3, 20));
        assertThat(cache.endOffsetFor(1, logEnd)).isEqualTo(new EpochEndOffset(1, 10));
        // An unknown epoch between two: the one below it, ending where the one above starts.
        assertThat(cache.endOffsetFor(4, logEnd)).isEqualTo(new EpochEndOffset(3, 20));
        assertThat(cache.endOffsetFor(2, logEnd)).isEqualTo(new EpochEndOffset(1, 10));
        // Below the first epoch: the requested epoch, ending where the first starts.
        assertThat(cache.endOffsetFor(0, logEnd)).isEqualTo(new EpochEndOffset(0, 0));
        // Above the latest, or undefined: no answer.
        assertThat(cache.endOffsetFor(6, logEnd)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(cache.endOffsetFor(LeaderEpochCache.UNDEFINED_EPOCH, logEnd)).isEqualTo(EpochEndOffset.UNDEFINED);
    }

    @Test
    void emptyCacheAnswersUndefined() throws IOException {
        LeaderEpochCache cache = load().cache();
        assertThat(cache.endOffsetFor(0, 10)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(EpochEndOffset.UNDEFINED).isEqualTo(new EpochEndOffset(-1, -1L));
    }

    @Test
    void truncateFromEndDropsEpochsStartingAtOrAfterTheCut() throws IOException {
        LeaderEpochCache cache = cacheWith(new EpochEntry(1, 0), new EpochEntry(3, 10), new EpochEntry(5, 20));

        cache.truncateFromEnd(25);
        assertThat(cache.latestEpoch()).hasValue(5);
        cache.truncateFromEnd(20);
        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 10));
        assertThat(cache.endOffsetFor(3, 15)).isEqualTo(new EpochEndOffset(3, 15));

        cache.clear();
        assertThat(cache.entries()).isEmpty();
        assertThat(load().fromFile()).isTrue();
        assertThat(load().cache().entries()).isEmpty();
    }

    @Test
    void everyChangeIsPersistedInKafkasTextFormat() throws IOException {
        LeaderEpochCache cache = cacheWith(new EpochEntry(1, 0), new EpochEntry(3, 10), new EpochEntry(5, 20));
        assertThat(Files.readString(file())).isEqualTo("0\n3\n1 0\n3 10\n5 20\n");

        cache.truncateFromEnd(20);
        LeaderEpochCache.Loaded reopened = load();
        assertThat(reopened.fromFile()).isTrue();
        assertThat(reopened.cache().entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 10));
    }

    @Test
    void missingOrMalformedFileLoadsEmptyForARebuild() throws IOException {
        assertThat(load().fromFile()).isFalse();
        for (String content : List.of("", "0\n", "1\n0\n", "0\n2\n1 0\n", "0\n1\n1 x\n", "0\n2\n3 10\n1 20\n",
                "0\n1\n1 0 7\n")) {
            Files.writeString(file(), content, StandardCharsets.UTF_8);
            LeaderEpochCache.Loaded loaded = load();
            assertThat(loaded.fromFile()).as("%s", content).isFalse();
            assertThat(loaded.cache().entries()).isEmpty();
        }
    }

    @Test
    void rebuildReadsTheEpochsOfTheBatchesInLogOrder() throws IOException {
        LeaderEpochCache cache = load().cache();
        cache.rebuild(TestRecords.concat(TestRecords.leaderBatch(0, -1, 1, "a"), TestRecords.leaderBatch(1, 2, 1, "b"),
                TestRecords.leaderBatch(2, 2, 1, "c"), TestRecords.leaderBatch(3, 4, 1, "d")).batches());
        assertThat(cache.entries()).containsExactly(new EpochEntry(2, 1), new EpochEntry(4, 3));
        assertThat(load().cache().entries()).isEqualTo(cache.entries());
    }
}
