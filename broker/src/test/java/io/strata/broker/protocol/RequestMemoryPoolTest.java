package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request memory pool behind {@link FrameDecoder}: large frames being received share it, a connection whose large
 * frame does not fit is not read until another frees memory, small frames pass regardless.
 */
class RequestMemoryPoolTest {

    private static final int LARGE = 3 << 20;

    private static EmbeddedChannel connection(RequestMemoryPool pool) {
        return new EmbeddedChannel(new FrameDecoder(64 << 20, () -> false, pool));
    }

    private static ByteBuf header(int frameBytes) {
        return Unpooled.buffer(4).writeInt(frameBytes);
    }

    @Test
    void aReservationSucceedsWhileAnyMemoryIsLeftAndFreeingWakesTheWaiters() {
        RequestMemoryPool pool = new RequestMemoryPool(4 << 20);
        assertThat(pool.tryReserve(LARGE)).isTrue();
        assertThat(pool.tryReserve(LARGE)).as("1 MiB left: even a larger frame fits, alone").isTrue();
        assertThat(pool.available()).isNegative();
        assertThat(pool.tryReserve(1)).isFalse();
        AtomicInteger woken = new AtomicInteger();
        pool.awaitFree(woken::incrementAndGet);
        assertThat(woken).hasValue(0);
        pool.free(LARGE);
        assertThat(woken).as("memory freed, the waiter tries again").hasValue(1);
        pool.free(LARGE);
        assertThat(pool.available()).isEqualTo(4 << 20);
    }

    @Test
    void aConnectionWhoseLargeFrameDoesNotFitIsNotReadUntilAnotherFrameIsWhole() {
        RequestMemoryPool pool = new RequestMemoryPool(2 << 20);
        EmbeddedChannel first = connection(pool);
        EmbeddedChannel second = connection(pool);

        first.writeInbound(header(LARGE), Unpooled.wrappedBuffer(new byte[1 << 20]));
        assertThat(pool.available()).as("the first frame reserved its size").isEqualTo((2 << 20) - LARGE);
        second.writeInbound(header(LARGE));
        assertThat(second.config().isAutoRead()).as("the second waits for memory").isFalse();
        // A small frame is not held back by a full pool.
        EmbeddedChannel third = connection(pool);
        third.writeInbound(header(5), Unpooled.wrappedBuffer(new byte[5]));
        ByteBuf small = third.readInbound();
        assertThat(small.readableBytes()).isEqualTo(5);
        small.release();

        first.writeInbound(Unpooled.wrappedBuffer(new byte[LARGE - (1 << 20)]));
        ByteBuf whole = first.readInbound();
        assertThat(whole.readableBytes()).isEqualTo(LARGE);
        whole.release();
        second.runPendingTasks();
        assertThat(second.config().isAutoRead()).as("memory freed, the second reads again").isTrue();
        assertThat(pool.available()).as("the second reserved its frame on waking").isEqualTo((2 << 20) - LARGE);

        second.close();
        assertThat(pool.available()).as("a closed connection frees what its frame reserved").isEqualTo(2 << 20);
        first.finishAndReleaseAll();
        third.finishAndReleaseAll();
    }
}
