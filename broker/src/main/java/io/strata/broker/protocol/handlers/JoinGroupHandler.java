package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;

import java.util.concurrent.CompletionStage;

/** JoinGroup: completes when the group's join phase does, which may be up to the rebalance timeout later. */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    private final GroupCoordinator coordinator;

    public JoinGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletionStage<JoinGroupResponseData> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        // JoinGroupResponse fills in what older versions cannot carry as null (the protocol name before v7).
        return coordinator.joinGroup(GroupClients.of(context), request.data())
                .thenApply(response -> new JoinGroupResponse(response, version).data());
    }
}
