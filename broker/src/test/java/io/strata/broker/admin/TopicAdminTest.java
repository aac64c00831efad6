package io.strata.broker.admin;

import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.TopicConfigCatalog;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Topic administration over a real single-member metadata log: the broker's defaults, the checks
 * only this broker makes (live brokers, the partition ceiling, internal topics), and failures that
 * always arrive through the returned future with the Kafka error and the numbers behind it.
 */
class TopicAdminTest {

    private static final int DEFAULT_PARTITIONS = 3;

    @TempDir
    Path dataDir;
    private RaftMetadataLog metadata;
    private TopicAdmin admin;

    @BeforeEach
    void start() {
        metadata = new RaftMetadataLog(RaftMetadataLog.Settings.alone(dataDir, 1, "127.0.0.1", 0));
        metadata.start();
        metadata.submit(new MetadataCommand.RegisterBroker(1, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)),
                null)).join();
        admin = new TopicAdmin(metadata, new TopicConfigCatalog(), Map.of("retention.ms", "3600000"),
                DEFAULT_PARTITIONS, (short) 1);
    }

    @AfterEach
    void stop() {
        metadata.close();
    }

    @Test
    void minusOneTakesTheBrokersDefaultPartitionsAndReplicationFactor() throws Exception {
        TopicImage created = done(admin.createTopic("orders", -1, (short) -1, Map.of(), false));

        assertThat(created.partitions()).isEqualTo(DEFAULT_PARTITIONS);
        assertThat(created.replicationFactor()).isEqualTo((short) 1);
        assertThat(admin.image().topic("orders")).contains(created);
    }

    @Test
    void validateOnlyReturnsTheWouldBeTopicAndChangesNothing() throws Exception {
        TopicImage wouldBe = done(admin.createTopic("orders", 4, (short) 1, Map.of("cleanup.policy", "compact"), true));

        assertThat(wouldBe.partitions()).isEqualTo(4);
        assertThat(wouldBe.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(admin.image().topic("orders")).isEmpty();
    }

    @Test
    void aReplicationFactorAboveTheBrokersUpIsRefused() {
        assertFails(admin.createTopic("orders", 1, (short) 2, Map.of(), false),
                InvalidReplicationFactorException.class, "The target replication factor of 2 cannot be reached");
    }

    @Test
    void anExplicitAssignmentMustNameRegisteredBrokers() throws Exception {
        assertFails(admin.createTopic("orders", List.of(List.of(7)), Map.of(), false),
                InvalidReplicaAssignmentException.class, "broker 7, which is not registered");
        assertFails(admin.createTopic("orders", List.of(List.of(1), List.of()), Map.of(), false),
                InvalidReplicaAssignmentException.class, "Partition 1 is assigned 0 replicas []");

        TopicImage created = done(admin.createTopic("orders", List.of(List.of(1), List.of(1)), Map.of(), false));
        assertThat(created.partitionStates()).containsExactly(PartitionImage.assigned(List.of(1)),
                PartitionImage.assigned(List.of(1)));
        assertFails(admin.createPartitions("orders", 4, List.of(List.of(1)), false),
                InvalidReplicaAssignmentException.class, "names 1 new partitions, but the topic grows by 2");
    }

    @Test
    void partitionCountsAreBoundedOnCreationAndGrowth() throws Exception {
        assertFails(admin.createTopic("orders", TopicAdmin.MAX_PARTITIONS_PER_REQUEST + 1, (short) 1, Map.of(), false),
                PolicyViolationException.class, "Excessively large number of partitions per request: 10001, at most 10000.");
        assertFails(admin.createTopic("orders", 0, (short) 1, Map.of(), false),
                InvalidPartitionsException.class, "default of " + DEFAULT_PARTITIONS);

        done(admin.createTopic("orders", 2, (short) 1, Map.of(), false));
        assertFails(admin.createPartitions("orders", 2, List.of(), false), InvalidPartitionsException.class,
                "already has 2 partitions");
        assertFails(admin.createPartitions("orders", 1, List.of(), false), InvalidPartitionsException.class,
                "currently has 2 partitions, which is higher than the requested 1");
        assertFails(admin.createPartitions("orders", TopicAdmin.MAX_PARTITIONS + 1, List.of(), false),
                InvalidPartitionsException.class, "at most " + TopicAdmin.MAX_PARTITIONS);

        done(admin.createPartitions("orders", 5, List.of(), true));
        assertThat(admin.requireTopic("orders").partitions()).isEqualTo(2);
        done(admin.createPartitions("orders", 5, List.of(), false));
        assertThat(admin.requireTopic("orders").partitions()).isEqualTo(5);
    }

    @Test
    void anOverrideWinsOverTheBrokerDefaultWhichWinsOverKafkas() throws Exception {
        done(admin.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "1048576"), false));

        Map<String, String> effective = admin.effectiveConfigs("orders");

        assertThat(effective).containsEntry("segment.bytes", "1048576")
                .containsEntry("retention.ms", "3600000")
                .containsEntry("cleanup.policy", "delete");
    }

    @Test
    void incrementalAlterationsKeepOtherOverridesAndReplacingDropsThem() throws Exception {
        done(admin.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "1048576", "retention.ms", "60000"), false));

        done(admin.alterConfigs("orders", Map.of("cleanup.policy", "compact"), Set.of("retention.ms"), false, false));
        assertThat(admin.requireTopic("orders").configs())
                .isEqualTo(Map.of("segment.bytes", "1048576", "cleanup.policy", "compact"));

        done(admin.alterConfigs("orders", Map.of("max.message.bytes", "2048"), Set.of(), true, false));
        assertThat(admin.requireTopic("orders").configs()).isEqualTo(Map.of("max.message.bytes", "2048"));

        assertFails(admin.alterConfigs("orders", Map.of(), Set.of("no.such.config"), false, false),
                InvalidConfigurationException.class, "no.such.config");
        done(admin.alterConfigs("orders", Map.of("max.message.bytes", "4096"), Set.of(), false, true));
        assertThat(admin.requireTopic("orders").configs()).containsEntry("max.message.bytes", "2048");
    }

    @Test
    void topicsAreDeletedByNameOrIdButNeverTheBrokersOwn() throws Exception {
        Uuid orders = done(admin.createTopic("orders", 1, (short) 1, Map.of(), false)).topicId();
        Uuid payments = done(admin.createTopic("payments", 1, (short) 1, Map.of(), false)).topicId();
        Uuid offsets = done(admin.createTopic(Topic.GROUP_METADATA_TOPIC_NAME, 1, (short) 1, Map.of(), false)).topicId();

        assertThat(done(admin.deleteTopic("orders"))).isEqualTo(orders);
        assertThat(done(admin.deleteTopic(payments))).isEqualTo("payments");
        assertThat(admin.image().topics()).extracting(TopicImage::name).containsExactly(Topic.GROUP_METADATA_TOPIC_NAME);

        assertFails(admin.deleteTopic(Topic.GROUP_METADATA_TOPIC_NAME), PolicyViolationException.class, "internal");
        assertFails(admin.deleteTopic(offsets), PolicyViolationException.class, "internal");
        assertFails(admin.createPartitions(Topic.GROUP_METADATA_TOPIC_NAME, 2, List.of(), false), PolicyViolationException.class,
                "repartitioned");
        assertFails(admin.deleteTopic(orders), UnknownTopicIdException.class, orders.toString());
    }

    @Test
    void aMissingTopicNameIsAnInvalidRequest() {
        assertThatThrownBy(() -> admin.requireTopic("")).isInstanceOf(InvalidRequestException.class);
        assertFails(admin.deleteTopic((String) null), InvalidRequestException.class, "topic name is required");
    }

    private static <T> T done(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    /** The operation failed through its future, not by throwing, with this error and message. */
    private static void assertFails(CompletableFuture<?> future, Class<? extends Exception> error, String message) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(error).hasMessageContaining(message);
    }
}
