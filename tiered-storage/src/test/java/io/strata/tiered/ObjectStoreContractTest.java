package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The behaviour every {@link ObjectStore} must have; each implementation's test extends this class. */
abstract class ObjectStoreContractTest {

    @TempDir
    Path sources;

    protected ObjectStore store;

    /** A new, empty store; the contract test closes it. */
    protected abstract ObjectStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void getsWhatWasPut() throws Exception {
        byte[] data = randomBytes(10_000);
        put("a/b/object", data);

        assertThat(bytes(get("a/b/object", 0, data.length))).isEqualTo(data);
        assertThat(await(store.size(key("a/b/object")))).hasValue(data.length);
    }

    @Test
    void getsARange() throws Exception {
        byte[] data = randomBytes(1000);
        put("object", data);

        ByteBuffer range = get("object", 100, 50);

        assertThat(range.position()).isZero();
        assertThat(bytes(range)).isEqualTo(Arrays.copyOfRange(data, 100, 150));
        assertThat(bytes(get("object", 999, 1))).containsExactly(data[999]);
        assertThat(get("object", 10, 0).remaining()).isZero();
    }

    @Test
    void rangePastTheEndYieldsTheBytesThatExist() throws Exception {
        byte[] data = randomBytes(1000);
        put("object", data);

        assertThat(bytes(get("object", 900, 500))).isEqualTo(Arrays.copyOfRange(data, 900, 1000));
        assertThat(bytes(get("object", 0, Integer.MAX_VALUE))).isEqualTo(data);
        assertThat(get("object", 1000, 10).remaining()).isZero();
        assertThat(get("object", 5000, 10).remaining()).isZero();
    }

    @Test
    void emptyObject() throws Exception {
        put("empty", new byte[0]);

        assertThat(await(store.size(key("empty")))).hasValue(0);
        assertThat(get("empty", 0, 100).remaining()).isZero();
    }

    @Test
    void missingObjectIsNotFound() {
        assertThat(failure(store.get(key("missing/object"), 0, 10)))
                .isInstanceOfSatisfying(ObjectNotFoundException.class,
                        e -> assertThat(e.key()).isEqualTo(key("missing/object")));
        assertThat(await(store.size(key("missing/object")))).isEmpty();
    }

