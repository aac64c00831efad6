package io.strata.broker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.strata.broker.remote.RemoteLogReader;
import io.strata.broker.server.BrokerLifecycle;
import io.strata.broker.tiering.TieringService;
import io.strata.tiered.ChunkCache;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.ToDoubleFunction;

/**
 * The tiering meters, read from the broker's counters at each scrape: uploads (segments, bytes,
 * failures, lag), reads of tiered offsets (bytes, failures, chunk cache hits and misses), and whether
 * the object store answers. Before the broker runs they read 0.
 */
@ApplicationScoped
public class TieringMetrics {

    private final BrokerLifecycle lifecycle;

    public TieringMetrics(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    void register(@Observes StartupEvent event, MeterRegistry registry) {
        counter(registry, "strata.tiering.uploaded.segments", "Segments uploaded and committed to their manifest",
                upload(TieringService.UploadStats::segments));
        counter(registry, "strata.tiering.uploaded.bytes", "Bytes of segments uploaded",
                upload(TieringService.UploadStats::bytes));
        gauge(registry, "strata.tiering.upload.lag.bytes", "Bytes of closed local segments not tiered yet",
                upload(TieringService.UploadStats::lagBytes));
        gauge(registry, "strata.tiering.object.store.up", "1 while the object store answers, 0 while not",
                RunningBroker.value(broker -> broker.tiering().status().reachable() ? 1 : 0));
        counter(registry, "strata.tiering.remote.read.bytes", "Record bytes read from tiered segments for fetches",
                read(RemoteLogReader.ReadStats::bytes));
        FunctionCounter.builder("strata.tiering.remote.errors", lifecycle, upload(TieringService.UploadStats::failures))
                .description("Failed object store operations").tags(Tags.of("operation", "upload"))
                .register(registry);
        FunctionCounter.builder("strata.tiering.remote.errors", lifecycle, read(RemoteLogReader.ReadStats::failures))
                .description("Failed object store operations").tags(Tags.of("operation", "read"))
                .register(registry);
        counter(registry, "strata.tiering.cache.hits", "Chunk cache lookups served from memory",
                read(stats -> stats.cache().hits()));
        counter(registry, "strata.tiering.cache.misses", "Chunk cache lookups that needed a ranged GET",
                read(stats -> stats.cache().misses()));
        gauge(registry, "strata.tiering.cache.hit.ratio", "Chunk cache hits over lookups, since start",
                read(stats -> hitRatio(stats.cache())));
        gauge(registry, "strata.log.local.bytes", "Bytes of all local partition logs",
                RunningBroker.value(broker -> broker.partitions().localBytes()));
    }

    private static double hitRatio(ChunkCache.Stats cache) {
        long lookups = cache.hits() + cache.misses();
        return lookups == 0 ? 0 : (double) cache.hits() / lookups;
    }

    private void counter(MeterRegistry registry, String name, String description,
                         ToDoubleFunction<BrokerLifecycle> value) {
        FunctionCounter.builder(name, lifecycle, value).description(description).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<BrokerLifecycle> value) {
        Gauge.builder(name, lifecycle, value).description(description).register(registry);
    }

    private static ToDoubleFunction<BrokerLifecycle> upload(ToDoubleFunction<TieringService.UploadStats> stat) {
        return RunningBroker.value(broker -> stat.applyAsDouble(broker.tiering().uploadStats()));
    }

    private static ToDoubleFunction<BrokerLifecycle> read(ToDoubleFunction<RemoteLogReader.ReadStats> stat) {
        return RunningBroker.value(broker -> stat.applyAsDouble(broker.remoteLogReader().stats()));
    }
}
