package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The replicated security state of the cluster: each user's SCRAM credentials, by user name and mechanism, the
 * ACLs, by the id each was created with, and the client quotas, by the entity they apply to (a user, a client id,
 * both, or their defaults, as Kafka's {@link ClientQuotaEntity} names them). Immutable; the credentials and ACLs are
 * sorted, so snapshots write them in a stable order.
 */
public record SecurityImage(Map<String, Map<ScramMechanism, ScramCredentialImage>> scramCredentials,
                            Map<Uuid, AclBinding> acls, Map<ClientQuotaEntity, Map<String, Double>> quotas) {

    public static final SecurityImage EMPTY = new SecurityImage(Map.of(), Map.of(), Map.of());

    public SecurityImage {
        acls = Collections.unmodifiableMap(new TreeMap<>(acls));
        Map<ClientQuotaEntity, Map<String, Double>> quotaCopy = new LinkedHashMap<>();
        quotas.forEach((entity, values) -> {
            if (!values.isEmpty()) {
                quotaCopy.put(entity, Collections.unmodifiableMap(new TreeMap<>(values)));
            }
        });
        quotas = Collections.unmodifiableMap(quotaCopy);
        Map<String, Map<ScramMechanism, ScramCredentialImage>> sorted = new TreeMap<>();
        scramCredentials.forEach((user, byMechanism) -> {
            if (!byMechanism.isEmpty()) {
                sorted.put(user, Collections.unmodifiableMap(new EnumMap<>(byMechanism)));
            }
        });
        scramCredentials = Collections.unmodifiableMap(sorted);
    }

    /** The SCRAM mechanism of a type byte, as the protocol and the metadata log carry it; empty for an unknown one. */
    public static Optional<ScramMechanism> scramMechanism(byte type) {
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            if (mechanism.type() == type) {
                return Optional.of(mechanism);
            }
        }
        return Optional.empty();
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
        return new SecurityImage(users, acls, quotas);
    }

    /** The id of the ACL equal to {@code acl}; empty if there is none. */
    public Optional<Uuid> aclId(AclBinding acl) {
        return acls.entrySet().stream().filter(entry -> entry.getValue().equals(acl)).map(Map.Entry::getKey).findFirst();
    }

    public SecurityImage withAcl(Uuid id, AclBinding acl) {
        Map<Uuid, AclBinding> changed = new TreeMap<>(acls);
        changed.put(id, acl);
        return new SecurityImage(scramCredentials, changed, quotas);
    }

    /** The quotas of {@code entity}, by key ({@code producer_byte_rate}, ...); empty if it has none. */
    public Map<String, Double> quotas(ClientQuotaEntity entity) {
        return quotas.getOrDefault(entity, Map.of());
    }

    /** These quotas with {@code entity}'s replaced by {@code values} (removed when empty). */
    public SecurityImage withQuotas(ClientQuotaEntity entity, Map<String, Double> values) {
        Map<ClientQuotaEntity, Map<String, Double>> changed = new LinkedHashMap<>(quotas);
        changed.put(entity, values);
        return new SecurityImage(scramCredentials, acls, changed);
    }

    public SecurityImage withoutAcls(Collection<Uuid> ids) {
        Map<Uuid, AclBinding> changed = new TreeMap<>(acls);
        changed.keySet().removeAll(ids);
        return new SecurityImage(scramCredentials, changed, quotas);
    }
}
