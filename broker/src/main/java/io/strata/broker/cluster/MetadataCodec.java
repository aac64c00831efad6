package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The primitives metadata commands, results and snapshots are written with. Collections are
 * written sorted, so equal values always give equal bytes. Changing any of these changes every
 * format built on it: add new methods instead.
 */
final class MetadataCodec {

    /** Guards reads of corrupt data against huge allocations; no metadata string or map is near it. */
    static final int MAX_LENGTH = 64 * 1024 * 1024;

    private MetadataCodec() {
    }

    /** A string as its UTF-8 length (-1 for {@code null}) and bytes. */
    static void writeString(DataOutput out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInput in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        byte[] bytes = new byte[checkLength(length)];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A broker's endpoints: a count, then each one's listener name, host and port. */
    static void writeEndpoints(DataOutput out, List<Endpoint> endpoints) throws IOException {
        out.writeInt(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            writeString(out, endpoint.listener());
            writeString(out, endpoint.host());
            out.writeInt(endpoint.port());
        }
    }

    static List<Endpoint> readEndpoints(DataInput in) throws IOException {
        int count = checkLength(in.readInt());
        List<Endpoint> endpoints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            endpoints.add(new Endpoint(readString(in), readString(in), in.readInt()));
        }
        return endpoints;
    }

    /** The one endpoint, host and port, of a registration from before brokers had several listeners. */
    static Endpoint readUnnamedEndpoint(DataInput in) throws IOException {
        return new Endpoint(Endpoint.UNNAMED_LISTENER, readString(in), in.readInt());
    }

    static void writeUuid(DataOutput out, Uuid uuid) throws IOException {
        out.writeLong(uuid.getMostSignificantBits());
        out.writeLong(uuid.getLeastSignificantBits());
    }

    static Uuid readUuid(DataInput in) throws IOException {
        return new Uuid(in.readLong(), in.readLong());
    }

