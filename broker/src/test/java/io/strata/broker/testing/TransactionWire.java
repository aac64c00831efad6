package io.strata.broker.testing;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A transactional producer's requests, one at a time over a {@link KafkaWire}, for tests that need to send what the
 * Java client would not (a batch outside its transaction, a stale epoch) or to drive a partition's side directly.
 * Every request goes to the one broker the wire is connected to, which coordinates everything in these tests.
 */
public final class TransactionWire {

    private TransactionWire() {
    }

    /** InitProducerId for {@code transactionalId}, once the broker coordinates it: the id's next producer epoch. */
    public static InitProducerIdResponseData initProducerId(KafkaWire wire, String transactionalId) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Errors.forCode(
                ((FindCoordinatorResponse) wire.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                        new FindCoordinatorRequestData().setKeyType(CoordinatorType.TRANSACTION.id())
                                .setCoordinatorKeys(List.of(transactionalId)))).data().coordinators().get(0)
                        .errorCode())).isEqualTo(Errors.NONE));
        return await().atMost(Duration.ofSeconds(10)).until(() -> ((InitProducerIdResponse) wire.send(
                        ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData()
                                .setTransactionalId(transactionalId).setTransactionTimeoutMs(60_000)
                                .setProducerId(RecordBatch.NO_PRODUCER_ID)
                                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH))).data(),
                answer -> answer.errorCode() == Errors.NONE.code());
    }

    /** AddPartitionsToTxn (v3, as clients send it) of {@code tp}: the coordinator's answer for it. */
    public static Errors addPartition(KafkaWire wire, String transactionalId, InitProducerIdResponseData producer,
                                      TopicPartition tp) throws IOException {
        AddPartitionsToTxnResponse response = (AddPartitionsToTxnResponse) wire.send(AddPartitionsToTxnRequest.Builder
                .forClient(transactionalId, producer.producerId(), producer.producerEpoch(), List.of(tp))
                .build((short) 3));
        return response.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID).get(tp);
    }

    /** One transactional batch of {@code values} from {@code producer}, starting at {@code sequence}. */
    public static MemoryRecords batch(InitProducerIdResponseData producer, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producer.producerId(),
                producer.producerEpoch(), sequence, records);
    }

    /** A produce of {@code records} to {@code tp} with acks=all, naming {@code transactionalId} (may be null). */
    public static ProduceResponseData.PartitionProduceResponse produce(KafkaWire wire, String transactionalId,
                                                                       TopicPartition tp, MemoryRecords records)
            throws IOException {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(tp.topic()).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(tp.partition()).setRecords(records))));
        ProduceResponse response = (ProduceResponse) wire.send(ApiKeys.PRODUCE, (short) 12, new ProduceRequestData()
                .setTransactionalId(transactionalId).setAcks((short) -1).setTimeoutMs(5000).setTopicData(topics));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
}
