package io.strata.broker.protocol;

import io.strata.broker.cluster.Endpoint;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kafka's listener syntax, as Kafka reads it, and a line naming the setting and the entry for what it cannot read. */
class ListenerFormatTest {

    private static final String LISTENERS = "strata.kafka.listeners";
    private static final String MAP = "strata.kafka.listener-security-protocol-map";

    @Test
    void endpointsAreReadInOrderWithNamesUpperCasedAndBlanksIgnored() {
        assertThat(ListenerFormat.endpoints(LISTENERS,
                " internal://10.0.0.1:9192 , EXTERNAL://broker-1.example:9092,,REPLICATION_2://:0, V6://[::1]:9094,"
                        + "ALL://0.0.0.0:9095"))
                .containsExactly(new Endpoint("INTERNAL", "10.0.0.1", 9192),
                        new Endpoint("EXTERNAL", "broker-1.example", 9092),
                        new Endpoint("REPLICATION_2", "", 0),
                        new Endpoint("V6", "::1", 9094),
                        new Endpoint("ALL", "0.0.0.0", 9095));
    }

    @Test
    void anEntryThatIsNotNameSchemeHostPortIsNamed() {
        for (String entry : List.of("INTERNAL:/127.0.0.1:9192", "INTERNAL://127.0.0.1", "V6://::1:9092",
                "INTERNAL://127.0.0.1:port", "://127.0.0.1:9092", "INTERNAL://127.0.0.1:123456")) {
            assertThatThrownBy(() -> ListenerFormat.endpoints(LISTENERS, "OK://:1," + entry))
                    .as(entry).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("strata.kafka.listeners (STRATA_KAFKA_LISTENERS) is \"OK://:1," + entry + "\": in \""
                            + entry + "\", it is not NAME://host:port (an IPv6 host in brackets)");
        }
        assertThatThrownBy(() -> ListenerFormat.endpoints(LISTENERS, "INTER.NAL://h:9092"))
                .hasMessage("strata.kafka.listeners (STRATA_KAFKA_LISTENERS) is \"INTER.NAL://h:9092\": in "
                        + "\"INTER.NAL://h:9092\", a listener name is letters, digits, _ and -");
        assertThatThrownBy(() -> ListenerFormat.endpoints(LISTENERS, " , "))
                .hasMessage("strata.kafka.listeners (STRATA_KAFKA_LISTENERS) is \" , \", which names no listener");
    }

    @Test
    void theProtocolMapGivesEachNameItsProtocol() {
        assertThat(ListenerFormat.protocolMap(MAP, "internal:plaintext, EXTERNAL : SASL_SSL,,REPLICATION:SSL"))
                .containsExactly(Map.entry("INTERNAL", SecurityProtocol.PLAINTEXT),
                        Map.entry("EXTERNAL", SecurityProtocol.SASL_SSL),
                        Map.entry("REPLICATION", SecurityProtocol.SSL));
    }

    @Test
    void aProtocolMapEntryThatIsNotNameColonProtocolIsNamed() {
        assertThatThrownBy(() -> ListenerFormat.protocolMap(MAP, "INTERNAL=PLAINTEXT"))
                .hasMessage("strata.kafka.listener-security-protocol-map (STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP) "
                        + "is \"INTERNAL=PLAINTEXT\": in \"INTERNAL=PLAINTEXT\", it is not NAME:PROTOCOL");
        assertThatThrownBy(() -> ListenerFormat.protocolMap(MAP, "INTERNAL:TLS"))
                .hasMessageEndingWith("in \"INTERNAL:TLS\", the security protocol is one of PLAINTEXT, SSL, "
                        + "SASL_PLAINTEXT, SASL_SSL");
        assertThatThrownBy(() -> ListenerFormat.protocolMap(MAP, "INTERNAL:PLAINTEXT,internal:SSL"))
                .hasMessageEndingWith("in \"internal:SSL\", it maps INTERNAL a second time");
    }
}
