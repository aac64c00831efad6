package io.strata.broker.log;

import org.apache.kafka.common.utils.Time;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A clock tests move by hand (kafka-clients' MockTime lives in its test jar, which the build does not pull). */
public final class ManualTime implements Time {

    private long nanos;

    public ManualTime(long startMs) {
        this.nanos = TimeUnit.MILLISECONDS.toNanos(startMs);
    }

    public synchronized void advance(long ms) {
        nanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Override
    public synchronized long milliseconds() {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Override
    public synchronized long nanoseconds() {
        return nanos;
    }

    @Override
    public void sleep(long ms) {
        advance(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        throw new UnsupportedOperationException();
    }
}
