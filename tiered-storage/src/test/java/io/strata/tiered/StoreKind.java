package io.strata.tiered;

import java.nio.file.Path;

/** The object stores that the tiering tests run against where the store's behaviour matters. */
enum StoreKind {

    LOCAL {
        @Override
        ObjectStore open(Path directory) {
            return new LocalDirectoryObjectStore(directory);
        }
    },

    /** A new bucket of an S3Proxy over HTTP, shared by all tests of the JVM. */
    S3 {
        @Override
        ObjectStore open(Path directory) {
            return new S3ObjectStore(SharedS3Proxy.BUCKETS.create().build());
        }
    };

    /** A new, empty store; {@code directory} is an empty directory that a store may keep its objects in. */
    abstract ObjectStore open(Path directory);

    private static final class SharedS3Proxy {

        // Started on first use and left running until the JVM exits: stopping it, and the client that
        // keeps Netty's event loop alive, would cost each test class seconds.
        static final S3TestBuckets BUCKETS = start();

        private static S3TestBuckets start() {
            try {
                S3ProxyServer server = S3ProxyServer.start();
                return new S3TestBuckets(server.endpoint(), S3ProxyServer.CREDENTIALS);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start S3Proxy", e);
            }
        }
    }
}
