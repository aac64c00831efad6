package io.strata.broker.protocol.handlers;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * DescribeTopicPartitions pages the partitions of the topics asked for in name order, answers the missing and the
 * refused topics as Kafka does, and reports no eligible leader replicas.
 */
class DescribeTopicPartitionsHandlerTest {

    @RegisterExtension
    final SingleBroker broker = new SingleBroker();
    private final DenyingAuthorizer authorizer = new DenyingAuthorizer();
    private DescribeTopicPartitionsHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        // Created out of name order: the answer is in name order all the same.
        for (Map.Entry<String, Integer> topic : List.of(Map.entry("c", 1), Map.entry("a", 3), Map.entry("b", 2))) {
            broker.admin.createTopic(topic.getKey(), topic.getValue(), (short) 1, Map.of(), false)
                    .get(10, TimeUnit.SECONDS);
        }
        handler = new DescribeTopicPartitionsHandler(broker.metadata::image);
    }

    @Test
    void pagesFollowTheCursorThroughEveryPartitionOnce() throws Exception {
        List<String> seen = new ArrayList<>();
        DescribeTopicPartitionsRequestData request = new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(2);
        List<String> cursors = new ArrayList<>();
        for (int page = 0; page < 10; page++) {
            DescribeTopicPartitionsResponseData response = describe(request);
            response.topics().forEach(topic -> topic.partitions()
                    .forEach(partition -> seen.add(topic.name() + "-" + partition.partitionIndex())));
            if (response.nextCursor() == null) {
                break;
            }
            cursors.add(response.nextCursor().topicName() + "-" + response.nextCursor().partitionIndex());
            request.setCursor(new DescribeTopicPartitionsRequestData.Cursor()
                    .setTopicName(response.nextCursor().topicName())
                    .setPartitionIndex(response.nextCursor().partitionIndex()));
        }

        assertThat(seen).containsExactly("a-0", "a-1", "a-2", "b-0", "b-1", "c-0");
        // A page that ends with a topic points at the next topic's first partition.
        assertThat(cursors).containsExactly("a-2", "b-1");
    }

    @Test
    void aPartitionNamesItsLeaderReplicasAndIsrAndNoEligibleLeaders() throws Exception {
        DescribeTopicPartitionsResponseTopic topic = describe(named("b")).topics().find("b");

        assertThat(topic.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(topic.topicId()).isEqualTo(topicId("b"));
        assertThat(topic.isInternal()).isFalse();
        assertThat(topic.topicAuthorizedOperations()).as("the operations the client may do on the topic").isPositive();
        assertThat(topic.partitions()).extracting(DescribeTopicPartitionsResponsePartition::partitionIndex,
                DescribeTopicPartitionsResponsePartition::leaderId,
                DescribeTopicPartitionsResponsePartition::replicaNodes,
                DescribeTopicPartitionsResponsePartition::isrNodes,
                DescribeTopicPartitionsResponsePartition::eligibleLeaderReplicas,
                DescribeTopicPartitionsResponsePartition::lastKnownElr,
                DescribeTopicPartitionsResponsePartition::offlineReplicas)
                .containsExactly(tuple(0, 1, List.of(1), List.of(1), List.of(), List.of(), List.of()),
                        tuple(1, 1, List.of(1), List.of(1), List.of(), List.of(), List.of()));
    }

    @Test
    void missingTopicsAreAnsweredByNameWhenAskedFor() throws Exception {
        DescribeTopicPartitionsResponseData response = describe(named("absent", "bad name", "c"));

        assertThat(response.topics()).extracting(DescribeTopicPartitionsResponseTopic::name,
                        DescribeTopicPartitionsResponseTopic::errorCode, DescribeTopicPartitionsResponseTopic::topicId)
                .containsExactly(tuple("absent", Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), Uuid.ZERO_UUID),
                        tuple("bad name", Errors.INVALID_TOPIC_EXCEPTION.code(), Uuid.ZERO_UUID),
                        tuple("c", Errors.NONE.code(), topicId("c")));
    }

    @Test
    void aCursorOutsideTheTopicsAskedForOrBeforeTheFirstPartitionIsAnInvalidRequest() {
        DescribeTopicPartitionsRequestData elsewhere = named("a", "b").setCursor(
                new DescribeTopicPartitionsRequestData.Cursor().setTopicName("c").setPartitionIndex(0));
        assertThatThrownBy(() -> describe(elsewhere)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("topic c");
        DescribeTopicPartitionsRequestData negative = named("a", "b").setCursor(
                new DescribeTopicPartitionsRequestData.Cursor().setTopicName("a").setPartitionIndex(-1));
        assertThatThrownBy(() -> describe(negative)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("-1");
    }

    /** As Kafka: so that a client asking for none still moves on. */
    @Test
    void aPageHoldsOnePartitionAtLeast() throws Exception {
        DescribeTopicPartitionsResponseData page = describe(named("a").setResponsePartitionLimit(0));

        assertThat(page.topics().find("a").partitions()).hasSize(1);
        assertThat(page.nextCursor().partitionIndex()).isEqualTo(1);
    }

    @Test
    void aTopicTheClientMayNotDescribeIsRefusedWhenNamedAndLeftOutOfAListing() throws Exception {
        authorizer.deny(AclOperation.DESCRIBE, ResourceType.TOPIC, "a");

        assertThat(describe(named("a", "b")).topics()).extracting(DescribeTopicPartitionsResponseTopic::name,
                        DescribeTopicPartitionsResponseTopic::errorCode, DescribeTopicPartitionsResponseTopic::topicId)
                .containsExactly(tuple("b", Errors.NONE.code(), topicId("b")),
                        tuple("a", Errors.TOPIC_AUTHORIZATION_FAILED.code(), Uuid.ZERO_UUID));
        assertThat(describe(new DescribeTopicPartitionsRequestData()).topics())
                .extracting(DescribeTopicPartitionsResponseTopic::name).containsExactly("b", "c");
    }

    private Uuid topicId(String topic) {
        return broker.metadata.image().topic(topic).orElseThrow().topicId();
    }

    private static DescribeTopicPartitionsRequestData named(String... topics) {
        return new DescribeTopicPartitionsRequestData().setTopics(Arrays.stream(topics)
                .map(name -> new TopicRequest().setName(name)).toList());
    }

    private DescribeTopicPartitionsResponseData describe(DescribeTopicPartitionsRequestData data) throws Exception {
        short version = ApiKeys.DESCRIBE_TOPIC_PARTITIONS.latestVersion();
        return handler.handle(authorizer.context(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, version),
                new DescribeTopicPartitionsRequest.Builder(data).build(version)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }
}
