package io.strata.broker.protocol.fetch;

import io.strata.broker.log.ManualTime;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which sessions a full cache keeps, and what an incremental response keeps of a full one. */
class FetchSessionCacheTest {

    private final ManualTime time = new ManualTime(1_000_000);
    private final FetchSessionCache cache = new FetchSessionCache(2, time);

    private static FetchRequestData fullFetch(int partitions) {
        FetchTopic topic = new FetchTopic().setTopic("t");
        for (int p = 0; p < partitions; p++) {
            topic.partitions().add(new FetchPartition().setPartition(p).setFetchOffset(0));
        }
        return new FetchRequestData().setSessionId(FetchMetadata.INVALID_SESSION_ID)
                .setSessionEpoch(FetchMetadata.INITIAL_EPOCH).setTopics(new ArrayList<>(List.of(topic)));
    }

    private static FetchResponseData response(List<FetchTopic> reads, long highWatermark) {
        FetchResponseData response = new FetchResponseData();
        for (FetchTopic topic : reads) {
            FetchableTopicResponse answer = new FetchableTopicResponse().setTopic(topic.topic());
            topic.partitions().forEach(p -> answer.partitions().add(new PartitionData().setPartitionIndex(p.partition())
                    .setHighWatermark(highWatermark).setLastStableOffset(highWatermark).setLogStartOffset(0)));
            response.responses().add(answer);
        }
        return response;
    }

    /** Opens a session the way a full fetch does; returns its id, 0 when the cache kept none. */
    private int open(int partitions, boolean follower) {
        FetchContext context = cache.context(fullFetch(partitions), follower, false);
        return context.respond(response(context.reads(), 0)).sessionId();
    }

    private FetchContext incremental(int session, int epoch) {
        return cache.context(new FetchRequestData().setSessionId(session).setSessionEpoch(epoch), false, false);
    }

    @Test
    void aFullCacheTurnsAwayAConsumerSessionNoLargerThanItsSmallest() {
        assertThat(open(3, false)).isNotZero();
        assertThat(open(2, false)).isNotZero();
        assertThat(open(2, false)).isZero();
        assertThat(cache.sessions()).isEqualTo(2);
        assertThat(cache.partitions()).isEqualTo(5);
    }

    @Test
    void aLargerConsumerSessionOrAFollowerPushesOutTheSmallestConsumerSession() {
        int large = open(3, false);
        int small = open(1, false);
        int larger = open(2, false);
        assertThat(larger).isNotZero();
        assertThat(incremental(small, 1).error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

        int follower = open(1, true);
        assertThat(follower).isNotZero();
        assertThat(incremental(larger, 1).error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(incremental(large, 1).error()).isEqualTo(Errors.NONE);
        assertThat(open(1, true)).as("only consumer sessions make room for a follower's").isNotZero();
        assertThat(open(1, true)).as("no consumer session left to push out").isZero();
    }

    @Test
    void aSessionIdleForTwoMinutesMakesRoomForAnyNewOne() {
        int idle = open(3, true);
        time.advance(60_000);
        int used = open(3, true);
        time.advance(FetchSessionCache.EVICTION_AGE_MS - 60_000 + 1);
        assertThat(open(1, false)).isNotZero();
        assertThat(incremental(idle, 1).error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(incremental(used, 1).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void eachRequestMustCarryTheSessionsNextEpoch() {
        int session = open(1, false);
        assertThat(incremental(session, 2).error()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(incremental(session, 1).error()).isEqualTo(Errors.NONE);
        assertThat(incremental(session, 1).error()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(incremental(session, 2).error()).isEqualTo(Errors.NONE);
        assertThat(cache.context(new FetchRequestData().setSessionId(session).setSessionEpoch(3), false, true).error())
                .as("a session opened by name cannot go on by topic id").isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
    }

    @Test
    void anIncrementalResponseKeepsPartitionsWithNewsAndMovesThemLast() {
        int session = open(3, false);
        FetchContext unchanged = incremental(session, 1);
        assertThat(unchanged.reads().get(0).partitions()).extracting(FetchPartition::partition).containsExactly(0, 1, 2);
        assertThat(unchanged.respond(response(unchanged.reads(), 0)).responses()).isEmpty();

        FetchContext next = incremental(session, 2);
        FetchResponseData full = response(next.reads(), 0);
        full.responses().get(0).partitions().get(0).setHighWatermark(5);
        full.responses().get(0).partitions().get(2).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        FetchResponseData sent = next.respond(full);
        assertThat(sent.sessionId()).isEqualTo(session);
        assertThat(sent.responses().get(0).partitions()).extracting(PartitionData::partitionIndex).containsExactly(0, 2);

        FetchContext after = incremental(session, 3);
        assertThat(after.reads().get(0).partitions()).extracting(FetchPartition::partition).containsExactly(1, 0, 2);
        FetchResponseData recovered = response(after.reads(), 0);
        recovered.responses().get(0).partitions().get(1).setHighWatermark(5);
        assertThat(after.respond(recovered).responses().get(0).partitions())
                .as("a partition whose error is gone is sent again").extracting(PartitionData::partitionIndex)
                .containsExactly(2);
    }
}
