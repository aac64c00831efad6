package io.strata.broker.quota;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.ResponseThrottleTime;
import io.strata.broker.quota.ClientQuotaManager.Type;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Puts the quotas in front of the handlers: the records a client produces, and those a consumer fetches, count
 * against its byte-rate quota; the time every request of a client takes to handle counts against its
 * {@code request_percentage}; and the response tells the client how long it is throttled, as Kafka's do, its
 * connection then not read for that long. A follower's fetches count only towards replication throttling. A
 * throttled fetch still carries its records: the next one waits. Stateless.
 */
public final class QuotaThrottle {

    private QuotaThrottle() {
    }

    /**
     * {@code handlers}, each charging the time its handling takes on the connection's event loop to the client's
     * {@code request_percentage}, as Kafka charges request handler time: time a request waits (a long poll, a
     * replica's acknowledgement) costs nothing. As in Kafka, what brokers send each other (the cluster-action APIs,
     * followers' fetches) is exempt, and so is SASL, which authenticates the principal a quota is for.
     */
    public static List<ApiHandler<?>> requests(ClientQuotaManager quotas, List<ApiHandler<?>> handlers) {
        return handlers.stream().<ApiHandler<?>>map(handler -> handler.apiKey().clusterAction
                || handler.apiKey() == ApiKeys.SASL_HANDSHAKE || handler.apiKey() == ApiKeys.SASL_AUTHENTICATE
                ? handler : timed(quotas, handler)).toList();
    }

    private static <R extends AbstractRequest> ApiHandler<R> timed(ClientQuotaManager quotas, ApiHandler<R> handler) {
        return handler.around((context, request, inner) -> {
            long start = System.nanoTime();
            CompletionStage<? extends ApiMessage> answer = inner.handle(context, request);
            if (request instanceof FetchRequest fetch && fetch.replicaId() >= 0) {
                return answer;
            }
            long throttleMs = quotas.record(Type.REQUEST, context.session().principal(), context.clientId(),
                    System.nanoTime() - start);
            if (throttleMs == 0) {
                return answer;
            }
            context.session().throttle(throttleMs);
            return answer.thenApply(response -> ResponseThrottleTime.atLeast(response, asInt(throttleMs)));
        });
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
