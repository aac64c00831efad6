package io.strata.broker.protocol;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One decoded request frame. {@code body} is null for an ApiVersions request of a version newer
 * than this broker serves: such a request is answered with UNSUPPORTED_VERSION at version 0 so the
 * client can retry with a version both sides know.
 */
record KafkaRequest(RequestHeader header, AbstractRequest body, int sizeInBytes) {

    boolean isUnsupportedApiVersions() {
        return body == null;
    }
}
