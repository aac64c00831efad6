package io.strata.broker.quota;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.quota.ClientQuotaManager.Type;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;

import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Puts the byte-rate quotas in front of Produce and Fetch: the records a client produces, and those a consumer
 * fetches, count against its quota, and the response tells it how long it is throttled, as Kafka's do; its
 * connection is then not read for that long. A follower's fetches count only towards replication throttling.
 * A throttled fetch still carries its records: the next one waits. Stateless.
 */
public final class QuotaThrottle {

    private QuotaThrottle() {
    }

    private static int asInt(long throttleMs) {
        return (int) Math.min(throttleMs, Integer.MAX_VALUE);
    }

    public static BiFunction<RequestContext, ProduceRequest, CompletionStage<ProduceResponseData>> produce(
            ClientQuotaManager quotas, BiFunction<RequestContext, ProduceRequest, CompletionStage<ProduceResponseData>> handler) {
        return (context, request) -> {
            long bytes = 0;
            for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
                for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                    bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
                }
            }
            long throttleMs = quotas.record(Type.PRODUCE, context.session().principal(), context.clientId(), bytes);
            context.session().throttle(throttleMs);
            // acks=0 has no response to carry the time: the connection is muted all the same.
            return handler.apply(context, request).thenApply(response ->
                    response == null ? null : response.setThrottleTimeMs(asInt(throttleMs)));
        };
    }

    public static BiFunction<RequestContext, FetchRequest, CompletionStage<FetchResponseData>> fetch(
            ClientQuotaManager quotas, BiFunction<RequestContext, FetchRequest, CompletionStage<FetchResponseData>> handler) {
        return (context, request) -> handler.apply(context, request).thenApply(response -> {
            if (request.replicaId() >= 0) {
                return response;
            }
            long bytes = 0;
            for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
                for (FetchResponseData.PartitionData partition : topic.partitions()) {
                    bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
                }
            }
            long throttleMs = quotas.record(Type.FETCH, context.session().principal(), context.clientId(), bytes);
            context.session().throttle(throttleMs);
            return response.setThrottleTimeMs(asInt(throttleMs));
        });
    }
}
