package io.strata.broker.deployment;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.strata.broker.deployment.DeploymentFiles.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deployment/k8s: every manifest of the base and every overlay's patch reads strictly into fabric8's Kubernetes
 * model (an unknown or misspelt field fails, as {@code kubectl apply --validate=strict} would), and the overlays
 * rendered by {@code kubectl kustomize} (where kubectl is installed) hold together: probes, selectors, references,
 * UAT and PROD one specification, DEV the same on smaller resources.
 */
class KubernetesManifestsTest {

    private static final Path K8S = path("k8s");
    private static final List<String> ENVIRONMENTS = List.of("dev", "uat", "prod");
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Namespace", Namespace.class,
            "ServiceAccount", ServiceAccount.class,
            "ClusterRole", ClusterRole.class,
            "ClusterRoleBinding", ClusterRoleBinding.class,
            "ConfigMap", ConfigMap.class,
            "Secret", Secret.class,
            "Service", Service.class,
            "StatefulSet", StatefulSet.class,
            "PodDisruptionBudget", PodDisruptionBudget.class);
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Namespace", "v1", "ServiceAccount", "v1", "ConfigMap", "v1", "Secret", "v1", "Service", "v1",
            "ClusterRole", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1",
            "StatefulSet", "apps/v1", "PodDisruptionBudget", "policy/v1");

    /** fabric8's classes keep unknown fields in a map; without that map, Jackson fails on them. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .registerModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                             BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    return builder;
                }
            }));

    private static Map<String, List<Map<String, Object>>> rendered;
    private static String kubectlMissing;

    @BeforeAll
    static void render(@TempDir Path workspace) throws Exception {
        rendered = new LinkedHashMap<>();
        if (!kubectlAvailable()) {
            kubectlMissing = "kubectl is not installed: the overlays are not rendered, only their files are checked";
            return;
        }
        // A copy of deployment/k8s with each overlay's secrets.env filled in from the example, as a user does.
        Path copy = workspace.resolve("k8s");
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(K8S.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().equals("secrets.env")) {
                    Files.copy(file, target);
                }
            }
        }
        for (String environment : ENVIRONMENTS) {
            Path overlay = copy.resolve("overlays").resolve(environment);
            Files.copy(copy.resolve("secrets.env.example"), overlay.resolve("secrets.env"));
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", overlay.toString()).start();
            String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(kubectl.exitValue()).as("kubectl kustomize overlays/%s: %s", environment, err).isZero();
            rendered.put(environment, DeploymentFiles.yamlDocuments(out));
        }
    }

    @Test
    void theStrictReaderRefusesAnUnknownField() {
        Map<String, Object> misspelt = Map.of("apiVersion", "apps/v1", "kind", "StatefulSet",
                "metadata", Map.of("name", "strata"), "spec", Map.of("replica", 3));
        assertThatThrownBy(() -> STRICT.convertValue(misspelt, StatefulSet.class)).hasMessageContaining("replica");
    }

    @Test
    void everyBaseManifestReadsStrictly() {
        List<HasMetadata> resources = base();
        assertThat(resources).extracting(HasMetadata::getKind)
                .contains("StatefulSet", "Service", "ConfigMap", "PodDisruptionBudget", "ServiceAccount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "uat", "prod"})
    void everyOverlayFileReadsStrictly(String environment) throws IOException {
        Path overlay = K8S.resolve("overlays").resolve(environment);
        Map<String, Object> kustomization = DeploymentFiles.yaml(overlay.resolve("kustomization.yaml"));
        assertThat(kustomization).containsEntry("namespace", "strata-" + environment);
        List<String> files = new ArrayList<>();
        for (Object resource : list(kustomization.get("resources"))) {
            if (!resource.toString().startsWith("..")) {
                files.add(resource.toString());
            }
        }
        for (Object patch : list(kustomization.get("patches"))) {
            Object file = map(patch).get("path");
            if (file != null) {
                files.add(file.toString());
            }
        }
        assertThat(files).isNotEmpty();
        for (String file : files) {
            for (Map<String, Object> document : DeploymentFiles.yamlDocuments(DeploymentFiles.read(overlay.resolve(file)))) {
                read(document, environment + "/" + file);
            }
        }
    }

    @Test
    void theBrokersAreProbedOnTheirHealthEndpoints() {
        Container broker = broker(statefulSet(base()));
        assertThat(httpPath(broker.getLivenessProbe())).isEqualTo("/q/health/live");
        assertThat(httpPath(broker.getReadinessProbe())).isEqualTo("/q/health/ready");
        assertThat(httpPath(broker.getStartupProbe())).isEqualTo("/q/health/live");
        assertThat(broker.getPorts()).extracting(port -> port.getName() + ":" + port.getContainerPort())
                .contains("kafka:9092", "http:8080", "raft:7800", "raft-fd:7900");
    }

    @Test
    void theStatefulSetSpreadsOverZonesAndRunsAsNonRoot() {
        StatefulSet statefulSet = statefulSet(base());
        var pod = statefulSet.getSpec().getTemplate().getSpec();
        assertThat(statefulSet.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).extracting(claim -> claim.getMetadata().getName())
                .containsExactly("data");
        assertThat(pod.getTopologySpreadConstraints()).anySatisfy(constraint -> {
            assertThat(constraint.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(constraint.getLabelSelector().getMatchLabels())
                    .isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
        });
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isNotZero();
        for (Container container : concat(pod.getInitContainers(), pod.getContainers())) {
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(container.getName()).contains("ALL");
        }
        // The broker's rack comes from the zone the init container reads.
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("rack");
        assertThat(String.join("\n", broker(statefulSet).getArgs())).contains("STRATA_RACK=$(cat /etc/strata/rack)");
    }

    @Test
    void theDisruptionBudgetAndServicesSelectTheBrokers() {
        List<HasMetadata> resources = base();
        StatefulSet statefulSet = statefulSet(resources);
        Map<String, String> selector = statefulSet.getSpec().getSelector().getMatchLabels();
        Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(selector);

        PodDisruptionBudget budget = only(resources, PodDisruptionBudget.class);
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(selector);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        List<String> containerPorts = broker(statefulSet).getPorts().stream().map(port -> port.getName()).toList();
        List<Service> services = all(resources, Service.class);
        assertThat(services).extracting(service -> service.getMetadata().getName())
                .containsExactlyInAnyOrder("strata", "strata-headless");
        for (Service service : services) {
            assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getPorts()).extracting(port -> port.getTargetPort().getStrVal())
                    .isSubsetOf(containerPorts);
        }
        Service headless = services.stream().filter(service -> service.getMetadata().getName()
                .equals(statefulSet.getSpec().getServiceName())).findFirst().orElseThrow();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(headless.getSpec().getPorts()).extracting(ServicePort::getPort).contains(9092, 7800);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "uat", "prod"})
    void eachRenderedOverlayReadsStrictlyAndItsReferencesResolve(String environment) {
        assumeTrue(kubectlMissing == null, kubectlMissing);
        List<HasMetadata> resources = new ArrayList<>();
        for (Map<String, Object> document : rendered.get(environment)) {
            resources.add(read(document, "overlays/" + environment + " rendered"));
        }
        String namespace = "strata-" + environment;
        assertThat(only(resources, Namespace.class).getMetadata().getName()).isEqualTo(namespace);
        assertThat(resources).filteredOn(resource -> !resource.getKind().startsWith("Cluster")
                        && !resource.getKind().equals("Namespace"))
                .allSatisfy(resource -> assertThat(resource.getMetadata().getNamespace()).isEqualTo(namespace));

        StatefulSet statefulSet = statefulSet(resources);
        List<String> configMaps = all(resources, ConfigMap.class).stream().map(c -> c.getMetadata().getName()).toList();
        List<String> secrets = all(resources, Secret.class).stream().map(s -> s.getMetadata().getName()).toList();
        for (EnvFromSource source : broker(statefulSet).getEnvFrom()) {
            if (source.getConfigMapRef() != null) {
                assertThat(configMaps).contains(source.getConfigMapRef().getName());
            } else {
                assertThat(secrets).contains(source.getSecretRef().getName());
            }
        }
        assertThat(all(resources, Service.class)).extracting(service -> service.getMetadata().getName())
                .contains(statefulSet.getSpec().getServiceName());
        assertThat(all(resources, ServiceAccount.class)).extracting(account -> account.getMetadata().getName())
                .containsExactly(statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName());
        ClusterRoleBinding binding = only(resources, ClusterRoleBinding.class);
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getName()).isEqualTo(statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName());
            assertThat(subject.getNamespace()).isEqualTo(namespace);
        });
        assertThat(binding.getRoleRef().getName()).isEqualTo(only(resources, ClusterRole.class).getMetadata().getName());
        assertThat(only(resources, ConfigMap.class).getData().get("STRATA_TIERING_URL"))
                .isEqualTo("s3://strata-" + environment + "/cluster");
    }

    @Test
    void uatAndProdAreOneSpecificationApartFromNamesAndSettings() {
        assumeTrue(kubectlMissing == null, kubectlMissing);
        assertThat(normalised("uat")).isEqualTo(normalised("prod"));
    }

    @Test
    void devIsTheSameConfigurationOnSmallerResources() {
        assumeTrue(kubectlMissing == null, kubectlMissing);
        ConfigMap devConfig = only(typed("dev"), ConfigMap.class);
        ConfigMap prodConfig = only(typed("prod"), ConfigMap.class);
        assertThat(devConfig.getData().keySet()).isEqualTo(prodConfig.getData().keySet());

        StatefulSet dev = statefulSet(typed("dev"));
        StatefulSet prod = statefulSet(typed("prod"));
        assertThat(dev.getSpec().getReplicas()).isEqualTo(prod.getSpec().getReplicas());
        var devResources = broker(dev).getResources();
        var prodResources = broker(prod).getResources();
        for (String resource : List.of("cpu", "memory")) {
            assertThat(bytes(devResources.getRequests().get(resource))).as(resource)
                    .isLessThan(bytes(prodResources.getRequests().get(resource)));
        }
        assertThat(bytes(devResources.getLimits().get("memory"))).isLessThan(bytes(prodResources.getLimits().get("memory")));
        assertThat(bytes(dev.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")))
                .isLessThan(bytes(prod.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")));

        // Apart from the sizes (and the heap that follows them), DEV's specification is PROD's.
        assertThat(withoutSizes(normalised("dev"))).isEqualTo(withoutSizes(normalised("prod")));
    }

    // --- reading

    private static List<HasMetadata> base() {
        Map<String, Object> kustomization = DeploymentFiles.yaml(K8S.resolve("base/kustomization.yaml"));
        List<HasMetadata> resources = new ArrayList<>();
        for (Object file : list(kustomization.get("resources"))) {
            Path manifest = K8S.resolve("base").resolve(file.toString());
            for (Map<String, Object> document : DeploymentFiles.yamlDocuments(DeploymentFiles.read(manifest))) {
                resources.add(read(document, "base/" + file));
            }
        }
        return resources;
    }

    private static HasMetadata read(Map<String, Object> document, String where) {
        String kind = String.valueOf(document.get("kind"));
        Class<? extends HasMetadata> type = KINDS.get(kind);
        assertThat(type).as("%s: a kind this test knows (%s)", where, kind).isNotNull();
        assertThat(document.get("apiVersion")).as("%s: apiVersion of %s", where, kind).isEqualTo(API_VERSIONS.get(kind));
        try {
            return STRICT.convertValue(document, type);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
    }

    private static List<HasMetadata> typed(String environment) {
        return rendered.get(environment).stream().map(document -> read(document, environment)).toList();
    }

    /**
     * A rendered overlay without what may differ between environments: its namespace, name prefix and instance
     * label, settings' values and secrets.
     */
    @SuppressWarnings("unchecked")
    private static List<Object> normalised(String environment) {
        String text = STRICT.valueToTree(rendered.get(environment)).toString()
                .replace("strata-" + environment, "strata-ENV")
                .replace("\"" + environment + "-", "\"ENV-")
                // Generated Secret names end in a hash of their content.
                .replaceAll("ENV-strata-secrets-[a-z0-9]+", "ENV-strata-secrets");
        List<Object> documents = parse(text);
        for (Object document : documents) {
            Map<String, Object> resource = (Map<String, Object>) document;
            if (resource.get("data") instanceof Map<?, ?> data) {
                // Keys stay, so both environments set the same settings and secrets; values may differ.
                ((Map<String, Object>) data).replaceAll((key, value) -> "VALUE");
            }
        }
        return documents;
    }

    private static List<Object> withoutSizes(List<Object> documents) {
        String text = STRICT.valueToTree(documents).toString()
                .replaceAll("\"(cpu|memory|storage)\":\"[^\"]+\"", "\"$1\":\"SIZE\"")
                .replaceAll("\"name\":\"JAVA_OPTS\",\"value\":\"[^\"]+\"", "\"name\":\"JAVA_OPTS\",\"value\":\"HEAP\"");
        return parse(text);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> parse(String json) {
        try {
            return STRICT.readValue(json, List.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // --- the objects

    private static StatefulSet statefulSet(List<HasMetadata> resources) {
        return only(resources, StatefulSet.class);
    }

    private static Container broker(StatefulSet statefulSet) {
        return statefulSet.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(container -> container.getName().equals("broker")).findFirst().orElseThrow();
    }

    private static String httpPath(Probe probe) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        return probe.getHttpGet().getPath();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> resources, Class<T> type) {
        List<T> found = all(resources, type);
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> resources, Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static BigDecimal bytes(Quantity quantity) {
        assertThat(quantity).isNotNull();
        return Quantity.getAmountInBytes(quantity);
    }

    private static List<Container> concat(List<Container> first, List<Container> second) {
        List<Container> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }

    private static Map<?, ?> map(Object value) {
        return (Map<?, ?>) value;
    }

    private static boolean kubectlAvailable() {
        try {
            Process process = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
