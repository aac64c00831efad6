package io.strata.broker.group;

import org.apache.kafka.common.utils.Time;

import java.util.function.Supplier;

/**
 * The system clock with readings a subclass adjusts; sleeping and waiting stay in real time.
 * Thread-safe as far as the subclass is.
 */
abstract class AdjustedSystemTime implements Time {

    @Override
    public long milliseconds() {
        return Time.SYSTEM.milliseconds();
    }

    @Override
    public long nanoseconds() {
        return Time.SYSTEM.nanoseconds();
    }

    @Override
    public void sleep(long ms) {
        Time.SYSTEM.sleep(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) throws InterruptedException {
        Time.SYSTEM.waitObject(obj, condition, deadlineMs);
    }
}
