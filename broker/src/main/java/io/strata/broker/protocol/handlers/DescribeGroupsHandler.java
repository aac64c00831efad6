package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

import java.util.concurrent.CompletionStage;

/**
 * DescribeGroups: state, protocol and members, with metadata and assignments when Stable. An
 * unknown group is reported Dead, with GROUP_ID_NOT_FOUND from v6.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    private final GroupCoordinator coordinator;

    public DescribeGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletionStage<DescribeGroupsResponseData> handle(RequestContext context, DescribeGroupsRequest request) {
        return coordinator.describeGroups(request.data().groups(), context.apiVersion())
                .thenApply(groups -> new DescribeGroupsResponseData().setGroups(groups));
    }
}
