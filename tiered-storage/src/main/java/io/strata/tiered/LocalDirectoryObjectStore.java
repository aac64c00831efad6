package io.strata.tiered;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The embedded {@link ObjectStore}: each object is a file under a root directory, its key segments
 * becoming sub-directories. Suits a single broker, tests, and a mounted network file system.
 *
 * <p>Uploads are written to a temporary file named {@value #TEMP_PREFIX}&lt;uuid&gt; next to the
 * target, which is never listed; for that reason keys with a segment starting with
 * {@value #TEMP_PREFIX} are rejected with {@link IllegalArgumentException}. The temporary files that
 * a crash left behind are deleted in the background when the store opens (the directory belongs to
 * one store at a time); each store names its own with a token of its own, which that clean-up spares.
 */
public final class LocalDirectoryObjectStore implements ObjectStore {

    static final String TEMP_PREFIX = ".tmp-";

    // The threads mostly wait on the disk; a few let reads proceed while a large segment uploads.
    private static final int THREADS = 4;
    // Bounds how long closing waits for in-flight operations before interrupting them.
    private static final long CLOSE_TIMEOUT_SECONDS = 10;
    // A concurrent delete may prune the directory an upload has just created; see createTempFile.
    private static final int CREATE_TEMP_ATTEMPTS = 3;

    private static final AtomicInteger STORE_IDS = new AtomicInteger();

    private final Path root;
    private final ExecutorService executor;
    /** Names this instance's temporary files, so that the clean-up at open spares the uploads it starts. */
    private final String tempPrefix = TEMP_PREFIX + UUID.randomUUID() + "-";

    /** Opens the store at {@code root}, creating the directory if it does not exist. */
    public LocalDirectoryObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create object store directory " + this.root, e);
        }
        String threadPrefix = "strata-object-store-" + STORE_IDS.incrementAndGet() + "-";
        AtomicInteger threadIds = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, threadPrefix + threadIds.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.execute(this::deleteLeftoverTempFiles);
    }

    private void deleteLeftoverTempFiles() {
        try (Stream<Path> files = Files.walk(root)) {
            Iterable<Path> leftovers = files.filter(file -> isTempFile(file)
                    && !file.getFileName().toString().startsWith(tempPrefix))::iterator;
            for (Path file : leftovers) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // Harmless: they are never listed nor read, and the next open tries again.
            System.getLogger(LocalDirectoryObjectStore.class.getName()).log(System.Logger.Level.WARNING,
                    "Cannot delete leftover upload files under " + root + ": " + e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public CompletableFuture<Void> put(ObjectKey key, Path source) {
        Objects.requireNonNull(source, "source");
        Path target = file(key);
        return run("put", key, () -> {
            Path temp = createTempFile(target);
            try {
                copyDurably(source, temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            syncDirectories(target.getParent());
            return null;
        });
    }

    @Override
    public CompletableFuture<ByteBuffer> get(ObjectKey key, long position, int length) {
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("Negative range: position " + position + ", length " + length);
        }
        Path file = file(key);
        return run("get", key, () -> {
            // Opening a directory for reading succeeds on Linux, so check that it is not one.
            if (Files.isDirectory(file)) {
                throw new ObjectNotFoundException(key);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return read(channel, position, length);
            } catch (NoSuchFileException e) {
                throw new ObjectNotFoundException(key);
            }
        });
    }

    @Override
    public CompletableFuture<OptionalLong> size(ObjectKey key) {
        Path file = file(key);
        return run("size", key, () -> {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return attributes.isRegularFile() ? OptionalLong.of(attributes.size()) : OptionalLong.empty();
            } catch (NoSuchFileException e) {
                return OptionalLong.empty();
            }
        });
    }

    @Override
    public CompletableFuture<Void> delete(ObjectKey key) {
        Path file = file(key);
        return run("delete", key, () -> {
            if (!Files.isDirectory(file) && Files.deleteIfExists(file)) {
                pruneEmptyDirectories(file.getParent());
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<List<ObjectKey>> list(ObjectKey prefix) {
        Path directory = file(prefix);
        return run("list", prefix, () -> {
            List<ObjectKey> keys = new ArrayList<>();
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && !file.equals(directory) && !isTempFile(file)) {
                        keys.add(key(file));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    // A concurrent delete pruned it: there is nothing under it to list.
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
            keys.sort(Comparator.naturalOrder());
            return keys;
        });
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private Path file(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        Path file = root;
        for (String segment : key.segments()) {
            if (segment.startsWith(TEMP_PREFIX)) {
                throw new IllegalArgumentException("Object key '" + key + "' has a segment starting with "
                        + TEMP_PREFIX + ", which this store reserves for uploads in progress");
            }
            file = file.resolve(segment);
        }
        return file;
    }

    private ObjectKey key(Path file) {
        StringJoiner key = new StringJoiner("/");
        root.relativize(file).forEach(name -> key.add(name.toString()));
        return new ObjectKey(key.toString());
    }

    private static boolean isTempFile(Path file) {
        return file.getFileName().toString().startsWith(TEMP_PREFIX);
    }

    private Path createTempFile(Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Files.createDirectories(target.getParent());
            try {
                return Files.createFile(target.resolveSibling(tempPrefix + UUID.randomUUID()));
            } catch (NoSuchFileException e) {
                // A delete pruned the directory after it was created; creating it again is enough.
                if (attempt == CREATE_TEMP_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(length, channel.size() - position)));
        while (buffer.hasRemaining()) {
            // Objects never shrink, but a file truncated behind the store's back must end the loop.
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.flip();
    }

    private static void copyDurably(Path source, Path temp) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            long size = in.size();
            for (long copied = 0; copied < size; ) {
                long transferred = in.transferTo(copied, size - copied, out);
                // transferTo returns 0 at the end of the file, so a shrinking source would loop forever.
                if (transferred == 0 && in.size() <= copied) {
                    throw new IOException("Source " + source + " shrank during the upload");
                }
                copied += transferred;
            }
            out.force(true);
        }
    }

    /**
     * Flushes the directory entries from {@code directory} up to the root, so that after a crash
     * a completed put is still there: the rename and any directories created for it.
     */
    private void syncDirectories(Path directory) throws IOException {
        for (Path dir = directory; ; dir = dir.getParent()) {
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            }
            if (dir.equals(root)) {
                return;
            }
        }
    }

    /** Removes the directories left empty by a delete, from {@code directory} up to the root. */
    private void pruneEmptyDirectories(Path directory) throws IOException {
        for (Path dir = directory; !dir.equals(root); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (NoSuchFileException e) {
                // A concurrent delete pruned it already; its parent may still be empty.
            }
        }
    }

    private <T> CompletableFuture<T> run(String operation, ObjectKey key, IoTask<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    future.complete(task.run());
                } catch (IOException e) {
                    future.completeExceptionally(new ObjectStoreException(operation, key, e));
                } catch (UncheckedIOException e) {
                    future.completeExceptionally(new ObjectStoreException(operation, key, e.getCause()));
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new IllegalStateException("Object store " + root + " is closed", e));
        }
        return future;
    }

    @FunctionalInterface
    private interface IoTask<T> {
        T run() throws IOException;
    }

    /** The store's URL, for log lines. */
    @Override
    public String toString() {
        return root.toUri().toString();
    }
}
