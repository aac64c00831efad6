package io.strata.broker.remote;

import io.strata.broker.tiering.TieringSettings;
import io.strata.tiered.LocalDirectoryObjectStore;
import io.strata.tiered.ObjectStore;

/** The tiered log on the embedded default store: a directory under the data directory. */
class LocalDirectoryTieredLogTest extends TieredLogTest {

    @Override
    protected TieringSettings.Builder withStore(TieringSettings.Builder tiering) {
        return tiering;
    }

    @Override
    protected ObjectStore openStore() {
        return new LocalDirectoryObjectStore(dataDir.resolve("tiered"));
    }
}
