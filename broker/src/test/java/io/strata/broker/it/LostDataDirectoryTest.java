package io.strata.broker.it;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.Directories;
import io.strata.broker.testing.ProcessCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster("lost-data-directory-test", 3);

    @Test
    void aBrokerRestartedOnAnEmptyDataDirectoryRejoinsReplicatesAndLeadsAgain() throws Exception {
        TopicPartition tp = new TopicPartition("led-by-two", 0);
        startWithTopicInSync(tp, List.of(2, 1, 3));
        List<String> written = produce(tp, "before", 50);

        cluster.process(2).stop(Duration.ofSeconds(30));
        Directories.delete(cluster.dataDir(2));
        cluster.start(2);

        try (Admin admin = cluster.admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ProcessCluster.nodes(admin).equals(Set.of(1, 2, 3)));
            awaitInSync(admin, tp.topic(), 3);
            admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).all().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> describe(admin, tp.topic()).leader().id() == 2);
        }
        assertThat(cluster.readValues(tp, written.size(), 2)).containsExactlyElementsOf(written);
    }

    @Test
    void theBrokerThatForgotAndOneOtherElectNoControllerUntilTheThirdIsBack() throws Exception {
        TopicPartition tp = new TopicPartition("kept", 0);
        startWithTopicInSync(tp, List.of(1, 2, 3));
        List<String> written = produce(tp, "kept", 10);

        cluster.process(1).kill();
        cluster.process(2).kill();
        Directories.delete(cluster.dataDir(2));
        // Its start waits for a leader, which does not come while broker 1 is down.
        CompletableFuture<BrokerProcess> wiped = startWaitingForLeader(2);
        Admin outage = cluster.admin(3);
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
        // It waits for a leader, or gave up waiting for one; it never starts without one.
        assertThat(wiped.isDone() && !wiped.isCompletedExceptionally()).as("broker 2 started without a leader").isFalse();

        cluster.start(1);
        try {
            wiped.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // It gave up waiting for a leader before broker 1 was back: started again, as a supervisor would.
            cluster.start(2);
        }
        try (Admin admin = cluster.admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS).leaderId() >= 0
                            && ProcessCluster.nodes(admin).equals(Set.of(1, 2, 3)));
            awaitInSync(admin, tp.topic(), 3);
        }
        assertThat(cluster.readValues(tp, written.size(), 2)).containsExactlyElementsOf(written);
    }

    /**
     * Starts broker {@code nodeId} in the background and returns once it waits for a metadata leader. Right after a
     * SIGKILL the others may still count its former self in their view, and JGroups then refuses its join: it is started
     * again, as a supervisor would, until they have noticed.
     */
    private CompletableFuture<BrokerProcess> startWaitingForLeader(int nodeId) throws Exception {
        Path log = cluster.log(nodeId);
        for (int attempt = 1; ; attempt++) {
            int earlierLives = Files.readString(log).length();
            CompletableFuture<BrokerProcess> starting = CompletableFuture.supplyAsync(() -> cluster.start(nodeId));
            // Under load the JVM may take a while; a start that fails outright ends the wait with its cause.
            await().atMost(Duration.ofSeconds(60)).until(() -> starting.isDone() || Files.readString(log)
                    .substring(earlierLives).contains("its vote counts only once it has caught up"));
            if (!starting.isDone()) {
                return starting;
            }
            String thisLife = Files.readString(log).substring(earlierLives);
            assertThat(thisLife.contains("duplicate members") && attempt < 10)
                    .as("broker %d waits for a leader; its log: %s", nodeId, log).isTrue();
            Thread.sleep(1_000);
        }
    }

    /**
     * Starts the three brokers and creates the one-partition topic of {@code tp} on {@code replicas}, preferred
     * leader first, with min.insync.replicas=2; returns once every replica is in sync.
     */
    private void startWithTopicInSync(TopicPartition tp, List<Integer> replicas) throws Exception {
        cluster.startAll();
        try (Admin admin = cluster.admin(1, 2, 3)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessCluster.created(admin,
                    new NewTopic(tp.topic(), Map.of(0, replicas)).configs(Map.of("min.insync.replicas", "2"))));
            awaitInSync(admin, tp.topic(), replicas.size());
        }
    }

    private static void awaitInSync(Admin admin, String topic, int replicas) {
        // Three JVMs on two cores, two of them just started: catching up may take a while.
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
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
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                values.add(prefix + "-" + i);
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, prefix + "-" + i));
            }
            producer.flush();
        }
        return values;
    }
}
