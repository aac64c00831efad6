package io.strata.broker.group;

import org.apache.kafka.common.Uuid;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of {@code __consumer_offsets} in Strata's own small binary format (not Kafka's).
 *
 * <p>Key: {@code type:int8 version:int8} then, for an offset commit, {@code group topic partition:int32},
 * for group metadata, {@code group}. Value: {@code version:int8} then the fields below; a {@code null}
 * value is a tombstone (the offset or the group is deleted). Strings are {@code int16} length and UTF-8
 * ({@code -1} for null; offset metadata has an {@code int32} length), byte arrays {@code int32} length
 * and bytes. The fields of each value are listed in its record, in order. A reader skips records of a type or
 * version it does not know, so newer brokers may add both.
 */
public final class GroupRecords {

    static final byte OFFSET_COMMIT_TYPE = 1;
    static final byte GROUP_METADATA_TYPE = 2;
    static final byte KEY_VERSION = 0;
    static final byte VALUE_VERSION = 0;

    private GroupRecords() {
    }

    /** What a record is about: its key, which compaction of the topic will keep the latest value of. */
    public sealed interface Key permits OffsetKey, GroupKey {
        String groupId();
    }

    /** The committed offset of one partition for one group. */
    public record OffsetKey(String groupId, String topic, int partition) implements Key {
    }

    /** The metadata of one group. */
    public record GroupKey(String groupId) implements Key {
    }

    /** A record's value; {@code null} stands for a tombstone. */
    public sealed interface Value permits OffsetValue, GroupValue {
    }

