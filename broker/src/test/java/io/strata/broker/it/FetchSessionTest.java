package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.LogContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incremental fetch sessions (KIP-227), driven by kafka-clients' own session handler over a raw connection,
 * and by the Java consumer.
 */
class FetchSessionTest {

    private static final int PARTITIONS = 3;

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();

    /** One client's session with the broker: fetches positions it is told, through kafka-clients' handler. */
    private static final class SessionClient implements AutoCloseable {
        private final String topic;
        private final Uuid topicId;
        private final FetchSessionHandler handler = new FetchSessionHandler(new LogContext(), 0);
        private final KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress());
        private final Map<Integer, Long> positions = new HashMap<>();

        SessionClient(String topic) throws Exception {
            this.topic = topic;
            this.topicId = broker.broker().metadataImage().topic(topic).orElseThrow().topicId();
            for (int p = 0; p < PARTITIONS; p++) {
                positions.put(p, 0L);
            }
        }

        /** Fetches every partition still followed from its position, moving positions past what came back. */
        Map<Integer, Integer> fetch(int maxWaitMs) throws Exception {
            FetchSessionHandler.Builder builder = handler.newBuilder();
            positions.forEach((p, offset) -> builder.add(new TopicPartition(topic, p),
                    new FetchRequest.PartitionData(topicId, offset, -1, 1 << 20, Optional.empty())));
            FetchSessionHandler.FetchRequestData data = builder.build();
            FetchResponse response = send(FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), maxWaitMs, 1,
                    data.toSend()).removed(data.toForget()).replaced(data.toReplace()).metadata(data.metadata()));
            assertThat(handler.handleResponse(response, ApiKeys.FETCH.latestVersion()))
                    .as("the session handler accepts %s", response.data()).isTrue();
            Map<Integer, Integer> records = new HashMap<>();
            response.responseData(handler.sessionTopicNames(), ApiKeys.FETCH.latestVersion()).forEach((tp, partition) -> {
                int count = 0;
                for (var batch : FetchResponse.recordsOrFail(partition).batches()) {
                    positions.put(tp.partition(), batch.nextOffset());
                    count += (int) (batch.nextOffset() - batch.baseOffset());
                }
                records.put(tp.partition(), count);
            });
            return records;
        }

        FetchResponse send(FetchRequest.Builder request) throws Exception {
            return (FetchResponse) wire.send(request.build());
        }

        int sessionId() {
            return handler.sessionId();
        }

        @Override
        public void close() throws Exception {
            wire.close();
        }
    }

    private static void produce(String topic, int partition, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, null, ("r" + i).getBytes())).get();
            }
        }
    }

    @Test
    void aFullFetchOpensASessionAndLaterFetchesCarryOnlyPartitionsWithNews() throws Exception {
        broker.createTopic("sessions-news", PARTITIONS, Map.of());
        for (int p = 0; p < PARTITIONS; p++) {
            produce("sessions-news", p, 2);
        }
        try (SessionClient client = new SessionClient("sessions-news")) {
            assertThat(client.fetch(0)).containsOnly(Map.entry(0, 2), Map.entry(1, 2), Map.entry(2, 2));
            assertThat(client.sessionId()).isNotZero();

            assertThat(client.fetch(0)).as("nothing new in any partition").isEmpty();

            produce("sessions-news", 1, 3);
            assertThat(client.fetch(0)).containsOnly(Map.entry(1, 3));
            assertThat(client.fetch(0)).isEmpty();
        }
    }

    @Test
    void aLongPollInASessionWakesForAPartitionTheRequestDidNotName() throws Exception {
        broker.createTopic("sessions-poll", PARTITIONS, Map.of());
        try (SessionClient client = new SessionClient("sessions-poll")) {
            client.fetch(0);
            assertThat(client.fetch(0)).isEmpty();
            CompletableFuture<Map<Integer, Integer>> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.fetch(8_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(poll).isNotDone();
            produce("sessions-poll", 2, 1);
            assertThat(poll.get(5, TimeUnit.SECONDS)).containsOnly(Map.entry(2, 1));
        }
    }

    @Test
    void aForgottenPartitionIsNoLongerServed() throws Exception {
        broker.createTopic("sessions-forget", PARTITIONS, Map.of());
        try (SessionClient client = new SessionClient("sessions-forget")) {
            client.fetch(0);
            client.positions.remove(0);
            client.fetch(0);
            produce("sessions-forget", 0, 1);
            produce("sessions-forget", 1, 1);
            assertThat(client.fetch(0)).containsOnly(Map.entry(1, 1));
        }
    }

    @Test
    void aWrongEpochOrAnUnknownSessionIsAnsweredWithTheSessionError() throws Exception {
        broker.createTopic("sessions-errors", PARTITIONS, Map.of());
        try (SessionClient client = new SessionClient("sessions-errors")) {
            client.fetch(0);
            int session = client.sessionId();
            FetchResponse wrongEpoch = client.send(FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 1,
                    Map.of()).metadata(new FetchMetadata(session, 7)));
            assertThat(wrongEpoch.error()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
            FetchResponse unknown = client.send(FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 1,
                    Map.of()).metadata(new FetchMetadata(session + 1, 1)));
            assertThat(unknown.error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

            FetchResponse closing = client.send(FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 1,
                    Map.of()).metadata(new FetchMetadata(session, FetchMetadata.FINAL_EPOCH)));
            assertThat(closing.error()).isEqualTo(Errors.NONE);
            assertThat(closing.data().sessionId()).isZero();
            FetchResponse closed = client.send(FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 1,
                    Map.of()).metadata(new FetchMetadata(session, 1)));
            assertThat(closed.error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    @Test
    void theJavaConsumerReadsEveryRecordThroughItsSession() throws Exception {
        broker.createTopic("sessions-consumer", PARTITIONS, Map.of());
        int perRound = 20;
        int sessionsBefore = broker.broker().fetchSessions().sessions();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100))) {
            consumer.assign(List.of(new TopicPartition("sessions-consumer", 0),
                    new TopicPartition("sessions-consumer", 1), new TopicPartition("sessions-consumer", 2)));
            Map<Integer, Long> next = new HashMap<>(Map.of(0, 0L, 1, 0L, 2, 0L));
            for (int round = 0; round < 3; round++) {
                // Each round writes to one partition only: the others' answers come from the session's cache.
                int partition = round % PARTITIONS;
                produce("sessions-consumer", partition, perRound);
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (next.get(partition) < perRound * (round / PARTITIONS + 1L) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        assertThat(record.offset()).as("offset in partition %d", record.partition())
                                .isEqualTo(next.get(record.partition()));
                        next.put(record.partition(), record.offset() + 1);
                    }
                }
                assertThat(next.get(partition)).isEqualTo(perRound * (round / PARTITIONS + 1L));
                assertThat(broker.broker().fetchSessions().sessions()).isEqualTo(sessionsBefore + 1);
            }
        }
        assertThat(broker.broker().fetchSessions().sessions()).as("the consumer closes its session when it closes")
                .isEqualTo(sessionsBefore);
    }
}
