package io.strata.broker.cluster;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * What applying a metadata command returned: {@link Errors#NONE} and a value (the first id of an
 * allocated producer-id block, else 0), or the Kafka error a request for it should answer with.
 * A failed command changed nothing.
 */
public record MetadataResult(Errors error, String message, long value) {

    private static final byte VERSION = 0;

    public MetadataResult {
        Objects.requireNonNull(error, "error");
    }

    public static MetadataResult ok() {
        return new MetadataResult(Errors.NONE, null, 0);
    }

    public static MetadataResult ok(long value) {
        return new MetadataResult(Errors.NONE, null, value);
    }

    public static MetadataResult failure(Errors error, String message) {
        if (error == Errors.NONE) {
            throw new IllegalArgumentException("a failure needs an error");
        }
        return new MetadataResult(error, message, 0);
    }

    public boolean isError() {
        return error != Errors.NONE;
    }

    /** The kafka-clients exception of the error, with the message; {@code null} on success. */
    public ApiException exception() {
        return isError() ? error.exception(message) : null;
    }

    /** Version byte, error code, message, value. */
    public byte[] serialize() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeShort(error.code());
            MetadataCodec.writeString(out, message);
            out.writeLong(value);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MetadataResult deserialize(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IOException("unknown metadata result version " + version);
            }
            Errors error = Errors.forCode(in.readShort());
            String message = MetadataCodec.readString(in);
            long value = in.readLong();
            return new MetadataResult(error, message, value);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt metadata result", e);
        }
    }
}
