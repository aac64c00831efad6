package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** LeaveGroup: one member before v3, a batch of members (by member or instance id) from v3. */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    private final GroupCoordinator coordinator;

    public LeaveGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public CompletionStage<LeaveGroupResponseData> handle(RequestContext context, LeaveGroupRequest request) {
        short version = context.apiVersion();
        return coordinator.leaveGroup(request.data().groupId(), request.members()).thenApply(outcome ->
                // LeaveGroupResponse folds a single member's result into the top-level error before v3.
                new LeaveGroupResponse(outcome.error() == Errors.NONE ? outcome.members() : List.of(),
                        outcome.error(), 0, version).data());
    }
}
