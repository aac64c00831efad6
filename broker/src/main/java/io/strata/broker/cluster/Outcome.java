package io.strata.broker.cluster;

import org.apache.kafka.common.protocol.Errors;

/** What applying a metadata command gives: the next image (the same object when nothing changed) and the result. */
record Outcome(MetadataImage image, MetadataResult result) {

    static Outcome ok(MetadataImage image) {
        return new Outcome(image, MetadataResult.ok());
    }

    static Outcome failed(MetadataImage unchanged, Errors error, String message) {
        return new Outcome(unchanged, MetadataResult.failure(error, message));
    }
}
