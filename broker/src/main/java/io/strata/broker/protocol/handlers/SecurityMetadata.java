package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.SecurityImage;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The replicated security state (users' credentials, ACLs, client quotas) as the APIs that manage it reach it: its
 * current image, and the metadata log that changes it.
 */
public record SecurityMetadata(Supplier<SecurityImage> image,
                               Function<MetadataCommand, CompletableFuture<MetadataResult>> submit) {

    SecurityImage current() {
        return image.get();
    }

    CompletableFuture<MetadataResult> change(MetadataCommand command) {
        return submit.apply(command);
    }
}
