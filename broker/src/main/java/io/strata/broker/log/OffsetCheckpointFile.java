package io.strata.broker.log;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * One offset persisted in its own small file (the recovery point, the log start offset).
 *
 * <p>Format, 13 bytes, big-endian: {@code version:int8 (=0) | offset:int64 | crc32c:int32}, the
 * CRC covering the 9 bytes before it. Replaced atomically ({@link AtomicFiles}). A missing, short
 * or corrupt file reads as empty: every caller has a safe fallback (recover more, expose more).
 *
 * <p>Not thread-safe: callers serialise writes.
 */
public final class OffsetCheckpointFile {

    private static final Logger LOG = Logger.getLogger(OffsetCheckpointFile.class);
    private static final byte VERSION = 0;
    private static final int SIZE = 1 + 8 + 4;

    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(long offset) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        buffer.put(VERSION).putLong(offset);
        buffer.putInt((int) crc(buffer.array(), SIZE - 4));
        buffer.flip();
        AtomicFiles.write(file, buffer);
    }

    /** The stored offset, or empty if the file is missing or unreadable. */
    public OptionalLong read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            byte version = buffer.get();
            long offset = buffer.getLong();
            int storedCrc = buffer.getInt();
            if (version != VERSION || bytes.length != SIZE || storedCrc != (int) crc(bytes, SIZE - 4) || offset < 0) {
                LOG.warnf("Ignoring corrupt checkpoint %s", file);
                return OptionalLong.empty();
            }
            return OptionalLong.of(offset);
        } catch (BufferUnderflowException e) {
            LOG.warnf("Ignoring truncated checkpoint %s", file);
            return OptionalLong.empty();
        }
    }

    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    private static long crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
