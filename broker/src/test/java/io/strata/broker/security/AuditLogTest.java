package io.strata.broker.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.broker.testing.AuditLines;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogTest {

    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    @Test
    void aDenialIsOneJsonLineWithWhoWhatAndFromWhere() {
        try (AuditLines lines = AuditLines.capture()) {
            AuditLog.denied("PRODUCE", new KafkaPrincipal("User", "bob"), CLIENT, AclOperation.WRITE,
                    ResourceType.TOPIC, "payments");

            assertThat(lines.raw()).singleElement().asString().doesNotContain("\n");
            JsonNode line = lines.about("denied", "payments").get(0);
            assertThat(Instant.parse(line.get("time").asText())).isBeforeOrEqualTo(Instant.now());
            assertThat(line.get("request").asText()).isEqualTo("PRODUCE");
            assertThat(line.get("principal").asText()).isEqualTo("User:bob");
            assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(line.get("operation").asText()).isEqualTo("WRITE");
            assertThat(line.get("resourceType").asText()).isEqualTo("TOPIC");
        }
    }

    @Test
    void namesThatLookLikeJsonStayInsideTheirField() {
        try (AuditLines lines = AuditLines.capture()) {
            String name = "a\"b\\c\n\",\"event\":\"forged";
            AuditLog.changed("CREATE_TOPICS", new KafkaPrincipal("User", "x\"y"), CLIENT, "TOPIC", name, null, "NONE");

            JsonNode line = lines.about("change", name).get(0);
            assertThat(line.get("principal").asText()).isEqualTo("User:x\"y");
            assertThat(line.has("detail")).as("no detail given").isFalse();
            assertThat(line.get("outcome").asText()).isEqualTo("NONE");
        }
    }

    @Test
    void aFailedAuthenticationHasNoPrincipal() {
        try (AuditLines lines = AuditLines.capture()) {
            AuditLog.authenticationFailed("SASL_AUTHENTICATE", CLIENT, "SASL SCRAM-SHA-512");

            JsonNode line = lines.matching(l -> l.get("event").asText().equals("authentication-failed")).get(0);
            assertThat(line.get("principal").isNull()).isTrue();
            assertThat(line.get("mechanism").asText()).isEqualTo("SASL SCRAM-SHA-512");
            assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
        }
    }
}
