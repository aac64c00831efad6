package io.strata.broker.cluster;

import io.strata.broker.cluster.RaftMetadataLog.Settings;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata Raft logs a test creates, each closed after the test however it ended, so that no member keeps its
 * port or its JGroups threads into the next test. Registered with {@code @RegisterExtension}.
 */
final class RaftLogs implements AfterEachCallback {

    private final List<RaftMetadataLog> created = new ArrayList<>();

    /** A log with {@code settings}, not started. */
    RaftMetadataLog create(Settings settings) {
        RaftMetadataLog log = new RaftMetadataLog(settings);
        created.add(log);
        return log;
    }

    /** A log with {@code settings}, started: a leader is known. */
    RaftMetadataLog start(Settings settings) {
        RaftMetadataLog log = create(settings);
        log.start();
        return log;
    }

    /** The result of a submission, which succeeded within 10 s. */
    static MetadataResult ok(CompletableFuture<MetadataResult> future) throws Exception {
        MetadataResult result = future.get(10, TimeUnit.SECONDS);
        assertThat(result.isError()).as("%s", result).isFalse();
        return result;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // Each closed even when another fails to close.
        created.forEach(log -> Utils.closeQuietly(log, "metadata log"));
        created.clear();
    }
}
