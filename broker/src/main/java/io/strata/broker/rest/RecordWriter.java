package io.strata.broker.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.log.AppendResult;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Appends records given as JSON: parses them all first (any bad one refuses the request), picks each
 * one's partition as the Java client's default partitioner does, builds one batch per partition with
 * kafka-clients' {@link MemoryRecordsBuilder} and appends it as a producer's batch would be. Blocking.
 */
final class RecordWriter {

    /** A record to produce. */
    record NewRecord(int partition, RecordPayloads.Payload key, RecordPayloads.Payload value, Header[] headers,
                     long timestamp) {
    }

    /** What became of one record: its offset, or the error of its partition's append. */
    record Written(NewRecord record, long offset, long timestamp, RestException error) {
    }

    private final ObjectMapper mapper;
    private final Time time;
    private final AtomicInteger roundRobin = new AtomicInteger();

    RecordWriter(ObjectMapper mapper, Time time) {
        this.mapper = mapper;
        this.time = time;
    }

    /** Parses one record object of a produce request. */
    NewRecord parse(JsonNode node, TopicImage topic) {
        if (node == null || !node.isObject()) {
            throw RestException.badRequest("A record must be a JSON object.");
        }
        RecordPayloads.Payload key = RecordPayloads.encode(node.get("key"), "key", mapper);
        RecordPayloads.Payload value = RecordPayloads.encode(node.get("value"), "value", mapper);
        Long timestamp = RecordPayloads.timestamp(node.get("timestamp"), "timestamp");
        return new NewRecord(partition(node.get("partition_id"), key, topic), key, value, headers(node.get("headers")),
                timestamp == null ? time.milliseconds() : timestamp);
    }

    /**
     * The given partition; else the key's partition as kafka-clients' {@code BuiltInPartitioner} places it
     * (murmur2 of the key bytes), so REST and Kafka producers agree; else round robin.
     */
    private int partition(JsonNode partitionId, RecordPayloads.Payload key, TopicImage topic) {
        if (partitionId != null && !partitionId.isNull()) {
            if (!partitionId.isInt()) {
                throw RestException.badRequest("partition_id must be an integer, was " + partitionId + ".");
            }
            BrokerAccess.requirePartition(topic, partitionId.intValue());
            return partitionId.intValue();
        }
        if (key != null) {
            return BuiltInPartitioner.partitionForKey(key.bytes(), topic.partitions());
        }
        return Utils.toPositive(roundRobin.getAndIncrement()) % topic.partitions();
    }

    private static Header[] headers(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Header[0];
        }
        if (!node.isArray()) {
            throw RestException.badRequest("headers must be an array of {\"name\": ..., \"value\": base64}.");
        }
        List<Header> headers = new ArrayList<>();
        for (JsonNode header : node) {
            JsonNode name = header.get("name");
            if (name == null || !name.isTextual()) {
                throw RestException.badRequest("Every header needs a name.");
            }
            JsonNode value = header.get("value");
            byte[] bytes = value == null || value.isNull() ? null
                    : RecordPayloads.base64(value, "headers[" + name.textValue() + "].value");
            headers.add(new RecordHeader(name.textValue(), bytes));
        }
        return headers.toArray(Header[]::new);
    }

    /** Appends the records, one batch per partition, and reports each in the order given. */
    List<Written> append(Broker broker, TopicImage topic, List<NewRecord> records) {
        Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            byPartition.computeIfAbsent(records.get(i).partition(), p -> new ArrayList<>()).add(i);
        }
        Written[] written = new Written[records.size()];
        for (Map.Entry<Integer, List<Integer>> entry : byPartition.entrySet()) {
            List<NewRecord> batch = entry.getValue().stream().map(records::get).toList();
            List<Written> results = appendBatch(broker, topic, entry.getKey(), batch);
            for (int i = 0; i < results.size(); i++) {
                written[entry.getValue().get(i)] = results.get(i);
            }
        }
        return List.of(written);
    }

    private List<Written> appendBatch(Broker broker, TopicImage topic, int partitionId, List<NewRecord> batch) {
        try {
            Partition partition = BrokerAccess.openPartition(broker, topic.name(), partitionId);
            AppendResult result = partition.append(build(batch));
            if (broker.fsyncBeforeAck()) {
                broker.partitions().sync(partition).join();
            }
            List<Written> written = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                long timestamp = result.logAppendTime() >= 0 ? result.logAppendTime() : batch.get(i).timestamp();
                written.add(new Written(batch.get(i), result.firstOffset() + i, timestamp, null));
            }
            return written;
        } catch (RuntimeException e) {
            RestException error = KafkaErrors.toRest(e);
            return batch.stream().map(record -> new Written(record, -1, -1, error)).toList();
        }
    }

    private static MemoryRecords build(List<NewRecord> batch) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, 0L);
        for (NewRecord record : batch) {
            builder.append(record.timestamp(), record.key() == null ? null : record.key().bytes(),
                    record.value() == null ? null : record.value().bytes(), record.headers());
        }
        return builder.build();
    }
}
