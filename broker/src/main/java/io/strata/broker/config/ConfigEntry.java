package io.strata.broker.config;

import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

import java.util.List;
import java.util.Objects;

/**
 * One config as DescribeConfigs (and CreateTopics) report it. {@code source} and {@code type} are the
 * wire enums of kafka-clients, so {@code source().id()} and {@code type().id()} go straight into a
 * response; {@link ConfigSource#TOPIC_CONFIG} is what the admin client shows as
 * {@code DYNAMIC_TOPIC_CONFIG}.
 *
 * @param value         the value as a string; {@code null} when the config has no value (a broker
 *                      config without default, such as {@code log.retention.ms})
 * @param documentation the config's documentation, sent when the request asks for it
 * @param synonyms      highest precedence first, as Kafka lists them; empty when the request did
 *                      not ask for synonyms
 */
public record ConfigEntry(String name, String value, ConfigSource source, boolean sensitive, boolean readOnly,
                          ConfigType type, String documentation, List<Synonym> synonyms) {

    public ConfigEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        synonyms = List.copyOf(synonyms);
    }

    /**
     * A config that supplies, or could supply, the entry's value: the topic override itself, the
     * broker setting under its broker name (e.g. {@code log.retention.ms}), or Kafka's default
     * under the broker name that carries it (e.g. {@code log.retention.hours=168}).
     */
    public record Synonym(String name, String value, ConfigSource source) {
        public Synonym {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(source, "source");
        }
    }
}
