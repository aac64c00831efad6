package io.strata.broker.protocol.fetch;

import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one Fetch request reads and how its response relates to the client's fetch session: the handler
 * reads {@link #reads()}, builds a response with every one of them, and sends what {@link #respond} makes of it.
 */
public sealed interface FetchContext {

    /** The partitions to read, grouped by topic. */
    List<FetchTopic> reads();

    /** The response to send, from one that holds every partition of {@link #reads()}, in order. */
    FetchResponseData respond(FetchResponseData full);

    /** The session error to answer at once, without reading; {@code NONE} when the request is valid. */
    default Errors error() {
        return Errors.NONE;
    }

    /** A full fetch outside any session: the client sends every partition each time. */
    record Sessionless(List<FetchTopic> reads) implements FetchContext {
        @Override
        public FetchResponseData respond(FetchResponseData full) {
            return full.setSessionId(0);
        }
    }

    /**
     * A full fetch that opens a session: the response names it, or names none (session id 0) when the
     * cache has no room, and the client goes on with full fetches.
     */
    record NewSession(List<FetchTopic> reads, boolean privileged, boolean usesTopicIds, FetchSessionCache cache)
            implements FetchContext {
        @Override
        public FetchResponseData respond(FetchResponseData full) {
            Map<PartitionKey, SessionPartition> partitions = new LinkedHashMap<>();
            for (FetchTopic topic : reads) {
                for (FetchPartition fetch : topic.partitions()) {
                    partitions.put(FetchSession.key(topic, fetch), new SessionPartition(fetch));
                }
            }
            for (FetchableTopicResponse topic : full.responses()) {
                for (PartitionData data : topic.partitions()) {
                    SessionPartition partition = partitions.get(
                            new PartitionKey(topic.topicId(), topic.topic(), data.partitionIndex()));
                    if (partition != null) {
                        partition.remember(data);
                    }
                }
            }
            FetchSession session = cache.create(privileged, usesTopicIds, partitions);
            return full.setSessionId(session == null ? 0 : session.id());
        }
    }

    /** A request in a session: it read every partition of the session, and the response keeps what changed. */
    record Incremental(List<FetchTopic> reads, FetchSession session) implements FetchContext {
        @Override
        public FetchResponseData respond(FetchResponseData full) {
            return session.incremental(full);
        }
    }

    /** A request naming a session that is gone, or with the wrong epoch: answered with the error alone. */
    record SessionError(Errors error) implements FetchContext {
        @Override
        public List<FetchTopic> reads() {
            return List.of();
        }

        @Override
        public FetchResponseData respond(FetchResponseData full) {
            return new FetchResponseData().setErrorCode(error.code()).setSessionId(0);
        }
    }
}
