package io.strata.broker.remote;

import io.strata.tiered.LocalDirectoryObjectStore;
import io.strata.tiered.ObjectStore;

import java.util.Map;

/** The tiered log on the embedded default store: a directory under the data directory. */
class LocalDirectoryTieredLogTest extends TieredLogTest {

    @Override
    protected Map<String, String> storeConfig() {
        return Map.of();
    }

    @Override
    protected Map<String, String> storeEnvironment() {
        return Map.of();
    }

    @Override
    protected ObjectStore openStore() {
        return new LocalDirectoryObjectStore(dataDir.resolve("tiered"));
    }
}
