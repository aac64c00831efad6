package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryObjectStoreTest extends ObjectStoreContractTest {

    @TempDir
    Path root;

    @Override
    protected ObjectStore newStore() {
        return new LocalDirectoryObjectStore(root);
    }

    @Test
    void storesEachObjectAsAFileUnderTheRoot() throws Exception {
        put("a/b/object", new byte[] {1, 2, 3});

        assertThat(root.resolve("a/b/object")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(filesUnder(root)).containsExactly(root.resolve("a/b/object"));
    }

    @Test
    void neverListsTempFiles() throws Exception {
        put("a/object", new byte[] {1});
        Files.createFile(root.resolve("a/" + LocalDirectoryObjectStore.TEMP_PREFIX + UUID.randomUUID()));

        assertThat(await(store.list(key("a")))).containsExactly(key("a/object"));
    }

    @Test
    void openingDeletesTheTempFilesOfUploadsACrashCutShort() throws Exception {
        put("a/object", new byte[] {1});
        Path leftover = Files.createFile(root.resolve("a/" + LocalDirectoryObjectStore.TEMP_PREFIX + UUID.randomUUID()));

        try (ObjectStore reopened = new LocalDirectoryObjectStore(root)) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.exists(leftover) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(leftover).doesNotExist();
            assertThat(await(reopened.list(key("a")))).containsExactly(key("a/object"));
        }
    }

    @Test
    void failedPutLeavesNoTempFile() throws Exception {
        put("a/b/c", new byte[] {1});

        // The target is a directory, so the rename fails after the temp file has been written.
        assertThat(failure(store.put(key("a/b"), write(new byte[] {2}))))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("put of 'a/b'");

        assertThat(filesUnder(root)).containsExactly(root.resolve("a/b/c"));
    }

    @Test
    void deletePrunesEmptyDirectoriesUpToTheRoot() throws Exception {
        put("a/b/c/object", new byte[] {1});
        put("a/other", new byte[] {2});

        await(store.delete(key("a/b/c/object")));
        assertThat(root.resolve("a/b")).doesNotExist();
        assertThat(root.resolve("a/other")).exists();

        await(store.delete(key("a/other")));
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void rejectsKeysThatCouldBeTakenForTempFiles() {
        ObjectKey reserved = key("a/" + LocalDirectoryObjectStore.TEMP_PREFIX + "x/object");

        assertThatThrownBy(() -> store.size(reserved)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list(reserved)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void createsAMissingRoot() throws Exception {
        Path nested = root.resolve("not/yet/there");

        try (ObjectStore created = new LocalDirectoryObjectStore(nested)) {
            assertThat(nested).isDirectory();
            assertThat(await(created.list(key("any")))).isEmpty();
        }
    }

    @Test
    void opensFromAFileUri() throws Exception {
        Path directory = root.resolve("from-uri");

        try (ObjectStore opened = ObjectStores.open(directory.toUri())) {
            assertThat(opened).isInstanceOfSatisfying(LocalDirectoryObjectStore.class,
                    local -> assertThat(local.root()).isEqualTo(directory));
            await(opened.put(key("x/object"), write(new byte[] {7})));
        }
        assertThat(directory.resolve("x/object")).hasBinaryContent(new byte[] {7});
    }

    private static List<Path> filesUnder(Path directory) throws Exception {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
