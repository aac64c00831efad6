package io.strata.broker.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The broker configs that change while the cluster runs, through IncrementalAlterConfigs on a BROKER resource
 * (a node id, or "" for every broker's default) and the replicated metadata: the replication throttles that
 * {@code kafka-reassign-partitions --throttle} sets and {@code --verify} clears. Every other broker config
 * comes from the broker's settings and is read-only over the Kafka protocol.
 */
public final class DynamicBrokerConfigs {

    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";
    /** Accepted for the reassignment tool, which clears it with the others; one log directory has nothing to move. */
    public static final String REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND = "replica.alter.log.dirs.io.max.bytes.per.second";

    private static final ConfigDef DEF = new ConfigDef()
            .define(LEADER_REPLICATION_THROTTLED_RATE, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.MEDIUM,
                    "The bytes per second a leader may send to followers of the partitions listed in their topic's "
                            + "leader.replication.throttled.replicas that are not in sync.")
            .define(FOLLOWER_REPLICATION_THROTTLED_RATE, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.MEDIUM,
                    "The bytes per second a follower may fetch for the partitions listed in their topic's "
                            + "follower.replication.throttled.replicas while it is not in sync.")
            .define(REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND, Type.LONG, Long.MAX_VALUE, Range.atLeast(0),
                    Importance.MEDIUM, "The bytes per second a replica moving between log directories may copy; a "
                            + "Strata broker has one log directory, so nothing moves.");

    private DynamicBrokerConfigs() {
    }

    /**
     * Checks a change of dynamic broker configs: known names, valid values.
     *
     * @return {@code set} with its values normalised
     * @throws InvalidRequestException       for a config that cannot change at run time
     * @throws InvalidConfigurationException for an invalid value
     */
    public static Map<String, String> validate(Map<String, String> set, Set<String> delete) {
        for (String name : delete) {
            requireDynamic(name);
        }
        Map<String, String> valid = new TreeMap<>();
        set.forEach((name, value) -> {
            ConfigKey key = requireDynamic(name);
            if (value == null) {
                throw new InvalidConfigurationException("Null value not supported for broker config " + name);
            }
            try {
                Object parsed = ConfigDef.parseType(name, value.trim(), key.type);
                key.validator.ensureValid(name, parsed);
                valid.put(name, parsed.toString());
            } catch (ConfigException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
        });
        return valid;
    }

    private static ConfigKey requireDynamic(String name) {
        ConfigKey key = DEF.configKeys().get(name);
        if (key == null) {
            throw new InvalidRequestException("Broker config " + name + " cannot change at run time: set it as a "
                    + "STRATA_* environment variable or in application.properties and restart the broker. The "
                    + "configs that can are " + DEF.names() + ".");
        }
        return key;
    }

    /**
     * A rate in force on a broker: its own dynamic value, else the cluster-wide default, else unlimited.
     *
     * @param own           the broker's dynamic configs
     * @param clusterDefault the dynamic configs of the "" resource
     */
    public static long rate(String name, Map<String, String> own, Map<String, String> clusterDefault) {
        String value = own.getOrDefault(name, clusterDefault.get(name));
        return value == null ? (Long) DEF.configKeys().get(name).defaultValue : Long.parseLong(value);
    }

    /**
     * The cluster-wide dynamic defaults set, alone: as Kafka describes the default broker resource (the broker
     * named {@code ""}), whose answer holds nothing of any one broker's.
     */
    public static List<ConfigEntry> describeDefaults(Map<String, String> clusterDefault) {
        return describe(Map.of(), clusterDefault).stream()
                .filter(entry -> entry.source() == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
                .toList();
    }

    /** The dynamic configs as DescribeConfigs reports them for a broker, with the same precedence as {@link #rate}. */
    public static List<ConfigEntry> describe(Map<String, String> own, Map<String, String> clusterDefault) {
        List<ConfigEntry> entries = new ArrayList<>();
        for (ConfigKey key : new TreeMap<>(DEF.configKeys()).values()) {
            List<ConfigEntry.Synonym> synonyms = new ArrayList<>();
            if (own.containsKey(key.name)) {
                synonyms.add(new ConfigEntry.Synonym(key.name, own.get(key.name), ConfigSource.DYNAMIC_BROKER_CONFIG));
            }
            if (clusterDefault.containsKey(key.name)) {
                synonyms.add(new ConfigEntry.Synonym(key.name, clusterDefault.get(key.name),
                        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
            }
            ConfigEntry.Synonym winner = synonyms.isEmpty()
                    ? new ConfigEntry.Synonym(key.name, key.defaultValue.toString(), ConfigSource.DEFAULT_CONFIG)
                    : synonyms.get(0);
            entries.add(new ConfigEntry(key.name, winner.value(), winner.source(), false, false, ConfigType.LONG,
                    key.documentation, synonyms));
        }
        return entries;
    }
}
