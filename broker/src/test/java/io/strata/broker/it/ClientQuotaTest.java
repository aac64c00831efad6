package io.strata.broker.it;

import io.strata.broker.testing.ChildJvm;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client quotas end to end: set and described with {@code kafka-configs}, and a producer over its byte rate slowed
 * down to it by the throttle time of its responses.
 */
class ClientQuotaTest {

    private static final int RATE = 400_000;

    @Test
    void aProducerOverItsByteRateIsThrottledToIt(@TempDir Path dir) throws Exception {
        // Three one-second windows: the rate settles within seconds rather than Kafka's eleven.
        try (TestBroker broker = TestBroker.start(dir, Map.of("strata.quotas.window-num", "3"));
             Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("metered", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            setClientQuota(broker, "metered-app", "producer_byte_rate=" + RATE);

            byte[] value = new byte[10_000];
            List<long[]> acknowledged = new ArrayList<>();
            AtomicLong bytes = new AtomicLong();
            // At most 50 records outstanding, so the producer always has more to send but little to finish at the end.
            Semaphore outstanding = new Semaphore(50);
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG,
                    "metered-app", ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "1"))) {
                while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(9)) {
                    if (!outstanding.tryAcquire(1, TimeUnit.SECONDS)) {
                        continue;
                    }
                    producer.send(new ProducerRecord<>("metered", value), (metadata, error) -> {
                        outstanding.release();
                        if (error == null) {
                            synchronized (acknowledged) {
                                acknowledged.add(new long[] {System.nanoTime() - start,
                                        bytes.addAndGet(value.length)});
                            }
                        }
                    });
                }
                producer.flush();
            }
            // The steady rate, after the first windows' allowance: between 3 s and 8 s.
            long from = bytesAt(acknowledged, TimeUnit.SECONDS.toNanos(3));
            long to = bytesAt(acknowledged, TimeUnit.SECONDS.toNanos(8));
            double rate = (to - from) / 5.0;
            assertThat(rate).as("bytes per second, quota %d", RATE).isBetween(RATE * 0.9, RATE * 1.1);
        }
    }

    @Test
    void aClientOverItsRequestPercentageIsThrottledAndOthersAreNot(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, Map.of("strata.quotas.window-num", "3"));
             Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("chatter", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // A hundredth of a percent of a thread: 100 microseconds a second, which a few requests use up.
            setClientQuota(broker, "chatty", "request_percentage=0.01");

            assertThat(maxProduceThrottleMs(broker, "chatty")).as("the chatty client's throttle").isPositive();
            assertThat(maxProduceThrottleMs(broker, "quiet")).as("another client's throttle").isZero();
        }
    }

    /** Sets {@code quota} on client {@code clientId} with kafka-configs and checks that the client shows it. */
    private static void setClientQuota(TestBroker broker, String clientId, String quota) throws Exception {
        ChildJvm.kafkaTool("kafka.admin.ConfigCommand", broker.bootstrapServers(), 60, "--alter",
                "--entity-type", "clients", "--entity-name", clientId, "--add-config", quota);
        assertThat(ChildJvm.kafkaTool("kafka.admin.ConfigCommand", broker.bootstrapServers(), 60,
                "--describe", "--entity-type", "clients", "--entity-name", clientId)).contains(quota);
    }

    /** Produces one record at a time as {@code clientId} until a response is throttled, or for 8 s at most. */
    private static double maxProduceThrottleMs(TestBroker broker, String clientId) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "1"))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            double throttle = 0;
            for (int i = 0; i < 200 && throttle == 0 && System.nanoTime() < deadline; i++) {
                producer.send(new ProducerRecord<>("chatter", new byte[100])).get(30, TimeUnit.SECONDS);
                throttle = producer.metrics().entrySet().stream()
                        .filter(metric -> metric.getKey().name().equals("produce-throttle-time-max"))
                        .mapToDouble(metric -> ((Number) metric.getValue().metricValue()).doubleValue())
                        .filter(value -> !Double.isNaN(value)).max().orElse(0);
            }
            return throttle;
        }
    }

    private static long bytesAt(List<long[]> acknowledged, long nanos) {
        synchronized (acknowledged) {
            long bytes = 0;
            for (long[] ack : acknowledged) {
                if (ack[0] <= nanos) {
                    bytes = Math.max(bytes, ack[1]);
                }
            }
            return bytes;
        }
    }

    @Test
    void quotasAreAlteredAndDescribedPerEntityAndUnsupportedOnesRefused(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, Map.of()); Admin admin = broker.admin()) {
            ClientQuotaEntity alice = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice"));
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(
                    new ClientQuotaAlteration.Op("consumer_byte_rate", 1024.0))))).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get(30, TimeUnit.SECONDS))
                    .isEqualTo(Map.of(alice, Map.of("consumer_byte_rate", 1024.0)));
            assertThatThrownBy(() -> admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(
                    new ClientQuotaAlteration.Op("controller_mutation_rate", 50.0))))).all().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(InvalidRequestException.class).hasMessageContaining("controller_mutation_rate");
            assertThatThrownBy(() -> admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(
                    new ClientQuotaAlteration.Op("request_percentage", 0.0))))).all().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(InvalidRequestException.class).hasMessageContaining("positive percentage");
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(
                    new ClientQuotaAlteration.Op("consumer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get(30, TimeUnit.SECONDS)).isEmpty();
        }
    }
}