    /** A map of non-null strings, sorted by key. */
    static void writeStringMap(DataOutput out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
            writeString(out, entry.getKey());
            writeString(out, entry.getValue());
        }
    }

    static Map<String, String> readStringMap(DataInput in) throws IOException {
        int size = checkLength(in.readInt());
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            map.put(readString(in), readString(in));
        }
        return Collections.unmodifiableMap(map);
    }

    /** A set of non-null strings, sorted. */
    static void writeStringSet(DataOutput out, Collection<String> set) throws IOException {
        out.writeInt(set.size());
        for (String value : new TreeSet<>(set)) {
            writeString(out, value);
        }
    }

    static Set<String> readStringSet(DataInput in) throws IOException {
        int size = checkLength(in.readInt());
        Set<String> set = new HashSet<>();
        for (int i = 0; i < size; i++) {
            set.add(readString(in));
        }
        return Collections.unmodifiableSet(set);
    }

    /** A byte array as its length and bytes. */
    static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        byte[] bytes = new byte[checkLength(in.readInt())];
        in.readFully(bytes);
        return bytes;
    }

    static void writeScramCredential(DataOutput out, ScramMechanism mechanism, ScramCredentialImage credential)
            throws IOException {
        out.writeByte(mechanism.type());
        writeBytes(out, credential.salt());
        writeBytes(out, credential.storedKey());
        writeBytes(out, credential.serverKey());
        out.writeInt(credential.iterations());
    }

    /** Reads what {@link #writeScramCredential} wrote after the mechanism. */
    static ScramCredentialImage readScramCredential(DataInput in) throws IOException {
        return new ScramCredentialImage(readBytes(in), readBytes(in), readBytes(in), in.readInt());
    }

    /**
     * Writes an ACL: resource type, pattern type, operation and permission as Kafka's protocol codes, then the
     * resource name, principal and host.
     */
    static void writeAcl(DataOutput out, AclBinding acl) throws IOException {
        out.writeByte(acl.pattern().resourceType().code());
        out.writeByte(acl.pattern().patternType().code());
        out.writeByte(acl.entry().operation().code());
        out.writeByte(acl.entry().permissionType().code());
        writeString(out, acl.pattern().name());
        writeString(out, acl.entry().principal());
        writeString(out, acl.entry().host());
    }

    static AclBinding readAcl(DataInput in) throws IOException {
        ResourceType resourceType = ResourceType.fromCode(in.readByte());
        PatternType patternType = PatternType.fromCode(in.readByte());
        AclOperation operation = AclOperation.fromCode(in.readByte());
        AclPermissionType permission = AclPermissionType.fromCode(in.readByte());
        String name = readString(in);
        String principal = readString(in);
        String host = readString(in);
        if (resourceType.isUnknown() || patternType.isUnknown() || operation.isUnknown() || permission.isUnknown()) {
            throw new IOException("corrupt ACL: unknown code in " + resourceType + " " + patternType + " " + operation
                    + " " + permission);
        }
        return new AclBinding(new ResourcePattern(resourceType, name, patternType),
                new AccessControlEntry(principal, host, operation, permission));
    }

    /** Writes a client quota entity: a count, then per entity type in name order the type and its name, if any. */
    static void writeQuotaEntity(DataOutput out, ClientQuotaEntity entity) throws IOException {
        Map<String, String> entries = new TreeMap<>(entity.entries());
        out.writeInt(entries.size());
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            writeString(out, entry.getKey());
            out.writeBoolean(entry.getValue() != null);
            if (entry.getValue() != null) {
                writeString(out, entry.getValue());
            }
        }
    }

    static ClientQuotaEntity readQuotaEntity(DataInput in) throws IOException {
        int count = checkLength(in.readInt());
        Map<String, String> entries = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String type = readString(in);
            entries.put(type, in.readBoolean() ? readString(in) : null);
        }
        return new ClientQuotaEntity(entries);
    }

    /** Writes quota values: a count, then per key in name order the key and the value. */
    static void writeQuotas(DataOutput out, Map<String, Double> quotas) throws IOException {
        out.writeInt(quotas.size());
        for (Map.Entry<String, Double> quota : new TreeMap<>(quotas).entrySet()) {
            writeString(out, quota.getKey());
            out.writeDouble(quota.getValue());
        }
    }

    static Map<String, Double> readQuotas(DataInput in) throws IOException {
        int count = checkLength(in.readInt());
        Map<String, Double> quotas = new HashMap<>();
        for (int i = 0; i < count; i++) {
            quotas.put(readString(in), in.readDouble());
        }
        return quotas;
    }

    /** Reads a SCRAM mechanism written as its type byte. */
    static ScramMechanism readScramMechanism(DataInput in) throws IOException {
        byte type = in.readByte();
        return SecurityImage.scramMechanism(type)
                .orElseThrow(() -> new IOException("unknown SCRAM mechanism type " + type));
    }

    static int checkLength(int length) throws IOException {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IOException("corrupt metadata: length " + length);
        }
        return length;
    }

    /** Each partition's replicas, in order. */
    static void writeAssignment(DataOutput out, List<List<Integer>> assignment) throws IOException {
        out.writeInt(assignment.size());
        for (List<Integer> replicas : assignment) {
            writeIntList(out, replicas);
        }
    }

    static List<List<Integer>> readAssignment(DataInput in) throws IOException {
        int count = checkLength(in.readInt());
        List<List<Integer>> assignment = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            assignment.add(readIntList(in));
        }
        return assignment;
    }

    static void writeIntList(DataOutput out, List<Integer> values) throws IOException {
        out.writeInt(values.size());
        for (int value : values) {
            out.writeInt(value);
        }
    }

    static List<Integer> readIntList(DataInput in) throws IOException {
        int count = checkLength(in.readInt());
        List<Integer> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(in.readInt());
        }
        return values;
    }
}
