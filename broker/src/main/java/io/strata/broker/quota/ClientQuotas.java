package io.strata.broker.quota;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.quota.ClientQuotaEntity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which quota applies to a client, found as Kafka's default quota callback finds it: the first of user and
 * client id, user and default client id, user, default user and client id, default user and default client id,
 * default user, client id, and default client id that the quotas name; and whom it is shared by: a quota without
 * a client id part is shared by all of the user's clients, one without a user part by all users of the client id.
 * Stateless.
 */
final class ClientQuotas {

    /** A quota and the clients sharing it, by user and client id ("" for any). */
    record Applied(double bound, String user, String clientId) {
    }

    /** How a quota entity names one of its parts. */
    private enum Part { NAMED, DEFAULT, ABSENT }

    private record Level(Part user, Part clientId) {
    }

    private static final List<Level> PRECEDENCE = List.of(
            new Level(Part.NAMED, Part.NAMED), new Level(Part.NAMED, Part.DEFAULT), new Level(Part.NAMED, Part.ABSENT),
            new Level(Part.DEFAULT, Part.NAMED), new Level(Part.DEFAULT, Part.DEFAULT),
            new Level(Part.DEFAULT, Part.ABSENT), new Level(Part.ABSENT, Part.NAMED), new Level(Part.ABSENT, Part.DEFAULT));

    private ClientQuotas() {
    }

    /** The quota {@code key} ({@code producer_byte_rate}, ...) of the client, if the quotas give it one. */
    static Optional<Applied> find(SecurityImage security, String key, String user, String clientId) {
        if (security.quotas().isEmpty()) {
            return Optional.empty();
        }
        for (Level level : PRECEDENCE) {
            Map<String, String> entries = new HashMap<>();
            put(entries, ClientQuotaEntity.USER, level.user(), user);
            put(entries, ClientQuotaEntity.CLIENT_ID, level.clientId(), clientId);
            Double bound = security.quotas(new ClientQuotaEntity(entries)).get(key);
            if (bound != null) {
                return Optional.of(new Applied(bound, level.user() == Part.ABSENT ? "" : user,
                        level.clientId() == Part.ABSENT ? "" : clientId));
            }
        }
        return Optional.empty();
    }

    private static void put(Map<String, String> entries, String type, Part part, String name) {
        if (part != Part.ABSENT) {
            entries.put(type, part == Part.NAMED ? name : null);
        }
    }
}
