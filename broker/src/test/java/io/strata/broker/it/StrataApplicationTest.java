package io.strata.broker.it;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged application boots the broker from its configuration and reports ready. */
@QuarkusTest
class StrataApplicationTest {

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @Test
    void theBrokerServesKafkaClientsAndReportsReady() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        assertThat(bootstrap).startsWith("127.0.0.1:");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("from-quarkus", 2, (short) 1))).all().get();
            assertThat(admin.listTopics().names().get()).contains("from-quarkus");
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(readiness.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\": \"UP\"").contains(bootstrap);
    }
}
