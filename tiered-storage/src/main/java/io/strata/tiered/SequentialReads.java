package io.strata.tiered;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Remembers the chunk last read of each segment lately read, to tell sequential reading from random
 * access. Bounded: it forgets the segment read least recently once it tracks {@code maxSegments}, which
 * costs that segment one read-ahead at most.
 *
 * <p>Thread-safe.
 */
final class SequentialReads {

    private final Map<UUID, Long> lastChunks;

    SequentialReads(int maxSegments) {
        this.lastChunks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
                return size() > maxSegments;
            }
        };
    }

    /** Records that chunk {@code chunk} of the segment is read; whether chunk {@code chunk - 1} was read just before. */
    synchronized boolean read(UUID segmentId, long chunk) {
        Long previous = lastChunks.put(segmentId, chunk);
        return previous != null && previous == chunk - 1;
    }
}