    @Test
    void rejectsANegativeRange() {
        assertThatThrownBy(() -> store.get(key("object"), -1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(key("object"), 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putReplacesAnExistingObject() throws Exception {
        put("object", randomBytes(5000));
        byte[] replacement = randomBytes(10);

        put("object", replacement);

        assertThat(bytes(get("object", 0, 5000))).isEqualTo(replacement);
        assertThat(await(store.size(key("object")))).hasValue(replacement.length);
    }

    @Test
    void putOfAMissingSourceFailsWithAStoreException() {
        Path missing = sources.resolve("missing");

        assertThat(failure(store.put(key("object"), missing)))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("put")
                .hasMessageContaining("object");
        assertThat(await(store.size(key("object")))).isEmpty();
    }

    @Test
    void deleteAllDeletesEveryKeyGivenMissingOnesIncluded() throws Exception {
        put("a/one", randomBytes(10));
        put("a/two", randomBytes(10));
        put("b/kept", randomBytes(10));

        await(store.deleteAll(List.of(key("a/one"), key("a/two"), key("never/written"))));

        assertThat(await(store.list(key("a")))).isEmpty();
        assertThat(await(store.list(key("b")))).containsExactly(key("b/kept"));
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        put("a/object", randomBytes(10));

        await(store.delete(key("a/object")));
        await(store.delete(key("a/object")));
        await(store.delete(key("never/written")));

        assertThat(await(store.size(key("a/object")))).isEmpty();
        assertThat(failure(store.get(key("a/object"), 0, 1))).isInstanceOf(ObjectNotFoundException.class);
        assertThat(await(store.list(key("a")))).isEmpty();
    }

    @Test
    void listsEveryKeyUnderAPrefixSorted() throws Exception {
        for (String key : List.of("t/1/b", "t/1/sub/c", "t/1/a", "t/10/x", "t/1-x/y", "u/y")) {
            put(key, randomBytes(1));
        }

        assertThat(await(store.list(key("t/1")))).containsExactly(key("t/1/a"), key("t/1/b"), key("t/1/sub/c"));
        assertThat(await(store.list(key("t"))))
                .containsExactly(key("t/1-x/y"), key("t/1/a"), key("t/1/b"), key("t/1/sub/c"), key("t/10/x"));
        assertThat(await(store.list(key("t/1/sub")))).containsExactly(key("t/1/sub/c"));
        assertThat(await(store.list(key("u/y")))).isEmpty();
        assertThat(await(store.list(key("none")))).isEmpty();
    }

    @Test
    void aPrefixOfOtherKeysIsNotAnObject() throws Exception {
        put("a/b/c", randomBytes(10));

        assertThat(failure(store.get(key("a/b"), 0, 10))).isInstanceOf(ObjectNotFoundException.class);
        assertThat(await(store.size(key("a/b")))).isEmpty();
        await(store.delete(key("a/b")));
        assertThat(await(store.size(key("a/b/c")))).hasValue(10);
    }

    @Test
    void readersNeverSeeAPartialObject() throws Exception {
        byte[] old = randomBytes(1000);
        byte[] large = randomBytes(8 << 20);
        Path source = write(large);
        put("object", old);
        CountDownLatch readerStarted = new CountDownLatch(1);
        AtomicBoolean putDone = new AtomicBoolean();
        Set<Long> sizesSeen = ConcurrentHashMap.newKeySet();

        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int reads = 0;
            do {
                sizesSeen.add(await(store.size(key("object"))).orElse(-1));
                byte[] seen = bytes(get("object", 0, Integer.MAX_VALUE));
                assertThat(Arrays.equals(seen, old) || Arrays.equals(seen, large))
                        .as("read %d bytes, neither the old nor the new object", seen.length)
                        .isTrue();
                reads++;
                readerStarted.countDown();
            } while (!putDone.get());
            return reads;
        });
        assertThat(readerStarted.await(10, TimeUnit.SECONDS)).isTrue();
        await(store.put(key("object"), source).whenComplete((ignored, e) -> putDone.set(true)));

        assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
        assertThat(sizesSeen).isSubsetOf((long) old.length, (long) large.length);
        assertThat(bytes(get("object", 0, Integer.MAX_VALUE))).isEqualTo(large);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/a", "a/", "a//b", ".", "..", "a/../b", "a/./b", "../a", "a/..", "a\u0000b",
            "a\nb"})
    void rejectsInvalidKeys(String invalid) {
        assertThatThrownBy(() -> new ObjectKey(invalid))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid object key");
    }

    @Test
    void limitsKeysTo1024BytesOfUtf8() {
        assertThat(new ObjectKey("k".repeat(1024)).value()).hasSize(1024);
        assertThatThrownBy(() -> new ObjectKey("k".repeat(1025))).isInstanceOf(IllegalArgumentException.class);
        // 'é' takes two bytes, so 513 of them exceed the limit although the string is only 513 chars.
        assertThatThrownBy(() -> new ObjectKey("é".repeat(513))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsOrdinaryKeys() {
        ObjectKey key = new ObjectKey("topics/orders-0a1b/3/00000000000000001000.log");

        assertThat(key.segments()).containsExactly("topics", "orders-0a1b", "3", "00000000000000001000.log");
        assertThat(key).hasToString("topics/orders-0a1b/3/00000000000000001000.log");
    }

    @Test
    void failsOperationsAfterClose() {
        store.close();

        assertThat(failure(store.size(key("object")))).isInstanceOf(IllegalStateException.class);
        store.close();
    }

    protected static ObjectKey key(String value) {
        return new ObjectKey(value);
    }

    protected void put(String key, byte[] data) throws IOException {
        await(store.put(key(key), write(data)));
    }

    protected Path write(byte[] data) throws IOException {
        return Files.write(Files.createTempFile(sources, "source", ".bin"), data);
    }

    protected ByteBuffer get(String key, long position, int length) {
        return await(store.get(key(key), position, length));
    }

    protected static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    protected static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
