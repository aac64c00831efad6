package io.strata.broker.protocol;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Told of every request a connection answers, on the connection's event loop: keep it cheap (no
 * locks, no lookups by name). The broker's meters implement it; without them it is {@link #NONE}.
 */
@FunctionalInterface
public interface RequestMetrics {

    RequestMetrics NONE = (apiKey, nanos) -> { };

    /**
     * @param apiKey the request's API key
     * @param nanos  from the decoded request to its response handed to the socket (or, for a request
     *               without a response, to its completion)
     */
    void completed(ApiKeys apiKey, long nanos);
}
