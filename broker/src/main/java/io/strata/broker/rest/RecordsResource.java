package io.strata.broker.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Produce records to a topic and read them from a partition. Produce takes Confluent v3's record
 * object, or a JSON array of them; reading is by offset, as a consumer without a group reads.
 */
@Path("/v3/clusters/{cluster}/topics/{topic}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Records")
public class RecordsResource {

    /** The most records one read returns. */
    static final int MAX_RECORDS = 10_000;
    /** The largest byte budget of one read. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /** The longest a read waits for records. */
    static final long MAX_WAIT_MS = 60_000;

    private final BrokerAccess access;
    private final RecordReader reader;
    private final ObjectMapper mapper;
    private final RecordWriter writer;
    private final RestAuthorization authorization;

    public RecordsResource(BrokerAccess access, RecordReader reader, ObjectMapper mapper,
                           RestAuthorization authorization) {
        this.access = access;
        this.authorization = authorization;
        this.reader = reader;
        this.mapper = mapper;
        this.writer = new RecordWriter(mapper, Time.SYSTEM);
    }

    /**
     * Produces one record ({@code {"partition_id", "headers", "key", "value", "timestamp"}}), answered with
     * one result, or a JSON array of them, appended as one batch per partition and answered with an
     * array of results in the same order, each with its own {@code error_code}.
     */
    @POST
    @Path("/records")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Produce records")
    public Response produce(@RestPath String cluster, @RestPath String topic, JsonNode body) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.WRITE, ResourceType.TOPIC, topic);
        if (Topic.isInternal(topic)) {
            // Its records are replayed into broker state at start-up: only the broker writes them.
            throw KafkaErrors.toRest(Errors.INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic " + topic + ".");
        }
        TopicImage image = access.topic(cluster, topic);
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw RestException.badRequest("A record, or an array of records, is required.");
        }
        boolean single = !body.isArray();
        if (!single && body.isEmpty()) {
            throw RestException.badRequest("The array of records is empty.");
        }
        List<RecordWriter.NewRecord> records = new ArrayList<>();
        for (JsonNode node : single ? List.of(body) : body) {
            records.add(writer.parse(node, image));
        }
        List<RecordWriter.Written> written = writer.append(broker, image, records);
        if (single) {
            RecordWriter.Written only = written.get(0);
            if (only.error() != null) {
                throw only.error();
            }
            return Response.ok(produceResult(broker, topic, only)).build();
        }
        return Response.ok(written.stream().map(w -> produceResult(broker, topic, w)).toList()).build();
    }

    /**
     * Reads records of one partition from {@code offset} (a number, {@code earliest} or {@code latest}),
     * or, given a {@code group} and no offset, from the offset that group committed for the partition
     * (the earliest if none): with {@code offsets:reset} to commit, a REST client consumes as a group.
     * Waits up to {@code max_wait_ms} for records to arrive. Keys and values are rendered by
     * {@code format}: {@code auto} (STRING when valid UTF-8, else BINARY as base64), {@code binary}, or
     * {@code json}. {@code isolation} is a consumer's {@code isolation.level}: {@code read_uncommitted} (the default)
     * reads up to the high watermark, {@code read_committed} up to the last stable offset and without the records
     * of aborted transactions.
     */
    @GET
    @Path("/partitions/{partition}/records")
    @Operation(summary = "Read records of a partition")
    public CompletionStage<RecordList> consume(@RestPath String cluster, @RestPath String topic,
                                               @RestPath String partition,
                                               @RestQuery String offset,
                                               @RestQuery("max_records") String maxRecords,
                                               @RestQuery("max_bytes") String maxBytes,
                                               @RestQuery("max_wait_ms") String maxWaitMs,
                                               @RestQuery String format,
                                               @RestQuery String group,
                                               @RestQuery String isolation) {
        Broker broker = access.broker(cluster);
        // As a consumer's Fetch, and, reading on from a group's offsets, as its JoinGroup.
        authorization.require(AclOperation.READ, ResourceType.TOPIC, topic);
        boolean fromGroup = offset == null && group != null;
        if (fromGroup) {
            if (group.isBlank()) {
                throw RestException.badRequest("group must not be empty.");
            }
            authorization.require(AclOperation.READ, ResourceType.GROUP, group);
        }
        Partition target = access.partition(cluster, topic, partition);
        RecordPayloads.Format rendering = RecordPayloads.format(format);
        int records = (int) number("max_records", maxRecords, 100, 1, MAX_RECORDS);
        int bytes = (int) number("max_bytes", maxBytes, 1024 * 1024, 1, MAX_BYTES);
        long waitMs = number("max_wait_ms", maxWaitMs, 0, 0, MAX_WAIT_MS);
        RecordReader.Isolation readIsolation = isolation(isolation);
        CompletableFuture<Long> from = fromGroup
                ? committedOffset(broker, group, target)
                : CompletableFuture.completedFuture(startOffset(offset, target));
        return KafkaErrors.answer(from.thenCompose(start -> reader.poll(target, start, records, bytes, waitMs, readIsolation)),
                read -> new RecordList("KafkaRecordList", broker.identity().clusterId(), topic,
                        target.topicPartition().partition(), read.nextOffset(), read.logStartOffset(),
                        read.highWatermark(), read.records().stream().map(r -> recordData(r, rendering)).toList()));
    }

    /** Where {@code group} goes on reading the partition: its committed offset, or the partition's start. */
    private static CompletableFuture<Long> committedOffset(Broker broker, String group, Partition partition) {
        OffsetFetchRequestTopics topic = new OffsetFetchRequestTopics().setName(partition.topicPartition().topic())
                .setPartitionIndexes(List.of(partition.topicPartition().partition()));
        return broker.groupCoordinator().fetchOffsets(group, List.of(topic)).thenApply(fetched -> {
            if (fetched.errorCode() != Errors.NONE.code()) {
                throw KafkaErrors.toRest(Errors.forCode(fetched.errorCode()), "Reading the offsets of group " + group
                        + " failed.");
            }
            return fetched.topics().stream().flatMap(t -> t.partitions().stream())
                    .filter(p -> p.committedOffset() >= 0)
                    .mapToLong(OffsetFetchResponsePartitions::committedOffset)
                    .findFirst()
                    .orElse(partition.logStartOffset());
        });
    }

    private static RecordReader.Isolation isolation(String isolation) {
        if (isolation == null || isolation.equals("read_uncommitted")) {
            return RecordReader.Isolation.READ_UNCOMMITTED;
        }
        if (isolation.equals("read_committed")) {
            return RecordReader.Isolation.READ_COMMITTED;
        }
        throw RestException.badRequest("isolation must be read_uncommitted or read_committed, was " + isolation + ".");
    }

    private static long startOffset(String offset, Partition partition) {
        if (offset == null || offset.equals("earliest")) {
            return partition.logStartOffset();
        }
        if (offset.equals("latest")) {
            return partition.highWatermark();
        }
        return number("offset", offset, 0, 0, Long.MAX_VALUE);
    }

    private static long number(String name, String value, long defaultValue, long min, long max) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw RestException.badRequest(name + " must be a number" + (name.equals("offset") ? ", earliest or latest" : "")
                    + ", was " + value + ".");
        }
        if (parsed < min || parsed > max) {
            throw RestException.badRequest(name + " must be between " + min + " and " + max + ", was " + value + ".");
        }
        return parsed;
    }

    private static ProduceResult produceResult(Broker broker, String topic, RecordWriter.Written written) {
        RecordWriter.NewRecord record = written.record();
        if (written.error() != null) {
            return new ProduceResult(written.error().status(), written.error().getMessage(), broker.identity().clusterId(),
                    topic, record.partition(), null, null, null, null);
        }
        return new ProduceResult(200, null, broker.identity().clusterId(), topic, record.partition(), written.offset(),
                RecordPayloads.isoTimestamp(written.timestamp()), size(record.key()), size(record.value()));
    }

    private static PayloadSize size(RecordPayloads.Payload payload) {
        return payload == null ? null : new PayloadSize(payload.type(), payload.bytes().length);
    }

    private RecordData recordData(RecordReader.ReadRecord record, RecordPayloads.Format format) {
        return new RecordData(record.offset(), RecordPayloads.isoTimestamp(record.timestamp()), record.timestampType().name,
                RecordPayloads.render(record.key(), format, mapper), RecordPayloads.render(record.value(), format, mapper),
                Arrays.stream(record.headers()).map(RecordsResource::headerData).toList());
    }

    private static HeaderData headerData(Header header) {
        return new HeaderData(header.key(), header.value() == null ? null : Base64.getEncoder().encodeToString(header.value()));
    }

    /** The answer to one produced record, as Confluent REST Proxy v3 gives it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProduceResult(int errorCode, String message, String clusterId, String topicName, int partitionId,
                                Long offset, String timestamp, PayloadSize key, PayloadSize value) {
    }

    public record PayloadSize(String type, int size) {
    }

    /**
     * Records read from a partition.
     *
     * @param nextOffset     the offset to read from next
     * @param earliestOffset the partition's log start offset
     * @param latestOffset   the partition's high watermark
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RecordList(String kind, String clusterId, String topicName, int partitionId, long nextOffset,
                             long earliestOffset, long latestOffset, List<RecordData> data) {
    }

    /** A record read; {@code key} and {@code value} are null for a null key or value. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RecordData(long offset, String timestamp, String timestampType, RecordPayloads.RenderedPayload key,
                             RecordPayloads.RenderedPayload value, List<HeaderData> headers) {
    }

    /** A header; its value is base64, or null. */
    public record HeaderData(String name, String value) {
    }
}
