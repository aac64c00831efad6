package io.strata.broker.protocol.fetch;

import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition of a fetch session: what the client last asked of it, and the offsets it was last told,
 * from which an incremental response decides whether the client needs to hear of it again.
 */
final class SessionPartition {

    private volatile FetchPartition fetch;
    private long highWatermark = -1;
    private long lastStableOffset = -1;
    private long logStartOffset = -1;

    SessionPartition(FetchPartition fetch) {
        this.fetch = fetch;
    }

    FetchPartition fetch() {
        return fetch;
    }

    void update(FetchPartition fetch) {
        this.fetch = fetch;
    }

    /**
     * Whether {@code data} tells the client something it does not know yet: records, an error, a
     * divergence or a leader hint, or offsets other than those it was last sent. If so, the client is
     * taken to know them from now on. After an error the offsets are forgotten, so the partition is sent
     * again once the error is gone.
     */
    boolean mustSend(PartitionData data) {
        boolean send = data.records() != null && data.records().sizeInBytes() > 0
                || data.errorCode() != Errors.NONE.code()
                || data.divergingEpoch().epoch() >= 0
                || data.currentLeader().leaderId() >= 0
                || data.preferredReadReplica() >= 0
                || data.highWatermark() != highWatermark
                || data.lastStableOffset() != lastStableOffset
                || data.logStartOffset() != logStartOffset;
        if (send) {
            remember(data);
        }
        return send;
    }

    /** Takes the client to know the offsets of {@code data}, which it is sent. */
    void remember(PartitionData data) {
        boolean failed = data.errorCode() != Errors.NONE.code();
        highWatermark = failed ? -1 : data.highWatermark();
        lastStableOffset = failed ? -1 : data.lastStableOffset();
        logStartOffset = failed ? -1 : data.logStartOffset();
    }
}
