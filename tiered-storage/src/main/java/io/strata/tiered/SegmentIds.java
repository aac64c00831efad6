package io.strata.tiered;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Generates segment ids: time-ordered UUIDs of version 7 (RFC 9562), whose 48 high bits are the
 * Unix time in milliseconds at which the upload started, and 74 bits random.
 *
 * <p>Embedding the time in the id is how the {@link OrphanSweeper} knows an object's age from its
 * key alone: listing a store yields keys, not dates, and a file-system store has no creation time
 * that survives a copy. The time is the generating broker's clock, so the sweeper's grace period has
 * to cover clock skew between brokers.
 *
 * <p>Thread-safe.
 */
public final class SegmentIds {

    private static final int VERSION = 7;
    // RFC 4122's variant, which UUID reports as 2.
    private static final int VARIANT = 2;
    private static final int TIME_SHIFT = 16;

    private final Clock clock;

    public SegmentIds(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A new id, stamped with the clock's current time. */
    public UUID next() {
        long millis = clock.millis();
        if (millis < 0 || millis >>> (Long.SIZE - TIME_SHIFT) != 0) {
            throw new IllegalStateException("Clock time " + millis + " ms does not fit a version 7 UUID");
        }
        // A random (version 4) UUID already has the right variant and random bits; only the time and
        // version go over its high 64 bits.
        UUID random = UUID.randomUUID();
        long versionAndRandom = (random.getMostSignificantBits() & 0x0FFFL) | ((long) VERSION << 12);
        return new UUID(millis << TIME_SHIFT | versionAndRandom, random.getLeastSignificantBits());
    }

    /** When the upload with the id {@code segmentId} started, or empty if it is not a version 7 UUID. */
    public static Optional<Instant> uploadTime(UUID segmentId) {
        if (segmentId.version() != VERSION || segmentId.variant() != VARIANT) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(segmentId.getMostSignificantBits() >>> TIME_SHIFT));
    }
}
