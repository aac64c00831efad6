package io.strata.broker.it;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.Directories;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three brokers in processes of their own; broker 2 loses its data directory and is restarted with the same
 * settings on an empty one. It rejoins, its partitions re-replicate from their leaders and it leads again
 * after a preferred election; and while the only other broker that remembers the metadata is down, the
 * broker that forgot it and the one left elect no controller.
 */
class LostDataDirectoryTest {

    @TempDir
    Path dir;
    private final int[] raftPorts = FreePorts.take(3);
    private final int[] kafkaPorts = FreePorts.take(3);
    private final BrokerProcess[] processes = new BrokerProcess[3];

    @AfterEach
    void killAll() throws Exception {
        for (BrokerProcess process : processes) {
            if (process != null) {
                process.kill();
            }
        }
        // The brokers' logs outlive the temporary directory, for a failure to be read.
        Path logs = Path.of("target", "lost-data-directory-test");
        Files.createDirectories(logs);
        for (int nodeId = 1; nodeId <= 3; nodeId++) {
            Path log = dir.resolve("broker-" + nodeId + ".log");
            if (Files.exists(log)) {
                Files.copy(log, logs.resolve("broker-" + nodeId + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void aBrokerRestartedOnAnEmptyDataDirectoryRejoinsReplicatesAndLeadsAgain() throws Exception {
        startAll();
        TopicPartition tp = new TopicPartition("led-by-two", 0);
        try (Admin admin = admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> created(admin, tp.topic(), List.of(2, 1, 3)));
            awaitInSync(admin, tp.topic(), 3);
        }
        List<String> written = produce(tp, "before", 50);

        processes[1].stop(Duration.ofSeconds(30));
        Directories.delete(dir.resolve("broker-2"));
        processes[1] = start(2);

        try (Admin admin = admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> nodes(admin).equals(Set.of(1, 2, 3)));
            awaitInSync(admin, tp.topic(), 3);
            admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).all().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> describe(admin, tp.topic()).leader().id() == 2);
        }
        assertThat(consume(tp, 2, written.size())).containsExactlyElementsOf(written);
    }

    @Test
    void theBrokerThatForgotAndOneOtherElectNoControllerUntilTheThirdIsBack() throws Exception {
        startAll();
        TopicPartition tp = new TopicPartition("kept", 0);
        try (Admin admin = admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> created(admin, tp.topic(), List.of(1, 2, 3)));
            awaitInSync(admin, tp.topic(), 3);
        }
        List<String> written = produce(tp, "kept", 10);

        processes[0].kill();
        processes[1].kill();
        Directories.delete(dir.resolve("broker-2"));
        // Its start waits for a leader, which does not come while broker 1 is down.
        CompletableFuture<BrokerProcess> wiped = CompletableFuture.supplyAsync(() -> start(2));
        Path wipedLog = dir.resolve("broker-2.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(wipedLog)
                && Files.readString(wipedLog).contains("its vote counts only once it has caught up"));
        Admin outage = admin(3);
        try {
            // Broker 3 answers NOT_LEADER_OR_FOLLOWER, which the client retries until it gives up.
            assertThatThrownBy(() -> outage.describeMetadataQuorum(new DescribeMetadataQuorumOptions().timeoutMs(4_000))
                    .quorumInfo().get(6, TimeUnit.SECONDS)).as("no metadata leader among brokers 2 and 3")
                    .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
            assertThatThrownBy(() -> outage.createTopics(List.of(new NewTopic("refused", 1, (short) 1)),
                    new CreateTopicsOptions().timeoutMs(4_000)).all().get(6, TimeUnit.SECONDS))
                    .as("no controller to create a topic").isInstanceOfAny(ExecutionException.class, TimeoutException.class);
        } finally {
            outage.close(Duration.ofSeconds(2));
        }
        assertThat(wiped).as("broker 2 waits for a leader").isNotDone();

        processes[0] = start(1);
        try {
            processes[1] = wiped.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // It gave up waiting for a leader before broker 1 was back: started again, as a supervisor would.
            processes[1] = start(2);
        }
        try (Admin admin = admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS).leaderId() >= 0
                            && nodes(admin).equals(Set.of(1, 2, 3)));
            awaitInSync(admin, tp.topic(), 3);
        }
        assertThat(consume(tp, 2, written.size())).containsExactlyElementsOf(written);
    }

    private void startAll() throws Exception {
        List<CompletableFuture<BrokerProcess>> starting = new ArrayList<>();
        for (int nodeId = 1; nodeId <= 3; nodeId++) {
            int id = nodeId;
            starting.add(CompletableFuture.supplyAsync(() -> start(id)));
        }
        for (int i = 0; i < 3; i++) {
            processes[i] = starting.get(i).get(90, TimeUnit.SECONDS);
        }
    }

    private BrokerProcess start(int nodeId) {
        String peers = IntStream.rangeClosed(1, 3).filter(id -> id != nodeId)
                .mapToObj(id -> id + "@127.0.0.1:" + raftPorts[id - 1]).collect(Collectors.joining(","));
        try {
            return BrokerProcess.start(dir.resolve("broker-" + nodeId), kafkaPorts[nodeId - 1],
                    dir.resolve("broker-" + nodeId + ".log"), Map.of("strata.node-id", Integer.toString(nodeId),
                            "strata.raft.port", Integer.toString(raftPorts[nodeId - 1]), "strata.raft.peers", peers));
        } catch (Exception e) {
            throw new IllegalStateException("starting broker " + nodeId, e);
        }
    }

    private static boolean created(Admin admin, String topic, List<Integer> replicas) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, replicas))
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return true;
            }
            if (e.getCause() instanceof InvalidReplicaAssignmentException) {
                return false; // the broker asked has not applied every registration yet
            }
            throw e;
        }
    }

    private static void awaitInSync(Admin admin, String topic, int replicas) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> describe(admin, topic).isr().size() == replicas && describe(admin, topic).leader() != null);
    }

    private static org.apache.kafka.common.TopicPartitionInfo describe(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                .get(topic);
        return description.partitions().get(0);
    }

    private List<String> produce(TopicPartition tp, String prefix, int count) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                values.add(prefix + "-" + i);
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, prefix + "-" + i));
            }
            producer.flush();
        }
        return values;
    }

    /** The partition's records, read through broker {@code nodeId} only. */
    private List<String> consume(TopicPartition tp, int nodeId, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(nodeId)), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private Admin admin(int... nodeIds) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(nodeIds),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000));
    }

    private String bootstrap(int... nodeIds) {
        return Arrays.stream(nodeIds).mapToObj(id -> "127.0.0.1:" + kafkaPorts[id - 1]).collect(Collectors.joining(","));
    }

    private static Set<Integer> nodes(Admin admin) throws Exception {
        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toSet());
    }
}
