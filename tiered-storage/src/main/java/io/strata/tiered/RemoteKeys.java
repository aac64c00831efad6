package io.strata.tiered;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The layout of tiered segments in an {@link ObjectStore}, the one place that names their objects:
 * <pre>
 *   &lt;prefix&gt;/&lt;topic&gt;-&lt;topicId&gt;/&lt;partition&gt;/&lt;20-digit base offset&gt;-&lt;segment id&gt;&lt;suffix&gt;
 *   tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000004096-0191ad2c-3e8a-7abc-8123-456789abcdef.log
 * </pre>
 * with the suffixes of {@link SegmentFileType}. The base offset first makes a listing come out in
 * offset order; the segment id, new for every upload, keeps a retried upload from overwriting any
 * earlier one of the same segment, which a reader may be using.
 *
 * <p>Immutable and thread-safe.
 *
 * @param prefix the segments under which every partition's directory lies
 */
public record RemoteKeys(ObjectKey prefix) {

    private static final int OFFSET_DIGITS = 20;
    private static final Pattern SEGMENT_FILE_NAME = Pattern.compile("\\d{" + OFFSET_DIGITS + "}-"
            // Lower case only, as UUID.toString writes it: anything else is not an object of ours.
            + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
            + Arrays.stream(SegmentFileType.values())
                    .map(type -> Pattern.quote(type.suffix()))
                    .collect(Collectors.joining("|", "(?:", ")")));

    public RemoteKeys {
        Objects.requireNonNull(prefix, "prefix");
    }

    /** The key under which all of {@code partition}'s objects lie, to list them. */
    public ObjectKey partitionPrefix(RemotePartition partition) {
        return new ObjectKey(prefix + "/" + partition.topic() + "-" + partition.topicId() + "/" + partition.partition());
    }

    /**
     * The key of one file of a segment.
     *
     * @throws IllegalArgumentException if {@code baseOffset} is negative, or the key would be invalid
     *                                  (longer than {@link ObjectKey#MAX_UTF8_BYTES})
     */
    public ObjectKey segmentFile(RemotePartition partition, long baseOffset, UUID segmentId, SegmentFileType type) {
        if (baseOffset < 0) {
            throw new IllegalArgumentException("Negative base offset " + baseOffset);
        }
        String offset = Long.toString(baseOffset);
        return new ObjectKey(partitionPrefix(partition) + "/" + "0".repeat(OFFSET_DIGITS - offset.length()) + offset
                + "-" + segmentId + type.suffix());
    }

    /**
     * The id of the segment that {@code key} is a file of, if it is a segment file of {@code partition}
     * in this layout; empty for any other key, such as one of another partition or a stranger's object.
     */
    public Optional<UUID> segmentId(RemotePartition partition, ObjectKey key) {
        String directory = partitionPrefix(partition) + "/";
        if (!key.value().startsWith(directory)) {
            return Optional.empty();
        }
        Matcher name = SEGMENT_FILE_NAME.matcher(key.value().substring(directory.length()));
        return name.matches() ? Optional.of(UUID.fromString(name.group(1))) : Optional.empty();
    }
}
