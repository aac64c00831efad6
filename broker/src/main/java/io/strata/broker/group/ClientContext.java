package io.strata.broker.group;

/**
 * Who sent a group request: what the coordinator records about a member and the API version it
 * answers for.
 *
 * @param clientHost the client's address as Kafka reports it ({@code /127.0.0.1})
 */
public record ClientContext(short apiVersion, String clientId, String clientHost) {
}
