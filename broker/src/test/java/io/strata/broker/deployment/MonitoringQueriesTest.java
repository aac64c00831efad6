package io.strata.broker.deployment;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strata.broker.deployment.DeploymentFiles.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Prometheus alert rules and the Grafana dashboard query only meters a running broker exports at /q/metrics
 * (and Prometheus' own {@code up}): a renamed meter fails here instead of leaving a panel empty or an alert silent.
 */
@QuarkusTest
class MonitoringQueriesTest {

    /** Series Prometheus makes itself for every target rather than reads from it. */
    private static final Set<String> SCRAPE_SERIES = Set.of("up");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][\\w:]*");

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void metricNamesAreReadOutOfPromQl() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, api) (rate(strata_kafka_request_seconds_bucket"
                + "{api=\"PRODUCE\", job=~\"s.*\"}[$__rate_interval])))"))
                .containsExactly("strata_kafka_request_seconds_bucket");
        assertThat(metricNames("x_bytes > 1e9 and deriv(x_bytes[30m]) > 0 or on (instance) up{job=\"strata\"} == 0"))
                .containsExactly("up", "x_bytes");
        assertThat(metricNames("sum by (group, topic) (max by (group, topic, partition) (lag)) > 100000"))
                .containsExactly("lag");
    }

    @Test
    void theAlertsCoverWhatAnOperatorMustKnowAndQueryOnlyExportedMeters() throws Exception {
        Map<String, String> alerts = alerts();
        assertThat(alerts).containsKeys("StrataBrokerDown", "StrataUnderReplicatedPartitions", "StrataOfflinePartitions",
                "StrataObjectStoreDown", "StrataTieringLagGrowing", "StrataConsumerLagHigh");
        assertThat(alerts.get("StrataUnderReplicatedPartitions")).contains("strata_under_replicated_partitions");
        assertThat(alerts.get("StrataOfflinePartitions")).contains("strata_cluster_offline_partitions");
        assertThat(alerts.get("StrataObjectStoreDown")).contains("strata_tiering_object_store_up");
        assertThat(alerts.get("StrataTieringLagGrowing")).contains("strata_tiering_upload_lag_bytes");
        assertThat(alerts.get("StrataConsumerLagHigh")).contains("strata_consumer_group_lag");

        Set<String> queried = new TreeSet<>();
        alerts.values().forEach(expression -> queried.addAll(metricNames(expression)));
        assertThat(queried).hasSizeGreaterThanOrEqualTo(8);
        assertThat(notExported(queried)).as("meters the alert rules query that the broker does not export").isEmpty();
    }

    @Test
    void theDashboardQueriesOnlyExportedMeters() throws Exception {
        List<String> expressions = dashboardExpressions();
        Set<String> queried = new TreeSet<>();
        expressions.forEach(expression -> queried.addAll(metricNames(expression)));
        assertThat(queried).contains("strata_topic_bytes_in_total", "strata_kafka_request_seconds_bucket",
                "strata_consumer_group_lag", "strata_under_replicated_partitions", "strata_tiering_upload_lag_bytes",
                "strata_tiering_object_store_up");
        assertThat(notExported(queried)).as("meters the dashboard queries that the broker does not export").isEmpty();
    }

    // --- the broker's meters

    private Set<String> notExported(Set<String> queried) throws Exception {
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported());
        return missing;
    }

    /**
     * The sample names of a scrape, after traffic that makes the lazily created meters appear: request timers
     * per API key, topic traffic and partition sizes, and a group's lag.
     */
    private Set<String> exported() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        String topic = "monitored-topic";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(topic, new byte[100])).get();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "monitored-group",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
            consumer.commitSync();
        }
        Set<String> names = new TreeSet<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            names.clear();
            for (String line : scrape().lines().toList()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
            assertThat(names).contains("strata_consumer_group_lag", "strata_topic_bytes_out_total",
                    "strata_partition_log_bytes", "strata_kafka_request_seconds_bucket");
        });
        names.addAll(SCRAPE_SERIES);
        return names;
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    // --- the queries

    /** Alert name to expression, from deployment/prometheus/alerts.yml. */
    private static Map<String, String> alerts() {
        Map<String, String> alerts = new LinkedHashMap<>();
        for (Object group : (List<?>) DeploymentFiles.yaml(path("prometheus/alerts.yml")).get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> fields = (Map<?, ?>) rule;
                alerts.put(String.valueOf(fields.get("alert")), String.valueOf(fields.get("expr")));
            }
        }
        return alerts;
    }

    /** Every query of deployment/grafana/dashboards/strata.json, nested rows included. */
    private static List<String> dashboardExpressions() {
        JsonNode dashboard = JsonMapper.builder().build().readTree(DeploymentFiles.read(path("grafana/dashboards/strata.json")));
        List<String> expressions = new ArrayList<>();
        collectExpressions(dashboard.get("panels"), expressions);
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
        return expressions;
    }

    private static void collectExpressions(JsonNode panels, List<String> expressions) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.get("expr").asString());
            }
            collectExpressions(panel.path("panels"), expressions);
        }
    }

    /**
     * The metric names of a PromQL expression: identifiers left once strings, label matchers, ranges and grouping
     * clauses are removed, except function names (followed by a parenthesis) and keywords.
     */
    static Set<String> metricNames(String expression) {
        String stripped = STRING.matcher(expression).replaceAll("\"\"");
        stripped = stripped.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        stripped = GROUPING.matcher(stripped).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(stripped);
        while (identifier.find()) {
            String name = identifier.group();
            String rest = stripped.substring(identifier.end()).stripLeading();
            if (!KEYWORDS.contains(name.toLowerCase()) && !rest.startsWith("(")) {
                names.add(name);
            }
        }
        return names;
    }
}
