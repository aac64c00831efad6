package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.OffsetCommitRequest;

import java.util.concurrent.CompletionStage;

/**
 * OffsetCommit v2-9. Version 10 (topic ids) is still unstable in kafka-clients 4.1 and Kafka brokers
 * do not advertise it by default, so neither does Strata.
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {

    static final short MAX_VERSION = 9;

    private final GroupCoordinator coordinator;

    public OffsetCommitHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public short maxVersion() {
        return MAX_VERSION;
    }

    @Override
    public CompletionStage<OffsetCommitResponseData> handle(RequestContext context, OffsetCommitRequest request) {
        return coordinator.commitOffsets(GroupClients.of(context), request.data());
    }
}
