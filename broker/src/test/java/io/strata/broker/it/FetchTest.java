package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Fetch size limits and long polling, checked on raw Fetch requests built with kafka-clients. */
class FetchTest {

    private static final String TOPIC = "fetch-limits";
    private static final int PARTITIONS = 10;
    private static final int BATCHES_PER_PARTITION = 10;

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    static Uuid topicId;

    @BeforeAll
    static void start() throws Exception {
        broker.createTopic(TOPIC, PARTITIONS, Map.of());
        broker.createTopic("idle", 1, Map.of());
        topicId = broker.broker().metadataImage().topic(TOPIC).orElseThrow().topicId();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < BATCHES_PER_PARTITION; i++) {
                    // One record per send, waited for: one batch of about 1 KiB each.
                    producer.send(new ProducerRecord<>(TOPIC, p, null, new byte[1000])).get();
                }
            }
        }
    }

    private static FetchResponseData fetch(String topic, Uuid id, int partitions, long offset, int partitionMaxBytes,
                                           int maxBytes, int maxWaitMs, int minBytes) throws Exception {
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            data.put(new TopicPartition(topic, p),
                    new FetchRequest.PartitionData(id, offset, -1, partitionMaxBytes, Optional.empty()));
        }
        FetchRequest request = FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), maxWaitMs, minBytes, data)
                .setMaxBytes(maxBytes).build();
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            return ((FetchResponse) wire.send(request)).data();
        }
    }

    private static List<Integer> sizes(FetchResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitions().stream())
                .map(p -> p.records() == null ? 0 : p.records().sizeInBytes()).toList();
    }

    @Test
    void everyPartitionIsServedWhenTheLimitsAllow() throws Exception {
        FetchResponseData response = fetch(TOPIC, topicId, PARTITIONS, 0, 1 << 20, 50 << 20, 0, 1);
        assertThat(response.errorCode()).isZero();
        assertThat(response.responses().get(0).topicId()).isEqualTo(topicId);
        assertThat(response.responses().get(0).partitions()).allSatisfy(p -> {
            assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(p.highWatermark()).isEqualTo(BATCHES_PER_PARTITION);
        });
        assertThat(sizes(response)).allSatisfy(size -> assertThat(size).isGreaterThan(BATCHES_PER_PARTITION * 1000));
    }

    @Test
    void theResponseLimitCapsTheSumOverPartitions() throws Exception {
        int maxBytes = 25_000;
        List<Integer> sizes = sizes(fetch(TOPIC, topicId, PARTITIONS, 0, 1 << 20, maxBytes, 0, 1));
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isLessThanOrEqualTo(maxBytes).isGreaterThan(20_000);
        assertThat(sizes.get(PARTITIONS - 1)).isZero();
    }

    @Test
    void thePartitionLimitCapsEachPartition() throws Exception {
        List<Integer> sizes = sizes(fetch(TOPIC, topicId, PARTITIONS, 0, 3000, 50 << 20, 0, 1));
        assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1000, 3000));
    }

    @Test
    void aBatchLargerThanTheLimitsStillComesFirstSoConsumersProgress() throws Exception {
        List<Integer> sizes = sizes(fetch(TOPIC, topicId, PARTITIONS, 0, 100, 100, 0, 1));
        assertThat(sizes.get(0)).isGreaterThan(1000);
        assertThat(sizes.subList(1, PARTITIONS)).containsOnly(0);
    }

    @Test
    void aFetchBeyondTheEndIsOutOfRange() throws Exception {
        FetchResponseData response = fetch(TOPIC, topicId, 1, 999, 1 << 20, 1 << 20, 0, 1);
        assertThat(response.responses().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
    }

    @Test
    void anUnknownTopicIdIsReported() throws Exception {
        FetchResponseData response = fetch("ghost", Uuid.randomUuid(), 1, 0, 1 << 20, 1 << 20, 0, 1);
        assertThat(response.responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
    }

    @Test
    void anEmptyFetchWaitsForMaxWait() throws Exception {
        Uuid idle = broker.broker().metadataImage().topic("idle").orElseThrow().topicId();
        long start = System.nanoTime();
        FetchResponseData response = fetch("idle", idle, 1, 0, 1 << 20, 1 << 20, 500, 1);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(waitedMs).isGreaterThanOrEqualTo(450);
        assertThat(sizes(response)).containsOnly(0);
    }

    @Test
    void aLongPollReturnsAsSoonAsRecordsArrive() throws Exception {
        broker.createTopic("long-poll", 1, Map.of());
        Uuid id = broker.broker().metadataImage().topic("long-poll").orElseThrow().topicId();
        CompletableFuture<FetchResponseData> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return fetch("long-poll", id, 1, 0, 1 << 20, 1 << 20, 30_000, 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(pending).isNotDone();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            producer.send(new ProducerRecord<>("long-poll", "wake".getBytes())).get();
        }
        FetchResponseData response = pending.get(10, TimeUnit.SECONDS);
        assertThat(sizes(response).get(0)).isPositive();
    }
}