    /**
     * @param topicId the id of the topic when the offset was committed, so an offset outlives no
     *                topic of the same name created later
     */
    public record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestamp, Uuid topicId)
            implements Value {
    }

    /**
     * A group as of its last completed rebalance (or of becoming empty).
     *
     * @param protocolType {@code null} for a group that only stores offsets
     * @param protocol     the selected protocol; {@code null} when the group has no members
     * @param leader       the leader's member id; {@code null} when the group has no members
     */
    public record GroupValue(String protocolType, int generation, String protocol, String leader, long stateTimestamp,
                             List<MemberValue> members) implements Value {
        public GroupValue {
            members = List.copyOf(members);
        }
    }

    /** A member with its subscription (metadata of the selected protocol) and its assignment. */
    public record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                              int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** A key with its value, {@code null} for a tombstone. */
    public record CoordinatorRecord(Key key, Value value) {
        public static CoordinatorRecord tombstone(Key key) {
            return new CoordinatorRecord(key, null);
        }
    }

    // ---- encoding ----

    public static byte[] encodeKey(Key key) {
        Writer out = new Writer();
        if (key instanceof OffsetKey k) {
            out.int8(OFFSET_COMMIT_TYPE).int8(KEY_VERSION).string(k.groupId()).string(k.topic()).int32(k.partition());
        } else {
            out.int8(GROUP_METADATA_TYPE).int8(KEY_VERSION).string(key.groupId());
        }
        return out.toArray();
    }

    /** The value's bytes, or {@code null} for a tombstone. */
    public static byte[] encodeValue(Value value) {
        if (value == null) {
            return null;
        }
        Writer out = new Writer().int8(VALUE_VERSION);
        if (value instanceof OffsetValue v) {
            out.int64(v.offset()).int32(v.leaderEpoch()).longString(v.metadata())
                    .int64(v.commitTimestamp()).int64(v.topicId().getMostSignificantBits())
                    .int64(v.topicId().getLeastSignificantBits());
        } else if (value instanceof GroupValue v) {
            out.string(v.protocolType()).int32(v.generation()).string(v.protocol()).string(v.leader())
                    .int64(v.stateTimestamp()).int32(v.members().size());
            for (MemberValue m : v.members()) {
                out.string(m.memberId()).string(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                        .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs())
                        .bytes(m.subscription()).bytes(m.assignment());
            }
        }
        return out.toArray();
    }

    // ---- decoding ----

    /**
     * Decodes a record read from the log, or returns {@code null} for a record of a type or version
     * this broker does not know.
     *
     * @throws IllegalArgumentException if a record of a known type and version is malformed
     */
    public static CoordinatorRecord decode(ByteBuffer key, ByteBuffer value) {
        if (key == null) {
            throw new IllegalArgumentException("a record of __consumer_offsets has no key");
        }
        try {
            Reader in = new Reader(key);
            byte type = in.int8();
            byte keyVersion = in.int8();
            if (keyVersion != KEY_VERSION) {
                return null;
            }
            Key decodedKey;
            switch (type) {
                case OFFSET_COMMIT_TYPE -> decodedKey = new OffsetKey(in.string(), in.string(), in.int32());
                case GROUP_METADATA_TYPE -> decodedKey = new GroupKey(in.string());
                default -> {
                    return null;
                }
            }
            if (value == null) {
                return CoordinatorRecord.tombstone(decodedKey);
            }
            Reader v = new Reader(value);
            if (v.int8() != VALUE_VERSION) {
                return null;
            }
            Value decodedValue = decodedKey instanceof OffsetKey
                    ? new OffsetValue(v.int64(), v.int32(), v.longString(), v.int64(), new Uuid(v.int64(), v.int64()))
                    : decodeGroupValue(v);
            return new CoordinatorRecord(decodedKey, decodedValue);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed record of __consumer_offsets: " + e, e);
        }
    }

    private static GroupValue decodeGroupValue(Reader in) {
        String protocolType = in.string();
        int generation = in.int32();
        String protocol = in.string();
        String leader = in.string();
        long stateTimestamp = in.int64();
        int count = in.int32();
        if (count < 0) {
            throw new IllegalArgumentException("negative member count " + count);
        }
        List<MemberValue> members = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            members.add(new MemberValue(in.string(), in.string(), in.string(), in.string(), in.int32(), in.int32(),
                    in.bytes(), in.bytes()));
        }
        return new GroupValue(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    private static final class Writer {
        private ByteBuffer buffer = ByteBuffer.allocate(128);

        private void ensure(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
                buffer.flip();
                larger.put(buffer);
                buffer = larger;
            }
        }

        Writer int8(byte value) {
            ensure(1);
            buffer.put(value);
            return this;
        }

        Writer int32(int value) {
            ensure(4);
            buffer.putInt(value);
            return this;
        }

        Writer int64(long value) {
            ensure(8);
            buffer.putLong(value);
            return this;
        }

        Writer string(String value) {
            if (value == null) {
                ensure(2);
                buffer.putShort((short) -1);
                return this;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string of " + bytes.length + " bytes is too long for a group record");
            }
            ensure(2 + bytes.length);
            buffer.putShort((short) bytes.length).put(bytes);
            return this;
        }

        /** A string with an int32 length, for offset metadata, whose limit is a setting. */
        Writer longString(String value) {
            return value == null ? int32(-1) : bytes(value.getBytes(StandardCharsets.UTF_8));
        }

        Writer bytes(byte[] value) {
            byte[] bytes = value == null ? new byte[0] : value;
            ensure(4 + bytes.length);
            buffer.putInt(bytes.length).put(bytes);
            return this;
        }

        byte[] toArray() {
            byte[] result = new byte[buffer.position()];
            buffer.flip();
            buffer.get(result);
            return result;
        }
    }

    private static final class Reader {
        private final ByteBuffer buffer;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer.duplicate();
        }

        byte int8() {
            return buffer.get();
        }

        int int32() {
            return buffer.getInt();
        }

        long int64() {
            return buffer.getLong();
        }

        String string() {
            short length = buffer.getShort();
            if (length < 0) {
                return null;
            }
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String longString() {
            if (buffer.getInt(buffer.position()) < 0) {
                buffer.getInt();
                return null;
            }
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("byte array of " + length + " bytes with " + buffer.remaining() + " left");
            }
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return bytes;
        }
    }
}
