package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ListGroupsRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** ListGroups, with the states filter of v4 and the types filter of v5. */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private static final short FIRST_STATES_FILTER_VERSION = 4;
    private static final short FIRST_TYPES_FILTER_VERSION = 5;

    private final GroupCoordinator coordinator;

    public ListGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletionStage<ListGroupsResponseData> handle(RequestContext context, ListGroupsRequest request) {
        ListGroupsRequestData data = request.data();
        short version = context.apiVersion();
        List<String> states = version >= FIRST_STATES_FILTER_VERSION ? data.statesFilter() : List.of();
        List<String> types = version >= FIRST_TYPES_FILTER_VERSION ? data.typesFilter() : List.of();
        return coordinator.listGroups(states, types).thenApply(groups -> new ListGroupsResponseData().setGroups(groups));
    }
}
