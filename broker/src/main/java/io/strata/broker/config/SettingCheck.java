package io.strata.broker.config;

import java.time.Duration;
import java.util.Locale;

/**
 * The checks of setting values, each failing with one line that names the setting both as the
 * property and as the environment variable an operator sets, its value and what is allowed. The
 * settings records call them in their constructors, so a value is checked in one place whether it came
 * from the configuration or from a test. Stateless.
 */
public final class SettingCheck {

    private SettingCheck() {
    }

    /** {@code strata.kafka.port (STRATA_KAFKA_PORT)}: how a setting is named in messages. */
    public static String describe(String property) {
        return property + " (" + environmentVariable(property) + ")";
    }

    /** The environment variable of a property: upper case, dots and dashes as underscores. */
    public static String environmentVariable(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static long requireRange(String property, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(describe(property) + " is " + value + "; allowed values are " + min
                    + " to " + max);
        }
        return value;
    }

    /** For durations handed on in whole milliseconds, where less than one would become zero. */
    public static Duration requireAtLeastOneMillisecond(String property, Duration value) {
        if (value.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException(describe(property) + " is " + value + "; it must be at least 1ms");
        }
        return value;
    }

    public static Duration requirePositive(String property, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(describe(property) + " is " + value + "; it must be positive");
        }
        return value;
    }
}
