package io.strata.broker.partition;

import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.log.LogFiles;
import io.strata.broker.remote.RemoteLogReader;
import io.strata.broker.remote.TieredLog;
import io.strata.tiered.LocalDirectoryObjectStore;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The partitions of a real one-member metadata log, opened, owned and closed by {@link PartitionManager}. */
class PartitionManagerTest {

    @TempDir
    Path dir;
    private RaftMetadataLog metadata;
    private LocalDirectoryObjectStore store;
    private RemoteLogReader reader;
    private PartitionManager manager;

    @BeforeEach
    void setUp() {
        metadata = new RaftMetadataLog(RaftMetadataLog.Settings.alone(dir.resolve("metadata"), 1, "127.0.0.1", 0));
        metadata.start();
        metadata.submit(new RegisterBroker(1, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), null)).join();
        store = new LocalDirectoryObjectStore(dir.resolve("bucket"));
        reader = new RemoteLogReader(store, 1024, 1 << 20, 1 << 20);
        manager = newManager();
    }

    @AfterEach
    void tearDown() throws Exception {
        manager.close();
        store.close();
        metadata.close();
    }

    @Test
    void opensEveryPartitionAndRecordsItsTopicInTheBackground() throws Exception {
        Uuid topicId = createTopic("many", 300);
        manager.reconcile(metadata.image());

        assertThat(manager.partitions()).hasSize(300);
        assertThat(manager.partition(new TopicPartition("many", 299))).isPresent();
        for (int p = 0; p < 300; p++) {
            assertThat(awaitOwner(new TopicPartition("many", p))).contains(topicId);
        }
    }

    @Test
    void theEndOfTheStartUpLoadEndsAWaitForAPartitionThatDoesNotOpen() throws Exception {
        createTopic("held", 1);
        CompletableFuture<Void> opened = manager.opened(List.of(new TopicPartition("held", 0),
                new TopicPartition("nowhere", 0)));

        manager.load(metadata.image()).get(10, TimeUnit.SECONDS);

        assertThat(opened).isCompleted();
        assertThat(manager.partition(new TopicPartition("held", 0))).isPresent();
    }

    @Test
    void aTopicRecreatedUnderTheSameNameWhileTheBrokerWasDownStartsEmpty() throws Exception {
        Uuid first = createTopic("again", 1);
        manager.reconcile(metadata.image());
        TopicPartition tp = new TopicPartition("again", 0);
        TestPartitions.append(manager.partition(tp).orElseThrow(), "from the first topic");
        assertThat(awaitOwner(tp)).contains(first);
        manager.close();

        ok(metadata.submit(new DeleteTopic(first)).get(10, TimeUnit.SECONDS));
        Uuid second = createTopic("again", 1);
        manager = newManager();
        manager.reconcile(metadata.image());

        assertThat(manager.partition(tp).orElseThrow().log().logEndOffset()).isZero();
        assertThat(awaitOwner(tp)).contains(second);
    }

    @Test
    void theLoadRemovesTheDirectoriesOfTopicsDeletedWhileTheBrokerWasDownAndOpensTheRest() throws Exception {
        Uuid deleted = createTopic("deleted", 2);
        createTopic("kept", 1);
        manager.reconcile(metadata.image());
        TestPartitions.append(manager.partition(new TopicPartition("kept", 0)).orElseThrow(), "kept");
        manager.close();
        ok(metadata.submit(new DeleteTopic(deleted)).get(10, TimeUnit.SECONDS));
        Path deletedDir = logsDir().resolve(LogFiles.partitionDirName(new TopicPartition("deleted", 1)));
        assertThat(deletedDir).exists();

        manager = newManager();
        manager.load(metadata.image()).get(10, TimeUnit.SECONDS);

        assertThat(deletedDir).doesNotExist();
        assertThat(logsDir().resolve(LogFiles.partitionDirName(new TopicPartition("deleted", 0)))).doesNotExist();
        assertThat(manager.partitions()).singleElement()
                .satisfies(partition -> assertThat(partition.log().logEndOffset()).isEqualTo(1));
    }

    @Test
    void closeLeavesEveryLogCleanForTheNextStart() throws Exception {
        createTopic("closing", 100);
        manager.reconcile(metadata.image());
        manager.partitions().forEach(partition -> TestPartitions.append(partition, "record"));

        manager.close();

        for (int p = 0; p < 100; p++) {
            Path partitionDir = logsDir().resolve(LogFiles.partitionDirName(new TopicPartition("closing", p)));
            assertThat(partitionDir.resolve(LogFiles.CLEAN_SHUTDOWN_FILE)).exists();
            assertThat(partitionDir.resolve(PartitionMetadataFile.NAME)).as("written by the close if not before").exists();
        }
        manager = newManager();
        manager.reconcile(metadata.image());
        assertThat(manager.partitions()).hasSize(100)
                .allSatisfy(partition -> assertThat(partition.log().logEndOffset()).isEqualTo(1));
    }

    @Test
    void aReopenedLogStartsAtItsCheckpointedHighWatermarkNotAtItsLogEnd() throws Exception {
        metadata.submit(new RegisterBroker(2, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9093)), null)).join();
        Uuid topicId = Uuid.randomUuid();
        ok(metadata.submit(new CreateTopic("replicated", topicId, 1, (short) 2, Map.of(), List.of(List.of(1, 2))))
                .get(10, TimeUnit.SECONDS));
        createTopic("single", 1);
        manager.reconcile(metadata.image());
        TopicPartition replicated = new TopicPartition("replicated", 0);
        TopicPartition single = new TopicPartition("single", 0);
        // Follower 2 never fetches: what broker 1 appends stays above the high watermark.
        TestPartitions.append(manager.partition(replicated).orElseThrow(), "never replicated", "nor this");
        TestPartitions.append(manager.partition(single).orElseThrow(), "committed at once");
        manager.close();
        assertThat(logsDir().resolve(HighWatermarkCheckpoint.FILE)).exists();

        manager = newManager();
        manager.reconcile(metadata.image());
        assertThat(manager.partition(replicated).orElseThrow().log().logEndOffset()).isEqualTo(2);
        assertThat(manager.partition(replicated).orElseThrow().highWatermark()).isZero();
        assertThat(manager.partition(single).orElseThrow().highWatermark()).isEqualTo(1);
    }

    @Test
    void aLogTheCheckpointDoesNotNameStartsAtItsLogStartAndOneFromBeforeTheCheckpointAtItsEnd() throws Exception {
        metadata.submit(new RegisterBroker(2, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9093)), null)).join();
        ok(metadata.submit(new CreateTopic("replicated", Uuid.randomUuid(), 1, (short) 2, Map.of(),
                List.of(List.of(1, 2)))).get(10, TimeUnit.SECONDS));
        manager.reconcile(metadata.image());
        TopicPartition tp = new TopicPartition("replicated", 0);
        TestPartitions.append(manager.partition(tp).orElseThrow(), "a", "b", "c");
        manager.close();

        Files.writeString(logsDir().resolve(HighWatermarkCheckpoint.FILE), "0\n0\n");
        manager = newManager();
        manager.reconcile(metadata.image());
        assertThat(manager.partition(tp).orElseThrow().highWatermark()).as("not named").isZero();
        manager.close();

        Files.delete(logsDir().resolve(HighWatermarkCheckpoint.FILE));
        manager = newManager();
        manager.reconcile(metadata.image());
        assertThat(manager.partition(tp).orElseThrow().highWatermark()).as("no checkpoint yet").isEqualTo(3);
    }

    private PartitionManager newManager() {
        return new PartitionManager(1, logsDir(), new TopicConfigCatalog(), Map.of(), Time.SYSTEM,
                (topicId, partition) -> new TieredLog(topicId, partition, metadata, reader), -1);
    }

    private Path logsDir() {
        return dir.resolve("logs");
    }

    private Uuid createTopic(String name, int partitions) throws Exception {
        Uuid topicId = Uuid.randomUuid();
        ok(metadata.submit(new CreateTopic(name, topicId, partitions, (short) 1, Map.of(), List.of())).get(10, TimeUnit.SECONDS));
        return topicId;
    }

    /** The topic id {@code partition.metadata} names, once written (within 10 s). */
    private Optional<Uuid> awaitOwner(TopicPartition tp) throws InterruptedException {
        PartitionMetadataFile file = new PartitionMetadataFile(logsDir().resolve(LogFiles.partitionDirName(tp)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (file.read().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return file.read();
    }

    private static void ok(MetadataResult result) {
        assertThat(result.isError()).as(result.message()).isFalse();
    }
}
