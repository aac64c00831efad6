package io.strata.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.broker.protocol.RequestMetrics;
import jakarta.inject.Singleton;
import org.apache.kafka.common.protocol.ApiKeys;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code strata_kafka_requests_total{api}} and the latency timer {@code strata_kafka_request_seconds{api}}
 * (count, sum, max and fixed buckets from 1 ms to 10 s), per Kafka API key by its enum name
 * ({@code PRODUCE}, {@code FETCH}, ...). Called by every connection for every request: the meters of an
 * API key are made on its first request, so a scrape shows only the API keys clients used (and the
 * packaged application's entry point, which makes this before the broker starts, does not wait for Kafka's table of
 * API keys to load). A fetch's latency includes its long-poll wait, as Kafka's does.
 */
@Singleton
public class KafkaRequestMetrics implements RequestMetrics {

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Map<ApiKeys, Meters> byApiKey = new ConcurrentHashMap<>();

    public KafkaRequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void completed(ApiKeys apiKey, long nanos) {
        Meters meters = byApiKey.get(apiKey);
        if (meters == null) {
            // Only here: computeIfAbsent may lock the bin even when the key is present.
            meters = byApiKey.computeIfAbsent(apiKey, key -> new Meters(registry, key));
        }
        meters.requests.increment();
        meters.latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static final class Meters {
        final Counter requests;
        final Timer latency;

        Meters(MeterRegistry registry, ApiKeys apiKey) {
            requests = Counter.builder("strata.kafka.requests")
                    .description("Kafka requests answered, by API key")
                    .tag("api", apiKey.name())
                    .register(registry);
            latency = Timer.builder("strata.kafka.request")
                    .description("Time from a decoded Kafka request to its response handed to the socket, by API key")
                    .tag("api", apiKey.name())
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
        }
    }
}
