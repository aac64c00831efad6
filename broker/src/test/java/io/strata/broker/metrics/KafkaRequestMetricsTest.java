package io.strata.broker.metrics;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Request counts and latencies per API key, in a real Micrometer registry. */
class KafkaRequestMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KafkaRequestMetrics metrics = new KafkaRequestMetrics(registry);

    @Test
    void onlyTheApiKeysClientsUsedHaveMeters() {
        assertThat(registry.getMeters()).isEmpty();

        metrics.completed(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(2));

        assertThat(registry.find("strata.kafka.requests").counters()).hasSize(1);
        assertThat(registry.find("strata.kafka.requests").tag("api", "PRODUCE").counter()).isNotNull();
        assertThat(registry.find("strata.kafka.request").timers()).hasSize(1);
    }

    @Test
    void eachApiKeyCountsAndTimesItsOwnRequests() {
        metrics.completed(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(2));
        metrics.completed(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(4));
        metrics.completed(ApiKeys.FETCH, TimeUnit.MILLISECONDS.toNanos(500));

        assertThat(registry.get("strata.kafka.requests").tag("api", "PRODUCE").counter().count()).isEqualTo(2);
        assertThat(registry.get("strata.kafka.requests").tag("api", "FETCH").counter().count()).isEqualTo(1);
        Timer produce = registry.get("strata.kafka.request").tag("api", "PRODUCE").timer();
        assertThat(produce.count()).isEqualTo(2);
        assertThat(produce.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(6, within(0.001));
        assertThat(produce.max(TimeUnit.MILLISECONDS)).isCloseTo(4, within(0.001));
    }

    @Test
    void latenciesFallIntoFixedBucketsFromOneMillisecondToTenSeconds() {
        metrics.completed(ApiKeys.FETCH, TimeUnit.MICROSECONDS.toNanos(300));
        metrics.completed(ApiKeys.FETCH, TimeUnit.MILLISECONDS.toNanos(20));
        metrics.completed(ApiKeys.FETCH, TimeUnit.SECONDS.toNanos(3));

        CountAtBucket[] buckets = registry.get("strata.kafka.request").tag("api", "FETCH").timer()
                .takeSnapshot().histogramCounts();

        assertThat(Arrays.stream(buckets).map(bucket -> (long) bucket.bucket(TimeUnit.MILLISECONDS)))
                .containsExactly(1L, 5L, 25L, 100L, 500L, 1000L, 5000L, 10000L);
        assertThat(Arrays.stream(buckets).map(bucket -> (long) bucket.count()))
                .as("cumulative counts at or below each bucket")
                .containsExactly(1L, 1L, 2L, 2L, 2L, 2L, 3L, 3L);
    }
}
