package io.strata.broker.quota;

import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.config.QuotasConfig;
import org.apache.kafka.common.utils.Time;

import java.time.Duration;
import java.util.function.Supplier;

import static io.strata.broker.config.SettingCheck.requireAtLeastOneMillisecond;
import static io.strata.broker.config.SettingCheck.requireRange;

/** How client quota rates are measured, checked once; see {@link QuotasConfig}. Immutable. */
public record QuotaSettings(int windowNum, Duration windowSize) {

    public QuotaSettings {
        requireRange("strata.quotas.window-num", windowNum, 2, 1000);
        requireAtLeastOneMillisecond("strata.quotas.window-size", windowSize);
    }

    public static QuotaSettings from(QuotasConfig config) {
        return new QuotaSettings(config.windowNum(), config.windowSize());
    }

    /** The quota manager these settings measure with, over the quotas of {@code security}. */
    public ClientQuotaManager manager(Supplier<SecurityImage> security, Time time) {
        return new ClientQuotaManager(security, windowNum, windowSize.toMillis(), time);
    }
}
