package io.strata.broker.partition;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A {@link DelayedFetch} over real partitions: its attempt asks for records up to a wanted offset,
 * as a fetch with {@code min.bytes} would, and answers with the high watermark it saw.
 */
class DelayedFetchTest {

    private static final long LONG_WAIT_MS = 30_000;

    @TempDir
    Path dir;
    private TestPartitions partitions;
    private Partition orders;
    private Partition payments;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger forced = new AtomicInteger();

    @BeforeEach
    void open() throws Exception {
        partitions = new TestPartitions(dir);
        orders = partitions.create("orders");
        payments = partitions.create("payments");
    }

    @AfterEach
    void close() throws Exception {
        executor.shutdownNow();
        partitions.close();
    }

    /** Completes once {@code orders} holds {@code wanted} records, or when forced, with its high watermark. */
    private DelayedFetch<Long> fetchUntil(long wanted) {
        return new DelayedFetch<>(List.of(orders, payments), executor, force -> {
            attempts.incrementAndGet();
            if (force) {
                forced.incrementAndGet();
            }
            long highWatermark = orders.highWatermark();
            return highWatermark >= wanted || force ? highWatermark : null;
        });
    }

    /** Tries {@code fetch}, which must find too little yet, then makes it wait for appends or the timeout. */
    private static void waitForMore(DelayedFetch<?> fetch) {
        assertThat(fetch.tryComplete()).isFalse();
        fetch.await(LONG_WAIT_MS);
    }

    @Test
    void completesAtOnceWhenThereIsEnough() {
        TestPartitions.append(orders, "a", "b");
        DelayedFetch<Long> fetch = fetchUntil(2);

        assertThat(fetch.tryComplete()).isTrue();

        assertThat(fetch.result()).isCompletedWithValue(2L);
        assertThat(attempts).hasValue(1);
        assertThat(orders.appendWaiterCount()).isZero();
    }

    @Test
    void completesOnTheAppendThatBringsEnough() {
        DelayedFetch<Long> fetch = fetchUntil(2);
        waitForMore(fetch);
        assertThat(orders.appendWaiterCount()).as("waits for appends to every partition").isOne();
        assertThat(payments.appendWaiterCount()).isOne();

        TestPartitions.append(orders, "a");
        TestPartitions.append(payments, "x");
        assertThat(fetch.result()).isNotDone();
        TestPartitions.append(orders, "b");

        await().atMost(Duration.ofSeconds(10)).until(fetch.result()::isDone);
        assertThat(fetch.result()).isCompletedWithValue(2L);
        assertThat(forced).as("long before the wait ran out").hasValue(0);
        assertThat(orders.appendWaiterCount()).isZero();
        assertThat(payments.appendWaiterCount()).isZero();
    }

    @Test
    void completesForcedWhenTheWaitRunsOut() {
        DelayedFetch<Long> fetch = fetchUntil(2);
        assertThat(fetch.tryComplete()).isFalse();
        fetch.await(100);

        await().atMost(Duration.ofSeconds(10)).until(fetch.result()::isDone);
        assertThat(fetch.result()).isCompletedWithValue(0L);
        assertThat(forced).hasValue(1);
        assertThat(orders.appendWaiterCount()).isZero();
        assertThat(payments.appendWaiterCount()).isZero();
    }

    @Test
    void appendsWhileARetryIsQueuedCoalesceIntoOneAttempt() throws Exception {
        DelayedFetch<Long> fetch = fetchUntil(5);
        waitForMore(fetch);
        assertThat(attempts).as("nothing appended since the first try: no second one").hasValue(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        TestPartitions.append(orders, "a", "b", "c", "d", "e");
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(fetch.result()::isDone);
        assertThat(fetch.result()).isCompletedWithValue(5L);
        assertThat(attempts).as("five appends, one more attempt").hasValue(2);
    }

    @Test
    void anAppendBetweenTheFirstTryAndTheWaitIsNotMissed() {
        DelayedFetch<Long> fetch = fetchUntil(1);
        assertThat(fetch.tryComplete()).isFalse();
        TestPartitions.append(orders, "a");

        fetch.await(LONG_WAIT_MS);

        assertThat(fetch.result()).as("tried again at once, before any wait").isCompletedWithValue(1L);
        assertThat(forced).hasValue(0);
    }

    @Test
    void aWakeUpRetriesWithoutAnAppend() {
        AtomicInteger ready = new AtomicInteger();
        DelayedFetch<String> fetch = new DelayedFetch<>(List.of(orders), executor,
                force -> ready.get() > 0 || force ? (force ? "forced" : "ready") : null);
        waitForMore(fetch);

        ready.set(1);
        fetch.wake();

        await().atMost(Duration.ofSeconds(10)).until(fetch.result()::isDone);
        assertThat(fetch.result()).isCompletedWithValue("ready");
        assertThat(orders.appendWaiterCount()).isZero();
    }

    @Test
    void cancellingTheResultStopsTheWait() throws Exception {
        DelayedFetch<Long> fetch = fetchUntil(2);
        waitForMore(fetch);
        assertThat(orders.appendWaiterCount()).isOne();

        assertThat(fetch.result().cancel(false)).isTrue();

        assertThat(orders.appendWaiterCount()).isZero();
        assertThat(payments.appendWaiterCount()).isZero();
        int attemptsBefore = attempts.get();
        TestPartitions.append(orders, "a", "b");
        executor.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(attempts).as("no attempt after the cancel").hasValue(attemptsBefore);
    }

    @Test
    void aFailedAttemptFailsTheFetchAndStopsTheWait() {
        DelayedFetch<Long> fetch = new DelayedFetch<>(List.of(orders), executor, force -> {
            if (orders.highWatermark() > 0) {
                throw new IllegalStateException("the read of orders-0 failed");
            }
            return null;
        });
        waitForMore(fetch);

        TestPartitions.append(orders, "a");

        await().atMost(Duration.ofSeconds(10)).until(fetch.result()::isDone);
        assertThatThrownBy(() -> fetch.result().get(1, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("orders-0");
        assertThat(orders.appendWaiterCount()).isZero();
    }
}
