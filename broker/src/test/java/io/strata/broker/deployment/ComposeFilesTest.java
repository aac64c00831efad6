package io.strata.broker.deployment;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.strata.broker.deployment.DeploymentFiles.path;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compose files are valid Compose (the Compose specification's JSON schema, vendored in test resources, since
 * no Docker runs here to say so), and they hold together: brokers, their ports and peers, the bucket, Prometheus'
 * targets and Grafana's provisioning. Every STRATA_* setting the deployment files give is one the README documents.
 */
class ComposeFilesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Schema COMPOSE_SPEC = composeSpec();
    private static final Pattern SETTING = Pattern.compile("\\bSTRATA_[A-Z0-9_]+[A-Z0-9]");

    @ParameterizedTest
    @ValueSource(strings = {"compose.yaml", "vm/compose.yaml"})
    void validatesAgainstTheComposeSpecification(String file) {
        List<Error> errors = COMPOSE_SPEC.validate(JSON.valueToTree(DeploymentFiles.yaml(path(file))));
        assertThat(errors).as(file).isEmpty();
    }

    @Test
    void theSchemaRefusesWhatComposeRefuses() {
        Map<String, Object> misspelt = Map.of("services", Map.of("broker", Map.of("image", "strata", "enviroment",
                Map.of("STRATA_NODE_ID", "1"))));
        assertThat(COMPOSE_SPEC.validate(JSON.valueToTree(misspelt))).isNotEmpty();
    }

    @Test
    void threeBrokersInRacksABAPeerWithEachOtherAndArePublishedOnLoopback() {
        Map<String, Object> services = services(path("compose.yaml"));
        List<String> ports = strings(map(services.get("network")).get("ports"));
        Map<String, String> raftAddresses = new HashMap<>();
        for (int node = 1; node <= 3; node++) {
            raftAddresses.put(Integer.toString(node), "127.0.0.1:" + environment(services, "broker-" + node).get("STRATA_RAFT_PORT"));
        }
        List<String> racks = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            String name = "broker-" + node;
            Map<String, Object> broker = map(services.get(name));
            Map<String, String> environment = environment(services, name);
            assertThat(broker.get("network_mode")).isEqualTo("service:network");
            assertThat(environment).containsEntry("STRATA_NODE_ID", Integer.toString(node))
                    .containsEntry("STRATA_ADVERTISED_HOST", "127.0.0.1")
                    .containsEntry("STRATA_ADVERTISED_PORT", environment.get("STRATA_KAFKA_PORT"));
            racks.add(environment.get("STRATA_RACK"));
            // A client on the host reaches the advertised address, and so does every other broker.
            assertThat(ports).contains("127.0.0.1:" + environment.get("STRATA_KAFKA_PORT") + ":" + environment.get("STRATA_KAFKA_PORT"),
                    "127.0.0.1:" + environment.get("QUARKUS_HTTP_PORT") + ":" + environment.get("QUARKUS_HTTP_PORT"));
            List<String> expectedPeers = new ArrayList<>();
            for (int other = 1; other <= 3; other++) {
                if (other != node) {
                    expectedPeers.add(other + "@" + raftAddresses.get(Integer.toString(other)));
                }
            }
            assertThat(environment.get("STRATA_RAFT_PEERS").split(",")).containsExactlyInAnyOrderElementsOf(expectedPeers);
            assertThat(broker.get("healthcheck").toString()).contains("/q/health/ready");
        }
        assertThat(racks).containsExactly("a", "b", "a");
    }

    @Test
    void theBrokersTierToTheBucketTheOneShotServiceCreates() {
        Map<String, Object> services = services(path("compose.yaml"));
        Map<String, String> environment = environment(services, "broker-1");
        Matcher url = Pattern.compile("s3://([a-z0-9.-]+)/.*").matcher(environment.get("STRATA_TIERING_URL"));
        assertThat(url.matches()).as(environment.get("STRATA_TIERING_URL")).isTrue();
        assertThat(environment.get("AWS_ENDPOINT_URL_S3")).isEqualTo("http://minio:9000");
        Map<String, Object> mc = map(services.get("mc"));
        assertThat(String.join(" ", strings(mc.get("entrypoint")))).contains("mc mb --ignore-existing minio/" + url.group(1));
        assertThat(map(map(map(services.get("broker-1")).get("depends_on")).get("mc")))
                .containsEntry("condition", "service_completed_successfully");
        Map<String, String> minio = stringMap(map(services.get("minio")).get("environment"));
        assertThat(minio.get("MINIO_ROOT_USER")).isEqualTo(environment.get("AWS_ACCESS_KEY_ID"));
        assertThat(minio.get("MINIO_ROOT_PASSWORD")).isEqualTo(environment.get("AWS_SECRET_ACCESS_KEY"));
    }

    @Test
    void prometheusScrapesEveryBrokersMetricsAndLoadsTheAlertRules() {
        Map<String, Object> services = services(path("compose.yaml"));
        Map<String, Object> prometheus = DeploymentFiles.yaml(path("prometheus/prometheus.yml"));
        Map<String, Object> job = map(((List<?>) prometheus.get("scrape_configs")).get(0));
        assertThat(job).containsEntry("job_name", "strata").containsEntry("metrics_path", "/q/metrics");
        List<String> targets = new ArrayList<>();
        for (Object group : (List<?>) job.get("static_configs")) {
            targets.addAll(strings(map(group).get("targets")));
        }
        List<String> brokers = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            brokers.add("network:" + environment(services, "broker-" + node).get("QUARKUS_HTTP_PORT"));
        }
        assertThat(targets).containsExactlyInAnyOrderElementsOf(brokers);
        assertThat(strings(prometheus.get("rule_files"))).containsExactly("/etc/prometheus/alerts.yml");
        assertThat(mounts(services, "prometheus")).containsEntry("/etc/prometheus/alerts.yml", path("prometheus/alerts.yml"))
                .containsEntry("/etc/prometheus/prometheus.yml", path("prometheus/prometheus.yml"));
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheDashboard() {
        Map<String, Object> services = services(path("compose.yaml"));
        Map<String, Path> mounts = mounts(services, "grafana");
        assertThat(mounts).containsEntry("/etc/grafana/provisioning", path("grafana/provisioning"))
                .containsEntry("/etc/grafana/dashboards", path("grafana/dashboards"));
        Map<String, Object> datasource = map(((List<?>) DeploymentFiles.yaml(
                path("grafana/provisioning/datasources/prometheus.yml")).get("datasources")).get(0));
        assertThat(datasource).containsEntry("url", "http://prometheus:9090");
        Map<String, Object> provider = map(((List<?>) DeploymentFiles.yaml(
                path("grafana/provisioning/dashboards/strata.yml")).get("providers")).get(0));
        assertThat(map(provider.get("options"))).containsEntry("path", "/etc/grafana/dashboards");

        JsonNode dashboard = JSON.readTree(DeploymentFiles.read(path("grafana/dashboards/strata.json")));
        Set<String> uids = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.has("datasource")) {
                uids.add(panel.get("datasource").get("uid").asString());
            }
            for (JsonNode target : panel.path("targets")) {
                uids.add(target.get("datasource").get("uid").asString());
            }
        }
        assertThat(uids).containsExactly(datasource.get("uid").toString());
    }

    @Test
    void aVmBrokerReadsItsSettingsFromItsEnvFile() {
        Map<String, Object> broker = map(services(path("vm/compose.yaml")).get("broker"));
        assertThat(broker).containsEntry("env_file", "broker.env").containsEntry("network_mode", "host");
        Map<String, String> settings = envFile(path("vm/broker.env.example"));
        assertThat(settings).containsKeys("STRATA_NODE_ID", "STRATA_RACK", "STRATA_ADVERTISED_HOST", "STRATA_RAFT_PEERS",
                "STRATA_RAFT_SECRET", "STRATA_TIERING_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "JAVA_OPTS");
        assertThat(settings.get("STRATA_RAFT_PEERS").split(",")).hasSize(2)
                .noneMatch(peer -> peer.startsWith(settings.get("STRATA_NODE_ID") + "@"));
        assertThat(settings.get("STRATA_RAFT_SECRET")).hasSizeGreaterThanOrEqualTo(16);
    }

    @Test
    void everySettingTheDeploymentFilesGiveIsDocumented() throws IOException {
        Set<String> documented = settings(DeploymentFiles.read(Path.of("..", "README.md")));
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DeploymentFiles.DEPLOYMENT)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".example")
                        || name.startsWith("Dockerfile")) {
                    used.addAll(settings(DeploymentFiles.read(file)));
                }
            }
        }
        assertThat(used).contains("STRATA_NODE_ID", "STRATA_RACK", "STRATA_RAFT_SECRET", "STRATA_TIERING_URL");
        assertThat(used).as("settings the README's Configuration section does not name").isSubsetOf(documented);
    }

    // --- reading

    /**
     * The schema declares draft 2019-09 but is written as draft 4 and 7 schemas are, with {@code id} and
     * {@code definitions}, which the validators Compose uses tolerate: here they are annotations too ({@code $ref}
     * still finds its targets by JSON pointer).
     */
    private static Schema composeSpec() {
        try (InputStream in = ComposeFilesTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
            JsonNode schema = JSON.readTree(in);
            Dialect dialect = Dialect.builder(Dialects.getDraft201909())
                    .keyword(new AnnotationKeyword("id"))
                    .keyword(new AnnotationKeyword("definitions"))
                    .build();
            return SchemaRegistry.withDialect(dialect).getSchema(SchemaLocation.of("classpath:compose-spec/compose-spec.json"), schema);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> services(Path compose) {
        return map(DeploymentFiles.yaml(compose).get("services"));
    }

    private static Map<String, String> environment(Map<String, Object> services, String service) {
        return stringMap(map(services.get(service)).get("environment"));
    }

    /** Bind mounts of a service: container path to the file or directory on the host, which must exist. */
    private static Map<String, Path> mounts(Map<String, Object> services, String service) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (String volume : strings(map(services.get(service)).get("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith(".")) {
                mounts.put(parts[1], path(Path.of(parts[0]).normalize().toString()));
            }
        }
        return mounts;
    }

    private static Map<String, String> envFile(Path file) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : DeploymentFiles.read(file).lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int equals = line.indexOf('=');
                assertThat(equals).as(line).isPositive();
                settings.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return settings;
    }

    private static Set<String> settings(String text) {
        Set<String> settings = new TreeSet<>();
        Matcher setting = SETTING.matcher(text);
        while (setting.find()) {
            settings.add(setting.group());
        }
        return settings;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> strings = new LinkedHashMap<>();
        map(value).forEach((key, entry) -> strings.put(key, String.valueOf(entry)));
        return strings;
    }

    private static List<String> strings(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }
}
