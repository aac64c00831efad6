package io.strata.tiered;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The address of an object in an {@link ObjectStore}: a relative key of {@code /}-separated segments,
 * such as {@code topics/orders-3f2a/0/00000000000000000000.log}.
 *
 * <p>The rules keep a key portable between stores: it maps one-to-one onto a relative file path
 * (no empty, {@code .} or {@code ..} segments, no leading or trailing {@code /}, no control
 * characters) and fits the S3 limit of 1024 bytes of UTF-8.
 */
public record ObjectKey(String value) implements Comparable<ObjectKey> {

    public static final int MAX_UTF8_BYTES = 1024;

    public ObjectKey {
        Objects.requireNonNull(value, "value");
        int utf8Bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (utf8Bytes > MAX_UTF8_BYTES) {
            throw invalid(value, "longer than " + MAX_UTF8_BYTES + " bytes of UTF-8 (" + utf8Bytes + ")");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(value, "contains a control character");
        }
        // The limit -1 keeps trailing empty segments, so "a/" is rejected like "a//b".
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid(value, "has an empty, '.' or '..' segment");
            }
        }
    }

    /** The segments between the {@code /} separators, in order; never empty. */
    public List<String> segments() {
        return List.of(value.split("/"));
    }

    /** Orders by the UTF-8 bytes, as S3 lists keys, rather than by UTF-16 units as {@link String} does. */
    @Override
    public int compareTo(ObjectKey other) {
        return Arrays.compareUnsigned(value.getBytes(StandardCharsets.UTF_8),
                other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return value;
    }

    private static IllegalArgumentException invalid(String value, String reason) {
        return new IllegalArgumentException("Invalid object key '" + value + "': " + reason);
    }
}
