package io.strata.broker.protocol;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.Configuration;
import io.strata.broker.config.KafkaListenerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The listeners the settings give, as environment variables: the one listener of host, port and security protocol
 * while {@code STRATA_KAFKA_LISTENERS} is unset, else Kafka's listeners with their protocols, advertised addresses and
 * inter-broker listener; every inconsistency is refused with a line naming the settings.
 */
class BrokerListenersTest {

    private static BrokerListeners fromEnvironment(Map<String, String> env) {
        SmallRyeConfig config = Configuration.builder().withSources(new EnvConfigSource(env, 300)).build();
        return BrokerListeners.from(config.getConfigMapping(KafkaListenerConfig.class),
                config.getConfigMapping(BrokerConfig.class).advertised());
    }

    /** {@code STRATA_KAFKA_LISTENERS} and the map that gives its listeners their protocols, with {@code more}. */
    private static BrokerListeners listeners(String listeners, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of("STRATA_KAFKA_LISTENERS", listeners,
                "STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,REPLICATION:SSL"));
        env.putAll(more);
        return fromEnvironment(env);
    }

    @Test
    void withoutListenersTheOneListenerIsNamedAfterItsProtocol() {
        BrokerListeners listeners = fromEnvironment(Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "STRATA_KAFKA_HOST", "0.0.0.0", "STRATA_KAFKA_PORT", "9093", "STRATA_ADVERTISED_HOST", "b.example"));

        assertThat(listeners.listeners()).containsExactly(new ListenerSettings("SASL_SSL", SecurityProtocol.SASL_SSL,
                "0.0.0.0", 9093, Optional.of("b.example"), Optional.empty()));
        assertThat(listeners.interBrokerListener()).isEqualTo("SASL_SSL");
        assertThat(listeners.configured()).isFalse();
        assertThat(listeners.describeProtocol(listeners.first()))
                .isEqualTo("strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) is SASL_SSL");
    }

    @Test
    void severalListenersWithTheirProtocolsAdvertisedAddressesAndInterBrokerListener() {
        BrokerListeners listeners = listeners("EXTERNAL://0.0.0.0:9092,INTERNAL://10.0.0.1:9192,REPLICATION://:0",
                Map.of("STRATA_KAFKA_ADVERTISED_LISTENERS", "EXTERNAL://broker-1.example:19092,REPLICATION://:0",
                        "STRATA_KAFKA_INTER_BROKER_LISTENER_NAME", "internal"));

        assertThat(listeners.listeners()).containsExactly(
                new ListenerSettings("EXTERNAL", SecurityProtocol.SASL_SSL, "0.0.0.0", 9092,
                        Optional.of("broker-1.example"), Optional.of(19092)),
                new ListenerSettings("INTERNAL", SecurityProtocol.PLAINTEXT, "10.0.0.1", 9192, Optional.empty(),
                        Optional.empty()),
                new ListenerSettings("REPLICATION", SecurityProtocol.SSL, "", 0, Optional.empty(), Optional.empty()));
        assertThat(listeners.configured()).isTrue();
        assertThat(listeners.first().name()).isEqualTo("EXTERNAL");
        assertThat(listeners.interBroker().name()).isEqualTo("INTERNAL");
        assertThat(listeners.usesTls()).isTrue();
        assertThat(listeners.usesSasl()).isTrue();
        assertThat(listeners.describeProtocol(listeners.interBroker())).isEqualTo("listener INTERNAL, the inter-broker "
                + "one, is PLAINTEXT by strata.kafka.listener-security-protocol-map "
                + "(STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP)");
    }

    @Test
    void theFirstListenerIsTheInterBrokerOneByDefaultAndKafkasMapNamesTheProtocols() {
        BrokerListeners listeners = fromEnvironment(Map.of("STRATA_KAFKA_LISTENERS", "SSL://:9093,PLAINTEXT://:9092"));

        assertThat(listeners.interBrokerListener()).isEqualTo("SSL");
        assertThat(listeners.listeners()).extracting(ListenerSettings::securityProtocol)
                .containsExactly(SecurityProtocol.SSL, SecurityProtocol.PLAINTEXT);
    }

    @Test
    void aListenerAdvertisesWhatItBindsUnlessToldOtherwise() {
        ListenerSettings bound = new ListenerSettings("INTERNAL", SecurityProtocol.PLAINTEXT, "127.0.0.1", 0,
                Optional.empty(), Optional.empty());
        assertThat(bound.advertised(new InetSocketAddress("127.0.0.1", 40123)))
                .isEqualTo(new Endpoint("INTERNAL", "127.0.0.1", 40123));
        ListenerSettings told = new ListenerSettings("EXTERNAL", SecurityProtocol.SSL, "", 0,
                Optional.of("broker-1.example"), Optional.of(9093));
        assertThat(told.advertised(new InetSocketAddress(40124)))
                .isEqualTo(new Endpoint("EXTERNAL", "broker-1.example", 9093));
        assertThat(bound.advertised(new InetSocketAddress(40125)).host())
                .as("bound to every interface, the machine's name is advertised").isNotEqualTo("0.0.0.0").isNotEmpty();
    }

    @Test
    void listenersThatCannotBeTogetherAreRefused() {
        assertThatThrownBy(() -> listeners("INTERNAL://:9192,internal://:9193", Map.of()))
                .hasMessage("strata.kafka.listeners (STRATA_KAFKA_LISTENERS) names listener INTERNAL twice");
        assertThatThrownBy(() -> listeners("INTERNAL://127.0.0.1:9092,EXTERNAL://:9092", Map.of()))
                .hasMessage("strata.kafka.listeners (STRATA_KAFKA_LISTENERS) gives listeners INTERNAL and EXTERNAL the "
                        + "same port 9092; each needs a port of its own (or 0, for one the OS chooses)");
        assertThat(listeners("INTERNAL://:0,EXTERNAL://:0", Map.of()).listeners()).as("port 0 twice is two OS choices")
                .hasSize(2);
        assertThatThrownBy(() -> listeners("INTERNAL://:70000", Map.of()))
                .hasMessage("strata.kafka.listeners (STRATA_KAFKA_LISTENERS) gives listener INTERNAL port 70000; "
                        + "allowed values are 0 to 65535");
        assertThatThrownBy(() -> listeners("INTERNAL://:9192,CLIENTS://:9092", Map.of()))
                .hasMessage("listener CLIENTS of strata.kafka.listeners (STRATA_KAFKA_LISTENERS) has no security "
                        + "protocol: strata.kafka.listener-security-protocol-map "
                        + "(STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP) is \"INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,"
                        + "REPLICATION:SSL\"; add CLIENTS:<protocol> to it");
        assertThatThrownBy(() -> listeners("INTERNAL://:9192", Map.of("STRATA_KAFKA_INTER_BROKER_LISTENER_NAME",
                "REPLICATION")))
                .hasMessage("strata.kafka.inter-broker-listener-name (STRATA_KAFKA_INTER_BROKER_LISTENER_NAME) is "
                        + "REPLICATION, which is not a listener; the listeners are [INTERNAL]");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "SSL",
                "STRATA_KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")))
                .hasMessage("strata.kafka.inter-broker-listener-name (STRATA_KAFKA_INTER_BROKER_LISTENER_NAME) is "
                        + "PLAINTEXT, which is not a listener; the listeners are [SSL]");
    }

    @Test
    void advertisedListenersMustBeListenersAdvertisedOnceAtAnAddressClientsReach() {
        assertThatThrownBy(() -> listeners("INTERNAL://:9192", Map.of("STRATA_KAFKA_ADVERTISED_LISTENERS",
                "INTERNAL://10.0.0.1:9192,EXTERNAL://broker-1.example:9092")))
                .hasMessage("strata.kafka.advertised-listeners (STRATA_KAFKA_ADVERTISED_LISTENERS) advertises "
                        + "[EXTERNAL], which strata.kafka.listeners (STRATA_KAFKA_LISTENERS) does not name");
        assertThatThrownBy(() -> listeners("INTERNAL://:9192", Map.of("STRATA_KAFKA_ADVERTISED_LISTENERS",
                "INTERNAL://a:9192,INTERNAL://b:9192")))
                .hasMessage("strata.kafka.advertised-listeners (STRATA_KAFKA_ADVERTISED_LISTENERS) advertises listener "
                        + "INTERNAL twice");
        assertThatThrownBy(() -> listeners("INTERNAL://:9192", Map.of("STRATA_KAFKA_ADVERTISED_LISTENERS",
                "INTERNAL://0.0.0.0:9192")))
                .hasMessage("strata.kafka.advertised-listeners (STRATA_KAFKA_ADVERTISED_LISTENERS) advertises listener "
                        + "INTERNAL at 0.0.0.0, which stands for every interface; clients cannot connect to it");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_ADVERTISED_PORT", "0")))
                .hasMessage("strata.advertised.port (STRATA_ADVERTISED_PORT) is 0; allowed values are 1 to 65535");
    }

    @Test
    void theOneListenersSettingsAndSeveralListenersDoNotMix() {
        assertThatThrownBy(() -> listeners("INTERNAL://:9192", Map.of("STRATA_ADVERTISED_HOST", "broker-1.example")))
                .hasMessage("strata.advertised.host (STRATA_ADVERTISED_HOST) and strata.advertised.port "
                        + "(STRATA_ADVERTISED_PORT) advertise the one listener of strata.kafka.host "
                        + "(STRATA_KAFKA_HOST); with strata.kafka.listeners (STRATA_KAFKA_LISTENERS) set, advertise each listener in "
                        + "strata.kafka.advertised-listeners (STRATA_KAFKA_ADVERTISED_LISTENERS) instead");
        assertThatThrownBy(() -> listeners("INTERNAL://:9192", Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")))
                .hasMessage("strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) is SASL_SSL, but with "
                        + "strata.kafka.listeners (STRATA_KAFKA_LISTENERS) set each listener's protocol comes from "
                        + "strata.kafka.listener-security-protocol-map (STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP); "
                        + "leave strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) unset");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://b:9092")))
                .hasMessage("strata.kafka.advertised-listeners (STRATA_KAFKA_ADVERTISED_LISTENERS) is set but "
                        + "strata.kafka.listeners (STRATA_KAFKA_LISTENERS) is not: name the listeners it advertises "
                        + "there, or advertise the one listener with strata.advertised.host (STRATA_ADVERTISED_HOST) "
                        + "and strata.advertised.port (STRATA_ADVERTISED_PORT)");
    }
}
