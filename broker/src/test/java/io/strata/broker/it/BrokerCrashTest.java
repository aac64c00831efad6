package io.strata.broker.it;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three brokers in processes of their own: one killed with SIGKILL is fenced once the others notice its
 * sockets closed, its partition has no leader meanwhile, and restarted on the same data it rejoins and
 * serves what it held.
 */
class BrokerCrashTest {

    @TempDir
    Path dir;
    private final int[] raftPorts = FreePorts.take(3);
    private final int[] kafkaPorts = FreePorts.take(3);
    private final List<BrokerProcess> processes = new ArrayList<>(List.of());

    @AfterEach
    void killAll() throws Exception {
        for (BrokerProcess process : processes) {
            process.kill();
        }
        // The brokers' logs outlive the temporary directory, for a failure to be read.
        Path logs = Path.of("target", "broker-crash-test");
        Files.createDirectories(logs);
        for (int nodeId = 1; nodeId <= 3; nodeId++) {
            Path log = dir.resolve("broker-" + nodeId + ".log");
            if (Files.exists(log)) {
                Files.copy(log, logs.resolve("broker-" + nodeId + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void aKilledBrokerIsFencedAndRejoinsWhenRestarted() throws Exception {
        List<CompletableFuture<BrokerProcess>> starting = new ArrayList<>();
        for (int nodeId = 1; nodeId <= 3; nodeId++) {
            int id = nodeId;
            starting.add(CompletableFuture.supplyAsync(() -> start(id)));
        }
        for (CompletableFuture<BrokerProcess> process : starting) {
            processes.add(process.get(90, TimeUnit.SECONDS));
        }
        TopicPartition tp = new TopicPartition("on-three", 0);
        try (Admin admin = admin(1, 2, 3)) {
            // The broker that gets the request may not have applied broker 3's registration yet: it refuses
            // the assignment until it has.
            await().atMost(Duration.ofSeconds(20)).until(() -> created(admin, new NewTopic(tp.topic(), Map.of(0, List.of(3)))));
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> leader(admin, tp.topic()) != null && leader(admin, tp.topic()).id() == 3);
        }
        produce(tp, "before the crash");

        long killed = System.nanoTime();
        processes.get(2).kill();
        try (Admin admin = admin(1, 2)) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> nodes(admin).equals(Set.of(1, 2)) && leader(admin, tp.topic()) == null);
            System.out.printf("broker 3 fenced %d ms after SIGKILL%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        }

        processes.set(2, start(3));
        try (Admin admin = admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> nodes(admin).equals(Set.of(1, 2, 3)) && leader(admin, tp.topic()) != null
                            && leader(admin, tp.topic()).id() == 3);
        }
        produce(tp, "after the restart");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(1, 2, 3)), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            assertThat(values).containsExactly("before the crash", "after the restart");
        }
    }

    private static boolean created(Admin admin, NewTopic topic) throws Exception {
        try {
            admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return true;
            }
            if (e.getCause() instanceof InvalidReplicaAssignmentException) {
                return false;
            }
            throw e;
        }
    }

    private BrokerProcess start(int nodeId) {
        String peers = java.util.stream.IntStream.rangeClosed(1, 3).filter(id -> id != nodeId)
                .mapToObj(id -> id + "@127.0.0.1:" + raftPorts[id - 1]).collect(Collectors.joining(","));
        try {
            return BrokerProcess.start(dir.resolve("broker-" + nodeId), kafkaPorts[nodeId - 1],
                    dir.resolve("broker-" + nodeId + ".log"), Map.of("strata.node-id", Integer.toString(nodeId),
                            "strata.raft.port", Integer.toString(raftPorts[nodeId - 1]), "strata.raft.peers", peers));
        } catch (Exception e) {
            throw new IllegalStateException("starting broker " + nodeId, e);
        }
    }

    private void produce(TopicPartition tp, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private Admin admin(int... nodeIds) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(nodeIds)));
    }

    private String bootstrap(int... nodeIds) {
        return java.util.Arrays.stream(nodeIds).mapToObj(id -> "127.0.0.1:" + kafkaPorts[id - 1])
                .collect(Collectors.joining(","));
    }

    private static Set<Integer> nodes(Admin admin) throws Exception {
        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toSet());
    }

    private static Node leader(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                .get(topic);
        return description.partitions().get(0).leader();
    }
}
