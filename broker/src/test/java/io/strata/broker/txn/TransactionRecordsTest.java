package io.strata.broker.txn;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionRecordsTest {

    @Test
    void aTransactionSurvivesItsRecord() {
        TransactionMetadata txn = new TransactionMetadata("payments-çé", 42, 7, (short) 3, (short) 2, 60_000,
                TransactionState.PREPARE_COMMIT, Set.of(new TopicPartition("orders", 0), new TopicPartition("audit", 11)),
                1_000, 2_000);

        String id = TransactionRecords.decodeKey(ByteBuffer.wrap(TransactionRecords.encodeKey(txn.transactionalId())));
        TransactionMetadata decoded = TransactionRecords.decodeValue(id,
                ByteBuffer.wrap(TransactionRecords.encodeValue(txn)));

        assertThat(id).isEqualTo("payments-çé");
        assertThat(decoded).isEqualTo(txn);
    }

    @Test
    void recordsOfAnotherVersionAreSkippedAndTruncatedOnesRefused() {
        assertThat(TransactionRecords.decodeKey(ByteBuffer.wrap(new byte[] {0, 9, 0, 1, 'x'}))).isNull();
        assertThat(TransactionRecords.decodeValue("x", ByteBuffer.wrap(new byte[] {0, 9}))).isNull();
        byte[] value = TransactionRecords.encodeValue(TransactionMetadata.fresh("x", 1, 1000, 5));
        assertThatThrownBy(() -> TransactionRecords.decodeValue("x", ByteBuffer.wrap(value, 0, value.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactional id x");
    }
}
