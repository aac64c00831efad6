package io.strata.broker.group;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Consumer groups with the real Java client: partitions split among members, failover, assignors. */
class ConsumerGroupTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;
    @TempDir
    Path logs;
    static TestBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(dataDir);
        admin = broker.admin();
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    @Timeout(120)
    void membersSplitTheTopicAndSurvivorsTakeOverWithoutLosingRecords() throws Exception {
        String topic = "orders";
        String group = "order-processors";
        Set<TopicPartition> all = createTopic(topic, 6);
        Set<String> processed = ConcurrentHashMap.newKeySet();
        try (BackgroundProducer producer = new BackgroundProducer(broker, topic)) {
            PollingConsumer a = new PollingConsumer(broker, "a", group, topic, Map.of(), processed);
            PollingConsumer b = new PollingConsumer(broker, "b", group, topic, Map.of(), processed);
            awaitStable(group, Set.of("a", "b"), all, 3);

            Process c = startMemberProcess(group, topic, "c", processed);
            try {
                awaitStable(group, Set.of("a", "b", "c"), all, 2);

                a.close();
                awaitStable(group, Set.of("b", "c"), all, 3);

                long killedAt = System.nanoTime();
                c.destroyForcibly();
                awaitStable(group, Set.of("b"), all, 6);
                long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertThat(takeoverMs).as("take-over after the session timeout")
                        .isLessThan(GroupTests.SESSION_TIMEOUT_MS + 6000L);
            } finally {
                c.destroyForcibly();
            }

            Set<String> acknowledged = producer.stopAndGetAcknowledged();
            assertThat(acknowledged).hasSizeGreaterThan(100);
            await().atMost(TIMEOUT).until(() -> processed.containsAll(acknowledged));
            b.close();
            assertThat(a.failure()).isNull();
            assertThat(b.failure()).isNull();
        }
        // Everything processed was committed: nothing is left to consume.
        assertThat(broker.broker().groupCoordinator().lag(group).get())
                .hasSize(6).allSatisfy(lag -> assertThat(lag.lag()).isZero());
    }

    @Test
    @Timeout(60)
    void aMemberBeyondThePartitionCountIsIdle() throws Exception {
        String topic = "few-partitions";
        String group = "crowd";
        Set<TopicPartition> all = createTopic(topic, 2);
        try (Members ignored = new Members(group, topic, List.of("x", "y", "z"), Map.of())) {
            AtomicReference<Map<String, Set<TopicPartition>>> seen = new AtomicReference<>();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<String, Set<TopicPartition>> assignments = GroupTests.stableAssignments(admin, group);
                seen.set(assignments);
                return assignments != null && assignments.size() == 3
                        && GroupTests.isFullAndDisjoint(assignments.values(), all);
            });
            assertThat(seen.get().values()).filteredOn(Set::isEmpty).hasSize(1);
            assertThat(seen.get().values()).filteredOn(s -> s.size() == 1).hasSize(2);
        }
    }

    @Test
    @Timeout(60)
    void twoGroupsOnOneTopicEachSeeEveryRecord() throws Exception {
        String topic = "shared";
        broker.createTopic(topic, 3, Map.of());
        Set<String> sent = produce(topic, "shared-", 300);
        Set<String> first = ConcurrentHashMap.newKeySet();
        Set<String> second = ConcurrentHashMap.newKeySet();
        try (PollingConsumer one = new PollingConsumer(broker, "one", "group-one", topic, Map.of(), first);
             PollingConsumer two = new PollingConsumer(broker, "two", "group-two", topic, Map.of(), second)) {
            await().atMost(TIMEOUT).until(() -> first.containsAll(sent) && second.containsAll(sent));
        }
        assertThat(first).isEqualTo(sent);
        assertThat(second).isEqualTo(sent);
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    @Timeout(60)
    void everyAssignorGivesAFullDisjointAssignment(String assignor) throws Exception {
        String topic = "assign-" + assignor;
        String group = "assignor-" + assignor;
        Set<TopicPartition> all = createTopic(topic, 7);
        Map<String, Object> strategy = Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, strategyClass(assignor));
        try (Members members = new Members(group, topic, List.of("m1", "m2", "m3"), strategy)) {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                List<Set<TopicPartition>> owned = members.assignments();
                Map<String, Set<TopicPartition>> described = GroupTests.stableAssignments(admin, group);
                return GroupTests.isFullAndDisjoint(owned, all) && described != null && described.size() == 3
                        && GroupTests.isFullAndDisjoint(described.values(), all)
                        && owned.stream().allMatch(s -> s.size() >= 2 && s.size() <= 3);
            });
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group),
                    new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true)).describedGroups().get(group)
                    .get();
            assertThat(description.partitionAssignor()).isEqualTo(assignor);
            assertThat(description.authorizedOperations()).as("everything, with no authorizer")
                    .contains(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE);
        }
    }

    private static String strategyClass(String assignor) {
        return switch (assignor) {
            case "range" -> "org.apache.kafka.clients.consumer.RangeAssignor";
            case "roundrobin" -> "org.apache.kafka.clients.consumer.RoundRobinAssignor";
            case "sticky" -> "org.apache.kafka.clients.consumer.StickyAssignor";
            default -> "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
        };
    }

    @Test
    @Timeout(90)
    void committedOffsetsAndTheGroupSurviveARestart() throws Exception {
        String topic = "restart-offsets";
        String group = "restarting";
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        produce(topic, "before-", 100);
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(GroupTests.consumerProps("r1", group))) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> read = pollUntil(consumer, 40);
            // Commit after processing the first 40 only.
            consumer.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(40, "forty")));
            assertThat(read.get(0).offset()).isZero();
        }

        // A member that stays up across the restart stays a member: the group is stored with it.
        KafkaConsumer<byte[], byte[]> live = broker.consumer(GroupTests.consumerProps("live", "kept-alive"));
        broker.createTopic("restart-live", 1, Map.of());
        live.subscribe(List.of("restart-live"));
        await().atMost(TIMEOUT).until(() -> {
            live.poll(Duration.ofMillis(100));
            return !live.assignment().isEmpty();
        });
        int generation = live.groupMetadata().generationId();
        String memberId = live.groupMetadata().memberId();

        broker.restart();

        try (Admin restarted = broker.admin()) {
            var offsets = restarted.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            assertThat(offsets.get(tp).offset()).isEqualTo(40);
            assertThat(offsets.get(tp).metadata()).isEqualTo("forty");
            var described = restarted.describeConsumerGroups(List.of("kept-alive")).describedGroups().get("kept-alive").get();
            assertThat(described.members()).extracting(m -> m.consumerId()).containsExactly(memberId);
        }
        try {
            live.poll(Duration.ofMillis(500));
            live.commitSync(Duration.ofSeconds(20));
            // The client may rejoin (its metadata changed while the broker was away), but as the member it was:
            // a coordinator that had lost the group would have answered UNKNOWN_MEMBER_ID and a new id.
            assertThat(live.groupMetadata().memberId()).isEqualTo(memberId);
            assertThat(live.groupMetadata().generationId()).isGreaterThanOrEqualTo(generation);
        } finally {
            live.close(Duration.ofSeconds(5));
        }

        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(GroupTests.consumerProps("r2", group))) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> read = pollUntil(consumer, 60);
            assertThat(read.get(0).offset()).as("resumes after the last commit").isEqualTo(40);
            assertThat(read).hasSize(60);
        }
    }

    // ---- helpers ----

    /** Creates the topic and returns its partitions. */
    private static Set<TopicPartition> createTopic(String topic, int partitions) {
        broker.createTopic(topic, partitions, Map.of());
        return GroupTests.partitions(topic, partitions);
    }

    private void awaitStable(String group, Set<String> clients, Set<TopicPartition> all, int perMember) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, Set<TopicPartition>> assignments = GroupTests.stableAssignments(admin, group);
            return assignments != null && assignments.keySet().equals(clients)
                    && GroupTests.isFullAndDisjoint(assignments.values(), all)
                    && assignments.values().stream().allMatch(s -> s.size() == perMember);
        });
    }

    private Process startMemberProcess(String group, String topic, String clientId, Set<String> sink) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                GroupMemberMain.class.getName(), broker.bootstrapServers(), group, topic, clientId))
                .redirectError(logs.resolve(clientId + ".log").toFile())
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("P ")) {
                        sink.add(line.substring(2));
                    }
                }
            } catch (java.io.IOException e) {
                // The process was killed.
            }
        }, "member-" + clientId + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    private static List<ConsumerRecord<byte[], byte[]>> pollUntil(KafkaConsumer<byte[], byte[]> consumer, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (records.size() < count) {
                    records.add(record);
                }
            }
        }
        assertThat(records).hasSize(count);
        return records;
    }

    private static Set<String> produce(String topic, String prefix, int count) throws Exception {
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < count; i++) {
                String value = prefix + i;
                producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
                sent.add(value);
            }
        }
        return sent;
    }

    /**
     * One {@link PollingConsumer} per client id, all in one group and sharing one sink of record values;
     * closing stops every one of them.
     */
    private static final class Members implements AutoCloseable {
        private final List<PollingConsumer> consumers = new ArrayList<>();
        private final Set<String> sink = ConcurrentHashMap.newKeySet();

        Members(String group, String topic, List<String> clientIds, Map<String, Object> overrides)
                throws InterruptedException {
            try {
                for (String id : clientIds) {
                    consumers.add(new PollingConsumer(broker, id, group, topic, overrides, sink));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Each member's partitions after its last poll. */
        List<Set<TopicPartition>> assignments() {
            return consumers.stream().map(PollingConsumer::assignment).toList();
        }

        @Override
        public void close() throws InterruptedException {
            for (PollingConsumer consumer : consumers) {
                consumer.close();
            }
        }
    }

    /** Produces numbered records until stopped, remembering which were acknowledged. */
    private static final class BackgroundProducer implements AutoCloseable {
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean running = true;

        BackgroundProducer(TestBroker broker, String topic) {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            KafkaProducer<byte[], byte[]> producer = broker.producer(props);
            thread = new Thread(() -> {
                try (producer) {
                    for (int i = 0; running; i++) {
                        String value = "record-" + i;
                        producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)),
                                (metadata, error) -> {
                                    if (error == null) {
                                        acknowledged.add(value);
                                    }
                                });
                        Thread.sleep(3);
                    }
                    producer.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "background-producer");
            thread.setDaemon(true);
            thread.start();
        }

        Set<String> stopAndGetAcknowledged() throws InterruptedException {
            running = false;
            thread.join(30_000);
            return Set.copyOf(acknowledged);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }
}
