package io.strata.broker.cluster;

import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The replicated security state of the cluster: each user's SCRAM credentials, by user name and mechanism.
 * Immutable; the maps are sorted by user and mechanism, so snapshots are written in a stable order.
 */
public record SecurityImage(Map<String, Map<ScramMechanism, ScramCredentialImage>> scramCredentials) {

    public static final SecurityImage EMPTY = new SecurityImage(Map.of());

    public SecurityImage {
        Map<String, Map<ScramMechanism, ScramCredentialImage>> sorted = new TreeMap<>();
        scramCredentials.forEach((user, byMechanism) -> {
            if (!byMechanism.isEmpty()) {
                sorted.put(user, Collections.unmodifiableMap(new EnumMap<>(byMechanism)));
            }
        });
        scramCredentials = Collections.unmodifiableMap(sorted);
    }

    public Optional<ScramCredentialImage> scramCredential(String user, ScramMechanism mechanism) {
        return Optional.ofNullable(scramCredentials.getOrDefault(user, Map.of()).get(mechanism));
    }

    public SecurityImage withScramCredential(String user, ScramMechanism mechanism, ScramCredentialImage credential) {
        return changed(user, byMechanism -> byMechanism.put(mechanism, credential));
    }

    public SecurityImage withoutScramCredential(String user, ScramMechanism mechanism) {
        return changed(user, byMechanism -> byMechanism.remove(mechanism));
    }

    private SecurityImage changed(String user, Consumer<Map<ScramMechanism, ScramCredentialImage>> change) {
        Map<String, Map<ScramMechanism, ScramCredentialImage>> users = new TreeMap<>(scramCredentials);
        Map<ScramMechanism, ScramCredentialImage> byMechanism = new EnumMap<>(ScramMechanism.class);
        byMechanism.putAll(users.getOrDefault(user, Map.of()));
        change.accept(byMechanism);
        users.put(user, byMechanism);
        return new SecurityImage(users);
    }
}
