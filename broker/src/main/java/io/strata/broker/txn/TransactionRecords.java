package io.strata.broker.txn;

import org.apache.kafka.common.TopicPartition;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The records of {@code __transaction_state}, in Strata's own small binary format: one per change of a
 * transactional id, keyed by the id so that compaction keeps the latest.
 *
 * <p>Key: {@code version:int16} (0), then the transactional id. Value: {@code version:int16} (0), then
 * {@code producerId:int64 previousProducerId:int64 producerEpoch:int16 lastProducerEpoch:int16 timeoutMs:int32
 * state:int8 startTimestamp:int64 lastUpdateTimestamp:int64 partitionCount:int32} and each partition as
 * {@code topic partition:int32}. Strings are an {@code int16} length and UTF-8. A {@code null} value is a tombstone:
 * the id expired. A reader skips records of a version it does not know, so newer brokers may add one.
 */
final class TransactionRecords {

    private static final short VERSION = 0;

    private TransactionRecords() {
    }

    static byte[] encodeKey(String transactionalId) {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length).putShort(VERSION).putShort((short) id.length).put(id).array();
    }

    /** The transactional id of a key, or {@code null} for a version this broker does not know. */
    static String decodeKey(ByteBuffer key) {
        ByteBuffer buffer = key.duplicate();
        return buffer.getShort() == VERSION ? readString(buffer) : null;
    }

    static byte[] encodeValue(TransactionMetadata txn) {
        int size = 2 + 8 + 8 + 2 + 2 + 4 + 1 + 8 + 8 + 4;
        for (TopicPartition tp : txn.partitions()) {
            size += 2 + tp.topic().getBytes(StandardCharsets.UTF_8).length + 4;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size)
                .putShort(VERSION)
                .putLong(txn.producerId())
                .putLong(txn.previousProducerId())
                .putShort(txn.producerEpoch())
                .putShort(txn.lastProducerEpoch())
                .putInt(txn.timeoutMs())
                .put(txn.state().code())
                .putLong(txn.startTimestamp())
                .putLong(txn.lastUpdateTimestamp())
                .putInt(txn.partitions().size());
        for (TopicPartition tp : txn.partitions()) {
            writeString(buffer, tp.topic());
            buffer.putInt(tp.partition());
        }
        return buffer.array();
    }

    /**
     * The metadata a value holds, or {@code null} for a version this broker does not know.
     *
     * @throws IllegalArgumentException if the value is malformed
     */
    static TransactionMetadata decodeValue(String transactionalId, ByteBuffer value) {
        ByteBuffer buffer = value.duplicate();
        try {
            if (buffer.getShort() != VERSION) {
                return null;
            }
            long producerId = buffer.getLong();
            long previousProducerId = buffer.getLong();
            short producerEpoch = buffer.getShort();
            short lastProducerEpoch = buffer.getShort();
            int timeoutMs = buffer.getInt();
            TransactionState state = TransactionState.ofCode(buffer.get());
            long startTimestamp = buffer.getLong();
            long lastUpdateTimestamp = buffer.getLong();
            int count = buffer.getInt();
            if (count < 0 || count > buffer.remaining() / 6) {
                throw new IllegalArgumentException("a partition count of " + count);
            }
            Set<TopicPartition> partitions = new HashSet<>();
            for (int i = 0; i < count; i++) {
                partitions.add(new TopicPartition(readString(buffer), buffer.getInt()));
            }
            return new TransactionMetadata(transactionalId, producerId, previousProducerId, producerEpoch,
                    lastProducerEpoch, timeoutMs, state, partitions, startTimestamp, lastUpdateTimestamp);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Malformed state of transactional id " + transactionalId + ": " + e, e);
        }
    }

    private static void writeString(ByteBuffer buffer, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.putShort((short) bytes.length).put(bytes);
    }

    private static String readString(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getShort()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
