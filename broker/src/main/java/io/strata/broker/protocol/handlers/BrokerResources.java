package io.strata.broker.protocol.handlers;

import org.apache.kafka.common.errors.InvalidRequestException;

/** Checks on BROKER config resources, which name a broker by its node id ("" for cluster-wide defaults). */
final class BrokerResources {

    private BrokerResources() {
    }

    static void requireThisBroker(String resourceName, int nodeId) {
        if (!resourceName.isEmpty() && !resourceName.equals(Integer.toString(nodeId))) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId + " or empty string, but received "
                    + resourceName);
        }
    }
}
