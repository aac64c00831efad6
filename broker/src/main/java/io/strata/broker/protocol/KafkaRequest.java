package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One decoded request frame. {@code body} is null for an ApiVersions request of a version newer
 * than this broker serves: such a request is answered with UNSUPPORTED_VERSION at version 0 so the
 * client can retry with a version both sides know. A produce request's records are parsed in place over
 * {@code frame}, which the request holds a reference to until {@link #release()}; other requests hold none
 * ({@code frame} is null).
 */
record KafkaRequest(RequestHeader header, AbstractRequest body, ByteBuf frame) {

    /** Called once the request is done with: its response is built and nothing reads its body any more. */
    void release() {
        if (frame != null) {
            frame.release();
        }
    }

    boolean isUnsupportedApiVersions() {
        return body == null;
    }
}
