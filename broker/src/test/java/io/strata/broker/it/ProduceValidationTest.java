package io.strata.broker.it;

import io.strata.broker.log.TestRecords;
import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Produce requests a client library would never send: each is refused with Kafka's error and nothing is appended. */
class ProduceValidationTest {

    private static final String TOPIC = "validated";

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();

    @BeforeAll
    static void start() {
        broker.createTopic(TOPIC, 1, Map.of("max.message.bytes", "2048"));
    }

    private static ProduceResponseData.PartitionProduceResponse produce(short acks, MemoryRecords records) throws Exception {
        return produce((short) 12, acks, records);
    }

    private static ProduceResponseData.PartitionProduceResponse produce(short version, short acks,
                                                                        MemoryRecords records) throws Exception {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            ProduceResponse response = (ProduceResponse) wire.send(ApiKeys.PRODUCE, version,
                    new ProduceRequestData().setAcks(acks).setTimeoutMs(5000).setTopicData(topics));
            return response.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    private static long endOffset() {
        return broker.broker().partitions().partition(new TopicPartition(TOPIC, 0)).orElseThrow().log().logEndOffset();
    }

    /** Produces {@code records} with acks=1 and checks that the broker answers {@code error} and appends nothing. */
    private static void assertRefused(MemoryRecords records, Errors error) throws Exception {
        long before = endOffset();
        assertThat(produce((short) 1, records).errorCode()).isEqualTo(error.code());
        assertThat(endOffset()).isEqualTo(before);
    }

    @Test
    void aBatchWithABadCrcIsRefusedWhole() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("one".getBytes()), new SimpleRecord("two".getBytes()));
        ByteBuffer bytes = records.buffer();
        int last = bytes.limit() - 1;
        bytes.put(last, (byte) (bytes.get(last) ^ 0xff));
        assertRefused(records, Errors.CORRUPT_MESSAGE);
    }

    @Test
    void twoBatchesForOnePartitionAreRefused() throws Exception {
        MemoryRecords one = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("one".getBytes()));
        MemoryRecords two = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("two".getBytes()));
        assertRefused(TestRecords.concat(one, two), Errors.INVALID_RECORD);
    }

    @Test
    void anUnknownCodecIsRefusedForItsPartitionAtAnyVersion() throws Exception {
        for (short version : new short[]{5, 12}) {
            // Attributes naming codec 7, which does not exist.
            MemoryRecords records = TestRecords.withHeaderField(MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord("x".getBytes())), TestRecords.ATTRIBUTES_OFFSET, 2, 7);
            long before = endOffset();
            assertThat(produce(version, (short) 1, records).errorCode()).as("v%d", version)
                    .isEqualTo(Errors.INVALID_RECORD.code());
            assertThat(endOffset()).isEqualTo(before);
        }
    }

    @Test
    void zstdBeforeProduceVersionSevenIsRefused() throws Exception {
        long before = endOffset();
        MemoryRecords zstd = MemoryRecords.withRecords(Compression.zstd().build(), new SimpleRecord("z".getBytes()));
        assertThat(produce((short) 6, (short) 1, zstd).errorCode())
                .isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE.code());
        assertThat(endOffset()).isEqualTo(before);
        assertThat(produce((short) 7, (short) 1, zstd).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void aBatchAboveMaxMessageBytesIsRefused() throws Exception {
        assertRefused(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[4096])),
                Errors.MESSAGE_TOO_LARGE);
    }

    /**
     * A marker is a transactional batch: without a transactional id it is refused as Kafka refuses it, before any
     * look at the batch (the log refuses a client's marker in any case: {@code PartitionLogTransactionsTest}).
     */
    @Test
    void aTransactionMarkerFromAClientIsRefused() throws Exception {
        assertRefused(MemoryRecords.withEndTransactionMarker(1L, 7L, (short) 0,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0)), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }

    @Test
    void anUnknownAcksValueIsRefused() throws Exception {
        ProduceResponseData.PartitionProduceResponse response = produce((short) 2,
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())));
        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_REQUIRED_ACKS.code());
    }

    @Test
    void aFailedProduceWithAcksZeroClosesTheConnection() {
        MemoryRecords tooLarge = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[4096]));
        long before = endOffset();
        // acks=0 has no response to carry the error: the producer learns of it by losing the connection.
        assertThatThrownBy(() -> produce((short) 0, tooLarge)).isInstanceOf(IOException.class);
        assertThat(endOffset()).isEqualTo(before);
    }

    @Test
    void aValidBatchIsAppendedAfterTheRefusedOnes() throws Exception {
        long before = endOffset();
        ProduceResponseData.PartitionProduceResponse response = produce((short) 1,
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("fine".getBytes())));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.baseOffset()).isEqualTo(before);
        assertThat(endOffset()).isEqualTo(before + 1);
    }
}
