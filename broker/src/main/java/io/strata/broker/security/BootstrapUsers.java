package io.strata.broker.security;

import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataCommand.UpsertScramCredential;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The first users of a cluster ({@code strata.sasl.bootstrap-users}): a SCRAM credential for each mechanism is
 * created where the user has none yet, so a restart never resets a password changed since, and every broker of a
 * cluster may name the same users. Stateless.
 */
public final class BootstrapUsers {

    private BootstrapUsers() {
    }

    /**
     * Submits the credentials the users lack in {@code security} and waits until the metadata has them; fails naming
     * the user, never a password. A credential created meanwhile by another broker is kept: the command only adds.
     */
    public static void create(SaslSettings sasl, Supplier<SecurityImage> security,
                              Function<MetadataCommand, CompletableFuture<MetadataResult>> submit,
                              Duration timeout) throws InterruptedException {
        List<CompletableFuture<MetadataResult>> submitted = new ArrayList<>();
        List<String> users = new ArrayList<>();
        sasl.bootstrapUsers().forEach((user, password) -> {
            for (ScramMechanism mechanism : ScramMechanism.values()) {
                if (security.get().scramCredential(user, mechanism).isPresent()) {
                    continue;
                }
                submitted.add(submit.apply(new UpsertScramCredential(user, mechanism,
                        ScramCredentials.fromPassword(mechanism, password, sasl.bootstrapUsersIterations()), false)));
                users.add(user);
            }
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < submitted.size(); i++) {
            MetadataResult result;
            try {
                result = submitted.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Cannot create the bootstrap user " + users.get(i) + ": " + e, e);
            }
            if (result.isError()) {
                throw new IllegalArgumentException("strata.sasl.bootstrap-users: cannot create user " + users.get(i)
                        + ": " + result.message());
            }
        }
    }
}
